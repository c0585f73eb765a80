"""The static edition (``chengyu publish``): written by the real command, served by Python's
plain file server (``python -m http.server``, no app), opened in Debian's headless
Chromium. Every browser test fails on any failed request, HTTP error, console or page
error, and any request leaving the file server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyogrio
import pytest

import webmap
from chengyu.publishing import KIND, MANIFEST, PublishError, publish
from formats.exports import FORMATS
from support import loopback

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
RONGCHANG, LINSHUI = "500153", "511623"


def run_publish(cache_directory, *arguments) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chengyu", "publish", *map(str, arguments)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT),
                               "CHENGYU_CACHE_DIR": str(cache_directory)})


@pytest.fixture(scope="module")
def edition(boundaries, cache_directory, tmp_path_factory) -> Path:
    """The static edition written by ``chengyu publish`` (GeoPackage downloads only, to
    keep the test short; every format is the same code)."""
    directory = tmp_path_factory.mktemp("edition") / "site"
    started = time.perf_counter()
    done = run_publish(cache_directory, directory, "--formats", "gpkg")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    print(f"\npublished {manifest['file_count']} files, {manifest['total_bytes']:,} bytes in "
          f"{time.perf_counter() - started:.1f} s (command included)")
    return directory


@pytest.fixture(scope="module")
def site(edition):
    """``python -m http.server`` on a free loopback port serving the edition."""
    port = loopback.free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                               str(port), "--directory", str(edition)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        loopback.wait_until_up(f"{base}/{MANIFEST}", server, timeout=30)
        yield base
    finally:
        loopback.stop(server)


def page_config(html: str) -> dict:
    return json.loads(re.search(r'<script id="atlas-config" type="application/json">(.*?)'
                                r'</script>', html, flags=re.DOTALL)[1])


# -- the files ------------------------------------------------------------------------------
def test_the_manifest_lists_every_file_with_its_size(edition):
    manifest = json.loads((edition / MANIFEST).read_text(encoding="utf-8"))
    on_disk = {p.relative_to(edition).as_posix(): p.stat().st_size
               for p in edition.rglob("*") if p.is_file() and p.name != MANIFEST}
    assert {f["path"]: f["bytes"] for f in manifest["files"]} == on_disk
    assert manifest["file_count"] == len(on_disk)
    assert manifest["total_bytes"] == sum(on_disk.values())
    assert manifest["edition"] == KIND and re.fullmatch(r"[0-9a-f]{16}", manifest["data_version"])
    assert manifest["api_url"] is None and manifest["formats"] == ["gpkg"]
    assert not list(edition.parent.glob(".site.*"))  # built beside it, renamed into place


def test_every_layer_at_every_resolution_in_both_datums(edition):
    for datum in ("wgs84", "gcj02"):
        for name, count in (("units", 221), ("cities", 22), ("provinces", 2)):
            for resolution in webmap.DISPLAY_ZOOMS:
                path = edition / webmap.STATIC_PATHS["layer"].format(
                    datum=datum, collection=name, resolution=resolution)
                body = json.loads(path.read_bytes())
                assert len(body["features"]) == body["numberMatched"] == count
                assert ("datum" in body) == (datum == "gcj02")
    coarse, fine = (json.loads((edition / f"data/wgs84/units.{r}.geojson").read_bytes())
                    for r in ("overview", "local"))
    assert len(json.dumps(fine)) > 2 * len(json.dumps(coarse))  # finer geometry, really
    memberships = json.loads((edition / f"data/memberships/{LINSHUI}.geojson").read_bytes())
    assert {f["properties"]["entity"] for f in memberships["features"]} >= {
        "chuanyu-gaozhu", "heguangchang", "mingyueshan"}
    search = json.loads((edition / "search.json").read_bytes())
    assert any(e["id"] == RONGCHANG and "rongchang" in e["keys"] for e in search)
    downloads = sorted(p.name for p in (edition / "downloads").iterdir())
    assert downloads == sorted(f"{c}.gpkg" for c in ("units", "cities", "provinces",
                                                     "platforms", "memberships"))
    assert len(pyogrio.read_dataframe(edition / "downloads" / "units.gpkg")) == 221


def test_entity_pages_carry_their_history_and_link_within_the_edition(edition):
    html = (edition / "pages/platforms/chuannan-yuxi.html").read_text(encoding="utf-8")
    assert 'id="history"' in html and "推动川南渝西地区融合发展总体方案" in html
    links = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert links and all(not link.startswith("/") and "?" not in link for link in links)
    assert all((edition / "pages/platforms" / link).resolve().is_file() for link in links)
    assert len(list((edition / "pages/memberships").iterdir())) > 1000


def test_the_page_reads_files_and_its_assets_are_relative(edition):
    html = (edition / "index.html").read_text(encoding="utf-8")
    config = page_config(html)
    assert config["edition"]["static"] is True and config["edition"]["api"] is None
    assert config["formats"] == ["gpkg"] and config["preloaded"] == \
        "data/wgs84/units.overview.geojson"
    assets = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)
    assert all(not a.startswith("/") for a in assets)  # served from any folder of a host
    assert all((edition / a).is_file() for a in assets if not a.startswith("data:"))


def test_an_api_url_is_handed_to_the_page(atlas):
    edition = webmap.Edition(static=True, api_url="https://atlas.example.org/api/")
    config = webmap.configuration(atlas, "map", page_limit=10, edition=edition)
    assert config["edition"]["api"] == "https://atlas.example.org/api"
    assert 'href="https://atlas.example.org/api/collections?f=html"' in config["attribution"]
    served = webmap.configuration(atlas, "map", page_limit=10)
    assert served["edition"]["api"] == "" and served["formats"] == list(FORMATS)


def test_a_directory_that_is_not_an_edition_is_refused(cache_directory, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    done = run_publish(cache_directory, tmp_path)
    assert done.returncode == 2
    assert "is not empty and is not a previous edition" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]  # untouched
    done = run_publish(cache_directory, tmp_path / "x", "--formats", "gpkg,tiff")
    assert done.returncode == 2 and "unknown format tiff" in done.stderr
    done = run_publish(cache_directory, tmp_path / "x", "--api-url", "atlas.example.org")
    assert done.returncode == 2 and "--api-url" in done.stderr
    (tmp_path / "file").write_text("")
    done = run_publish(cache_directory, tmp_path / "file" / "site")
    assert done.returncode == 2 and "cannot write beside" in done.stderr


def test_a_previous_edition_is_replaced_whole(atlas, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / MANIFEST).write_text(json.dumps({"edition": KIND}))
    (site / "stale.geojson").write_text("{}")
    manifest = publish(atlas, site, formats=()).manifest
    assert not (site / "stale.geojson").exists() and (site / "index.html").is_file()
    assert json.loads((site / MANIFEST).read_text())["data_version"] == manifest["data_version"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # nothing left beside it
    (site / MANIFEST).write_text("{}")
    with pytest.raises(PublishError):
        publish(atlas, site, formats=())


# -- the edition in a browser ---------------------------------------------------------------
@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems, requests = [], []
    host = urllib.parse.urlsplit(site).netloc
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    page.on("request", lambda r: requests.append(r.url))
    page.on("request", lambda r: urllib.parse.urlsplit(r.url).netloc not in (host, "")
            and not r.url.startswith("data:") and problems.append(f"outside: {r.url}"))
    page.requests, page.problems = requests, problems
    yield page
    context.close()
    assert problems == []


def drawn(page, selector: str) -> int:
    return page.locator(selector).count()


def test_the_static_map_draws_searches_toggles_and_pops_up(page, site, tmp_path):
    page.goto(f"{site}/")
    page.wait_for_selector("html[data-atlas=ready]")
    assert drawn(page, "path.atlas-unit") == 221 and drawn(page, "path.atlas-extent") == 1
    assert drawn(page, "path.atlas-provinces") == 2 and drawn(page, ".atlas-label") >= 20
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "static-edition.png")
    # the question box says plainly that it needs the API, and asks nothing
    assert "提问需要连接 API" in page.inner_text("#atlas-answer")
    assert page.is_disabled("#atlas-question") and page.is_disabled("#atlas-ask button")
    assert page.is_hidden("#atlas-date") and page.is_hidden("#atlas-export-picture")
    # a layer switched on draws its members from the published platforms
    page.locator("details:has(input[data-entity=mingyueshan]) summary").click()
    page.set_checked("input[data-entity=mingyueshan]", True)
    page.wait_for_function("() => document.querySelectorAll("
                           "'path.atlas-member.e-mingyueshan').length === 7")
    page.set_checked("input[data-entity=mingyueshan]", False)
    page.wait_for_function("() => !document.querySelector('path.atlas-member')")
    # search finds a place and zooms to it: finer geometry comes from the regional files
    page.fill("#atlas-search", "rongchang")
    assert page.locator("#atlas-results button").first.get_attribute("data-id") == RONGCHANG
    page.press("#atlas-search", "Enter")
    page.wait_for_selector(f"path.atlas-selected.s-{RONGCHANG}")
    page.wait_for_function("() => atlas.map.getZoom() > 9 && location.hash.includes('sel=')")
    page.wait_for_function("() => atlas.shapes.units.finer.get('local')?.geometry.size === 221")
    fetched = {urllib.parse.urlsplit(url).path for url in page.requests}
    assert {"/data/wgs84/units.overview.geojson", "/data/wgs84/units.local.geojson"} <= fetched
    assert not any("/collections/" in path or "/query" in path for path in fetched)
    # a unit's popup: its memberships, the evidence page within the edition
    point = page.evaluate("""adcode => {
        const p = atlas.map.latLngToContainerPoint(atlas.shapes.units.latLngs(adcode)
          .flat(3).reduce((b, ll) => b.extend(ll), L.latLngBounds([])).getCenter());
        const box = atlas.map.getContainer().getBoundingClientRect();
        return [p.x + box.left, p.y + box.top];
    }""", RONGCHANG)
    page.mouse.click(*point)
    page.wait_for_selector(".atlas-popup li[data-entity]")
    link = page.get_attribute(".atlas-popup li[data-entity] a", "href")
    with urllib.request.urlopen(urllib.parse.urljoin(f"{site}/", link), timeout=30) as response:
        assert "<table>" in response.read().decode()
    # the download is the published file, whole
    with page.expect_download() as download:
        page.click("#atlas-export-view")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "units.gpkg" and len(pyogrio.read_dataframe(path)) == 221


def test_english_says_questions_need_the_api_and_amap_reads_gcj02_files(page, site):
    page.route(re.compile(r"autonavi\.com"), lambda route: route.fulfill(
        body=(webmap.LEAFLET_DIRECTORY / "images" / "layers.png").read_bytes(),
        content_type="image/png"))
    page.goto(f"{site}/#lang=en&q=what%20is%20wandakai")
    page.wait_for_selector("html[data-atlas=ready]")
    assert "Questions need the API" in page.inner_text("#atlas-answer")
    page.select_option("#atlas-base", "amap")
    page.wait_for_function("() => location.hash.includes('base=amap')")
    assert any(url.endswith("/data/gcj02/units.overview.geojson") for url in page.requests)
    assert drawn(page, "path.atlas-unit") == 221
    page.problems[:] = [p for p in page.problems  # the tiles, fulfilled by the test
                        if not (p.startswith("outside:") and "autonavi.com" in p)]


def test_with_an_api_url_questions_go_to_that_api(boundaries, cache_directory, browser,
                                                  tmp_path):
    """An edition given ``--api-url`` asks the real ``chengyu serve`` (another origin: CORS)
    and draws the answer from its own files."""
    with loopback.serve(cache_directory) as api:
        done = run_publish(cache_directory, tmp_path / "site", "--formats", "none",
                           "--api-url", api)
        assert done.returncode == 0, done.stderr
        port = loopback.free_port()
        server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                                   str(port), "--directory", str(tmp_path / "site")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            loopback.wait_until_up(f"http://127.0.0.1:{port}/{MANIFEST}", server, timeout=30)
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page, problems, asked = context.new_page(), [], []
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
            page.on("response", lambda r: r.status >= 400 and problems.append(r.url))
            page.on("request", lambda r: r.url.startswith(api) and asked.append(r.url))
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("html[data-atlas=ready]")
            assert page.inner_text("#atlas-answer") == "" and page.is_enabled("#atlas-question")
            assert page.is_hidden("#atlas-export-view")  # published without downloads
            page.fill("#atlas-question", "万达开有哪些区县")
            page.press("#atlas-question", "Enter")
            page.wait_for_selector("#atlas-answer .atlas-hits li")
            assert [urllib.parse.urlsplit(url).path for url in asked] == ["/query"]
            assert page.locator("path.atlas-hit").count() > 5
            context.close()
        finally:
            loopback.stop(server)
    assert problems == []
