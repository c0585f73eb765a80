"""The HTML of the map page: folium's Leaflet skeleton, the configuration, the panel."""

from __future__ import annotations

import json
from importlib.resources import files

import branca.element
import folium

from layers import Layers
from webmap.assets import STATIC, STATIC_URL
from webmap.config import SERVED, Edition, bounds, configuration, preloaded
from webmap.vendor import VENDOR_URL

TITLE = "成渝地区双城经济圈规划地图 · Chengyu Atlas"
PANEL = files(__package__) / "templates" / "atlas-panel.html"
SCRIPTS = STATIC / "atlas"  # the page's ES modules; main.js imports the others


def _json_script(element_id: str, value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script id="{element_id}" type="application/json">{text}</script>'


def _module_links(edition: Edition) -> str:
    """The entry module, and every module preloaded so the browser fetches them at once
    rather than level by level as the imports are discovered (there is no bundler)."""
    modules = sorted(path.name for path in SCRIPTS.glob("*.js"))
    at = edition.asset(f"{STATIC_URL}/atlas/")
    return ("".join(f'<link rel="modulepreload" href="{at}{name}">' for name in modules)
            + f'<script type="module" src="{at}main.js"></script>')


def page(atlas: Layers, *, page_limit: int = 10_000, edition: Edition = SERVED) -> str:
    """The HTML of the map page (no geometry inside: its scripts fetch it, at most
    ``page_limit`` features a request, the API's cap, or a static edition's files)."""
    figure = branca.element.Figure(title=TITLE)
    (south, west), (north, east) = bounds(atlas)
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=6,
                      tiles=None, control_scale=True,
                      zoom_snap=0.25).add_to(figure)
    vendor = edition.asset(VENDOR_URL)
    fmap.default_js = [("leaflet", f"{vendor}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{vendor}/leaflet.css"),  # ours after, to override it
                        ("atlas_css", edition.asset(f"{STATIC_URL}/atlas.css"))]
    figure.header.add_child(branca.element.Element(
        '<link rel="icon" href="data:,">'
        f'<link rel="preload" href="{preloaded(page_limit, edition)}" as="fetch" '
        'crossorigin="anonymous">' + _module_links(edition)
        + _json_script("atlas-config", configuration(atlas, fmap.get_name(),
                                                     page_limit=page_limit, edition=edition))))
    figure.html.add_child(branca.element.Element(PANEL.read_text(encoding="utf-8")))
    return figure.render().replace("<html>", '<html lang="zh-CN">', 1)
