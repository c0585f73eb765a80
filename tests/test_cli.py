"""The command line, driven as a user would: in a subprocess, reading its output."""

import json
import os
import subprocess
import sys
import unicodedata
import zipfile

import pyogrio
import pytest


@pytest.fixture(scope="module")
def run(cache_directory, boundaries):
    def run(*args, env=None):
        return subprocess.run([sys.executable, "-m", "chengyu", "--cache-dir",
                               str(cache_directory), *args], capture_output=True, text=True,
                              timeout=300, env={**os.environ, **(env or {})},
                              cwd=os.path.dirname(os.path.dirname(__file__)))
    return run


def test_help_lists_the_commands(run):
    result = run("--help")
    assert result.returncode == 0
    for command in ("build", "serve", "query", "export", "render", "panel", "info", "entities"):
        assert command in result.stdout


def test_query_as_a_table_says_how_it_read_the_name(run):
    result = run("query", "platforms touching 广安")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sum("广安区" in line for line in lines) == 1  # the other reading, said once
    assert any(line.startswith("遂潼川渝毗邻地区一体化发展先行区") and "接壤" in line
               for line in lines)
    assert any(line.startswith("合广长协同发展示范区") and "包含" in line for line in lines)


def test_query_shows_what_is_only_possible_and_why(run):
    result = run("query", "platforms touching 达州")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("川渝高竹新区"))
    assert "possible" in line and "接壤" in line
    assert "possible · 川渝高竹新区: borders only through 邻水县" in result.stdout


def test_query_before_an_entity_existed_says_so(run):
    result = run("query", "2019年万达开有哪些区县")
    assert result.returncode == 0
    assert "2020-07-27" in result.stdout and "尚未设立" in result.stdout


def test_query_with_a_misspelt_name_offers_the_right_one(run):
    result = run("query", "临水县属于哪些平台")
    assert result.returncode == 2 and "did you mean 邻水县" in result.stderr


def test_query_as_json(run):
    result = run("query", "与广安接壤的平台", "--json")
    answer = json.loads(result.stdout)
    assert answer["form"] == "entities_touching" and answer["count"] == 5


def test_query_as_of_a_date(run):
    result = run("query", "units of 川南渝西", "--json", "--date", "2022-01-01")
    assert json.loads(result.stdout)["count"] == 31  # 4 cities and 3 districts, named


def test_a_question_not_understood_exits_2_with_a_message_on_stderr(run):
    result = run("query", "what is the weather")
    assert result.returncode == 2 and result.stdout == ""
    assert "not a known unit" in result.stderr


def test_a_bad_date_is_a_usage_error(run):
    result = run("query", "units of 万达开", "--date", "yesterday")
    assert result.returncode == 2 and "expected a date YYYY-MM-DD" in result.stderr


def test_export_an_entity_with_its_members(run, tmp_path):
    target = tmp_path / "zida.gpkg"
    result = run("export", "zida", "--format", "gpkg", "-o", str(target))
    assert result.returncode == 0, result.stderr
    frame = pyogrio.read_dataframe(target)
    assert sorted(frame.unit_name) == ["乐至县", "大足区", "安岳县", "雁江区"]


def test_export_a_collection(run, tmp_path):
    target = tmp_path / "cities.csv"
    assert run("export", "cities", "-f", "csv", "-o", str(target)).returncode == 0
    assert "成都市" in target.read_text(encoding="utf-8")


def test_export_shp_named_shp_writes_a_shapefile_with_its_sidecars(run, tmp_path):
    target = tmp_path / "x.shp"
    result = run("export", "units", "-f", "shp", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"x.shp", "x.shx", "x.dbf", "x.prj",
                                                    "x.cpg", "x_full_values.csv"}
    assert "x_full_values.csv" in result.stderr  # the clipped values are announced
    frame = pyogrio.read_dataframe(target)
    assert len(frame) == 221 and "邻水县" in set(frame.name)


