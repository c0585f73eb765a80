"""Downloads: a collection, a filtered result and a platform with its member units, in
every format, read back with pyogrio: the same features, attributes (Chinese intact) and
CRS, with a file name that says what it holds; GCJ-02 output labelled and shifted."""

import datetime as dt
import io
import math
import tempfile
import zipfile

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
}
CRS84 = pyproj.CRS("OGC:CRS84")


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


def column(frame, name, fmt):
    """A property's column in a read-back file (formats rename some)."""
    if fmt == "shp":
        name = name[:10]  # dBase field names
    if fmt == "kml":
        name = {"id": "id2"}.get(name, name)  # the KML reader has its own id
    return frame[name]


def canonical(value):
    """A property value as every format can hold it (see formats.exports._flatten)."""
    if isinstance(value, (list, tuple)):  # an empty list is written as no text
        if any(isinstance(v, (dict, list)) for v in value):
            return orjson.dumps(value).decode()
        return ",".join(map(str, value)) or None
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    if not isinstance(value, str) and pd.isna(value):  # None, NaN, NaT
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    return None if value == "" else value


def same_value(original, read, fmt) -> bool:
    original, read = canonical(original), canonical(read)
    if isinstance(original, (int, float)) and not isinstance(original, bool):
        return read is not None and math.isclose(float(original), float(read), rel_tol=1e-9)
    if fmt == "shp" and isinstance(original, str) and len(original.encode()) > 254:
        return read is not None and original.startswith(read)  # dBase's text limit
    return original == read


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_download_reads_back_with_the_same_features_attributes_and_crs(
        downloads, expected, source, fmt):
    response = downloads[source, fmt]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FORMATS[fmt].media_type.split(";")[0])
    expected = expected[source]
    frame = read_back(response.content, fmt)
    ids = list(column(frame, "id", fmt))
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
        for name, value in feature["properties"].items():
            if fmt == "kml" and name in ("name", "unit_name"):
                name = "Name"  # the placemark's name
                if name not in frame.columns:
                    continue
            read = column(frame, name, fmt)[ids.index(identifier)]
            assert same_value(value, read, fmt), (identifier, name, value, read)


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


def test_zipped_shapefile_has_its_sidecars_and_a_utf8_cpg(downloads):
    archive = zipfile.ZipFile(io.BytesIO(downloads["collection", "shp"].content))
    assert {n.rsplit(".", 1)[1] for n in archive.namelist()} == {"shp", "shx", "dbf", "prj",
                                                                 "cpg"}
    cpg = next(n for n in archive.namelist() if n.endswith(".cpg"))
    assert archive.read(cpg).decode().strip().upper().replace("-", "") == "UTF8"


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
