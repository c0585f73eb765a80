"""The cache: served only when it verifies, otherwise rebuilt; never left half written."""

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo import atomic, cache, derived

ROOT = Path(__file__).resolve().parents[1]
UNSHARE = shutil.which("unshare")


@pytest.fixture
def built(cache_directory, boundaries, tmp_path):
    """A private copy of the session's built cache."""
    directory = tmp_path / "cache"
    directory.mkdir()
    shutil.copy(cache_directory / cache.FILENAME, directory / cache.FILENAME)
    return directory


@pytest.fixture(scope="session")
def clean_layers(cache_directory, boundaries):
    return cache.read(cache_directory / cache.FILENAME, cache.fingerprint())


def load(directory):
    messages = []
    layers = cache.load_or_build(directory, progress=messages.append)
    return layers, messages


def assert_equal_to_clean_build(layers, clean):
    assert set(layers) == set(clean)
    for name, frame in clean.items():
        if name == "meta":  # the build's duration differs from build to build, and so the
            # digest of the cache's content
            frame, other = (f[~f.key.isin(["build_seconds", "content"])].reset_index(drop=True)
                            for f in (frame, layers[name]))
            pd.testing.assert_frame_equal(other, frame)
        else:
            pd.testing.assert_frame_equal(layers[name], frame)


def sql(path, statement):
    with sqlite3.connect(path) as db:
        assert db.execute(statement).rowcount > 0


def flip_bytes(path, seed, count=20):
    data = bytearray(path.read_bytes())
    chance = random.Random(seed)
    for position in chance.sample(range(len(data)), count):
        data[position] ^= 1 << chance.randrange(8)
    path.write_bytes(bytes(data))


DAMAGE = {
    "renamed unit": lambda p: sql(p, "UPDATE units SET name = '伪造县' WHERE adcode = '511623'"),
    "emptied adjacency": lambda p: sql(p, "DELETE FROM adjacency"),
    "rows deleted from units_overview": lambda p: sql(
        p, "DELETE FROM units_overview WHERE fid IN (SELECT fid FROM units_overview LIMIT 7)"),
    "rows deleted from units_regional": lambda p: sql(
        p, "DELETE FROM units_regional WHERE adcode LIKE '5116%'"),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:p.stat().st_size // 2]),
    "garbage": lambda p: p.write_bytes(b"not a geopackage"),
    **{f"20 bytes flipped, seed {seed}": lambda p, seed=seed: flip_bytes(p, seed)
       for seed in range(6)},
}


def test_a_current_cache_is_read_not_rebuilt(built):
    layers, messages = load(built)
    assert messages == [] and len(layers["units"]) == 221


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_cache_is_never_served_but_rebuilt(built, clean_layers, damage, capfd):
    path = built / cache.FILENAME
    DAMAGE[damage](path)
    with pytest.raises(cache.Unusable):
        cache.read(path, cache.fingerprint())
    layers, messages = load(built)
    assert messages[0].startswith(f"cache {path}: ") and messages[0].endswith("; rebuilding")
    assert "\n" not in messages[0] and "cache written" in messages[-1]
    assert_equal_to_clean_build(layers, clean_layers)
    assert capfd.readouterr().err == ""  # no traceback, no GDAL or GEOS noise


def test_the_notice_names_the_damaged_table(built):
    DAMAGE["renamed unit"](built / cache.FILENAME)
    with pytest.raises(cache.Unusable, match="^damaged: table units does not match"):
        cache.read(built / cache.FILENAME, cache.fingerprint())


def test_a_changed_fingerprint_triggers_a_rebuild(built, monkeypatch):
    monkeypatch.setattr(cache, "fingerprint", lambda *_: "inputs-changed")
    layers, messages = load(built)
    assert messages[0].endswith("built from other inputs or build code; rebuilding")
    assert len(cache.read(built / cache.FILENAME, "inputs-changed")["units"]) == 221


# A writer killed (SIGKILL) half-way through writing the file named by its argument
KILLED_WRITING = """
import os, pathlib, signal, sys
from geo import atomic
with atomic.replacing(pathlib.Path(sys.argv[1])) as temporary:
    temporary.write_text("half")
    os.kill(os.getpid(), signal.SIGKILL)
"""

# A build killed (SIGKILL) when its temporary file is written and not yet renamed: the
# moment chosen exactly rather than raced, so a loaded machine cannot miss it.
KILLED_BEFORE_THE_RENAME = """
import os, signal, sys
from geo import cache
os.replace = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
cache.load_or_build(sys.argv[1], rebuild=True)
"""


