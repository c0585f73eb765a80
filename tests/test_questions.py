"""Questions answered by the engine (layers.questions): every form in Chinese and English,
several phrasings each, the parts in combination, the partial-member rule, ambiguity and
did-you-mean. Expected sets are computed here from the registry's memberships, the
adjacency graph and the geometry, never copied from an answer."""

import datetime as dt

import pyproj
import pytest
import shapely

from layers.memberships import in_force
from layers.questions import QuestionError, Questions


@pytest.fixture(scope="module")
def questions(atlas):
    return Questions(atlas)


def ids(answer):
    return {h.get("id") or h.get("adcode") for h in answer["hits"]}


def members(atlas, entity, on=None):
    return set(atlas.members(entity, on).adcode)


def entities_of(atlas, adcodes, kind=None):
    rows = in_force(atlas.memberships)
    rows = rows[rows.adcode.isin(adcodes)]
    return set(rows.entity if kind is None else rows.entity[rows.entity_kind == kind])


def units_of(boundaries, adcode):
    return boundaries.members(adcode)


def ask_all(questions, phrasings, on=None):
    """Every phrasing gives the same hits; return the answers."""
    answers = [questions.ask(q, on) for q in phrasings]
    first = ids(answers[0])
    for question, answer in zip(phrasings, answers):
        assert ids(answer) == first, question
        assert answer["count"] == len(answer["hits"])
    return answers


MEMBERS = ["units of 万达开", "which counties are in 万达开", "list the members of wandakai",
           "万达开有哪些区县", "万达开包含哪些区县", "万达开的成员", "哪些区县属于万達開"]


def test_members_of_an_entity(questions, atlas):
    for answer in ask_all(questions, MEMBERS):
        assert answer["form"] == "members" and answer["entity"]["id"] == "wandakai"
        assert ids(answer) == members(atlas, "wandakai")
        assert all(h["name"] and h["city"] for h in answer["hits"])


ENTITIES_OF = ["which platforms does 邻水 belong to", "platforms that include 邻水",
               "what platforms is Linshui part of", "邻水属于哪些平台", "包括邻水的平台",
               "邻水县参与了哪些合作平台"]


def test_entities_of_a_unit_with_certainty_of_part_members(questions, atlas, names):
    expected = entities_of(atlas, [names["邻水县"]], "cooperation_platform")
    rows = in_force(atlas.memberships)
    rows = rows[(rows.adcode == names["邻水县"]) & (rows.entity_kind == "cooperation_platform")]
    only_part = set(rows.entity[rows.kind != "whole"]) - set(rows.entity[rows.kind == "whole"])
    for answer in ask_all(questions, ENTITIES_OF):
        assert answer["form"] == "entities_of" and ids(answer) == expected
        possible = {h["id"] for h in answer["hits"] if h["certainty"] == "possible"}
        assert possible == only_part and "chuanyu-gaozhu" in possible
        assert all(h["reason"] for h in answer["hits"] if h["certainty"] == "possible")


NEIGHBOURS = ["neighbours of 潼南", "which counties border Tongnan", "units adjacent to 潼南区",
              "潼南的邻居", "与潼南接壤的区县", "潼南区相邻的区县有哪些"]


def test_neighbours_with_shared_border_length(questions, boundaries, names):
    tongnan = names["潼南区"]
    expected = set(boundaries.neighbours([tongnan]))
    pairs = boundaries.adjacency
    for answer in ask_all(questions, NEIGHBOURS):
        assert answer["form"] == "neighbours" and ids(answer) == expected
        for hit in answer["hits"]:
            shared = pairs.shared_km[((pairs.a == tongnan) & (pairs.b == hit["adcode"])) |
                                     ((pairs.b == tongnan) & (pairs.a == hit["adcode"]))]
            assert hit["shared_km"] == pytest.approx(float(shared.sum()), abs=0.01)


TOUCHING = ["platforms touching 达州", "which platforms border Dazhou",
            "platforms adjacent to 达州市", "与达州接壤的平台", "毗邻达州的平台", "达州周边的合作平台"]


