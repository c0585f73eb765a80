"""Features: a collection's items (filtered, paged, downloaded as a file or drawn as a map)
and one item (an entity with its history, or drawn with its members).

The routes parse (through their dependencies) and render; the selecting is
:meth:`layers.catalogue.Catalogue.select`, the maps :func:`formats.render.render` of a
:mod:`formats.pictures` picture, the history :func:`layers.history.versions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request

from api.errors import NotFound
from api.params import (BBOX, BBOX_CRS, CRS, DATETIME, DATUM, DPI, FILTER, FILTER_CRS,
                        FILTER_LANG, HEIGHT, LIMIT, OFFSET, OUTPUT, PICTURES, RESOLUTION, WIDTH,
                        FeatureQuery, Query, collection_id)
from api.pictures import feature_map, selection_map
from api.resources import Means, get_means
from api.responses import (GCJ02_LABEL, GEOJSON, Cached, content_crs, download, href, html,
                           page_href, public_base, time_stamped)
from formats.exports import FORMATS
from formats.geojson import collection_parts, dumps
from layers import Layers
from layers.catalogue import Catalogue, Page
from layers.history import readable, summary, versions

router = APIRouter()
INLINE_BYTES = 64 * 1024  # a body up to this is built and gzipped on the loop (~1 ms)
SHOWING = (CRS, DATETIME, RESOLUTION, DATUM, OUTPUT, WIDTH, HEIGHT, DPI)  # page and feature
# crs, bbox-crs and filter-crs are accepted and checked (only CRS84), nothing to pass on
ITEMS = FeatureQuery(BBOX_CRS, FILTER_CRS, LIMIT, OFFSET, BBOX, FILTER_LANG, FILTER, *SHOWING)
ITEM = Query(*SHOWING)


def _inline(page: Page | None, f: str) -> bool:
    """Whether answering ``page`` costs less than a hop to a worker thread: a small JSON
    body in WGS-84 from a prebuilt view. Anything that grows with the input goes to the
    worker (:class:`api.work.Worker`): filters, new views, files, large bodies and gzip."""
    return page is not None and f == "json" and page.datum == "wgs84" and \
        page.nbytes <= INLINE_BYTES


def _look_up(catalogue: Catalogue, method, *args, as_of, resolution, **kwargs) -> Page | None:
    """``method`` of the catalogue if its view is prebuilt (a look-up), else None."""
    if not catalogue.is_prebuilt(as_of, resolution):
        return None
    return method(*args, as_of=as_of, resolution=resolution, **kwargs)


@dataclass(frozen=True)
class Shown:
    """How features are shown, alike for a page and for one feature: as of a date, the
    geometry's resolution and datum, the output format and a rendered map's size."""

    as_of: object
    resolution: str
    datum: str
    f: str
    size: dict


    @classmethod
    def given(cls, values: dict) -> Shown:
        return cls(values["datetime"], values["resolution"], values["datum"], values["f"],
                   {name: values[name] for name in ("width", "height", "dpi")})


MEANS = Annotated[Means, Depends(get_means)]


@router.get("/collections/{collection}/items", summary="Features, filtered and paged")
async def items(request: Request, given: Annotated[dict, Depends(ITEMS)]):
    cid, use = given["collection"], given["means"]
    settings = use.settings
    show, limit = Shown.given(given), given["limit"]
    if limit is None and show.f not in (*FORMATS, *PICTURES):  # a file holds all, unless limited
        limit = settings.default_limit
    selection = {"bbox": given["bbox"], "filter": given["filter"], "datum": show.datum,
                 "properties": given["properties"], "offset": given["offset"],
                 "limit": None if limit is None else min(limit, settings.page_limit),
                 "as_of": show.as_of, "resolution": show.resolution}
    page = None if given["filter"] is not None else \
        _look_up(use.catalogue, use.catalogue.select, cid, **selection)
    if _inline(page, show.f):
        return _feature_collection(request, page, cid)
    return await use.worker.run(_items, request, use.catalogue, cid, show.f,
                                show.size, selection, page)


def _items(request: Request, catalogue: Catalogue, cid: str, f: str,
           size: dict, selection: dict, page: Page | None):
    """The items response, in a worker thread: select (unless done), then render."""
    page = page or catalogue.select(cid, **selection)
    if f in FORMATS:
        return download(request, page.frame(), cid, f, page.datum)
    if f in PICTURES:
        return selection_map(request, catalogue.atlas, page, cid, selection["as_of"], f, size)
    if f == "html":
        return html(request, "items.html", collection=cid,
                    frame=page.view.frame.iloc[page.rows].drop(columns="geometry"),
                    matched=page.matched, offset=page.offset, limit=page.limit,
                    next=_next(request, page), prev=_prev(request, page),
                    json=page_href(request, f="json"))
    return _feature_collection(request, page, cid)


def _next(request: Request, page: Page) -> str | None:
    return None if page.next_offset is None else page_href(request, offset=page.next_offset,
                                                           f=_page_format(request))


def _prev(request: Request, page: Page) -> str | None:
    return page_href(request, offset=max(0, page.offset - page.limit),
                     f=_page_format(request)) if page.offset else None


def _page_format(request: Request) -> str | None:
    """``f`` of the pages before and after: kept for HTML, left out for GeoJSON (the links'
    type says it)."""
    return request.query_params.get("f") if request.query_params.get("f") == "html" else None


def _links(request: Request, cid: str) -> list[dict]:
    return [{"rel": "self", "type": GEOJSON, "href": page_href(request, f=None)},
            {"rel": "alternate", "type": "text/html", "href": page_href(request, f="html")},
            {"rel": "collection", "type": "application/json",
             "href": href(request, f"/collections/{cid}")}]


def _feature_collection(request: Request, page: Page, cid: str) -> Cached:
    links = _links(request, cid)
    for rel, target in (("next", _next(request, page)), ("prev", _prev(request, page))):
        if target:
            links.append({"rel": rel, "type": GEOJSON, "href": target})
    served = page.feature_parts()
    extra = {"datum": GCJ02_LABEL} if page.datum == "gcj02" else {}
    body = collection_parts(served, numberMatched=page.matched, numberReturned=len(served),
                            links=links, **extra)
    stamped, fresh = time_stamped(body)
    return Cached(stamped, request, GEOJSON, tag_of=_made_of(request, page, body),
                  headers={**content_crs(page.datum), **fresh})


def _made_of(request: Request, page: Page, body: list[bytes]) -> bytes | list[bytes]:
    """What a page's ETag is a hash of: what its body is made from (the data version — the
    data and the answering code, :mod:`api.version` —, where links point, the request's path
    and query, the page's size as the settings capped it), not the body itself (hashing it
    cost a first-time page ~20 µs, a 10,000-feature page milliseconds). Without a data
    version (a route on an app of its own): the body but for its time stamp."""
    version = getattr(request.app.state, "version", None)
    if version is None:
        return body
    return b"\n".join((version.encode(), public_base(request).encode(),
                       request.scope["path"].encode(), request.scope["query_string"],
                       str(page.limit).encode()))


@router.get("/collections/{collection}/items/{feature_id}", summary="One feature")
async def item(request: Request, cid: Annotated[str, Depends(collection_id)], feature_id: str,
               given: Annotated[dict, Depends(ITEM)], use: MEANS):
    show = Shown.given(given)
    selection = {"as_of": show.as_of, "resolution": show.resolution, "datum": show.datum}
    page = _look_up(use.catalogue, use.catalogue.feature, cid, feature_id, **selection)
    if _inline(page, show.f) and cid != "platforms":  # an entity's history is worked out
        return _feature(request, page, cid)
    return await use.worker.run(_item, request, use.catalogue, cid, feature_id,
                                show.f, show.size, selection)


def _item(request: Request, catalogue: Catalogue, cid: str,
          feature_id: str, f: str, size: dict, selection: dict):
    """One feature's response, in a worker thread (a new view, a file, a large outline)."""
    if f in FORMATS and cid == "platforms":  # its member units: no outline to dissolve
        page = catalogue.select("memberships", properties={"entity": feature_id}, **selection)
        page = page if page.matched else None
    else:
        page = catalogue.feature(cid, feature_id, **selection)
    if page is None:
        when = f" at datetime={request.query_params['datetime']}" if selection["as_of"] else ""
        raise NotFound(f"no feature {feature_id!r} in {cid}{when}")
    if f in FORMATS:
        return download(request, page.frame(), f"{cid}-{feature_id}", f, page.datum)
    if f in PICTURES:
        return feature_map(request, catalogue.atlas, page, cid, feature_id, selection["as_of"],
                           f, size)
    found = versions(catalogue.atlas, feature_id) if cid == "platforms" else None
    if f == "html":
        return html(request, "feature.html", collection=cid, feature_id=feature_id,
                    properties=page.view.frame.loc[feature_id].drop("geometry").to_dict(),
                    **(_history_context(catalogue.atlas, feature_id, found) if found else {}))
    return _feature(request, page, cid, found)


def _feature(request: Request, page: Page, cid: str, history=None) -> Cached:
    """One feature as GeoJSON with its links (and an entity's ``history``)."""
    label = b',"datum":' + dumps(GCJ02_LABEL) if page.datum == "gcj02" else b""
    body = page.features()[0] if not history else _with_history(page.features()[0], history)
    return Cached(body[:-1] + b',"links":' + dumps(_links(request, cid)) + label + b"}",
                  request, GEOJSON, headers=content_crs(page.datum))


def _with_history(feature: bytes, found) -> bytes:
    """The entity's feature with its versions as the ``history`` property (kept in the
    properties: the feature stays valid GeoJSON)."""
    parsed = orjson.loads(feature)
    parsed["properties"]["history"] = [version.as_dict() for version in found]
    return dumps(parsed)


def _history_context(atlas: Layers, entity_id: str, found) -> dict:
    return {"history": readable(atlas, found), "history_summary": summary(atlas, entity_id, found)}
