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
