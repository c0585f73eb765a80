"""Looking units up by name, short form and adcode."""

import pytest

from geo.gazetteer import AmbiguousName, UnknownName


def test_full_name_and_adcode(boundaries):
    assert boundaries.gazetteer.resolve("邻水县").adcode == "511623"
    assert boundaries.gazetteer.resolve("511623").name == "邻水县"


def test_short_form(boundaries):
    assert boundaries.gazetteer.resolve("荣昌").name == "荣昌区"
    assert boundaries.gazetteer.resolve("北川").name == "北川羌族自治县"


def test_guangan_is_ambiguous_and_says_so(boundaries):
    with pytest.raises(AmbiguousName) as raised:
        boundaries.gazetteer.resolve("广安")
    assert [p.name for p in raised.value.candidates] == ["广安市", "广安区"]
    assert "广安市 (511600, city)" in str(raised.value)


def test_a_full_name_wins_over_short_forms(boundaries):
    assert boundaries.gazetteer.resolve("广安市").level == "city"
    assert boundaries.gazetteer.resolve("广安区").level == "unit"


def test_duplicate_names_need_their_city(boundaries):
    with pytest.raises(AmbiguousName):
        boundaries.gazetteer.resolve("市中区")
    assert boundaries.gazetteer.resolve("乐山市市中区").adcode == "511102"
    assert boundaries.gazetteer.resolve("内江市中区").adcode == "511002"


def test_full_width_and_spaces_are_folded(boundaries):
    assert boundaries.gazetteer.resolve(" 邻水县 ").adcode == "511623"
    assert boundaries.gazetteer.resolve("５１１６２３").name == "邻水县"


def test_unknown_name(boundaries):
    with pytest.raises(UnknownName, match="no unit, city or province is named '北京'"):
        boundaries.gazetteer.resolve("北京")
