"""The map's place names: where each is written and how it reads in each language.

The page places them itself (``static/atlas/labels.js``: in screen space, the more important
first, a name dropped rather than overlapping another); this module gives it, once per
page, every candidate: provinces, prefectures and county-level units, each at its label
point (the centre of its largest inscribed circle, the same rule as ``geo.build`` for the
units), and the entities at the label point of their latest outline.
"""

from __future__ import annotations

import shapely

from geo.naming import short_name
from geo.pinyin import syllables
from layers import Layers

# Tolerance (degrees) of the inscribed-circle search for prefectures, provinces, entities:
# about 1 km, far below what a label's position can show.
LABEL_TOLERANCE = 0.01


def romanised(name: str) -> str:
    """The pinyin of a place's short name as written on English maps.

    >>> romanised("广安市"), romanised("重庆市"), romanised("邻水县")
    ("Guang'an", 'Chongqing', 'Linshui')
    """
    joined = "".join(("'" if i and s[0] in "aeo" else "") + s
                     for i, s in enumerate(syllables(short_name(name) or name)))
    return joined[:1].upper() + joined[1:]


def label_point(geometry) -> list[float]:
    """[lon, lat] of the centre of the largest circle inside ``geometry``.

    >>> label_point(shapely.box(100, 30, 102, 32))
    [101.0, 31.0]
    """
    centre = shapely.get_point(shapely.maximum_inscribed_circle(geometry, LABEL_TOLERANCE), 0)
    return [round(float(shapely.get_x(centre)), 4), round(float(shapely.get_y(centre)), 4)]


def place_labels(atlas: Layers, english: dict[str, str]) -> list[list]:
    """Every place name as ``[level, adcode, zh, en, lon, lat]``: provinces, prefectures
    (重庆市 once, as a province), then units from the largest; ``english`` gives the
    provinces' English names by Chinese name."""
    boundaries = atlas.boundaries
    provinces = boundaries.provinces
    cities = boundaries.cities[~boundaries.cities.adcode.isin(provinces.adcode)]
    labels = [["provinces", row.adcode, row.name, english.get(row.name, romanised(row.name)),
               *label_point(row.geometry)] for row in provinces.itertuples()]
    labels += [["cities", row.adcode, row.name, romanised(row.name), *label_point(row.geometry)]
               for row in cities.sort_values("area_km2", ascending=False).itertuples()]
    units = boundaries.units.sort_values("area_km2", ascending=False)
    labels += [["units", row.adcode, row.name, romanised(row.name), round(float(row.label_lon), 4),
                round(float(row.label_lat), 4)] for row in units.itertuples()]
    return labels


def entity_label_points(atlas: Layers) -> dict[str, list[float]]:
    """Entity id → [lon, lat] of the label point of its latest outline."""
    outlines = atlas.outlines(None, "overview")
    return {entity: label_point(geometry) for entity, geometry in outlines.geometry.items()}
