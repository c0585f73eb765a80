"""What a map shows: an entity's members on a date (kinds kept), a question's hits with
their relations and the place asked about; unknown or empty subjects are refused."""

import datetime as dt

import pytest

from formats.pictures import PictureError, answer_picture, entity_picture, selection_picture
from layers.catalogue import Catalogue
from layers.questions import Questions


def test_an_entity_on_a_date_shows_the_members_then_in_force(atlas):
    before = entity_picture(atlas, "chuannan-yuxi", dt.date(2022, 1, 1))
    latest = entity_picture(atlas, "chuannan-yuxi")
    assert before.as_of == "2022-01-01" and latest.as_of.startswith("最新 latest")
    assert "7 个成员 members as written" in before.subtitle
    assert "10 个成员 members as written" in latest.subtitle
    assert set(before.features.adcode) < set(latest.features.adcode)
    assert set(latest.features.adcode) == set(atlas.members("chuannan-yuxi").adcode)
    assert before.documents != latest.documents and "川府发〔2023〕9号" in latest.documents[0]
    assert before.features.crs.equals(latest.features.crs)


def test_part_members_keep_their_kind(atlas):
    picture = entity_picture(atlas, "chuanyu-gaozhu")
    assert set(picture.features.kind) == {"part"}
    assert set(picture.features.group) == {"川渝高竹新区"}


def test_unknown_entities_and_dates_before_the_first_extent_are_refused(atlas):
    with pytest.raises(PictureError, match="unknown entity 'atlantis'"):
        entity_picture(atlas, "atlantis")
    with pytest.raises(PictureError, match="no members in force"):
        entity_picture(atlas, "wandakai", dt.date(2000, 1, 1))


def test_a_questions_hits_are_drawn_per_entity_with_their_relation(atlas):
    answer = Questions(atlas).ask("platforms touching 广安")
    picture = answer_picture(atlas, answer)
    relations = dict(zip(picture.features.group, picture.features.relation))
    assert relations == {h["name"]: h["relation"] for h in answer["hits"]}
    assert list(picture.place.index) == ["511600"] and picture.place.name == "广安市"
    for hit in answer["hits"]:
        drawn = picture.features[picture.features.group == hit["name"]]
        assert set(drawn.adcode) == set(atlas.members(hit["id"]).adcode)


def test_unit_answers_are_drawn_with_the_entity_they_answer_for(atlas):
    answer = Questions(atlas).ask("units of 万达开")
    picture = answer_picture(atlas, answer)
    assert set(picture.features.adcode) == {h["adcode"] for h in answer["hits"]}
    assert set(picture.features.group) == {answer["entity"]["name"]}
    assert list(picture.place.index) == ["wandakai"]


@pytest.fixture(scope="module")
def catalogue(atlas):
    return Catalogue(atlas)


def test_a_selection_of_units_is_one_group_without_member_kinds(atlas, catalogue):
    frame = catalogue.select("units", properties={"city": "广安市"}).frame()
    picture = selection_picture(atlas, frame, "units", "广安的区县")
    assert list(picture.features.group.unique()) == ["广安的区县"]
    assert sorted(picture.features.adcode) == sorted(frame.adcode)
    assert "kind" not in picture.features and picture.documents == ()
    assert picture.features.crs == frame.crs


def test_a_selection_of_memberships_groups_by_entity_and_cites_the_texts(atlas, catalogue):
    frame = catalogue.select("memberships", properties={"adcode": "511623"},
                             as_of=dt.date(2022, 1, 1)).frame()
    picture = selection_picture(atlas, frame, "memberships", "邻水县", dt.date(2022, 1, 1))
    assert set(picture.features.group) == set(frame.entity_name)
    assert set(picture.features.kind) == set(frame.kind)
    assert picture.as_of == "2022-01-01"
    assert len(picture.documents) == frame.document.nunique()


def test_a_selection_of_platforms_is_a_group_each(atlas, catalogue):
    frame = catalogue.select("platforms", properties={"kind": "cooperation_platform"}).frame()
    picture = selection_picture(atlas, frame, "platforms", "平台")
    assert list(picture.features.group) == list(frame.name) and len(frame) == 10
    assert picture.as_of.startswith("最新 latest (in force since")


def test_an_empty_selection_is_refused(atlas, catalogue):
    frame = catalogue.select("units", properties={"city": "北京市"}).frame()
    with pytest.raises(PictureError, match="nothing to draw"):
        selection_picture(atlas, frame, "units", "北京")
