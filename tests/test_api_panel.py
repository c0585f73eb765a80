"""GET /panel through the app: the research panel as JSON, CSV and Parquet, and its errors."""

import io

import pandas as pd
import pytest

ROUTE = "/panel"


def get(client, **params):
    return client.get(ROUTE, params=params)


@pytest.mark.parametrize("every, periods", [("year", 7), ("quarter", 28), ("month", 84)])
def test_one_row_per_unit_period_and_entity(client, atlas, every, periods):
    chosen = ["chuannan-yuxi", "wandakai", "mingyueshan"]
    response = get(client, start="2020-01-01", end="2026-12-31", every=every,
                   entities=",".join(chosen), f="csv")
    assert response.status_code == 200
    frame = pd.read_csv(io.BytesIO(response.content), dtype={"adcode": str})
    assert len(frame) == len(atlas.boundaries.units) * periods * len(chosen)
    assert set(frame.entity) == set(chosen)
    assert not frame.duplicated(["period", "adcode", "entity"]).any()


def test_every_entity_without_entities(client, atlas):
    rows = get(client, start="2023-01-01", end="2023-12-31").json()  # json by default
    assert len(rows) == len(atlas.boundaries.units) * len(atlas.registry.entities)
    assert {row["entity"] for row in rows} == set(atlas.registry.entities)


@pytest.mark.parametrize("every, before, after", [("quarter", "2022Q4", "2023Q1"),
                                                  ("month", "2023-02", "2023-03")])
def test_qijiang_switches_from_absent_to_whole_at_2023_03_02(client, every, before, after):
    rows = get(client, start="2021-06-01", end="2024-06-30", every=every,
               entities="chuannan-yuxi").json()
    qijiang = {row["period"]: row for row in rows if row["adcode"] == "500110"}
    kinds = [qijiang[p]["kind"] for p in sorted(qijiang)]
    switch = kinds.index("whole")
    assert set(kinds[:switch]) == {"absent"} and set(kinds[switch:]) == {"whole"}
    assert sorted(qijiang)[switch - 1:switch + 1] == [before, after]
    assert qijiang[after]["in_force_from"] == "2023-03-02"
    assert qijiang[after]["document"] == "chuannan-yuxi-fangan-2023"
    assert qijiang[before]["document"] is None and qijiang[before]["in_force_from"] is None


def test_csv_reads_back_with_the_right_types(client):
    response = get(client, start="2022-01-01", end="2023-12-31", every="quarter",
                   entities="chuannan-yuxi,wandakai", f="csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == \
        'attachment; filename="chengyu-panel-quarter-2022-01-01-2023-12-31.csv"'
    frame = pd.read_csv(io.BytesIO(response.content), dtype={"adcode": str},
                        parse_dates=["period_end", "in_force_from"])
    assert frame.period_end.dtype.kind == "M" and frame.in_force_from.dtype.kind == "M"
    assert frame.adcode.str.fullmatch(r"\d{6}").all()
    assert set(frame.kind) <= {"absent", "whole", "part", "named", "uncertain"}
    assert frame.in_force_inferred.dropna().isin([True, False]).all()


def test_parquet_reads_back_with_the_right_types(client):
    response = get(client, start="2022-01-01", end="2023-12-31", every="quarter",
                   entities="chuannan-yuxi", f="parquet")
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    frame = pd.read_parquet(io.BytesIO(response.content))
    assert str(frame.period_end.dtype).startswith("datetime64")
    assert str(frame.in_force_from.dtype).startswith("datetime64")
    assert isinstance(frame.kind.dtype, pd.CategoricalDtype)
    assert str(frame.in_force_inferred.dtype) == "boolean"
    qijiang = frame[frame.adcode == "500110"].set_index("period").kind.astype(str)
    assert qijiang["2022Q4"] == "absent" and qijiang["2023Q1"] == "whole"


def test_the_wide_form_has_a_column_per_entity(client, atlas):
    response = get(client, start="2020-01-01", end="2026-12-31", every="year",
                   entities="chuannan-yuxi,mingyueshan", wide="true", f="parquet")
    frame = pd.read_parquet(io.BytesIO(response.content))
    assert len(frame) == len(atlas.boundaries.units) * 7
    assert {"chuannan-yuxi", "mingyueshan"} <= set(frame.columns)
    assert "entity" not in frame.columns
    qijiang = frame[frame.adcode == "500110"].set_index("period")["chuannan-yuxi"].astype(str)
    assert qijiang["2022"] == "0" and qijiang["2023"] == "1"


@pytest.mark.parametrize("params, named", [
    ({"start": "2024-01-01", "end": "2023-01-01"}, "start"),
    ({"start": "2023-13-01", "end": "2024-01-01"}, "start"),
    ({"start": "2023-01-01", "end": "soon"}, "end"),
    ({"start": "2023-01-01"}, "end"),
    ({"start": "2023-01-01", "end": "2024-01-01", "every": "week"}, "every"),
    ({"start": "2023-01-01", "end": "2024-01-01", "entities": "wandakai,atlantis"},
     "atlantis"),
    ({"start": "2023-01-01", "end": "2024-01-01", "entities": ","}, "entities"),
    ({"start": "2023-01-01", "end": "2024-01-01", "f": "xlsx"}, "f"),
    ({"start": "2023-01-01", "end": "2024-01-01", "wide": "maybe"}, "wide"),
    ({"start": "2023-01-01", "end": "2024-01-01", "colour": "red"}, "colour"),
    ({"start": "1900-01-01", "end": "2100-12-31", "every": "month"}, "5,000,000"),
])
def test_bad_requests_are_400_problems_naming_the_bad_part(client, params, named):
    response = client.get(ROUTE, params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert named in response.json()["detail"]


def test_the_openapi_document_describes_the_panel(client):
    operation = client.get("/api").json()["paths"]["/panel"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"start", "end", "every", "entities", "wide", "f"}
    assert parameters["start"]["required"] and parameters["end"]["required"]
    assert parameters["every"]["schema"]["enum"] == ["year", "quarter", "month"]
    assert set(operation["responses"]["200"]["content"]) == {
        "application/json", "text/csv; charset=utf-8", "application/vnd.apache.parquet"}
