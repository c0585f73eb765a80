"""The research panel: unit × period × entity, with the kind in force at each period's end."""

import io

import pandas as pd
import pytest

from layers.panel import (MAX_ROWS, PanelError, panel, periods, to_csv_bytes, to_json_bytes,
                          to_parquet_bytes)


@pytest.fixture(scope="module")
def quarterly(atlas):
    return panel(atlas, "2020-01-01", "2026-12-31", every="quarter")


def test_one_row_per_unit_period_and_entity(atlas, quarterly):
    units, entities = len(atlas.boundaries.units), len(atlas.registry.entities)
    assert len(quarterly) == units * 28 * entities
    assert not quarterly.duplicated(["period", "adcode", "entity"]).any()
    assert quarterly.period.iloc[0] == "2020Q1" and quarterly.period.iloc[-1] == "2026Q4"


@pytest.mark.parametrize("every, count", [("year", 7), ("quarter", 28), ("month", 84)])
def test_the_steps(every, count):
    assert len(periods("2020-01-01", "2026-12-31", every)) == count


def test_qijiang_joins_chuannan_yuxi_on_2023_03_02(atlas):
    frame = panel(atlas, "2022-10-01", "2023-05-31", every="month",
                  entities=["chuannan-yuxi"]).set_index(["adcode", "period"])
    qijiang = frame.loc["500110"]
    assert list(qijiang.kind.astype(str)) == ["absent"] * 5 + ["whole"] * 3
    march = qijiang.loc["2023-03"]
    assert march.document == "chuannan-yuxi-fangan-2023"
    assert march.in_force_from == pd.Timestamp("2023-03-02") and not march.in_force_inferred
    jiangjin = frame.loc[("500116", "2022-10")]  # a member of the outline's first version
    assert jiangjin.kind == "named" and jiangjin.in_force_from == pd.Timestamp("2021-10-20")


def test_the_kind_is_read_at_the_period_end(atlas):
    frame = panel(atlas, "2022-01-01", "2023-03-01", every="year", entities="chuannan-yuxi")
    ends = frame.drop_duplicates("period").period_end.dt.date.map(str).tolist()
    assert ends == ["2022-12-31", "2023-03-01"]  # the last period stops at end
    last = frame[frame.period == "2023"].kind.value_counts()
    assert last["named"] == 31 and last["whole"] == 0  # the 2021 version: 7 places, 31 units


def test_inferred_dates_are_flagged(atlas, quarterly):
    axis = quarterly[(quarterly.entity == "chengyu-zhuzhou") & (quarterly.kind != "absent")]
    assert axis.in_force_inferred.all() and set(axis.period.astype(str)) >= {"2021Q4"}
    assert (axis.in_force_from == pd.Timestamp("2021-11-23")).all()
    assert "2021Q3" not in set(axis.period.astype(str))


def test_the_wide_form(atlas):
    wide = panel(atlas, "2020-01-01", "2023-12-31", every="year",
                 entities=["chuannan-yuxi", "chuanyu-gaozhu", "chengyu-nongyedai"], wide=True)
    assert len(wide) == 4 * len(atlas.boundaries.units)
    assert list(wide.columns[-3:]) == ["chuannan-yuxi", "chuanyu-gaozhu", "chengyu-nongyedai"]
    rows = wide.set_index(["period", "adcode"])
    assert rows.loc[("2022", "500116"), "chuannan-yuxi"] == "named"
    assert rows.loc[("2023", "500110"), "chuannan-yuxi"] == "1"
    assert rows.loc[("2022", "500110"), "chuannan-yuxi"] == "0"
    assert rows.loc[("2021", "511623"), "chuanyu-gaozhu"] == "part"
    assert rows.loc[("2023", "500154"), "chengyu-nongyedai"] == "uncertain"


def test_csv_and_parquet_read_back_with_their_types(atlas):
    frame = panel(atlas, "2021-01-01", "2023-12-31", every="year",
                  entities=["chuannan-yuxi", "chengyu-zhuzhou"])
    back = pd.read_parquet(io.BytesIO(to_parquet_bytes(frame)))
    pd.testing.assert_frame_equal(back, frame)
    csv = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), dtype={"adcode": "string"},
                      parse_dates=["period_end", "in_force_from"])
    assert len(csv) == len(frame) and csv.period_end.dtype.kind == "M"
    assert csv.in_force_from.dtype.kind == "M" and csv.in_force_inferred.dtype.kind in "bO"
    assert csv.adcode.iloc[0] == frame.adcode.iloc[0]
    assert list(csv.kind.unique()) == list(frame.kind.astype(str).unique())


def test_json_rows_carry_dates_as_text_and_missing_as_null(atlas):
    import json

    frame = panel(atlas, "2022-01-01", "2023-12-31", every="year", entities=["chuannan-yuxi"])
    rows = json.loads(to_json_bytes(frame))
    assert len(rows) == len(frame) and set(rows[0]) == set(frame.columns)
    qijiang = {r["period"]: r for r in rows if r["adcode"] == "500110"}
    assert qijiang["2022"]["kind"] == "absent" and qijiang["2022"]["in_force_from"] is None
    assert qijiang["2023"] | {"period_end": "2023-12-31", "in_force_from": "2023-03-02",
                              "in_force_inferred": False} == qijiang["2023"]


@pytest.mark.parametrize("args, kwargs, message", [
    (("2023-01-01", "2021-01-01"), {}, "start 2023-01-01 is after end 2021-01-01"),
    (("2021-02-30", "2022-01-01"), {}, "start: expected a date as YYYY-MM-DD"),
    (("2021-01-01", "soon"), {}, "end: expected a date as YYYY-MM-DD, got 'soon'"),
    (("2021-01-01", "2022-01-01"), {"every": "week"}, "every: expected one of year, quarter, "
                                                      "month, got 'week'"),
    (("2021-01-01", "2022-01-01"), {"entities": ["zida", "nowhere"]},
     "entities: unknown 'nowhere'"),
    (("1900-01-01", "2030-12-31"), {"every": "month"}, "more than 5,000,000"),
])
def test_bad_requests_name_the_bad_part(atlas, args, kwargs, message):
    with pytest.raises(PanelError, match=message.replace("(", r"\(")):
        panel(atlas, *args, **kwargs)


def test_the_row_limit_counts_what_would_be_built(atlas):
    units = len(atlas.boundaries.units)
    months = MAX_ROWS // units + 1  # too many for the long form even with one entity
    end = (pd.Period("1900-01", "M") + (months - 1)).end_time.date()
    with pytest.raises(PanelError, match=f"{months} months × {units} units × 1 entities"):
        panel(atlas, "1900-01-01", end, every="month", entities=["zida"])
    assert len(panel(atlas, "1900-01-01", end, every="year", entities=["zida"])) == \
        (end.year - 1899) * units
    wide = panel(atlas, "2020-01-01", "2020-12-31", every="month", wide=True)
    assert len(wide) == 12 * units  # the wide form counts units × periods only