def test_export_shp_named_zip_writes_the_zip(run, tmp_path):
    target = tmp_path / "wandakai.zip"
    result = run("export", "wandakai", "-f", "shp", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["wandakai.zip"]
    assert zipfile.ZipFile(target).testzip() is None
    assert len(pyogrio.read_dataframe(f"/vsizip/{target}")) > 0


def test_export_of_something_unknown(run, tmp_path):
    result = run("export", "nowhere", "-o", str(tmp_path / "x.geojson"))
    assert result.returncode == 2 and "unknown collection or entity 'nowhere'" in result.stderr


def test_render_an_entity_by_name_as_png_of_the_requested_size(run, tmp_path):
    from PIL import Image

    target = tmp_path / "wandakai.png"
    result = run("render", "万达开", "-o", str(target), "--width", "800", "--height", "500",
                 "--dpi", "100")
    assert result.returncode == 0, result.stderr
    image = Image.open(target)
    assert image.format == "PNG" and image.size == (800, 500)
    assert "万达开川渝统筹发展示范区" in result.stderr


def test_render_a_question_as_svg_and_pdf_by_the_extension(run, tmp_path):
    svg, pdf = tmp_path / "touching.svg", tmp_path / "touching.pdf"
    for target in (svg, pdf):
        result = run("render", "platforms touching 广安", "-o", str(target),
                     "--width", "600", "--height", "400", "--dpi", "100")
        assert result.returncode == 0, result.stderr
    assert "<!-- platforms touching 广安 -->" in svg.read_text(encoding="utf-8")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_render_on_a_date_before_the_entity_existed_exits_2(run, tmp_path):
    result = run("render", "chuannan-yuxi", "--date", "2019-01-01", "-o",
                 str(tmp_path / "x.png"))
    assert result.returncode == 2 and "no members in force" in result.stderr


@pytest.mark.parametrize("args, named", [
    (["-o", "map.gif"], ".png, .svg, .pdf"), (["-o", "map.png", "--width", "10"], "width"),
    (["-o", "map.png", "--dpi", "many"], "--dpi")])
def test_render_refuses_bad_formats_and_sizes(run, tmp_path, args, named):
    args = [str(tmp_path / a) if a.startswith("map.") else a for a in args]
    result = run("render", "wandakai", *args)
    assert result.returncode == 2 and named in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_panel_as_csv_on_standard_output(run, atlas):
    import io

    import pandas as pd

    result = run("panel", "--start", "2021-06-01", "--end", "2023-12-31", "--every", "quarter",
                 "--entities", "chuannan-yuxi,wandakai")
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout), dtype={"adcode": str})
    assert len(frame) == len(atlas.boundaries.units) * 11 * 2
    qijiang = frame[(frame.adcode == "500110") & (frame.entity == "chuannan-yuxi")]
    assert dict(zip(qijiang.period, qijiang.kind))["2022Q4"] == "absent"
    assert dict(zip(qijiang.period, qijiang.kind))["2023Q1"] == "whole"


def test_panel_wide_as_parquet(run, atlas, tmp_path):
    import pandas as pd

    target = tmp_path / "panel.parquet"
    result = run("panel", "--start", "2020-01-01", "--end", "2026-12-31", "--every", "month",
                 "--wide", "-f", "parquet", "-o", str(target))
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(target)
    assert len(frame) == len(atlas.boundaries.units) * 84
    assert set(atlas.registry.entities) <= set(frame.columns)
    assert str(frame.period_end.dtype).startswith("datetime64")


@pytest.mark.parametrize("args, named", [
    (["--start", "2024-01-01", "--end", "2023-01-01"], "start"),
    (["--start", "2023-01-01", "--end", "2024-01-01", "--entities", "atlantis"], "atlantis"),
    (["--start", "2023-01-01", "--end", "2024-01-01", "--every", "week"], "--every"),
    (["--start", "1900-01-01", "--end", "2100-01-01", "--every", "month"], "5,000,000"),
    (["--start", "2023-01-01", "--end", "2024-01-01", "-f", "parquet"], "-o FILE")])
def test_panel_refuses_bad_requests_with_exit_2(run, args, named):
    result = run("panel", *args)
    assert result.returncode == 2 and named in result.stderr and not result.stdout


def _columns(text: str) -> int:
    """Terminal columns of the widest line of the table (the lines before the notes)."""
    table = text.split("\n\n")[0].split("\n  possible")[0]
    return max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
               for line in table.splitlines())


def test_info_of_a_unit_lists_its_entities_in_chinese(run):
    result = run("info", "邻水县")
    assert result.returncode == 0
    assert "川渝高竹新区" in result.stdout and "高滩镇" in result.stdout
    assert "chuanyu-gaozhu" not in result.stdout.split("CQL2")[0]  # names, not slugs
    assert _columns(result.stdout) <= 100


def test_info_of_an_entity_lists_its_members(run):
    result = run("info", "万达开")
    assert result.returncode == 0 and "wandakai" in result.stdout
    assert result.stdout.count("whole") == 9
    assert "万州区" in result.stdout and _columns(result.stdout) <= 100


def test_entities_lists_every_entity(run, atlas):
    result = run("entities")
    assert result.returncode == 0
    for entity in atlas.registry.entities.values():
        assert entity.id in result.stdout and entity.name_zh in result.stdout


def test_info_of_an_unknown_name(run):
    result = run("info", "北京")
    assert result.returncode == 2 and "not a known unit" in result.stderr


def test_build_reports_progress_on_stderr(run, tmp_path):
    result = subprocess.run([sys.executable, "-m", "chengyu", "--cache-dir", str(tmp_path),
                             "build"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0
    assert "GCJ-02 -> WGS-84" in result.stderr and "221 units" in result.stdout


def test_an_unwritable_cache_exits_1(run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = subprocess.run([sys.executable, "-m", "chengyu", "--cache-dir",
                             str(blocker / "cache"), "info", "邻水县"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "not writable" in result.stderr