def test_entities_touching_a_place_and_the_partial_member_rule(questions, atlas, boundaries):
    dazhou = boundaries.cities.loc[boundaries.cities.name == "达州市", "geometry"].iloc[0]
    outlines = atlas.outlines(None, "full")
    platforms = outlines[outlines.kind == "cooperation_platform"]
    touching = {i for i, g in zip(platforms.id, platforms.geometry)
                if shapely.intersection(g, dazhou).length > 0 or g.intersects(dazhou)
                and not g.touches(dazhou)}
    for answer in ask_all(questions, TOUCHING):
        assert answer["form"] == "entities_touching" and ids(answer) == touching
        gaozhu = next(h for h in answer["hits"] if h["id"] == "chuanyu-gaozhu")
        # 高竹 holds only towns of 邻水县, which borders 达州: it may border 达州, not surely
        assert gaozhu["relation"] == "borders" and gaozhu["certainty"] == "possible"
        assert "邻水县" in gaozhu["reason"]
        whole = outlines.loc["wandakai", "whole_geometry"]
        assert {h["id"]: h["certainty"] for h in answer["hits"]}["wandakai"] == \
            ("certain" if whole.intersects(dazhou) else "possible")


def test_relations_to_guang_an_by_de9im(questions, atlas, boundaries):
    answer = questions.ask("platforms touching 广安")
    guang_an = boundaries.cities.loc["511600", "geometry"]
    outlines = atlas.outlines(None, "full")
    for hit in answer["hits"]:
        whole = outlines.loc[hit["id"], "whole_geometry"]
        outline = outlines.loc[hit["id"], "geometry"]
        expected = ("borders" if outline.touches(guang_an) else
                    "covers" if whole is not None and whole.covers(guang_an) else
                    "within" if guang_an.covers(outline) else "overlaps")
        assert hit["relation"] == expected, hit["id"]


WITHIN = ["units within 30 km of 成都", "which counties are within 30km of Chengdu",
          "counties less than 30 kilometres from 成都市", "距成都30公里以内的区县",
          "成都三十公里内有哪些区县", "离成都市30千米范围内的区县"]


def test_units_within_a_distance_with_each_distance(questions, boundaries):
    utm = pyproj.Transformer.from_crs("OGC:CRS84", "EPSG:32648", always_xy=True).transform
    units = boundaries.units
    metric = shapely.transform(units.geometry.values, utm, interleaved=False)
    chengdu = shapely.coverage_union_all(metric[units.adcode.str.startswith("5101")])
    distance = {a: g.distance(chengdu) for a, g in zip(units.adcode, metric)
                if not a.startswith("5101")}
    for answer in ask_all(questions, WITHIN):
        assert answer["form"] == "units_within" and answer["reading"]["distance_km"] == 30
        assert not any(a.startswith("5101") for a in ids(answer))  # not its own units
        assert all(distance[a] < 30_300 for a in ids(answer))
        assert all(d > 29_700 for a, d in distance.items() if a not in ids(answer))
        for hit in answer["hits"]:
            assert hit["distance_km"] * 1000 == pytest.approx(distance[hit["adcode"]], abs=400)


@pytest.mark.parametrize("limit", [2_000.0, 60_000.0, 250_000.0])
def test_the_nearest_points_are_those_found_by_measuring_every_point(boundaries, limit):
    from scipy.spatial import cKDTree

    from layers.questions.sets import _nearest, _points

    local = boundaries.geometry("units", "local")
    forward = pyproj.Transformer.from_crs(
        "OGC:CRS84", "+proj=aeqd +lat_0=30.6 +lon_0=104.1 +ellps=WGS84", always_xy=True)
    tree = cKDTree(_points(shapely.coverage_union_all(local[local.index.str.startswith(
        "5101")].values), forward))
    others = local[~local.index.str.startswith("5101")].values
    every = [tree.query(_points(g, forward), distance_upper_bound=limit)[0].min() for g in others]
    found = _nearest(tree, others, forward, limit)
    assert found.tolist() == every and 0 < (found < limit).sum() < len(others)


CROSS = ["platforms with members in both provinces", "cross-province platforms",
         "which platforms span both provinces", "跨省的平台", "横跨川渝两地的合作平台", "哪些平台跨两省"]
