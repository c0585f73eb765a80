"""An entity's history: its versions, each with its text, date and what changed."""

import datetime as dt

import pytest

from layers.history import readable, summary, versions


def names(atlas, adcodes):
    return sorted(atlas.boundaries.units.name[list(adcodes)])


def test_chuannan_yuxi_grew_from_7_places_to_10(atlas):
    first, second = versions(atlas, "chuannan-yuxi")
    assert (len(first.listed), len(second.listed)) == (7, 10)
    assert first.document == "gangyao-2021" and second.document == "chuannan-yuxi-fangan-2023"
    assert first.in_force_until == second.in_force_from == dt.date(2023, 3, 2)
    assert names(atlas, second.added) == ["大足区", "綦江区", "铜梁区"] and second.removed == []
    assert set(second.changed) == set(first.members)  # named in the outline, whole now
    assert all(kinds == ["named", "whole"] for kinds in second.changed.values())
    assert len(first.added) == len(first.members) == 31


def test_mingyueshan_adds_changshou(atlas):
    first, second = versions(atlas, "mingyueshan")
    assert (len(first.members), len(second.members)) == (6, 7)
    assert names(atlas, second.added) == ["长寿区"] and second.document_number is None


def test_a_version_from_an_undated_text_says_its_date_is_inferred(atlas):
    gangyao, lianhe = versions(atlas, "yudongbei-chuandongbei")
    assert not gangyao.inferred and lianhe.inferred and lianhe.document_date is None
    assert (gangyao.in_force_from, lianhe.in_force_from) == (dt.date(2021, 10, 20),
                                                             dt.date(2021, 11, 23))
    assert len(gangyao.members) == 23 and "511602" in lianhe.added


def test_a_version_without_members_keeps_its_note(atlas):
    [version] = versions(atlas, "yuxi")
    assert version.members == {} and "never list" in version.note
    empty, parks = versions(atlas, "xibu-chongqing-kexuecheng")
    assert empty.members == {} and len(parks.added) == 5


def test_versions_as_plain_data(atlas):
    data = versions(atlas, "chuanyu-gaozhu")[-1].as_dict()
    assert data["members"] == {"500112": "part", "511623": "part"}
    assert isinstance(data["in_force_from"], dt.date)


def test_unknown_entity(atlas):
    with pytest.raises(KeyError, match="unknown entity 'atlantis'"):
        versions(atlas, "atlantis")


def test_the_summary_counts_members_as_written_and_names_the_changes(atlas):
    assert summary(atlas, "chuannan-yuxi", versions(atlas, "chuannan-yuxi")) == \
        "川南渝西融合发展试验区: 7 members in 2021 → 10 in 2023: +綦江 +大足 +铜梁"
    assert summary(atlas, "mingyueshan", versions(atlas, "mingyueshan")).endswith(
        "6 members in 2020 → 7 in 2021: +长寿")
    assert summary(atlas, "chengyu-zhuzhou", versions(atlas, "chengyu-zhuzhou")).endswith(
        ": 9 members in 2021")  # as written: cities stand for their units (19)


def test_readable_rows_name_the_units(atlas):
    first, second = readable(atlas, versions(atlas, "chuannan-yuxi"))
    assert (first["listed"], first["units"], second["listed"], second["units"]) == (7, 31, 10, 34)
    assert first["added"] == [] and second["added"] == ["綦江区", "大足区", "铜梁区"]
    [changed] = second["changed"]  # the outline named the units, the 方案 made them whole
    assert changed.startswith("named→whole (31): ") and "江津区" in changed
    assert second["removed"] == []
    assert second["from"] == dt.date(2023, 3, 2) and first["until"] == second["from"]
