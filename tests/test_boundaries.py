"""The in-memory data set: members, neighbours and spatial queries."""

import pytest
import shapely


def test_members_of_a_unit_a_city_and_a_province(boundaries):
    assert boundaries.members("511623") == ["511623"]
    assert len(boundaries.members("511600")) == 6
    assert len(boundaries.members("500000")) == 38
    with pytest.raises(KeyError, match="unknown adcode '999999'"):
        boundaries.members("999999")


def test_neighbours_of_one_unit(boundaries, names):
    around = set(boundaries.units.name[boundaries.neighbours(["500103"])])
    assert around == {"江北区", "南岸区", "沙坪坝区", "九龙坡区"}  # 渝中 between two rivers


def test_query_with_predicates(boundaries):
    point = shapely.Point(106.577, 29.557)  # 解放碑, in 渝中区
    assert boundaries.query(point) == ["500103"]
    chongqing = boundaries.provinces.geometry.loc["500000"]
    assert len(boundaries.query(chongqing, "within")) == 38
    assert set(boundaries.query(chongqing, "touches")) == set(
        boundaries.neighbours(boundaries.members("500000")))


def test_unknown_layer_or_resolution_is_named(boundaries):
    with pytest.raises(KeyError, match="resolutions: full, overview"):
        boundaries.geometry("units", "tiny")