ONE = ["zones only in 四川", "entities entirely within Sichuan", "which areas lie only in 四川省",
       "只在四川的功能区", "仅位于四川的区域", "完全在四川省的功能区"]


def test_cross_province_and_one_province_entities(questions, atlas, boundaries):
    rows = in_force(atlas.memberships)
    provinces = rows.assign(p=boundaries.units.province.reindex(rows.adcode).values) \
        .groupby("entity").p.agg(set)
    kinds = rows.groupby("entity").entity_kind.first()
    both = {e for e, p in provinces.items() if len(p) == 2 and kinds[e] == "cooperation_platform"}
    for answer in ask_all(questions, CROSS):
        assert answer["form"] == "cross_province" and ids(answer) == both
    sichuan = {e for e, p in provinces.items() if p == {"四川省"}}
    for answer in ask_all(questions, ONE):
        assert answer["form"] == "one_province" and ids(answer) == sichuan


COUNTS = [("how many units in 川南渝西", "chuannan-yuxi"),
          ("number of counties in 万达开", "wandakai"), ("how many members does 遂潼 have", "suitong"),
          ("川南渝西有多少个区县", "chuannan-yuxi"), ("万达开有几个区县", "wandakai"),
          ("遂潼的成员数量", "suitong")]


@pytest.mark.parametrize("question, entity", COUNTS)
def test_counting(questions, atlas, question, entity):
    answer = questions.ask(question)
    assert answer["reading"]["counting"] and answer["count"] == len(members(atlas, entity))
    assert str(answer["count"]) in answer["answer"]["zh"] + answer["answer"]["en"]


SUPERLATIVES = [("largest platform by area", "largest"), ("which is the biggest cooperation platform", "largest"),
                ("smallest platform", "smallest"), ("面积最大的平台", "largest"),
                ("最大的合作平台是哪个", "largest"), ("面积最小的平台", "smallest")]


@pytest.mark.parametrize("question, which", SUPERLATIVES)
def test_superlatives_over_area_stated_else_computed(questions, atlas, boundaries, question,
                                                     which):
    rows = in_force(atlas.memberships)
    area = {}
    for entity_id, group in rows[rows.entity_kind == "cooperation_platform"].groupby("entity"):
        stated = atlas.registry.entities[entity_id].area_km2
        area[entity_id] = stated.value if stated else \
            float(boundaries.units.area_km2.loc[group.adcode].sum())
    expected = (max if which == "largest" else min)(area, key=area.get)
    answer = questions.ask(question)
    assert answer["form"] == "superlative" and ids(answer) == {expected}
    assert answer["hits"][0]["area_km2"] == pytest.approx(area[expected], abs=0.1)


def test_the_three_largest(questions):
    for question in ("三个最大的平台", "top 3 platforms by area", "the 3 largest platforms"):
        assert questions.ask(question)["count"] == 3, question


WHERE = ["where is 高竹新区", "where is Gaozhu", "where's 川渝高竹新区 located",
         "高竹新区在哪", "高竹新区在哪里", "川渝高竹新区位于哪里"]
WHAT = ["what is 万达开", "tell me about wandakai", "describe 万达开川渝统筹发展示范区",
        "万达开是什么", "介绍一下万达开", "什么是万达开"]


def test_where_is_an_entity(questions, atlas, boundaries):
    expected = members(atlas, "chuanyu-gaozhu")
    for answer in ask_all(questions, WHERE):
        assert answer["form"] == "where" and ids(answer) == expected
        about = answer["about"]
        assert set(about["cities"]) == set(boundaries.units.city.loc[list(expected)])
        assert about["stated_area_km2"] == atlas.registry.entities["chuanyu-gaozhu"].area_km2.value
        assert all(h["certainty"] == "possible" for h in answer["hits"])  # towns only


def test_what_is_an_entity(questions, atlas):
    entity = atlas.registry.entities["wandakai"]
    for answer in ask_all(questions, WHAT):
        about = answer["about"]
        assert answer["form"] == "what" and about["name_zh"] == entity.name_zh
        assert about["kind"] == entity.kind
        assert [d["id"] for d in about["documents"]] == [e.document for e in entity.extents]
        assert about["members_as_written"] == len(entity.extents[-1].members)
        assert about["member_units"] == len(members(atlas, "wandakai"))


