"""CQL2 filters on /items (OGC API – Features Part 3), text and JSON: comparisons, LIKE,
IN, BETWEEN with Chinese literals and the spatial functions, on full-resolution geometry."""

import json

import httpx
import pytest
import shapely

# The ten county-level units that share a border with 广安市 (its six units excluded)
GUANG_AN_NEIGHBOURS = sorted(["合川区", "嘉陵区", "垫江县", "大竹县", "渝北区", "渠县",
                              "蓬安县", "蓬溪县", "长寿区", "高坪区"])
GUANG_AN_UNITS = sorted(["广安区", "前锋区", "岳池县", "武胜县", "邻水县", "华蓥市"])


@pytest.fixture(autouse=True)
def long_urls(monkeypatch):
    """The outline of 广安市 is 147 k characters of WKT: more than httpx's own cap on a URL
    (64 KiB, a client-side limit; uvicorn, curl, GDAL and browsers take it)."""
    monkeypatch.setattr(httpx._urlparse, "MAX_URL_LENGTH", 2_000_000)


@pytest.fixture(scope="module")
def guang_an(boundaries):
    """The union of the units of 广安市, at full resolution."""
    members = list(boundaries.members("511600"))
    return shapely.coverage_union_all(boundaries.units.geometry.loc[members].values)


def wkt(geometry) -> str:
    return shapely.to_wkt(geometry, rounding_precision=6, trim=True)


def select(client, filter_, collection="units", lang="cql2-text", **params):
    if not isinstance(filter_, str):
        filter_, lang = json.dumps(filter_, ensure_ascii=False), "cql2-json"
    response = client.get(f"/collections/{collection}/items",
                          params={"filter": filter_, "filter-lang": lang, "limit": 10_000,
                                  **params})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["numberMatched"] == page["numberReturned"]
    return page["features"]


def names(features, key="name"):
    return sorted(f["properties"][key] for f in features)


# -- spatial functions -------------------------------------------------------------------
def test_s_touches_guang_an_gives_exactly_its_ten_neighbours(client, guang_an):
    text = select(client, f"S_TOUCHES(geometry, {wkt(guang_an)})")
    assert names(text) == GUANG_AN_NEIGHBOURS
    as_json = select(client, {"op": "s_touches", "args": [
        {"property": "geometry"}, shapely.geometry.mapping(guang_an)]})
    assert names(as_json) == GUANG_AN_NEIGHBOURS


def test_spatial_filters_use_full_resolution_whatever_is_displayed(client, guang_an):
    shown = select(client, f"S_TOUCHES(geometry, {wkt(guang_an)})", resolution="overview")
    assert names(shown) == GUANG_AN_NEIGHBOURS


def test_s_within_and_s_intersects_guang_an(client, guang_an):
    assert names(select(client, f"S_WITHIN(geometry, {wkt(guang_an)})")) == GUANG_AN_UNITS
    intersecting = names(select(client, f"S_INTERSECTS(geometry, {wkt(guang_an)})"))
    assert intersecting == sorted(GUANG_AN_UNITS + GUANG_AN_NEIGHBOURS)


def test_s_contains_a_point(client, boundaries):
    inside = boundaries.units.geometry.loc["511623"].representative_point()  # in 邻水县
    point = f"POINT({inside.x} {inside.y})"
    assert names(select(client, f"S_CONTAINS(geometry, {point})")) == ["邻水县"]
    assert names(select(client, f"S_CONTAINS(geometry, {point})", "cities")) == ["广安市"]
    as_json = select(client, {"op": "s_contains", "args": [
        {"property": "geometry"}, {"type": "Point", "coordinates": [inside.x, inside.y]}]},
        "provinces")
    assert names(as_json) == ["四川省"]


def test_s_disjoint(client, boundaries):
    inside = boundaries.units.geometry.loc["500103"].representative_point()  # in 渝中区
    point = f"POINT({inside.x} {inside.y})"
    assert names(select(client, f"S_DISJOINT(geometry, {point})", "provinces")) == ["四川省"]
    assert len(select(client, f"S_DISJOINT(geometry, {point})")) == 220


