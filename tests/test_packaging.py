"""What installing the project puts on users' path: its packages, the ``server`` entry module
and the console script; no generic top-level module (``cli``, ``loopback``), and the API's
templates as package data. Checked on what setuptools builds from pyproject.toml for
installing (``build_py``: the wheel's contents; ``egg_info``: its metadata)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = {"api", "chengyu", "filtering", "formats", "geo", "layers", "server.py", "webmap"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(the files an install puts in site-packages, the metadata directory)."""
    source = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "artifacts", "build", "*.egg-info", "__pycache__", ".pytest_cache"))
    library, metadata = tmp_path_factory.mktemp("lib"), tmp_path_factory.mktemp("egg")
    subprocess.run([sys.executable, "-W", "ignore", "-c", "import setuptools; setuptools.setup()",
                    "-q", "egg_info", "--egg-base", str(metadata),
                    "build_py", "--build-lib", str(library)],
                   cwd=source, check=True, timeout=300, capture_output=True)
    [info] = metadata.glob("*.egg-info")
    return library, info


def test_only_the_projects_own_names_are_installed(built):
    library, info = built
    assert {path.name for path in library.iterdir()} == TOP_LEVEL
    assert set((info / "top_level.txt").read_text().split()) == \
        {name.removesuffix(".py") for name in TOP_LEVEL}


def test_the_console_script_and_the_package_data_are_installed(built):
    library, info = built
    assert "chengyu = chengyu.cli:main" in (info / "entry_points.txt").read_text()
    for name in ("api/templates/items.html", "api/templates/base.html",
                 "api/routes/items.py", "chengyu/__main__.py"):
        assert (library / name).is_file(), name
    registry = ROOT / "layers" / "registry"
    assert sorted(p.relative_to(ROOT) for p in registry.rglob("*.yaml")) == \
        sorted(p.relative_to(library) for p in (library / "layers/registry").rglob("*.yaml"))
