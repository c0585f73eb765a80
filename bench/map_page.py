"""Benchmark of the map page's first view, beside the naive page, in headless Chromium.

Measures, in one run, on 127.0.0.1:

1. our page (``/``, served by a real uvicorn): every request of the first view (until the
   page reports ready), with the bytes transferred (headers + body as sent, gzip) and the
   decoded body size per resource; and the time from navigation start until all units and
   their place names are drawn (the page's ``atlas:units-drawn`` mark, two animation frames
   after the units and names are added, so painted), median of :data:`RUNS` cold loads
   (fresh browser context each) after one warm-up;
2. the naive page: the raw package units (GCJ-02, unsimplified) in a GeoDataFrame,
   ``explore()``, served gzip by a minimal app; its Leaflet comes from our vendored copy
   (the CDN is unreachable offline) and its other CDN assets (jQuery, Bootstrap, fonts) are
   blocked and not counted. Units drawn: two animation frames after the load event;
3. the renderer choice: redrawing the 221 overview units with Leaflet's SVG and Canvas
   renderers in the loaded page (median of :data:`RUNS`);
4. the goal: first view <= 400 kB transferred and all units and names drawn <= 700 ms
   (PASS/FAIL).

Sizes in kB = 1000 bytes. Run: ``pip install -e '.[test,bench]' && python bench/map_page.py``
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import sys
from pathlib import Path
from urllib.parse import urlsplit

import folium
from boundaries import kb, naive_html, print_table  # sibling benchmark module
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse
from playwright.sync_api import sync_playwright

import geo
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test harness
from support import loopback  # noqa: E402
import webmap

RUNS = 5
GOAL_BYTES, GOAL_MS = 400_000, 700
VIEWPORT = {"width": 1280, "height": 800}
# Where folium's pages load Leaflet from; the naive page gets the app's copy instead.
CDN_LEAFLET = dict(folium.Map.default_js)["leaflet"].rsplit("/", 1)[0] + "/"
DRAWN_AFTER_LOAD = """addEventListener('load', () => requestAnimationFrame(() =>
  requestAnimationFrame(() => { window.benchDrawn = performance.now(); })));"""
REDRAW = """async (canvas) => {
  const {map, shapes} = window.atlas;
  const renderer = canvas ? L.canvas() : L.svg();
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const group = L.featureGroup();
  const started = performance.now();
  for (const id of shapes.units.features.keys()) {
    L.polygon(shapes.units.latLngs(id), {renderer, fillColor: '#abc', weight: 0.6}).addTo(group);
  }
  group.addTo(map);
  await frame();
  await frame();
  const elapsed = performance.now() - started;
  group.remove();
  return elapsed;
}"""


def load_page(browser, url: str, drawn) -> tuple[list[dict], float]:
    """Open ``url`` in a fresh context: (requests with sizes, ms until units drawn)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.route(lambda u: urlsplit(u).hostname != "127.0.0.1", lambda route: route.abort())
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.add_init_script(DRAWN_AFTER_LOAD)
    page.goto(url)
    milliseconds = drawn(page)
    resources = []
    for request in finished:
        sizes, response, parts = request.sizes(), request.response(), urlsplit(request.url)
        resources.append({"path": parts.path + (f"?{parts.query}" if parts.query else ""),
                          "encoding": response.headers.get("content-encoding", "-"),
                          "sent": sizes["responseHeadersSize"] + sizes["responseBodySize"],
                          "decoded": len(response.body())})
    context.close()
    return resources, milliseconds


def ours_drawn(page) -> float:
    page.wait_for_selector("html[data-atlas=ready]", timeout=30_000)
    assert page.locator("path.atlas-unit").count() == 221, "not every unit was drawn"
    assert page.locator(".atlas-label").count() >= 20, "the place names were not written"
    return page.evaluate("performance.getEntriesByName('atlas:units-drawn')[0].startTime")


def naive_drawn(page) -> float:
    page.wait_for_function("() => window.benchDrawn !== undefined", timeout=60_000)
    assert page.locator("path.leaflet-interactive").count() >= 221, "naive page did not draw"
    return page.evaluate("window.benchDrawn")


def measure(browser, url: str, drawn) -> tuple[list[dict], float]:
    """One warm-up, then :data:`RUNS` cold loads: last run's requests, median time."""
    load_page(browser, url, drawn)
    runs = [load_page(browser, url, drawn) for _ in range(RUNS)]
    return runs[-1][0], statistics.median(ms for _, ms in runs)


@contextlib.contextmanager
def serve_naive(html: bytes):
    """The naive page, gzip, with its CDN Leaflet pointed at our vendored copy."""
    app = FastAPI()
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    webmap.mount(app)
    page = html.replace(CDN_LEAFLET.encode(), f"{webmap.VENDOR_URL}/".encode())
    app.get("/")(lambda: HTMLResponse(page))
    with loopback.serve_app(app) as base:
        yield f"{base}/"


def report_resources(title: str, resources: list[dict]) -> None:
    rows = [[r["path"][:72], r["encoding"], kb(r["sent"]), kb(r["decoded"])]
            for r in resources]
    rows.append(["total", "", kb(sum(r["sent"] for r in resources)),
                 kb(sum(r["decoded"] for r in resources))])
    print_table(title, ["resource", "encoding", "sent kB", "decoded kB"], rows)


def main() -> None:
    boundaries = geo.load()
    with tempfile.TemporaryDirectory(prefix="chengyu-bench-") as temporary:
        vertices, html = naive_html(list(boundaries.units.index), Path(temporary))
    with loopback.serve() as base, serve_naive(html) as naive_url, sync_playwright() as p:
        browser = loopback.launch_browser(p)
        ours, ours_ms = measure(browser, f"{base}/", ours_drawn)
        naive, naive_ms = measure(browser, naive_url, naive_drawn)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{base}/")
        page.wait_for_selector("html[data-atlas=ready]", timeout=30_000)
        redraws = {name: statistics.median(page.evaluate(REDRAW, canvas) for _ in range(RUNS))
                   for name, canvas in (("SVG", False), ("Canvas", True))}
        browser.close()
    report_resources("Our page, first view (requests until ready; sent = headers + body as "
                     "transferred)", ours)
    report_resources(f"Naive page: explore() of the raw units ({vertices:,} vertices); "
                     "CDN assets other than Leaflet blocked, not counted", naive)
    ours_bytes, naive_bytes = (sum(r["sent"] for r in x) for x in (ours, naive))
    print_table(f"First view (median of {RUNS} cold loads)",
                ["page", "sent kB", "units (and names) drawn ms"],
                [["ours", kb(ours_bytes), f"{ours_ms:.0f}"],
                 ["naive explore()", kb(naive_bytes), f"{naive_ms:.0f}"],
                 ["ours / naive", f"{ours_bytes / naive_bytes:.1%}",
                  f"{ours_ms / naive_ms:.1%}"]])
    print_table(f"Renderer: redraw of the 221 overview units until painted (median of {RUNS})",
                ["renderer", "ms"], [[name, f"{ms:.1f}"] for name, ms in redraws.items()])
    passed = ours_bytes <= GOAL_BYTES and ours_ms <= GOAL_MS
    print(f"\nGoal: first view <= {kb(GOAL_BYTES)} kB and all units and names drawn "
          f"<= {GOAL_MS} ms: "
          f"{'PASS' if passed else 'FAIL'} ({kb(ours_bytes)} kB, {ours_ms:.0f} ms)")


if __name__ == "__main__":
    main()
