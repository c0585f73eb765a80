"""Real GIS clients read the server: GDAL's OAPIF driver (through pyogrio, and Debian's
``ogrinfo``) against a real uvicorn on a free loopback port, and the ``ogctests`` Features
Core suite in-process."""

import os
import subprocess
import xml.etree.ElementTree as ElementTree

import httpx
import pyogrio
import pytest
import respx
import shapely
from fastapi.testclient import TestClient

from formats.exports import FORMATS
from support import loopback

OGRINFO = "/usr/bin/ogrinfo"
GDAL_OPTIONS = {"GDAL_HTTP_TIMEOUT": "60", "GDAL_HTTP_MAX_RETRY": "0",
                "GDAL_HTTP_USE_CACHE": "NO"}


@pytest.fixture(scope="module")
def live_server(boundaries, cache_directory):
    """The app in a uvicorn subprocess on 127.0.0.1 (startup bounded), stopped at the end."""
    previous = {name: pyogrio.get_gdal_config_option(name) for name in GDAL_OPTIONS}
    pyogrio.set_gdal_config_options(GDAL_OPTIONS)
    with loopback.serve(cache_directory) as base:
        yield base
    pyogrio.set_gdal_config_options(previous)


def test_gdal_oapif_reads_every_unit_paging_with_chinese_attributes(live_server, boundaries):
    source = f"OAPIF:{live_server}/collections/units"
    units = pyogrio.read_dataframe(source, PAGE_SIZE=20)  # 221 units: 12 pages of 20
    assert len(units) == 221 and units.id.is_unique
    assert units.crs.equals("OGC:CRS84", ignore_axis_order=True)
    assert set(units.name) == set(boundaries.units.name)
    assert units.set_index("id").loc["511623", "name"] == "邻水县"
    assert units.set_index("id").loc["511623", "city"] == "广安市"
    info = pyogrio.read_info(source)
    assert info["geometry_type"] == "MultiPolygon"


def test_gdal_oapif_bbox_and_attribute_filters(live_server, boundaries):
    source = f"OAPIF:{live_server}/collections/units"
    box = (106.5, 30.0, 107.0, 30.5)
    found = pyogrio.read_dataframe(source, bbox=box, PAGE_SIZE=5)
    units = boundaries.units
    assert sorted(found.name) == sorted(units.name[units.intersects(shapely.box(*box))])
    assert list(pyogrio.read_dataframe(source, where="name = '渠县'").adcode) == ["511725"]
    guang_an = pyogrio.read_dataframe(source, where="city = '广安市' AND area_km2 > 1000")
    assert sorted(guang_an.name) == sorted(["广安区", "岳池县", "邻水县"])


def test_gdal_oapif_lists_the_collections_and_reads_platforms(live_server):
    layers = dict(pyogrio.list_layers(f"OAPIF:{live_server}"))
    assert set(layers) == {"units", "cities", "provinces", "platforms", "memberships"}
    assert set(layers.values()) == {"MultiPolygon"}
    platforms = pyogrio.read_dataframe(f"OAPIF:{live_server}/collections/platforms",
                                       where="kind = 'cooperation_platform'")
    assert "万达开川渝统筹发展示范区" in set(platforms.name)
    assert len(platforms) == 10


@pytest.mark.skipif(not os.path.exists(OGRINFO), reason="Debian's gdal-bin is not installed")
def test_ogrinfo_reads_the_units(live_server):
    environment = {**os.environ, **GDAL_OPTIONS}
    summary = subprocess.run([OGRINFO, "-ro", "-so", f"OAPIF:{live_server}/collections/units",
                              "units"], capture_output=True, text=True, timeout=120,
                             env=environment)
    assert summary.returncode == 0, summary.stderr
    assert "Feature Count: 221" in summary.stdout
    assert "Multi Polygon" in summary.stdout
    one = subprocess.run([OGRINFO, "-ro", "-q", "-where", "adcode = '511623'",
                          f"OAPIF:{live_server}/collections/units", "units"],
                         capture_output=True, text=True, timeout=120, env=environment)
    assert one.returncode == 0, one.stderr
    assert "邻水县" in one.stdout and "广安市" in one.stdout


def _gdal(*command, timeout=300):
    return subprocess.run(list(command), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **GDAL_OPTIONS})


