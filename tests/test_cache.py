"""The cache: rebuilt when its inputs change or it is damaged, never left half written."""

import shutil
import signal
import subprocess
import sys
import time

import pytest

from geo import cache


@pytest.fixture
def built(cache_directory, boundaries, tmp_path):
    """A private copy of the session's built cache."""
    directory = tmp_path / "cache"
    directory.mkdir()
    shutil.copy(cache_directory / cache.FILENAME, directory / cache.FILENAME)
    return directory


def load(directory):
    messages = []
    layers = cache.load_or_build(directory, progress=messages.append)
    return layers, messages


def test_a_current_cache_is_read_not_rebuilt(built):
    layers, messages = load(built)
    assert messages == [] and len(layers["units"]) == 221


def test_a_changed_fingerprint_triggers_a_rebuild(built, monkeypatch):
    monkeypatch.setattr(cache, "fingerprint", lambda: "inputs-changed")
    layers, messages = load(built)
    assert any("stale or unreadable: rebuilding" in m for m in messages)
    assert cache.read(built / cache.FILENAME, "inputs-changed") is not None


def test_a_truncated_cache_is_rebuilt(built):
    path = built / cache.FILENAME
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size // 2)
    assert cache.read(path, cache.fingerprint()) is None
    layers, messages = load(built)
    assert any("rebuilding" in m for m in messages) and len(layers["units"]) == 221


def test_garbage_in_place_of_the_cache_is_rebuilt(built):
    (built / cache.FILENAME).write_bytes(b"not a geopackage")
    layers, messages = load(built)
    assert any("rebuilding" in m for m in messages) and len(layers["units"]) == 221


def test_a_build_killed_half_way_leaves_the_previous_cache_intact(built):
    path = built / cache.FILENAME
    before = path.read_bytes()
    builder = subprocess.Popen(
        [sys.executable, "-m", "geo", "build", "--cache-dir", str(built)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(built.glob(".boundaries-*.gpkg")):  # the build is writing
        assert builder.poll() is None and time.monotonic() < deadline
        time.sleep(0.005)
    builder.send_signal(signal.SIGKILL)
    builder.wait()
    assert path.read_bytes() == before
    layers, messages = load(built)
    assert messages == [] and len(layers["units"]) == 221


def test_an_unwritable_cache_directory_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(cache.CacheError, match="not writable.*CHENGYU_CACHE_DIR"):
        cache.load_or_build(blocker / "cache")


def test_the_cache_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CHENGYU_CACHE_DIR", str(tmp_path))
    assert cache.cache_dir() == tmp_path
    monkeypatch.delenv("CHENGYU_CACHE_DIR")
    assert cache.cache_dir().name == "chengyu-atlas"


def test_python_m_geo_build_rebuilds_with_progress(tmp_path):
    result = subprocess.run([sys.executable, "-m", "geo", "build", "--cache-dir",
                             str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "GCJ-02 -> WGS-84" in result.stderr and "cache written" in result.stderr
    assert (tmp_path / cache.FILENAME).exists()
