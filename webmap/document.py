"""The HTML of the map page: folium's Leaflet skeleton, the configuration, the panel."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import branca.element
import folium

from layers import Layers
from webmap.config import bounds, configuration, preloaded
from webmap.assets import STATIC, STATIC_URL
from webmap.vendor import VENDOR_URL

TITLE = "成渝地区双城经济圈规划地图 · Chengyu Atlas"
PANEL = files(__package__) / "templates" / "atlas-panel.html"
SCRIPTS = STATIC / "atlas"  # the page's ES modules; main.js imports the others


def _json_script(element_id: str, value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script id="{element_id}" type="application/json">{text}</script>'


def _module_links() -> str:
    """The entry module, and every module preloaded so the browser fetches them at once
    rather than level by level as the imports are discovered (there is no bundler)."""
    modules = sorted(path.name for path in SCRIPTS.glob("*.js"))
    return ("".join(f'<link rel="modulepreload" href="{STATIC_URL}/atlas/{name}">'
                    for name in modules)
            + f'<script type="module" src="{STATIC_URL}/atlas/main.js"></script>')


def page(atlas: Layers, *, page_limit: int = 10_000, version: str | None = None) -> str:
    """The HTML of the map page (no geometry inside: its scripts fetch it, at most
    ``page_limit`` features a request, the API's cap, naming the data ``version``)."""
    figure = branca.element.Figure(title=TITLE)
    (south, west), (north, east) = bounds(atlas)
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=6,
                      tiles=None, control_scale=True,
                      zoom_snap=0.25).add_to(figure)
    fmap.default_js = [("leaflet", f"{VENDOR_URL}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{VENDOR_URL}/leaflet.css"),
                        ("atlas_css", f"{STATIC_URL}/atlas.css")]  # after Leaflet's, to override it
    figure.header.add_child(branca.element.Element(
        '<link rel="icon" href="data:,">'
        f'<link rel="preload" href="{preloaded(page_limit, version)}" as="fetch" '
        'crossorigin="anonymous">' + _module_links()
        + _json_script("atlas-config", configuration(atlas, fmap.get_name(),
                                                     page_limit=page_limit,
                                                     version=version))))
    figure.html.add_child(branca.element.Element(PANEL.read_text(encoding="utf-8")))
    return figure.render().replace("<html>", '<html lang="zh-CN">', 1)
