"""CQL2 filters (OGC API – Features Part 3): parse a filter, name its properties, evaluate it.

>>> import geopandas as gpd, shapely
>>> frame = gpd.GeoDataFrame({"name": ["甲", "乙"]}, geometry=[shapely.Point(0, 0)] * 2)
>>> node = parse("name = '乙'")
>>> sorted(attributes(node)), list(evaluate(frame, node))
(['name'], [False, True])
"""

from filtering.cql import LANGUAGES, FilterError, attributes, evaluate, parse

__all__ = ["LANGUAGES", "FilterError", "attributes", "evaluate", "parse"]