def test_a_build_killed_half_way_is_cleaned_up_at_the_next_start(built):
    path = built / cache.FILENAME
    before = path.read_bytes()
    builder = subprocess.run([sys.executable, "-c", KILLED_BEFORE_THE_RENAME, str(built)],
                             cwd=ROOT, capture_output=True, timeout=300)
    assert builder.returncode == -signal.SIGKILL, builder.stderr
    leftovers = list(built.glob(atomic.PARTIAL + "boundaries-*"))
    assert leftovers and path.read_bytes() == before
    layers, messages = load(built)
    assert messages == [f"removed {len(leftovers)} temporary file(s) of an interrupted build "
                        f"from {built}"]
    assert not list(built.glob(atomic.PARTIAL + "boundaries-*")) and len(layers["units"]) == 221


def test_what_a_derived_data_writer_killed_half_way_left_is_cleaned_up(built):
    directory = built / derived.DIRECTORY
    directory.mkdir(exist_ok=True)
    writer = subprocess.run([sys.executable, "-c", KILLED_WRITING, str(directory / "x.sqlite")],
                            cwd=ROOT, capture_output=True, timeout=60)
    assert writer.returncode == -signal.SIGKILL, writer.stderr
    assert len(leftovers := list(directory.glob(atomic.PARTIAL + "*"))) == 1
    layers, messages = load(built)
    assert messages == [f"removed 1 temporary file(s) of an interrupted build from {built}"]
    assert not any(path.exists() for path in leftovers)


def confined(directory: Path, mount: str, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` with ``directory`` replaced by a mount ('ro' bind or small 'tmpfs').

    A private mount namespace (``unshare``) makes writes truly fail, also for root, for
    whom chmod changes nothing; the mount vanishes with the process.
    """
    if UNSHARE is None or subprocess.run([UNSHARE, "-rm", "true"]).returncode:
        pytest.skip("needs unshare (user and mount namespaces) to confine a directory")
    mounting = {"ro": 'mount --bind -o ro "$1" "$1"',
                "tmpfs": 'mount -t tmpfs -o size=2m tmpfs "$1"'}[mount]
    return subprocess.run([UNSHARE, "-rm", "sh", "-c", f'{mounting} && exec "$2" -c "$3" "$1"',
                           "_", str(directory), sys.executable, code],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_a_read_only_directory_with_a_valid_cache_serves(built):
    code = ("import errno, pathlib, sys, geo\n"
            "try:\n    (pathlib.Path(sys.argv[1]) / 'probe').write_text('')\n"
            "except OSError as error:\n    print('write refused:', errno.errorcode[error.errno])\n"
            "print(len(geo.load(sys.argv[1]).units))")
    result = confined(built, "ro", code)
    assert result.stdout == "write refused: EROFS\n221\n" and result.stderr == ""


def test_a_read_only_directory_without_a_valid_cache_is_one_clear_error(built):
    DAMAGE["emptied adjacency"](built / cache.FILENAME)
    result = confined(built, "ro", "import sys, geo\ntry:\n    geo.load(sys.argv[1])\n"
                      "except geo.CacheError as error:\n    sys.exit(error.args[0])")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"cache directory {built} is not writable (Read-only file system); "
        "set CHENGYU_CACHE_DIR to a writable directory")


def test_a_full_disk_during_the_build_is_one_clear_error(tmp_path):
    result = confined(tmp_path, "tmpfs", "import os, sys, geo\ntry:\n    geo.load(sys.argv[1])\n"
                      "except geo.CacheError as error:\n"
                      "    print(sorted(os.listdir(sys.argv[1])))\n    sys.exit(error.args[0])")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout == "['.partial.lock', 'build.lock']\n"  # the temporary files are gone
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"cannot write the boundary cache in {tmp_path}: the disk is full")
    assert last.endswith("free some space or set CHENGYU_CACHE_DIR to another directory")


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


def test_chengyu_build_rebuilds_with_progress(built):
    result = subprocess.run([sys.executable, "-m", "chengyu", "--cache-dir",
                             str(built), "build"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert f"cache {built / cache.FILENAME}: a rebuild was asked for; rebuilding" in result.stderr
    assert "GCJ-02 -> WGS-84" in result.stderr and "cache written" in result.stderr
    assert len(cache.read(built / cache.FILENAME, cache.fingerprint())["units"]) == 221