AS_OF = ["members of 川南渝西 in 2021", "units of 川南渝西 as of 2021-12",
         "members of 川南渝西 before 2022", "2021年川南渝西有哪些成员", "2021年底川南渝西的区县",
         "川南渝西2021年12月的成员"]


def test_dates_written_in_the_question(questions, atlas):
    expected = members(atlas, "chuannan-yuxi", dt.date(2021, 12, 31))
    assert expected != members(atlas, "chuannan-yuxi")
    for answer in ask_all(questions, AS_OF):
        assert answer["as_of"] == "2021-12-31" and ids(answer) == expected


def test_a_date_before_the_entity_existed_says_so(questions):
    for question in ("2019年万达开有哪些成员", "units of 万达开 in 2019"):
        answer = questions.ask(question)
        assert answer["hits"] == []
        assert "2020-07-27" in answer["notes"][0]["en"] and "尚未" in answer["notes"][0]["zh"]


CHANGES = ["what changed in 川南渝西 between 2021 and 2023", "changes to 川南渝西 from 2021 to 2023",
           "how did 川南渝西 change between 2021 and 2023", "2021年到2023年川南渝西的变化",
           "川南渝西2021年至2023年有何变化", "川南渝西从2021年到2023年的成员变动"]


def test_what_changed_between_two_dates(questions, atlas):
    def kinds(on):
        rows = in_force(atlas.memberships, on)
        rows = rows[rows.entity == "chuannan-yuxi"]
        return dict(zip(rows.adcode, rows.kind))
    before, after = kinds(dt.date(2021, 12, 31)), kinds(dt.date(2023, 12, 31))
    changed = {a for a in set(before) | set(after) if before.get(a) != after.get(a)}
    for answer in ask_all(questions, CHANGES):
        assert answer["form"] == "changes" and ids(answer) == changed
        for hit in answer["hits"]:
            assert (hit["kind_before"], hit["kind_after"]) == \
                (before.get(hit["adcode"]), after.get(hit["adcode"]))


def test_what_changed_in_every_entity_entity_by_entity(questions, atlas):
    def kinds(on):
        rows = in_force(atlas.memberships, on)
        rows = rows[rows.entity_kind == "cooperation_platform"]
        return dict(zip(zip(rows.entity, rows.adcode), rows.kind))
    before, after = kinds(dt.date(2021, 12, 31)), kinds(dt.date(2023, 12, 31))
    changed = {e for e, a in set(before) | set(after) if before.get((e, a)) != after.get((e, a))}
    for question in ("哪些平台在2021年到2023年间有变化", "which platforms changed between 2021 and 2023",
                     "2021年到2023年平台的变化"):
        answer = questions.ask(question)
        assert ids(answer) == changed, question
        assert all(h["added"] or h["removed"] or h["changed"] for h in answer["hits"])


BOTH = ["units in both 万达开 and 明月山", "counties that belong to both wandakai and mingyueshan",
        "units of 万达开 as well as 明月山", "同时属于万达开和明月山的区县", "万达开和明月山共同的区县",
        "既属于万达开又属于明月山的区县"]
DIFFERENCE = ["units of 川南渝西 except 泸永江", "川南渝西 units not in 泸永江",
              "units of 川南渝西 excluding 泸永江", "川南渝西中不属于泸永江的区县", "除了泸永江以外川南渝西的区县",
              "川南渝西不包括泸永江的区县"]
NEIGHBOURS_NOT_IN = ["neighbours of 潼南 not in 遂潼", "counties bordering 潼南 except 遂潼",
                     "units adjacent to Tongnan outside 遂潼", "潼南的邻居中不属于遂潼的",
                     "与潼南接壤但不属于遂潼的区县", "除遂潼外与潼南相邻的区县"]


def test_intersection_and_differences(questions, atlas, boundaries, names):
    both = members(atlas, "wandakai") & members(atlas, "mingyueshan")
    assert both
    for answer in ask_all(questions, BOTH):
        assert ids(answer) == both and answer["reading"]["operator"] == "and"
    difference = members(atlas, "chuannan-yuxi") - members(atlas, "luyongjiang")
    for answer in ask_all(questions, DIFFERENCE):
        assert ids(answer) == difference
    outside = set(boundaries.neighbours([names["潼南区"]])) - members(atlas, "suitong")
    for answer in ask_all(questions, NEIGHBOURS_NOT_IN):
        assert ids(answer) == outside


