"""The command line, driven as a user would: in a subprocess, reading its output."""

import json
import os
import subprocess
import sys

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
    for command in ("build", "serve", "query", "export", "info"):
        assert command in result.stdout


def test_query_as_a_table_says_how_it_read_the_name(run):
    result = run("query", "platforms touching 广安")
    assert result.returncode == 0, result.stderr
    assert "read as 广安市 (511600, city); also: 广安区" in result.stdout
    lines = result.stdout.splitlines()
    assert any(line.startswith("suitong") and "borders" in line for line in lines)
    assert any(line.startswith("heguangchang") and "covers" in line for line in lines)


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
    assert "cannot understand the question" in result.stderr


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


def test_export_of_something_unknown(run, tmp_path):
    result = run("export", "nowhere", "-o", str(tmp_path / "x.geojson"))
    assert result.returncode == 2 and "unknown collection or entity 'nowhere'" in result.stderr


def test_info_of_a_unit_lists_its_entities_with_evidence(run):
    result = run("info", "邻水县")
    assert result.returncode == 0
    assert "chuanyu-gaozhu" in result.stdout and "高滩镇" in result.stdout
    assert "004_a9d4b781dc1e95d7.txt:6371" in result.stdout


def test_info_of_an_entity_lists_its_members(run):
    result = run("info", "万达开")
    assert result.returncode == 0 and "wandakai" in result.stdout
    assert result.stdout.count("whole") == 9


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
