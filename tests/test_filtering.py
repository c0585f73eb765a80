"""filtering: parsing (cql2-rs, bounds before it), evaluation with three-valued logic, each
conformance class declared, and clear errors for what is not accepted."""

import datetime as dt
import json

import geopandas as gpd
import pytest
import shapely

import filtering
from filtering import FilterError, attributes, evaluate, parse
from filtering.classes import CLASSES, CQL2


@pytest.fixture(scope="module")
def frame():
    return gpd.GeoDataFrame({
        "name": ["渝中区", "邻水县", "Zürich", None],
        "area_km2": [23.0, 1919.0, 88.0, None],
        "tags": [["a", "b"], ["b"], [], None],
        "since": [dt.date(2020, 1, 1), dt.date(2023, 5, 1), None, dt.date(2019, 1, 1)],
        "until": [dt.date(2021, 1, 1), None, None, dt.date(2030, 1, 1)],
        "active": [True, False, True, False],
    }, geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1),
                 shapely.LineString([(5, 5), (6, 6)]), None])


def rows(frame, text, language="cql2-text"):
    return [i for i, hit in enumerate(evaluate(frame, parse(text, language))) if hit]


# -- basic-cql2 --------------------------------------------------------------------------
def test_and_binds_tighter_than_or(frame):
    assert rows(frame, "name = '渝中区' OR name = '邻水县' AND area_km2 > 100000") == [0]
    assert rows(frame, "(name = '渝中区' OR name = '邻水县') AND area_km2 > 1000") == [1]


def test_boolean_literals_text_and_json(frame):
    assert rows(frame, "TRUE") == [0, 1, 2, 3]
    assert rows(frame, "true", "cql2-json") == [0, 1, 2, 3]
    assert rows(frame, "FALSE") == []
    assert rows(frame, "active = TRUE") == [0, 2]


def test_null_is_unknown_not_false(frame):
    assert rows(frame, "area_km2 < 100") == [0, 2]
    assert rows(frame, "NOT (area_km2 < 100)") == [1]  # the NULL row stays out
    assert rows(frame, "area_km2 IS NULL") == [3]
    assert rows(frame, "geometry IS NOT NULL") == [0, 1, 2]


def test_comparisons_need_operands_of_one_kind(frame):
    with pytest.raises(FilterError, match="cannot compare the name .text. with the 1.0"):
        evaluate(frame, parse("name = 1"))
    with pytest.raises(FilterError, match="geometry"):  # cql2-rs's validation refuses it
        evaluate(frame, parse("geometry = POINT(1 1)"))


# -- advanced comparison, case- and accent-insensitive -----------------------------------
def test_like_between_in(frame):
    assert rows(frame, "name LIKE '%县'") == [1]
    assert rows(frame, "name LIKE '渝_区'") == [0]
    assert rows(frame, "name NOT LIKE '渝%'") == [1, 2]
    assert rows(frame, "area_km2 BETWEEN 50 AND 2000") == [1, 2]
    assert rows(frame, "name IN ('邻水县', 'Zürich')") == [1, 2]
    assert rows(frame, '{"op": "between", "args": [{"property": "area_km2"}, 50, 100]}',
                "cql2-json") == [2]


def test_like_on_what_is_not_text_names_the_property(frame):
    with pytest.raises(FilterError, match="LIKE needs text, not the area_km2 .number."):
        evaluate(frame, parse("area_km2 LIKE '1%'"))
    with pytest.raises(FilterError, match="LIKE needs text, not the geometry"):
        evaluate(frame, parse("geometry LIKE 'a%'"))


def test_casei_and_accenti(frame):
    assert rows(frame, "CASEI(name) = CASEI('ZÜRICH')") == [2]
    assert rows(frame, "ACCENTI(name) = ACCENTI('Zurich')") == [2]
    assert rows(frame, "CASEI(name) LIKE CASEI('zü%')") == [2]


# -- spatial -----------------------------------------------------------------------------
def test_spatial_functions_with_a_literal_on_either_side(frame):
    assert rows(frame, "S_INTERSECTS(geometry, BBOX(0.5, 0.5, 1.5, 0.8))") == [0, 1]
    assert rows(frame, "S_TOUCHES(geometry, POLYGON((0 0, 1 0, 1 1, 0 1, 0 0)))") == [1]
    assert rows(frame, "S_WITHIN(geometry, BBOX(-1, -1, 1.5, 2))") == [0]
    assert rows(frame, "S_CONTAINS(BBOX(-1, -1, 1.5, 2), geometry)") == [0]
    assert rows(frame, "S_CROSSES(geometry, LINESTRING(5 6, 6 5))") == [2]
    assert rows(frame, "S_DISJOINT(geometry, POINT(0.5 0.5))") == [1, 2]  # NULL: unknown


def test_json_bbox_and_geometry_collection_literals(frame):
    box = {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [1.5, 0, 9, 9]}]}
    assert rows(frame, json.dumps(box), "cql2-json") == [1, 2]
    assert rows(frame, "S_INTERSECTS(geometry, BBOX(1.5, 0, 9, 9))") == [1, 2]
    collection = {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [0.5, 0.5]},
        {"type": "LineString", "coordinates": [[5, 6], [6, 5]]}]}
    as_json = {"op": "s_intersects", "args": [{"property": "geometry"}, collection]}
    assert rows(frame, json.dumps(as_json), "cql2-json") == [0, 2]
    as_text = "S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(0.5 0.5), LINESTRING(5 6, 6 5)))"
    assert parse(as_text) == parse(json.dumps(as_json), "cql2-json")


