"""Who belongs to what, as the texts say, and when."""

import datetime as dt

import pytest

PLATFORMS = {  # latest extent: unit -> membership kind
    "wandakai": dict.fromkeys(["万州区", "开州区", "通川区", "达川区", "宣汉县", "开江县",
                                "大竹县", "渠县", "万源市"], "whole"),
    "chuannan-yuxi": {**dict.fromkeys(
        ["自流井区", "贡井区", "大安区", "沿滩区", "荣县", "富顺县",
         "江阳区", "纳溪区", "龙马潭区", "泸县", "合江县", "叙永县", "古蔺县",
         "东兴区", "威远县", "资中县", "隆昌市", "内江市市中区",
         "翠屏区", "南溪区", "叙州区", "江安县", "长宁县", "高县", "珙县", "筠连县",
         "兴文县", "屏山县", "江津区", "永川区", "荣昌区", "綦江区", "大足区", "铜梁区"],
        "whole")},
    "mingyueshan": dict.fromkeys(["梁平区", "垫江县", "长寿区", "达川区", "大竹县", "开江县",
                                   "邻水县"], "part"),
    "chengxuanwan": dict.fromkeys(["城口县", "宣汉县", "万源市"], "whole"),
    "chuanyu-gaozhu": dict.fromkeys(["渝北区", "邻水县"], "part"),
    "heguangchang": dict.fromkeys(["合川区", "长寿区", "广安区", "前锋区", "岳池县", "武胜县",
                                    "邻水县", "华蓥市"], "whole"),
    "suitong": dict.fromkeys(["潼南区", "船山区", "安居区", "蓬溪县", "大英县", "射洪市"],
                             "whole"),
    "zida": dict.fromkeys(["大足区", "雁江区", "安岳县", "乐至县"], "whole"),
    "neirong": dict.fromkeys(["荣昌区", "内江市市中区", "东兴区", "威远县", "资中县", "隆昌市"],
                             "named"),
    "luyongjiang": dict.fromkeys(["永川区", "江津区", "江阳区", "纳溪区", "龙马潭区", "泸县",
                                   "合江县", "叙永县", "古蔺县"], "named"),
}


def member_kinds(atlas, entity, on=None):
    rows = atlas.members(entity, on)
    units = atlas.boundaries.units
    names = [n if (units.name == n).sum() == 1 else units.loc[a, "city"] + n
             for a, n in zip(rows.adcode, units.loc[rows.adcode, "name"])]
    return dict(zip(names, rows.kind))


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_members_of_the_ten_platforms(atlas, platform):
    assert member_kinds(atlas, platform) == PLATFORMS[platform]


def test_planning_extent_is_142_units_140_whole_2_partial(atlas):
    rows = atlas.members("planning-extent")
    assert len(rows) == 142 and rows.adcode.is_unique
    assert rows.kind.value_counts().to_dict() == {"whole": 140, "part": 2}
    partial = atlas.boundaries.units.loc[rows.adcode[rows.kind == "part"], "name"]
    assert sorted(partial) == ["云阳县", "开州区"]
    assert (rows.part[rows.kind == "part"] == "未列明").all()
    names = set(atlas.boundaries.units.loc[rows.adcode, "name"])
    assert not names & {"平武县", "北川羌族自治县", "万源市", "天全县", "宝兴县"}
    chongqing = atlas.boundaries.units.loc[rows.adcode, "province"] == "重庆市"
    assert chongqing.sum() == 29


def test_chuannan_yuxi_grew_from_7_members_to_10(atlas):
    extents = atlas.registry.entities["chuannan-yuxi"].extents
    assert [len(e.members) for e in extents] == [7, 10]
    before = member_kinds(atlas, "chuannan-yuxi", dt.date(2022, 12, 31))
    after = member_kinds(atlas, "chuannan-yuxi", dt.date(2023, 3, 2))
    assert set(after) - set(before) == {"綦江区", "大足区", "铜梁区"}
    assert set(before.values()) == {"named"}  # the outline names them, "等"
    assert after == member_kinds(atlas, "chuannan-yuxi")  # the latest is the default


