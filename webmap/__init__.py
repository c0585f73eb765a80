"""The map page: a folium (Leaflet) skeleton that loads every layer from the API.

The page holds no geometry. It carries a small configuration (entity names, colours and
members as written, the place names with their label points, a search index with pinyin,
the first view, the base maps, the dates of the defining texts, the API's page limit) and
loads the ES modules of ``static/atlas/`` (entry point ``main.js``), which fetch the
units, outlines and platforms from ``/collections/*/items`` at display resolution.
Leaflet comes from the PyPI package ``xstatic-leaflet``, served by the app under
:data:`VENDOR_URL`, never from a CDN.

- :mod:`webmap.vendor`: Leaflet's files and their mount;
- :mod:`webmap.assets`: the page's own files, under an address naming their version;
- :mod:`webmap.search`: the search index (every name a user may type);
- :mod:`webmap.labels`: the place names written on the map, at their label points;
- :mod:`webmap.config`: the configuration the page's scripts read, and where their data is
  (:class:`Edition`: the API, or a static edition's files at :data:`STATIC_PATHS`);
- :mod:`webmap.document`: the HTML of the page;
- :mod:`webmap.policy`: its Content-Security-Policy.

The page's makers (configuration, document, policy, search) are imported when first asked
for (``webmap.page`` …): folium and xyzservices cost a server half a second at start, and
it makes the page at its first request.
"""

import importlib

from webmap.assets import STATIC_URL
from webmap.vendor import LEAFLET_DIRECTORY, VENDOR_URL, mount

_MADE_IN = {"DISPLAY_ZOOMS": "config", "STATIC_PATHS": "config", "Edition": "config",
            "configuration": "config", "entity_catalogue": "config", "milestones": "config",
            "page": "document", "content_security_policy": "policy",
            "search_index": "search"}

__all__ = ["DISPLAY_ZOOMS", "LEAFLET_DIRECTORY", "STATIC_PATHS", "VENDOR_URL", "Edition",
           "configuration",
           "content_security_policy", "entity_catalogue", "milestones", "mount", "page",
           "search_index", "STATIC_URL"]


def __getattr__(name: str):
    """A maker of the page, from its module (imported now, at its first use)."""
    if name not in _MADE_IN:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MADE_IN[name]}"), name)
