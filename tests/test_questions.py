"""Spatial questions over HTTP (GET /query): the seven forms in Chinese and English, the
ambiguity of 广安, the relation of each hit, and the CQL2 each answer returns, which
selects the same features from /items."""

import httpx
import pyproj
import pytest
import shapely

PAIRS = [  # (English, Chinese): the same question
    ("platforms touching 广安", "与广安接壤的平台"),
    ("which platforms include 荣昌", "荣昌属于哪些平台"),
    ("units of 万达开", "万达开的成员"),
    ("neighbours of 潼南 not in 遂潼", "潼南的邻居中不属于遂潼的"),
    ("platforms with members in both provinces", "跨省的平台"),
    ("units within 30 km of 成都", "距成都30公里以内的区县"),
]
ALL_QUESTIONS = [q for pair in PAIRS for q in pair]


@pytest.fixture(autouse=True)
def long_urls(monkeypatch):
    """Answers carry outlines as WKT, longer than httpx's client-side 64 KiB URL cap."""
    monkeypatch.setattr(httpx._urlparse, "MAX_URL_LENGTH", 2_000_000)


def ask(client, question, **params):
    response = client.get("/query", params={"q": question, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def hit_ids(answer):
    return {h.get("id") or h.get("adcode") for h in answer["hits"]}


@pytest.mark.parametrize("english, chinese", PAIRS, ids=[e for e, _ in PAIRS])
def test_chinese_and_english_forms_give_the_same_answer(client, english, chinese):
    a, b = ask(client, english), ask(client, chinese)
    assert a["form"] == b["form"]
    assert a["hits"] == b["hits"] and a["hits"]
    assert a["cql2"] == b["cql2"]
    assert a["count"] == len(a["hits"])


def test_platforms_touching_guang_an_with_their_relations(client):
    answer = ask(client, "platforms touching 广安")
    relations = {h["id"]: h["relation"] for h in answer["hits"]}
    assert relations == {"suitong": "borders", "wandakai": "borders",
                         "heguangchang": "covers",
                         "chuanyu-gaozhu": "overlaps", "mingyueshan": "overlaps"}
    zh = {h["id"]: h["relation_zh"] for h in answer["hits"]}
    assert zh["suitong"] == "接壤" and zh["heguangchang"] == "包含"
    # a bordering platform has no member inside 广安市, an overlapping one has some
    inside = {h["id"]: h["members_inside"] for h in answer["hits"]}
    assert inside["suitong"] == [] and inside["chuanyu-gaozhu"]


def test_ambiguous_guang_an_is_read_as_the_city_and_says_so(client):
    answer = ask(client, "与广安接壤的平台")
    assert answer["place"] == {"adcode": "511600", "name": "广安市", "level": "city"}
    ambiguity = answer["ambiguity"]
    assert ambiguity["text"] == "广安"
    assert "广安市" in ambiguity["chosen"]
    assert ambiguity["alternatives"] == [{"adcode": "511602", "name": "广安区",
                                          "level": "unit"}]
    assert "广安市" in ambiguity["note"] and "广安区" in ambiguity["note"]
    # the full name is not ambiguous, and the district is another place
    assert ask(client, "与广安市接壤的平台")["ambiguity"] is None
    district = ask(client, "与广安区接壤的平台")
    assert district["place"]["name"] == "广安区" and district["ambiguity"] is None


def test_which_platforms_include_rongchang(client, atlas):
    answer = ask(client, "which platforms include 荣昌")
    assert answer["place"]["name"] == "荣昌区"
    expected = set(atlas.entities_of("500153", kind="cooperation_platform").entity)
    assert hit_ids(answer) == expected == {"chuannan-yuxi", "neirong"}


def test_units_of_wandakai(client):
    answer = ask(client, "units of 万达开")
    assert answer["entity"]["id"] == "wandakai"
    assert {h["name"] for h in answer["hits"]} == {
        "万州区", "开州区", "通川区", "达川区", "宣汉县", "开江县", "大竹县", "渠县", "万源市"}


def test_neighbours_of_tongnan_not_in_suitong(client, boundaries, atlas):
    answer = ask(client, "neighbours of 潼南 not in 遂潼")
    neighbours = set(boundaries.neighbours(["500152"]))
    suitong = set(atlas.members("suitong").adcode)
    assert hit_ids(answer) == neighbours - suitong
    assert {h["name"] for h in answer["hits"]} == {"大足区", "合川区", "铜梁区", "安岳县"}
    assert all(h["shared_km"] > 0 for h in answer["hits"])
    assert answer["excluding"]["id"] == "suitong"


def test_platforms_with_members_in_both_provinces(client):
    answer = ask(client, "platforms with members in both provinces")
    assert {"suitong", "wandakai", "heguangchang", "chuanyu-gaozhu", "mingyueshan"} \
        <= hit_ids(answer)
    assert all(sorted(h["provinces"]) == ["四川省", "重庆市"] for h in answer["hits"])


def test_units_within_30_km_of_chengdu(client, boundaries):
    answer = ask(client, "units within 30 km of 成都")
    assert answer["place"]["name"] == "成都市" and answer["distance_km"] == 30
    # checked in UTM 48N (metres), independent of the answer's own azimuthal projection
    utm = pyproj.Transformer.from_crs("OGC:CRS84", "EPSG:32648", always_xy=True).transform
    units = boundaries.units
    metric = shapely.transform(units.geometry.values, utm, interleaved=False)
    chengdu = shapely.coverage_union_all(metric[units.adcode.str.startswith("5101")])
    distance = {a: g.distance(chengdu) for a, g in zip(units.adcode, metric)
                if not a.startswith("5101")}
    hits = hit_ids(answer)
    assert all(distance[a] < 30_300 for a in hits)
    assert all(d > 29_700 for a, d in distance.items() if a not in hits)
    assert {"广汉市", "东坡区"} <= {h["name"] for h in answer["hits"]}


@pytest.mark.parametrize("question", ALL_QUESTIONS)
def test_the_returned_cql2_selects_the_same_hits_from_items(client, question):
    answer = ask(client, question)
    cql2 = answer["cql2"]
    response = client.get(f"/collections/{cql2['collection']}/items", params={
        "filter": cql2["filter"], "filter-lang": cql2["filter-lang"], "limit": 10_000})
    assert response.status_code == 200, response.text
    features = response.json()["features"]
    if answer["form"] in ("entities_including", "units_of"):  # memberships rows
        key = "entity" if answer["form"] == "entities_including" else "adcode"
        found = {f["properties"][key] for f in features}
    else:
        found = {f["id"] for f in features}
    assert found == hit_ids(answer)


def test_datetime_asks_as_of_a_date(client):
    latest = ask(client, "units of 川渝高竹新区")
    before = ask(client, "units of 川渝高竹新区", datetime="2020-09-01")
    assert len(latest["hits"]) == 2 and len(before["hits"]) == 7
    assert before["as_of"] == "2020-09-01"


def test_unparseable_question_is_a_400_listing_the_forms(client):
    response = client.get("/query", params={"q": "how is the weather in 成都"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "entities_touching" in detail and "units_within" in detail
    assert "与广安接壤的平台" in detail and "units of 万达开" in detail