def test_mingyueshan_grew_from_6_to_7_with_changshou(atlas):
    before = member_kinds(atlas, "mingyueshan", dt.date(2021, 1, 1))
    assert len(before) == 6 and "长寿区" not in before
    assert len(member_kinds(atlas, "mingyueshan")) == 7


def test_nothing_before_the_first_text(atlas):
    assert atlas.members("chuanyu-gaozhu", dt.date(2020, 1, 1)).empty


def test_gaozhu_partial_members_name_their_towns(atlas):
    rows = atlas.members("chuanyu-gaozhu").set_index("adcode")
    assert "茨竹镇" in rows.part["500112"] and "大湾镇" in rows.part["500112"]
    assert "高滩镇" in rows.part["511623"] and "坛同镇" in rows.part["511623"]


def test_a_prefecture_member_expands_and_says_so(atlas):
    rows = atlas.members("heguangchang").set_index("adcode")
    assert rows.via["511623"] == "511600" and rows.via.isna()["500117"]


def test_every_membership_carries_its_source(atlas):
    table = atlas.memberships
    assert table[["document", "document_title", "evidence_file", "evidence_lines",
                  "quote"]].notna().all().all()


def test_linshui_is_in_three_platforms(atlas):
    rows = atlas.entities_of("511623", kind="cooperation_platform").set_index("entity")
    assert rows.kind.to_dict() == {"chuanyu-gaozhu": "part", "heguangchang": "whole",
                                   "mingyueshan": "part"}


def test_stated_areas_agree_with_whole_members(atlas):
    outlines = atlas.outlines()
    whole = outlines[(outlines.units == outlines.whole) & outlines.stated_area_km2.notna()]
    assert len(whole) >= 5
    ratio = whole.member_area_km2 / whole.stated_area_km2
    assert ratio.between(0.98, 1.03).all(), ratio.to_dict()


@pytest.mark.parametrize("on", [dt.date(2020, 12, 31), dt.date(2021, 10, 20),
                                dt.date(2022, 6, 1), dt.date(2023, 3, 11), None])
def test_one_extent_in_force_per_entity_at_any_date(atlas, on):
    from layers.memberships import in_force

    rows = in_force(atlas.memberships, on)
    assert not rows.duplicated(["entity", "adcode"]).any()
    assert (rows.groupby("entity").extent.nunique() == 1).all()


def test_an_undated_text_supersedes_the_one_before(atlas):
    # The 联合实施方案 carries no date; it follows the 纲要 (2021-10-20) and adds 广安市.
    rows = atlas.members("yudongbei-chuandongbei", dt.date(2022, 1, 1))
    assert "511623" in set(rows.adcode) and set(rows.document) == {"lianhe-shishi-fangan"}
    assert rows.in_force_inferred.all() and set(rows.in_force_from) == {dt.date(2021, 11, 23)}


def test_the_dated_version_keeps_its_period_before_the_undated_one(atlas):
    rows = atlas.members("yudongbei-chuandongbei", dt.date(2021, 11, 1))
    assert len(rows) == 23 and set(rows.document) == {"gangyao-2021"}
    assert not rows.in_force_inferred.any()
    assert set(rows.in_force_until) == {dt.date(2021, 11, 23)}


def test_an_undated_text_never_antedates_the_text_it_implements(atlas):
    assert atlas.members("chengyu-zhuzhou", dt.date(2019, 1, 1)).empty
    assert atlas.members("chengyu-zhuzhou", dt.date(2021, 10, 20)).empty
    assert len(atlas.members("chengyu-zhuzhou", dt.date(2021, 11, 23))) == 19


@pytest.mark.parametrize("as_of", [dt.date(2019, 1, 1), dt.date(2020, 7, 26),
                                   dt.date(2021, 10, 19), dt.date(2022, 8, 10)])