def test_spatial_functions_need_geometries(frame):
    with pytest.raises(FilterError, match="S_INTERSECTS needs two geometries, not the name"):
        evaluate(frame, parse("S_INTERSECTS(name, POINT(1 1))"))


# -- temporal, arrays, arithmetic, property-property --------------------------------------
def test_temporal_functions_on_dates_and_intervals(frame):
    assert rows(frame, "T_AFTER(since, DATE('2021-01-01'))") == [1]
    assert rows(frame, "T_BEFORE(since, TIMESTAMP('2020-06-01T00:00:00Z'))") == [0, 3]
    assert rows(frame, "T_DURING(INTERVAL(since, until), INTERVAL('2015-01-01', '..'))") == [0, 3]
    assert rows(frame, "T_INTERSECTS(INTERVAL(since, until), "
                       "INTERVAL('2020-06-01', '2020-07-01'))") == [0, 3]
    assert rows(frame, "T_EQUALS(since, DATE('2023-05-01'))") == [1]
    assert rows(frame, "since >= DATE('2020-01-01')") == [0, 1]


def test_array_functions_compare_as_sets(frame):
    assert rows(frame, "A_CONTAINS(tags, ('b'))") == [0, 1]
    assert rows(frame, "A_CONTAINEDBY(tags, ('b', 'c'))") == [1, 2]
    assert rows(frame, "A_EQUALS(tags, ('b', 'a'))") == [0]
    assert rows(frame, '{"op": "a_overlaps", "args": [{"property": "tags"}, ["a", "z"]]}',
                "cql2-json") == [0]


def test_arithmetic_and_property_property(frame):
    assert rows(frame, "area_km2 * 2 > 100") == [1, 2]
    assert rows(frame, "area_km2 % 2 = 0 OR area_km2 div 10 = 2") == [0, 2]
    assert rows(frame, "2 ^ 3 = 8 AND area_km2 > 1000") == [1]
    assert rows(frame, "until > since") == [0, 3]
    assert rows(frame, "S_INTERSECTS(geometry, geometry)") == [0, 1, 2]


# -- what is not accepted ------------------------------------------------------------------
@pytest.mark.parametrize("text, language, named", [
    ("avg(area_km2) > 1", "cql2-text", "'avg'"),
    ('{"op": "Foo", "args": [{"property": "name"}]}', "cql2-json", "'Foo'"),
    ("S_BUFFER(geometry, 1) = TRUE", "cql2-text", "S_BUFFER"),
    ('{"op": "=", "args": [{"property": 5}, 1]}', "cql2-json", "property name"),
    ("name = ", "cql2-text", "invalid cql2-text filter"),
    ("{not json", "cql2-json", "invalid cql2-json filter"),
    ("name = 'x'", "cql-text", "filter-lang"),
])
def test_refusals_name_the_bad_part(text, language, named):
    with pytest.raises(FilterError) as refusal:
        parse(text, language)
    assert named in str(refusal.value)


def test_unknown_properties_are_named_with_what_is_accepted(frame):
    with pytest.raises(FilterError) as refusal:
        evaluate(frame, parse("population > 1 AND name = 'x' OR 人口 < 3"))
    assert "unknown properties population, 人口; queryables: active, area_km2, geometry" in \
        str(refusal.value)


@pytest.mark.parametrize("text", [
    "S_INTERSECTS(geometry, " + "POINT(" * 16_000,  # 96 KB, never closed
    "S_INTERSECTS(geometry, " + "GEOMETRYCOLLECTION(" * 990 + "POINT(1 1)" + ")" * 991,
    "(" * 5_000 + "name = 'x'" + ")" * 5_000,
    "area_km2 = " + "-" * 5_000 + "1",
    " OR ".join(["name = 'x'"] * 20_000),
])
def test_hostile_nesting_is_refused_before_the_parser(text):
    """cql2-rs recurses: these would overflow its stack and end the process."""
    with pytest.raises(FilterError, match="deeper than|more than"):
        parse(text)


def test_long_json_nesting_is_refused():
    nested = '{"op": "not", "args": [' * 5_000 + "true" + "]}" * 5_000
    with pytest.raises(FilterError):
        parse(nested, "cql2-json")


def test_big_geometry_literals_are_read_in_linear_time():
    points = ", ".join(f"{106 + i * 1e-5:.5f} {29 + i * 1e-5:.5f}" for i in range(40_000))
    node = parse(f"S_INTERSECTS(geometry, MULTIPOINT({points}))")
    assert len(node["args"][1]["coordinates"]) == 40_000
    with pytest.raises(FilterError, match="vertices"):
        parse(f"S_INTERSECTS(geometry, MULTIPOINT({points}, {points}))")


def test_attributes():
    assert attributes(parse("a = 1 AND T_DURING(INTERVAL(b, '..'), INTERVAL(c, d)) OR "
                            "A_CONTAINS(e, ('x'))")) == {"a", "b", "c", "d", "e"}
    assert attributes(parse("TRUE")) == set()


def test_conformance_lists_each_class_once_with_its_uri():
    assert len(filtering.CONFORMANCE) == len(set(filtering.CONFORMANCE))
    assert {CQL2 + name for name in CLASSES} <= set(filtering.CONFORMANCE)
    assert not {c for c in filtering.CONFORMANCE if c.endswith(("/functions"))}


def test_the_readme_lists_exactly_the_classes_met():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    start = readme.index("lists the CQL2 classes met")
    listed = set(readme[start:readme.index("any other function", start)].split("`")[3::2])
    assert listed == set(CLASSES)