def test_s_intersects_bbox_and_line(client, boundaries):
    found = select(client, "S_INTERSECTS(geometry, BBOX(106.5, 30.0, 107.0, 30.5))")
    units = boundaries.units
    assert names(found) == sorted(units.name[units.intersects(shapely.box(106.5, 30, 107, 30.5))])
    line = shapely.LineString([(104.0, 30.6), (106.5, 29.5)])  # 成都 to 重庆
    crossing = select(client, f"S_CROSSES(geometry, {line.wkt})")
    assert names(crossing) == sorted(units.name[units.crosses(line)])
    assert len(crossing) > 5


def test_s_equals_a_unit_geometry(client, boundaries):
    geometry = boundaries.units.geometry.loc["511623"]
    assert names(select(client, f"S_EQUALS(geometry, {wkt(geometry)})")) == ["邻水县"]


def test_platforms_overlapping_guang_an(client, guang_an):
    found = select(client, f"S_OVERLAPS(geometry, {wkt(guang_an)}) AND "
                           "kind = 'cooperation_platform'", "platforms")
    assert {"chuanyu-gaozhu", "mingyueshan"} <= {f["id"] for f in found}
    assert "heguangchang" not in {f["id"] for f in found}  # it covers 广安市: no overlap


# -- comparisons, LIKE, IN, BETWEEN --------------------------------------------------------
def test_like_with_chinese_and_both_wildcards(client):
    counties = select(client, "name LIKE '%县' AND province = '四川省'")
    assert counties and all(n.endswith("县") for n in names(counties))
    assert names(select(client, "name LIKE '渝_区'")) == sorted(["渝中区", "渝北区"])
    assert names(select(client, "name NOT LIKE '%区' AND city = '广安市'")) == \
        sorted(["岳池县", "武胜县", "邻水县", "华蓥市"])


def test_in_with_chinese_literals_text_and_json(client):
    wanted = sorted(["渠县", "邻水县", "荣昌区"])
    assert names(select(client, "name IN ('渠县', '邻水县', '荣昌区')")) == wanted
    as_json = select(client, {"op": "in", "args": [{"property": "name"},
                                                   ["渠县", "邻水县", "荣昌区"]]})
    assert names(as_json) == wanted


def test_comparisons_and_logic(client, boundaries):
    units = boundaries.units
    big = select(client, "area_km2 > 5000 AND NOT (province = '重庆市')")
    expected = units[(units.area_km2 > 5000) & (units.province != "重庆市")]
    assert names(big) == sorted(expected.name)
    either = select(client, "city = '广安市' OR city = '遂宁市'")
    assert len(either) == 6 + 5
    assert names(select(client, "adcode <> '511623' AND city = '广安市'")) == \
        sorted(set(GUANG_AN_UNITS) - {"邻水县"})


def test_between_text_and_the_three_argument_json_form(client, boundaries):
    units = boundaries.units
    expected = sorted(units.name[units.area_km2.between(1000, 1500)])
    assert names(select(client, "area_km2 BETWEEN 1000 AND 1500")) == expected
    as_json = select(client, {"op": "between", "args": [{"property": "area_km2"}, 1000, 1500]})
    assert names(as_json) == expected


def test_json_logic_and_like(client):
    found = select(client, {"op": "and", "args": [
        {"op": "like", "args": [{"property": "name"}, "%县"]},
        {"op": "=", "args": [{"property": "city"}, "广安市"]},
        {"op": "not", "args": [{"op": "=", "args": [{"property": "name"}, "武胜县"]}]}]})
    assert names(found) == sorted(["岳池县", "邻水县"])


def test_dates_on_memberships(client):
    rows = select(client, "entity = 'wandakai' AND in_force_from >= DATE('2023-01-01')",
                  "memberships")
    assert len(rows) == 9
    assert {f["properties"]["document"] for f in rows} == {"wandakai-fangan-2023"}


def test_filter_combines_with_bbox_and_property_filters(client):
    found = select(client, "name LIKE '%区'", bbox="106.5,30.0,107.0,30.5", province="重庆市")
    assert names(found) == sorted(["北碚区", "合川区", "渝北区", "长寿区"])


# -- issue 11: the CQL2 parser, exactly ---------------------------------------------------
def test_and_binds_tighter_than_or(client):
    assert names(select(client, "name = '荣昌区' OR name = '荣县' AND area_km2 > 100000")) == \
        ["荣昌区"]
    either = select(client, "city = '广安市' OR city = '遂宁市' AND area_km2 > 2000")
    assert names(either) == sorted(GUANG_AN_UNITS)