def test_no_membership_comes_from_a_later_text(atlas, as_of):
    from layers.memberships import in_force
    from layers.registry import document_start

    rows = in_force(atlas.memberships, as_of)
    started = {d: document_start(atlas.registry, atlas.registry.documents[d])[0]
               for d in rows.document.unique()}
    assert all(start <= as_of for start in started.values()), started
    assert (rows.in_force_from <= as_of).all()


def test_the_agriculture_belt_records_where_its_texts_disagree(atlas, names):
    rows = atlas.members("chengyu-nongyedai").set_index("adcode")
    assert rows.kind.value_counts().to_dict() == {"whole": 140, "uncertain": 7}
    unit_names = atlas.boundaries.units.name
    assert set(unit_names[rows.index[rows.kind == "uncertain"]]) == {
        "开州区", "云阳县", "平武县", "北川羌族自治县", "万源市", "天全县", "宝兴县"}
    assert rows.disagreement[rows.kind == "uncertain"].str.contains("纲要").all()
    assert rows.disagreement[rows.kind != "uncertain"].isna().all()
    extent = set(atlas.members("planning-extent").adcode)
    assert set(rows.index[rows.kind == "whole"]) <= extent
    assert set(rows.index) - extent == {a for a in rows.index if rows.kind[a] == "uncertain"} \
        - {names["开州区"], names["云阳县"]}
    belt = atlas.outlines().loc["chengyu-nongyedai"]  # the stated area fits the 纲要's extent
    planning = atlas.outlines().loc["planning-extent"]
    assert belt.stated_area_km2 == planning.stated_area_km2 == 185000
    assert belt.member_area_km2 > 1.1 * belt.stated_area_km2


def test_notes_agree_with_the_dates_in_the_data(atlas):
    import re

    claims = re.compile(r"as_of (is|are) null|no dated issue|(is|are) not dated|"
                        r"not dated in the seeds")
    wrong = []
    for entity in atlas.registry.entities.values():
        undated = [e.document for e in entity.extents if e.as_of is None]
        for claim in claims.finditer(entity.note or ""):
            if not undated:
                wrong.append(f"{entity.id}: note says {claim.group()!r}, but every extent "
                             "is dated")
        for e in entity.extents:
            document = atlas.registry.documents[e.document]
            if (e.as_of is None) != (document.date is None) or \
                    e.as_of and e.as_of < document.date:
                wrong.append(f"{entity.id}: extent of {e.document} as_of {e.as_of}, "
                             f"document dated {document.date}")
    assert wrong == []


NEW_ENTITIES = {  # latest extent: counts by kind, and the units or prefectures the text names
    "wufei-chengshi": ({"whole": 156}, {"500000", "510100", "510300", "510500", "510600", "510700",
                                        "510900", "511000", "511100", "511300", "511400", "511500",
                                        "511600", "511700", "511800", "512000"}),
    "xibu-chengdu-kexuecheng": ({"named": 20}, {"510100"}),
    "zhongguo-mianyang-kejicheng": ({"named": 9}, {"510700"}),
    "xibu-chongqing-kexuecheng": ({"part": 5}, {"500106", "500107", "500109", "500113", "500116"}),
    "chengdu-pingyuan-jingjiqu": ({"named": 68}, {"510100", "510600", "511400", "512000", "510700",
                                                  "511100", "510900", "511800"}),
    "chongqing-dushiquan-weixingcheng": ({"whole": 4}, {"511681", "511623", "511622", "511621"}),
    "chuannan": ({"whole": 28}, {"510300", "510500", "511000", "511500"}),
    "shuangquan": ({"whole": 27, "named": 35}, None),
    "bashu-shuanghe": ({"named": 29}, None),
    "bashu-chengyu-gudao": ({"named": 31}, {"510900", "511300", "511000", "510300", "512000",
                                            "500111", "500153", "500118"}),
    "bashu-changjiang-shangyou": ({"named": 26}, None),
    "chengde-lingang-chanyedai": ({"named": 26}, {"510100", "510600"}),
    "chengmei-gaoxin-chanyedai": ({"named": 26}, {"510100", "511400"}),
    "chengzi-linkong-chanyedai": ({"named": 23}, {"510100", "512000"}),
    "changjiang-shangyou-lvse-shifanqu": ({"named": 19}, {"500101", "500152", "511500", "510500"}),
    "neizi-tongchenghua": ({"named": 11}, {"511000", "510300"}),
    "wankaiyun": ({"named": 3}, {"500101", "500154", "500235"}),
    "zhongdian-bangfu-xian": ({"whole": 4}, {"500229", "500238", "500242", "500243"}),
    "huangjin-sanjiao": ({"named": 3}, {"500236", "500237", "500238"}),
    "chengyu-qing-zoulang": ({"named": 63}, {"510100", "511000", "500000"}),
}
UNLISTED = ["xibu-kexuecheng", "chongqing-liangjiang-xietong-chuangxinqu", "yuxi",
            "zhucheng-dushiqu", "yudongbei-sanxia-chengzhenqun",
            "yudongnan-wulingshan-chengzhenqun"]


