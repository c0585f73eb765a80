"""Write features to the file formats GIS users expect, through pyogrio/GDAL.

Each format is a GDAL driver plus a media type and a file extension; a Shapefile is zipped
with its sidecars and a ``.cpg`` declaring UTF-8, so Chinese names survive.

Examples
--------
>>> sorted(FORMATS)
['csv', 'fgb', 'geojson', 'gpkg', 'kml', 'shp']
"""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import orjson
import pandas as pd
import pyogrio

from geo.datum import geometries_to_gcj02


@dataclass(frozen=True)
class Format:
    """A download format: GDAL driver, media type, file extension and creation options."""

    driver: str
    media_type: str
    extension: str
    options: dict = field(default_factory=dict)


FORMATS = {
    "geojson": Format("GeoJSON", "application/geo+json", "geojson",
                      {"RFC7946": "YES", "WRITE_NAME": "NO"}),
    "gpkg": Format("GPKG", "application/geopackage+sqlite3", "gpkg"),
    "shp": Format("ESRI Shapefile", "application/zip", "shp.zip", {"ENCODING": "UTF-8"}),
    "kml": Format("KML", "application/vnd.google-earth.kml+xml", "kml"),
    "csv": Format("CSV", "text/csv; charset=utf-8", "csv", {"GEOMETRY": "AS_WKT"}),
    "fgb": Format("FlatGeobuf", "application/flatgeobuf", "fgb"),
}


def _flatten(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lists become text (comma-separated names, or JSON when they hold records) and dates
    ISO strings: every format takes them."""
    frame = frame.copy()
    for column in frame.columns.drop(frame.geometry.name):
        values = frame[column]
        if values.map(lambda v: isinstance(v, (list, tuple))).any():
            frame[column] = values.map(_list_text)
        elif values.map(lambda v: hasattr(v, "isoformat")).any():
            frame[column] = values.map(lambda v: v.isoformat() if hasattr(v, "isoformat")
                                       else None)
    return frame


def _list_text(value):
    if not isinstance(value, (list, tuple)):
        return value
    if any(isinstance(v, (dict, list, tuple)) for v in value):
        return orjson.dumps(value).decode()
    return ",".join(map(str, value))


def export(frame: gpd.GeoDataFrame, fmt: str, layer: str, datum: str = "wgs84") -> bytes:
    """Return ``frame`` written in format ``fmt`` (a key of :data:`FORMATS`) as bytes.

    ``datum='gcj02'`` shifts the coordinates to GCJ-02 for Amap overlays; the layer is
    then named ``<layer>_gcj02`` and no longer WGS-84 whatever its CRS says. A KML
    placemark is named by the ``name`` (or, for memberships, ``unit_name``) column. The formats'
    own limits apply: a Shapefile cuts field names to 10 characters and text to 254 bytes,
    a CSV holds no CRS (its WKT is WGS-84 longitude, latitude).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unsupported format {fmt!r}; supported: {', '.join(FORMATS)}")
    spec = FORMATS[fmt]
    frame = _flatten(frame).set_crs("OGC:CRS84", allow_override=True)
    if datum == "gcj02":
        frame = frame.set_geometry(geometries_to_gcj02(frame.geometry.values))
        layer = f"{layer}_gcj02"
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{layer}.{spec.extension.split('.')[0]}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on field widths
            pyogrio.write_dataframe(frame, path, layer=layer, driver=spec.driver,
                                    layer_options=spec.options or None,
                                    dataset_options=_dataset_options(fmt, frame))
        if fmt != "shp":
            return path.read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(directory).iterdir()):
                archive.write(part, part.name)
        return buffer.getvalue()


def _dataset_options(fmt: str, frame) -> dict | None:
    if fmt != "kml":
        return None
    name = next((c for c in ("name", "unit_name") if c in frame.columns), None)
    return {"NameField": name} if name else None


def read_back(data: bytes, fmt: str) -> pd.DataFrame:
    """Read an export back with pyogrio (used by tests and by the CLI's checks)."""
    suffix = "." + FORMATS[fmt].extension
    with tempfile.NamedTemporaryFile(suffix=suffix) as file:
        file.write(data)
        file.flush()
        path = f"/vsizip/{file.name}" if fmt == "shp" else file.name
        return pyogrio.read_dataframe(path)
