"""Write features to the file formats GIS users expect, through pyogrio/GDAL.

Each format is a GDAL driver plus a media type and a file extension. Every value is kept,
typed where the format has the type:

* GeoJSON is the API's own GeoJSON (:mod:`formats.geojson`): lists stay JSON arrays.
* Lists and records become JSON text in the formats without a list type (GeoPackage,
  FlatGeobuf, Shapefile, KML, CSV): unambiguous, unlike joining with commas.
* Dates are Date fields in GeoPackage and Shapefile, DateTime (at 00:00) in FlatGeobuf,
  which has no date-only type, and ISO text (``YYYY-MM-DD``) in KML and CSV.
* A GeoPackage is version 1.2, which GDAL before 3.7 (QGIS 3.22 …) reads without warning.
* A Shapefile is zipped with its sidecars: a ``.cpg`` declaring UTF-8, a ``.prj`` in ESRI
  WKT (``GCS_WGS_1984``, which GDAL and ArcGIS recognise as EPSG:4326) and, when some text
  is longer than dBase holds, a side table of the full values (:mod:`formats.shapefile`).
* A CSV starts with a UTF-8 BOM (Excel then reads Chinese correctly) and holds the geometry
  as WKT in a ``WKT`` column, longitude/latitude in WGS-84 (OGC:CRS84), which GDAL and QGIS
  read as geometry.

Examples
--------
>>> sorted(FORMATS)
['csv', 'fgb', 'geojson', 'gpkg', 'kml', 'shp']
"""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import orjson
import pandas as pd

from formats import geojson, shapefile
from geo.datum import geometries_to_gcj02


@dataclass(frozen=True)
class Format:
    """A download format: GDAL driver, media type, file extension and creation options."""

    driver: str
    media_type: str
    extension: str
    options: dict = field(default_factory=dict)
    dataset_options: dict = field(default_factory=dict)
    dates: bool = False  # whether the format has a date type


FORMATS = {
    "geojson": Format("GeoJSON", "application/geo+json", "geojson"),
    "gpkg": Format("GPKG", "application/geopackage+sqlite3", "gpkg",
                   dataset_options={"VERSION": "1.2"}, dates=True),
    "shp": Format("ESRI Shapefile", "application/zip", "shp.zip", {"ENCODING": "UTF-8"},
                  dates=True),
    "kml": Format("KML", "application/vnd.google-earth.kml+xml", "kml"),
    "csv": Format("CSV", "text/csv; charset=utf-8", "csv",
                  {"GEOMETRY": "AS_WKT", "WRITE_BOM": "YES"}),
    "fgb": Format("FlatGeobuf", "application/flatgeobuf", "fgb", dates=True),
}
CRS = {"shp": "EPSG:4326"}  # ESRI WKT has no CRS84; a Shapefile is longitude, latitude anyway


@dataclass(frozen=True)
class Export:
    """An export's bytes and the notes a reader should see (e.g. values moved aside)."""

    data: bytes
    notes: tuple[str, ...] = ()


def _is_list(value) -> bool:
    return isinstance(value, (list, tuple, dict))


def _is_date(value) -> bool:
    return hasattr(value, "isoformat") and not isinstance(value, str)


def _typed(frame: gpd.GeoDataFrame, spec: Format) -> gpd.GeoDataFrame:
    """Lists and records as JSON text; dates as Arrow dates where the format has a date type,
    ISO text elsewhere."""
    frame = frame.copy()
    for column in frame.columns.drop(frame.geometry.name):
        values = frame[column]
        if values.map(_is_list).any():
            frame[column] = values.map(lambda v: orjson.dumps(v).decode() if _is_list(v) else v)
        elif values.map(_is_date).any():
            import pyarrow

            dates = values.map(lambda v: v if _is_date(v) else None)
            frame[column] = (pd.array(dates, dtype=pd.ArrowDtype(pyarrow.date32()))
                             if spec.dates else dates.map(lambda v: v and v.isoformat()))
    return frame


def export(frame: gpd.GeoDataFrame, fmt: str, layer: str, datum: str = "wgs84") -> Export:
    """``frame`` written in format ``fmt`` (a key of :data:`FORMATS`).

    ``datum='gcj02'`` shifts the coordinates to GCJ-02 for Amap overlays; the layer is
    then named ``<layer>_gcj02`` and no longer WGS-84 whatever its CRS says. A KML
    placemark is named by the ``name`` (or, for memberships, ``unit_name``) column.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unsupported format {fmt!r}; supported: {', '.join(FORMATS)}")
    frame = frame.set_crs("OGC:CRS84", allow_override=True)
    if datum == "gcj02":
        frame = frame.set_geometry(geometries_to_gcj02(frame.geometry.values))
        layer = f"{layer}_gcj02"
    if fmt == "geojson":
        return Export(_geojson(frame))
    spec, notes, extra = FORMATS[fmt], (), {}
    frame = _typed(frame, spec).set_crs(CRS.get(fmt, "OGC:CRS84"), allow_override=True)
    if fmt == "shp":
        frame, extra, clipped = shapefile.fit_dbf(frame, layer)
        notes = tuple(f"values over {shapefile.DBF_TEXT_BYTES} bytes in {', '.join(clipped)} "
                      f"are clipped in the .dbf; the full values are in {name} (join on id)"
                      for name in extra)
    import pyogrio  # GDAL: only when a file is written

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{layer}.{spec.extension.split('.')[0]}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on field names
            pyogrio.write_dataframe(frame, path, layer=layer, driver=spec.driver,
                                    use_arrow=spec.dates, layer_options=spec.options or None,
                                    dataset_options=_dataset_options(spec, frame))
        data = shapefile.zipped(Path(directory), extra) if fmt == "shp" else path.read_bytes()
    return Export(data, notes)


def _geojson(frame: gpd.GeoDataFrame) -> bytes:
    """The features as the API serves them (RFC 7946, lists as arrays, dates as ISO text)."""
    properties = [c for c in frame.columns if c != frame.geometry.name]
    ids = frame if "id" in frame.columns else frame.assign(id=frame.index)
    return geojson.collection(geojson.features(ids, "id", frame.geometry, properties))


def _dataset_options(spec: Format, frame) -> dict | None:
    options = dict(spec.dataset_options)
    if spec.driver == "KML":
        name = next((c for c in ("name", "unit_name") if c in frame.columns), None)
        options.update({"NameField": name} if name else {})
    return options or None


def read_back(data: bytes, fmt: str) -> pd.DataFrame:
    """Read an export back with pyogrio (a zipped Shapefile: its shapefile layer)."""
    import pyogrio

    suffix = "." + FORMATS[fmt].extension
    with tempfile.NamedTemporaryFile(suffix=suffix) as file:
        file.write(data)
        file.flush()
        if fmt != "shp":
            return pyogrio.read_dataframe(file.name)
        shp = next(n for n in pyogrio.list_layers(f"/vsizip/{file.name}")[:, 0]
                   if not n.endswith("_full_values"))
        return pyogrio.read_dataframe(f"/vsizip/{file.name}", layer=shp)