def test_parts_in_combination(questions, atlas, boundaries, names):
    # a date, a relation and counting
    answer = questions.ask("2021年底与达州接壤的平台有几个")
    assert answer["as_of"] == "2021-12-31" and answer["reading"]["counting"]
    assert answer["form"] == "entities_touching"
    # a distance, an exclusion and a count
    answer = questions.ask("how many units within 30 km of 成都 are not in 成都都市圈")
    within = ids(questions.ask("units within 30 km of 成都"))
    assert ids(answer) == within - members(atlas, "chengdu-dushiquan")
    # a neighbourhood intersected with an entity, in Chinese
    answer = questions.ask("与潼南接壤并且同时属于遂潼的区县")
    assert ids(answer) == set(boundaries.neighbours([names["潼南区"]])) & members(atlas, "suitong")
    # a union, dated
    answer = questions.ask("2021年万达开或明月山的区县")
    expected = members(atlas, "wandakai", dt.date(2021, 12, 31)) | \
        members(atlas, "mingyueshan", dt.date(2021, 12, 31))
    assert ids(answer) == expected and answer["reading"]["operator"] == "or"
    # the kind asked: cities, provinces
    answer = questions.ask("万达开涉及哪些城市")
    assert ids(answer) == set(boundaries.units.city_adcode.loc[list(members(atlas, "wandakai"))])
    assert ids(questions.ask("which province is 邻水 in")) == {"510000"}
    # a place and an entity: the place's units that belong ('is 邻水 in 明月山')
    linshui = names["邻水县"]
    for question in ("Is 邻水 in 明月山?", "邻水是否属于明月山"):
        assert ids(questions.ask(question)) == {linshui} & members(atlas, "mingyueshan")
    answer = questions.ask("units bordering 合川 in 合广长")
    assert ids(answer) == set(boundaries.neighbours([names["合川区"]])) & \
        members(atlas, "heguangchang")
    # entities with a member within a distance
    near = ids(questions.ask("units within 20 km of 广安区"))
    answer = questions.ask("what platforms are within 20 km of 广安区")
    assert ids(answer) == entities_of(atlas, near, "cooperation_platform")


def test_ambiguity_is_said_once_with_the_other_readings(questions):
    answer = questions.ask("与广安接壤的平台")
    assert answer["place"]["name"] == "广安市"
    ambiguity = answer["ambiguity"]
    assert ambiguity["chosen"] == "广安市"
    assert [a["name"] for a in ambiguity["alternatives"]] == ["广安区"]
    assert questions.ask("与广安市接壤的平台")["ambiguity"] is None
    answer = questions.ask("units within 50 km of 重庆")
    names_offered = [a["name"] for a in answer["ambiguity"]["alternatives"]]
    assert "重庆中心城区" in names_offered and answer["ambiguity"]["chosen"] not in names_offered
    assert len(names_offered) == len(set(names_offered))


def test_names_in_every_writing(questions):
    same = ["与广安接壤的平台", "與廣安接壤的平台", "与广安接壤的平台？", "platforms touching Guang'an",
            "platforms touching guangan"]
    assert len({frozenset(ids(questions.ask(q))) for q in same}) == 1
    assert ids(questions.ask("ｕｎｉｔｓ ｏｆ 万达开")) == ids(questions.ask("units of 万达开"))


@pytest.mark.parametrize("question, meant", [("临水县属于哪些平台", "邻水县"),
                                             ("which platforms does Linshiu belong to", "邻水县"),
                                             ("units of 万达凯", "万达开")])
def test_unknown_names_get_a_did_you_mean(questions, question, meant):
    with pytest.raises(QuestionError) as error:
        questions.ask(question)
    assert meant in error.value.suggestions and meant in str(error.value)


@pytest.mark.parametrize("question", ["how is the weather in 成都", "hello", "units within 30 km"])
def test_questions_that_ask_nothing_known_are_refused(questions, question):
    with pytest.raises(QuestionError):
        questions.ask(question)
