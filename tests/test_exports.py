"""Downloads: a collection, a filtered result and a platform with its member units, in
every format, read back with pyogrio: the same features, attributes (Chinese intact) and
CRS, with a file name that says what it holds; GCJ-02 output labelled and shifted."""

import io
import math
import re
import tempfile
import zipfile

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely

from formats.exports import FORMATS, read_back

SOURCES = {  # what is downloaded: (items path, parameters, file name stem)
    "collection": ("/collections/platforms/items", {}, "chengyu-platforms"),
    "filtered": ("/collections/units/items", {"filter": "name LIKE '%县'",
                                              "province": "四川省"}, "chengyu-units"),
    "platform": ("/collections/platforms/items/wandakai", {},
                 "chengyu-platforms-wandakai"),
    "units": ("/collections/units/items", {}, "chengyu-units"),  # lists over 254 bytes
    "noted": ("/collections/memberships/items", {"filter": "outside_knowledge IS NOT NULL"},
              "chengyu-memberships"),  # long texts, dates
}
CRS84 = pyproj.CRS("OGC:CRS84")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def expected(client):
    """What each download should hold, from the GeoJSON pages of the API: {source: {id:
    feature}}."""
    found = {}
    for source, (path, params, _) in SOURCES.items():
        if source == "platform":  # a platform downloads with its member units
            path, params = "/collections/memberships/items", {"entity": "wandakai"}
        page = client.get(path, params={**params, "limit": 10_000}).json()
        found[source] = {f["id"]: f for f in page["features"]}
    return found


@pytest.fixture(scope="module")
def downloads(client):
    """Every format of every source, downloaded once: {(source, format): response}."""
    found = {}
    for source, (path, params, _) in SOURCES.items():
        for fmt in FORMATS:
            found[source, fmt] = client.get(path, params={**params, "f": fmt})
    return found


def attributes(response, fmt, names: list[str]) -> pd.DataFrame:
    """A download's attribute table, read back, with the JSON property ``names`` as columns:
    a Shapefile's fields by position (dBase cuts names) with its side table's full values
    laid over; KML's placemark name and id under their own names."""
    frame = read_back(response.content, fmt)
    if fmt == "shp":
        table = frame.drop(columns="geometry")
        table.columns = names
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        for side in (n for n in archive.namelist() if n.endswith("_full_values.csv")):
            full = pd.read_csv(archive.open(side), dtype=str, encoding="utf-8-sig")
            full = full.set_index("id").reindex(table["id"])
            for name in full.columns.drop("id", errors="ignore"):
                table[name] = full[name].to_numpy()
        return gpd.GeoDataFrame(table, geometry=frame.geometry, crs=frame.crs)
    if fmt == "kml":
        return frame.drop(columns="id").rename(columns={"id2": "id", "Name": next(
            (n for n in ("name", "unit_name") if n in names), "Name")})
    return frame


def as_json(value, like):
    """A read-back value in the form of the JSON value ``like``: lists decoded from JSON
    text, dates as ISO text, numbers as numbers, nothing as None."""
    if isinstance(value, (np.ndarray, tuple)):
        value = list(value)
    if value is None or (not isinstance(value, (str, list)) and pd.isna(value)):
        return None
    if isinstance(like, (list, dict)) and isinstance(value, str):
        return orjson.loads(value)
    if isinstance(like, str) and DATE.match(like) and hasattr(value, "isoformat"):
        assert not isinstance(value, str)
        text = value.isoformat()
        assert text[10:] in ("", "T00:00:00"), text  # a date, at most at midnight
        return text[:10]
    if isinstance(like, (int, float)) and not isinstance(like, bool):
        return float(value)
    return None if value == "" else value