@pytest.mark.parametrize("entity", sorted(NEW_ENTITIES))
def test_members_of_the_other_entities_the_texts_list(atlas, entity):
    counts, named = NEW_ENTITIES[entity]
    rows = atlas.members(entity)
    assert rows.adcode.is_unique and rows.kind.value_counts().to_dict() == counts
    if named is not None:
        listed = {m.adcode for m in atlas.registry.entities[entity].extents[-1].members}
        assert listed == named


@pytest.mark.parametrize("entity", UNLISTED)
def test_entities_named_but_never_listed_have_no_members_and_say_so(atlas, entity):
    record = atlas.registry.entities[entity]
    assert atlas.memberships[atlas.memberships.entity == entity].empty
    assert "never list" in record.note and all(e.note for e in record.extents)


def test_the_zero_waste_area_is_wider_than_the_circle(atlas):
    waste = set(atlas.members("wufei-chengshi").adcode)
    circle = set(atlas.members("planning-extent").adcode)
    assert circle < waste and len(waste - circle) == 14  # 9 of 重庆, 平武 北川 万源 天全 宝兴


def test_the_chuannan_region_is_the_sichuan_half_of_chuannan_yuxi(atlas):
    platform = atlas.members("chuannan-yuxi")
    sichuan = platform[platform.adcode.str.startswith("51")]
    assert set(atlas.members("chuannan").adcode) == set(sichuan.adcode)


def test_the_two_metropolitan_areas_together(atlas):
    both = set(atlas.members("shuangquan").adcode)
    assert both == set(atlas.members("chongqing-dushiquan").adcode) | set(
        atlas.members("chengdu-dushiquan").adcode)
    early = atlas.members("shuangquan", dt.date(2022, 1, 1))
    assert set(early.adcode) == set(atlas.members("chengdu-dushiquan").adcode)


def test_a_science_city_part_without_units_first_then_its_extension_parks(atlas):
    assert atlas.members("xibu-chongqing-kexuecheng", dt.date(2022, 8, 10)).empty
    parks = atlas.members("xibu-chongqing-kexuecheng", dt.date(2022, 8, 11))
    assert (parks.part == "拓展园（范围未列明）").all()
    parts = {e.id for e in atlas.registry.entities.values() if e.parent == "xibu-kexuecheng"}
    assert parts == {"xibu-chengdu-kexuecheng", "xibu-chongqing-kexuecheng",
                     "zhongguo-mianyang-kejicheng", "chongqing-liangjiang-xietong-chuangxinqu"}


def test_the_upper_yangtze_green_zone_adds_tongnan_in_2022(atlas):
    first = atlas.members("changjiang-shangyou-lvse-shifanqu", dt.date(2022, 1, 1))
    assert first.in_force_inferred.all() and "500152" not in set(first.adcode)
    assert "500152" in set(atlas.members("changjiang-shangyou-lvse-shifanqu").adcode)
