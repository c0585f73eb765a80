"""Coverage, adjacency and display resolutions: neighbours stay neighbours."""

import numpy as np
import pytest
import shapely

from geo import topology
from geo.boundaries import RESOLUTION_NAMES

# The units bordering 广安市 (all six of its units together), derived once from the data
# and checked on the map: 渝北, 长寿, 合川, 垫江 across the 重庆 border; 嘉陵, 高坪, 蓬安
# (南充) to the north-west; 蓬溪 (遂宁) to the west; 渠县, 大竹 (达州) to the north-east.
# 梁平区 does not touch it (it borders 达川, 开江, 大竹).
GUANGAN_NEIGHBOURS = ["合川区", "嘉陵区", "垫江县", "大竹县", "渝北区", "渠县", "蓬安县",
                      "蓬溪县", "长寿区", "高坪区"]


@pytest.mark.parametrize("resolution", RESOLUTION_NAMES)
def test_units_form_a_valid_coverage(boundaries, resolution):
    geometries = boundaries.geometry("units", resolution).values
    assert shapely.coverage_is_valid(geometries)
    assert shapely.is_valid(geometries).all()


@pytest.mark.parametrize("resolution", RESOLUTION_NAMES)
def test_units_touching_guangan_are_its_real_neighbours(boundaries, resolution):
    geometries = boundaries.geometry("units", resolution)
    guangan = shapely.coverage_union_all(geometries.loc[boundaries.members("511600")].values)
    touching = boundaries.units.name[shapely.touches(geometries.values, guangan)]
    assert sorted(touching) == sorted(GUANGAN_NEIGHBOURS)


def test_adjacency_graph_agrees_with_the_geometry(boundaries):
    neighbours = boundaries.neighbours(boundaries.members("511600"))
    assert sorted(boundaries.units.name[neighbours]) == sorted(GUANGAN_NEIGHBOURS)


def pair(boundaries, names, a, b):
    a, b = sorted([names[a], names[b]])
    row = boundaries.adjacency[(boundaries.adjacency.a == a) & (boundaries.adjacency.b == b)]
    return row.iloc[0] if len(row) else None


def test_point_contacts_are_not_shared_borders(boundaries, names):
    for a, b in [("锦江区", "金牛区"), ("青羊区", "成华区")]:
        contact = pair(boundaries, names, a, b)
        assert contact.contact == "point" and contact.shared_km == 0
    assert (boundaries.adjacency.contact == "point").sum() == 2
    assert names["金牛区"] not in boundaries.neighbours([names["锦江区"]])
    assert names["金牛区"] in boundaries.neighbours([names["锦江区"]], contact="any")


def test_cross_border_neighbours(boundaries, names):
    assert 60 < pair(boundaries, names, "邻水县", "长寿区").shared_km < 70
    assert pair(boundaries, names, "邻水县", "梁平区") is None
    assert pair(boundaries, names, "万源市", "城口县").contact == "edge"


def test_edges_have_positive_shared_length(boundaries):
    edges = boundaries.adjacency[boundaries.adjacency.contact == "edge"]
    assert (edges.shared_km > 0).all() and (edges.a < edges.b).all()


def right_hand_rule(geometries) -> bool:
    """Whether every exterior ring runs counter-clockwise and every hole clockwise."""
    polygons = shapely.get_parts(np.asarray(geometries))
    holes = [shapely.get_interior_ring(p, i) for p in polygons
             for i in range(shapely.get_num_interior_rings(p))]
    return bool(shapely.is_ccw(shapely.get_exterior_ring(polygons)).all()
                and not shapely.is_ccw(holes).any())


@pytest.mark.parametrize("layer", ["units", "cities", "provinces"])
@pytest.mark.parametrize("resolution", RESOLUTION_NAMES)
def test_rings_follow_the_right_hand_rule(boundaries, layer, resolution):
    assert right_hand_rule(boundaries.geometry(layer, resolution).values)


def test_counter_clockwise_turns_what_a_coverage_union_turned_round():
    halves = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
    assert not right_hand_rule([shapely.coverage_union_all(halves)])  # what GEOS gives
    assert right_hand_rule([topology.counter_clockwise(shapely.coverage_union_all(halves))])


@pytest.mark.parametrize("resolution", RESOLUTION_NAMES)
def test_coordinates_have_at_most_six_decimals(boundaries, resolution):
    xy = shapely.get_coordinates(boundaries.geometry("units", resolution).values)
    assert np.allclose(xy, np.round(xy, 6), rtol=0, atol=1e-12)


def test_display_resolutions_have_fewer_vertices(boundaries):
    counts = [shapely.get_num_coordinates(boundaries.geometry("units", r).values).sum()
              for r in ("full", "local", "regional", "overview")]
    assert counts == sorted(counts, reverse=True) and counts[-1] < counts[0] / 10


def test_cities_and_provinces_are_the_union_of_their_units(boundaries):
    units = boundaries.units
    chengdu = shapely.coverage_union_all(units.geometry[units.city_adcode == "510100"].values)
    assert shapely.equals(boundaries.cities.geometry.loc["510100"], chengdu)
    assert shapely.touches(boundaries.provinces.geometry.loc["500000"],
                           boundaries.provinces.geometry.loc["510000"])


def test_an_invalid_coverage_is_repaired():
    overlapping = np.array([shapely.box(0, 0, 1.1, 1), shapely.box(1, 0, 2, 1)])
    repaired, report = topology.ensure_valid_coverage(overlapping)
    assert report.repaired and report.invalid_edges > 0 and not report.valid
    assert shapely.coverage_is_valid(repaired) and shapely.touches(*repaired)
    assert "coverage_clean" in report.describe()


def test_a_valid_coverage_is_left_alone():
    squares = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    same, report = topology.ensure_valid_coverage(squares)
    assert same is squares and report.valid and not report.repaired