@pytest.mark.skipif(not os.path.exists(OGRINFO), reason="Debian's gdal-bin is not installed")
def test_ogrinfo_selects_a_feature_by_id(live_server):
    one = _gdal(OGRINFO, "-ro", f"OAPIF:{live_server}/collections/units", "units",
                "-where", "id = '500153'")
    assert one.returncode == 0, one.stderr
    assert "Feature Count: 1" in one.stdout or one.stdout.count("OGRFeature(units)") == 1
    assert "荣昌区" in one.stdout and "500153" in one.stdout
    none = _gdal(OGRINFO, "-ro", "-q", f"OAPIF:{live_server}/collections/units", "units",
                 "-where", "id = '999999'")
    assert none.returncode == 0 and "OGRFeature" not in none.stdout


def test_gdal_oapif_reads_every_collection_whole(live_server, client):
    for name, _ in pyogrio.list_layers(f"OAPIF:{live_server}"):
        frame = pyogrio.read_dataframe(f"OAPIF:{live_server}/collections/{name}",
                                       PAGE_SIZE=10_000)
        served = client.get(f"/collections/{name}/items?limit=1").json()["numberMatched"]
        assert len(frame) == served and frame.id.is_unique, name


@pytest.mark.skipif(not os.path.exists(OGRINFO), reason="Debian's gdal-bin is not installed")
def test_shapefile_prj_is_recognised_as_epsg_4326(live_server, tmp_path):
    archive = tmp_path / "units.zip"
    with httpx.stream("GET", f"{live_server}/collections/cities/items?f=shp") as response:
        archive.write_bytes(response.read())
    srs = _gdal("/usr/bin/gdalsrsinfo", "-e", f"/vsizip/{archive}/cities.prj")
    assert srs.returncode == 0, srs.stderr
    assert srs.stdout.split()[0] == "EPSG:4326", srs.stdout


@pytest.mark.skipif(not os.path.exists(OGRINFO), reason="Debian's gdal-bin is not installed")
@pytest.mark.parametrize("fmt", FORMATS)
def test_ogr2ogr_converts_each_export_back(live_server, tmp_path, fmt):
    url = f"{live_server}/collections/platforms/items?f={fmt}&kind=cooperation_platform"
    download = tmp_path / f"platforms.{FORMATS[fmt].extension}"
    download.write_bytes(httpx.get(url, timeout=120).content)
    source = f"/vsizip/{download}" if fmt == "shp" else str(download)
    target = tmp_path / "back.gpkg"
    done = _gdal("/usr/bin/ogr2ogr", "-f", "GPKG", str(target), source)
    assert done.returncode == 0, done.stderr
    assert "partially supported" not in done.stderr  # GDAL 3.6 reads the GeoPackage fully
    back = pyogrio.read_dataframe(target)
    assert len(back) == 10
    names = set(back["Name" if fmt == "kml" else "name"])
    assert "万达开川渝统筹发展示范区" in names


def test_ogctests_features_core_suite_passes_in_full(app, tmp_path, monkeypatch):
    """The ``ogctests`` suite (OGC API – Features Part 1 Core), in-process with a test
    client; the one request it makes with plain ``httpx.get`` (the API document) is routed
    to the same app with respx, so nothing leaves the machine."""
    from ogctests.main import run_ogctests

    client = TestClient(app)  # its own: the suite adds event hooks to it

    def through_the_app(request: httpx.Request) -> httpx.Response:
        answer = client.get(str(request.url), headers={"Accept": request.headers["accept"]})
        return httpx.Response(answer.status_code, content=answer.content,
                              headers={"content-type": answer.headers["content-type"]})

    monkeypatch.setenv("CLIENT_OVERRIDDEN", "True")  # restored afterwards
    report = tmp_path / "ogctests.xml"
    with respx.mock(assert_all_called=False) as router:
        router.route(host="testserver").mock(side_effect=through_the_app)
        router.route().mock(side_effect=AssertionError("ogctests went to the network"))
        code = run_ogctests("features/core", test_client=client, flags=[
            "-q", "-p", "no:cacheprovider", f"--junit-xml={report}",
            f"--rootdir={tmp_path}"])
    suite = ElementTree.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    counts = {k: int(suite.get(k)) for k in ("tests", "failures", "errors", "skipped")}
    print(f"ogctests features/core: {counts}")
    assert code == 0
    assert counts == {"tests": 29, "failures": 0, "errors": 0, "skipped": 0}
