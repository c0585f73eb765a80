"""CQL2 filters (OGC API – Features Part 3) on GeoDataFrames.

``parse`` reads CQL2 text or JSON with cql2-rs (the ``cql2`` package, the reference parser
of OGC CQL2 1.0) into CQL2 JSON as Python values, after bounding its size and nesting;
``evaluate`` computes the filter over a frame column by column (pandas, and shapely 2's
vectorised predicates on full-resolution geometry). ``CONFORMANCE`` lists the CQL2 and
Part 3 classes met, for the API to declare.

>>> import geopandas as gpd, shapely
>>> frame = gpd.GeoDataFrame({"name": ["渝中区", "邻水县"], "area_km2": [23.0, 1919.0]},
...     geometry=[shapely.box(106, 29, 107, 30), shapely.box(107, 29, 108, 30)])
>>> list(evaluate(frame, parse("name LIKE '%县' AND area_km2 > 100")))
[False, True]
>>> list(evaluate(frame, parse('{"op": "s_intersects", "args": [{"property": "geometry"},'
...                            ' {"bbox": [107.5, 29, 108, 30]}]}', "cql2-json")))
[False, True]
>>> sorted(attributes(parse("NOT (name = '渝中区' AND area_km2 < 100)")))
['area_km2', 'name']
"""

from filtering.classes import CONFORMANCE, OPERATORS
from filtering.errors import FilterError
from filtering.evaluation import evaluate
from filtering.parsing import LANGUAGES, attributes, check_language, operators, parse

__all__ = ["CONFORMANCE", "LANGUAGES", "OPERATORS", "FilterError", "attributes",
           "check_language", "evaluate", "operators", "parse"]