def same(original, read) -> bool:
    if isinstance(original, (int, float)) and not isinstance(original, bool):
        return read is not None and math.isclose(float(original), read, rel_tol=1e-9)
    return original == read


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_value_of_every_download_equals_the_json_value(downloads, expected, source, fmt):
    response = downloads[source, fmt]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FORMATS[fmt].media_type.split(";")[0])
    expected = expected[source]
    names = list(next(iter(expected.values()))["properties"])
    frame = attributes(response, fmt, names)
    ids = list(frame["id"])
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids))
    if fmt == "csv":  # a CSV holds no CRS: its WKT is longitude, latitude in WGS-84
        frame = frame.set_geometry(shapely.from_wkt(frame.WKT))
    else:
        assert frame.crs.equals(CRS84, ignore_axis_order=True), frame.crs
    for identifier, geometry in zip(ids, frame.geometry):
        feature = expected[identifier]
        original = shapely.geometry.shape(feature["geometry"])
        if geometry.geom_type == "Polygon":  # a Shapefile does not tell one part from multi
            geometry = shapely.MultiPolygon([geometry])
        assert shapely.equals_exact(shapely.normalize(original), shapely.normalize(geometry),
                                    tolerance=1e-6), identifier
        row = ids.index(identifier)
        for name, value in feature["properties"].items():
            read = as_json(frame[name].iloc[row], value)
            assert same(value if value != "" else None, read), (identifier, name, value, read)


def test_the_comparison_covers_long_values_lists_and_dates(expected):
    values = [v for source in expected.values() for f in source.values()
              for v in f["properties"].values()]
    assert any(isinstance(v, str) and len(v.encode()) > 254 for v in values)
    assert any(isinstance(v, list) and len(orjson.dumps(v)) > 254 for v in values)
    assert any(isinstance(v, list) and v and isinstance(v[0], dict) for v in values)
    assert any(isinstance(v, str) and DATE.match(v) for v in values)


def test_chinese_names_survive_every_format(downloads):
    for fmt in FORMATS:
        frame = read_back(downloads["filtered", fmt].content, fmt)
        names = set(frame["Name" if fmt == "kml" else "name"])
        assert {"邻水县", "渠县", "大竹县"} <= names, fmt


def test_file_names_say_what_the_file_holds(downloads, client):
    for (source, fmt), response in downloads.items():
        stem = SOURCES[source][2]
        expected = f'attachment; filename="{stem}.{FORMATS[fmt].extension}"'
        assert response.headers["content-disposition"] == expected
    gcj02 = client.get("/collections/units/items/511623", params={"f": "gpkg",
                                                                  "datum": "gcj02"})
    assert gcj02.headers["content-disposition"] == \
        'attachment; filename="chengyu-units-511623-gcj02.gpkg"'