def test_json_bbox_literals_mean_what_the_text_and_bbox_mean(client):
    box = [106.0, 29.0, 106.6, 29.6]
    as_json = select(client, {"op": "s_intersects", "args": [{"property": "geometry"},
                                                             {"bbox": box}]})
    as_text = select(client, "S_INTERSECTS(geometry, BBOX(106.0, 29.0, 106.6, 29.6))")
    by_bbox = client.get("/collections/units/items", params={
        "bbox": ",".join(map(str, box)), "limit": 10_000}).json()["features"]
    assert names(as_json) == names(as_text) == names(by_bbox)
    assert len(as_json) == 13
    disjoint = select(client, {"op": "s_disjoint", "args": [{"property": "geometry"},
                                                            {"bbox": box}]})
    assert len(disjoint) == 221 - 13
    assert not set(names(disjoint)) & set(names(as_json))


def test_boolean_literals(client):
    assert len(select(client, "TRUE")) == 221
    assert len(select(client, True)) == 221  # CQL2 JSON `true`
    assert select(client, "FALSE") == []
    assert len(select(client, "TRUE AND province = '重庆市'")) == 38


def test_array_functions_are_declared_and_answer(client):
    declared = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/cql2/1.0/conf/array-functions" in declared
    wandakai = select(client, {"op": "a_contains", "args": [{"property": "platforms"},
                                                            ["wandakai"]]})
    assert names(wandakai) == names(select(client, "A_CONTAINS(platforms, ('wandakai'))"))
    assert {"万州区", "达川区", "开州区"} <= set(names(wandakai))
    overlapping = select(client, {"op": "a_overlaps", "args": [{"property": "platforms"},
                                                               ["wandakai", "nope"]]})
    assert names(overlapping) == names(wandakai)


def test_geometry_collection_literal_in_json_as_in_text(client, boundaries):
    points = [boundaries.units.geometry.loc[a].representative_point() for a in ("511623",
                                                                                "500103")]
    collection = shapely.GeometryCollection([points[0], shapely.LineString(
        [(points[1].x - 0.001, points[1].y), (points[1].x + 0.001, points[1].y)])])
    as_json = select(client, {"op": "s_intersects", "args": [
        {"property": "geometry"}, shapely.geometry.mapping(collection)]})
    assert names(as_json) == sorted(["邻水县", "渝中区"])
    assert names(select(client, f"S_INTERSECTS(geometry, {collection.wkt})")) == \
        names(as_json)


# -- issues 9 and 11: bad input is a 400 naming the bad part ---------------------------
@pytest.mark.parametrize("filter_, lang, named", [
    ("area_km2 LIKE '1%'", "cql2-text", "area_km2"),
    ("geometry LIKE 'a%'", "cql2-text", "geometry"),
    ("S_INTERSECTS(name, POINT(1 1))", "cql2-text", "name"),
    ('{"op":"=","args":[{"property":5},1]}', "cql2-json", "property name"),
    ("S_INTERSECTS(geometry, " + "GEOMETRYCOLLECTION(" * 990 + "POINT(1 1)" + ")" * 991,
     "cql2-text", "deeper than"),
    ("S_INTERSECTS(geometry, " + "POINT(" * 16_000, "cql2-text", "deeper than"),  # 96 KB
    ("population > 1", "cql2-text", "population"),
    # issue 11: operators of no declared class
    ('{"op": "a_containz", "args": [{"property": "platforms"}, ["wandakai"]]}',
     "cql2-json", "a_containz"),
    ("avg(area_km2) > 100", "cql2-text", "avg"),
    ('{"op": "Buffer", "args": [{"property": "geometry"}, 10, "m"]}', "cql2-json", "Buffer"),
])
def test_bad_filters_are_a_400_naming_the_bad_part(client, filter_, lang, named):
    response = client.get("/collections/units/items", params={"filter": filter_,
                                                              "filter-lang": lang})
    assert response.status_code == 400, response.text
    assert named in response.json()["detail"]


def test_unknown_properties_list_the_queryables(client):
    detail = client.get("/collections/units/items",
                        params={"filter": "population > 1"}).json()["detail"]
    assert "population" in detail and "area_km2" in detail and "province" in detail


def test_unknown_filter_lang_is_a_400_even_without_a_filter(client):
    response = client.get("/collections/units/items", params={"filter-lang": "cql-text"})
    assert response.status_code == 400
    assert "filter-lang" in response.json()["detail"]