@pytest.mark.parametrize("source", SOURCES)
def test_zipped_shapefile_has_its_sidecars_and_a_utf8_cpg(downloads, source):
    response = downloads[source, "shp"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    sides = [n for n in names if n.endswith("_full_values.csv")]
    assert {n.rsplit(".", 1)[1] for n in set(names) - set(sides)} == {"shp", "shx", "dbf",
                                                                      "prj", "cpg"}
    assert ("warning" in response.headers) == bool(sides)  # a side table is announced
    cpg = next(n for n in names if n.endswith(".cpg"))
    assert archive.read(cpg).decode().strip().upper().replace("-", "") == "UTF8"
    prj = archive.read(next(n for n in names if n.endswith(".prj"))).decode()
    assert prj.startswith('GEOGCS["GCS_WGS_1984"')  # ESRI WKT (gdalsrsinfo: test_gis_clients)


def test_shapefile_too_long_for_dbase_keeps_full_values_aside_and_says_so(downloads, expected):
    response = downloads["units", "shp"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "units_full_values.csv" in archive.namelist()
    side = archive.read("units_full_values.csv")
    assert side.startswith(b"\xef\xbb\xbf")
    assert response.headers["warning"].startswith('299 - "values over 254 bytes in entities')
    assert "units_full_values.csv" in response.headers["warning"]
    dbf = read_back(response.content, "shp").set_index("id")
    long = {i: f["properties"]["entities"] for i, f in expected["units"].items()
            if len(orjson.dumps(f["properties"]["entities"])) > 254}
    assert len(long) >= 10
    for identifier, entities in long.items():  # clipped visibly, never silently
        clipped = dbf.loc[identifier, "entities"]
        assert clipped.endswith("…") and len(clipped.encode()) <= 254
        assert orjson.dumps(entities).decode().startswith(clipped[:-1])


def test_geojson_download_keeps_lists_as_arrays_like_json(client):
    download = orjson.loads(client.get("/collections/units/items/511623?f=geojson").content)
    page = client.get("/collections/units/items/511623?f=json").json()
    [feature] = download["features"]
    assert isinstance(feature["properties"]["entities"], list)
    assert feature["properties"] == page["properties"]


def test_geopackage_is_version_1_2_for_older_gdal(downloads):
    data = downloads["filtered", "gpkg"].content
    assert data[68:72] == b"GPKG"  # SQLite header: application_id
    assert data[60:64] == (10200).to_bytes(4, "big")  # user_version: GeoPackage 1.2.0


@pytest.mark.parametrize("fmt, kind", [("gpkg", "Date"), ("shp", "Date"),
                                       ("fgb", "DateTime")])
def test_dates_are_typed_where_the_format_has_a_date_type(downloads, fmt, kind, tmp_path):
    path = tmp_path / f"noted.{FORMATS[fmt].extension}"
    path.write_bytes(downloads["noted", fmt].content)
    source = f"/vsizip/{path}" if fmt == "shp" else str(path)
    info = pyogrio.read_info(source, layer=0)
    fields = dict(zip(info["fields"], info["dtypes"]))
    name = "in_force_f" if fmt == "shp" else "in_force_from"
    assert fields[name].startswith("datetime64"), fields  # GDAL's {kind} field
    assert fields["document_d" if fmt == "shp" else "document_date"].startswith("datetime64")


def test_csv_starts_with_a_bom_and_documents_its_wkt_crs(downloads):
    response = downloads["filtered", "csv"]
    assert response.content.startswith(b"\xef\xbb\xbfWKT,")
    assert response.headers["content-crs"] == \
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"


def test_geojson_download_is_rfc7946(downloads):
    document = orjson.loads(downloads["filtered", "geojson"].content)
    assert document["type"] == "FeatureCollection" and "crs" not in document
    ring = document["features"][0]["geometry"]["coordinates"][0][0]
    assert shapely.LinearRing(ring).is_ccw  # exterior rings counter-clockwise


def test_download_holds_the_whole_result_unless_a_limit_is_given(client):
    whole = read_back(client.get("/collections/units/items?f=fgb").content, "fgb")
    assert len(whole) == 221
    page = read_back(client.get("/collections/units/items?f=fgb&limit=5&offset=10").content,
                     "fgb")
    assert sorted(page.id) == sorted(f["id"] for f in client.get(
        "/collections/units/items?limit=5&offset=10").json()["features"])


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "kml"])
def test_gcj02_download_is_labelled_and_shifted_300_to_600_m(client, fmt):
    wgs84 = client.get("/collections/units/items", params={"name": "邻水县", "f": fmt})
    gcj02 = client.get("/collections/units/items", params={"name": "邻水县", "f": fmt,
                                                           "datum": "gcj02"})
    assert "gcj02" in gcj02.headers["content-disposition"]
    if fmt == "gpkg":  # the layer says so too
        with tempfile.NamedTemporaryFile(suffix=".gpkg") as file:
            file.write(gcj02.content)
            file.flush()
            assert pyogrio.list_layers(file.name)[0][0] == "units_gcj02"
    a, b = (read_back(r.content, fmt).geometry[0] for r in (wgs84, gcj02))
    geod = pyproj.Geod(ellps="WGS84")
    shift = geod.inv(a.centroid.x, a.centroid.y, b.centroid.x, b.centroid.y)[2]
    assert 300 < shift < 600
