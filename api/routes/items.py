"""Features: a collection's items (filtered, paged, downloaded as a file or drawn as a map)
and one item (an entity with its history, or drawn with its members).

The routes parse (through their dependencies) and render; the selecting is
:meth:`layers.catalogue.Catalogue.select`, the maps :func:`formats.render.render` of a
:mod:`formats.pictures` picture, the history :func:`layers.history.versions`.
"""

from __future__ import annotations

import functools
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from api.errors import NotFound
from api.params import (PICTURES, bbox_crs_query, bbox_query, collection_id, crs_query,
                        datetime_query, datum_query, filter_crs_query, filter_query,
                        limit_query, offset_query, output_query, picture_size,
                        property_filters, refuse_unknown, resolution_query)
from api.resources import get_catalogue, get_downloads, get_settings
from api.responses import (GCJ02_LABEL, GEOJSON, Cached, Downloads, content_crs, href, html,
                           page_href, time_stamped)
from api.settings import Settings
from formats.exports import FORMATS
from formats.geojson import collection as feature_collection
from formats.geojson import dumps
from formats.pictures import entity_picture, selection_picture
from formats.render import MEDIA_TYPES, render
from layers import Layers
from layers.catalogue import COLLECTIONS, Catalogue, Page, Period
from layers.history import readable, summary, versions

router = APIRouter()
CRS = [Depends(crs_query)]  # accepted and checked (only CRS84), nothing to pass on
SIZE = Annotated[dict, Depends(picture_size)]  # width, height, dpi of a rendered map


async def _on_view(catalogue: Catalogue, method, *args, as_of, resolution, **kwargs):
    """``method`` of the catalogue, off the event loop unless its view is prebuilt: a first
    request for a date or a resolution takes up to a second and must not stall the others
    (the prebuilt views are a look-up, cheaper than a hop to a thread)."""
    kwargs.update(as_of=as_of, resolution=resolution)
    if catalogue.is_prebuilt(as_of, resolution):
        return method(*args, **kwargs)
    return await run_in_threadpool(method, *args, **kwargs)


@router.get("/collections/{collection}/items", summary="Features, filtered and paged",
            dependencies=[*CRS, Depends(bbox_crs_query), Depends(filter_crs_query)])
async def items(request: Request, cid: Annotated[str, Depends(collection_id)],
                properties: Annotated[dict, Depends(property_filters)],
                limit: Annotated[int | None, Depends(limit_query)],
                offset: Annotated[int, Depends(offset_query)],
                bbox: Annotated[tuple | None, Depends(bbox_query)],
                as_of: Annotated[object, Depends(datetime_query)],
                cql: Annotated[object, Depends(filter_query)],
                resolution: Annotated[str, Depends(resolution_query)],
                datum: Annotated[str, Depends(datum_query)],
                f: Annotated[str, Depends(output_query)], size: SIZE,
                catalogue: Annotated[Catalogue, Depends(get_catalogue)],
                settings: Annotated[Settings, Depends(get_settings)],
                downloads: Annotated[Downloads, Depends(get_downloads)]):
    if limit is None and f not in (*FORMATS, *PICTURES):  # a file holds all, unless limited
        limit = settings.default_limit
    page = await _on_view(catalogue, catalogue.select, cid, bbox=bbox, filter=cql,
                          properties=properties, datum=datum, offset=offset, limit=limit,
                          as_of=as_of, resolution=resolution)
    if f in FORMATS:
        return await run_in_threadpool(downloads.respond, request, page.frame(), cid, f, datum)
    if f in PICTURES:
        return await _selection_picture(request, catalogue.atlas, page, cid, as_of, f, size)
    if f == "html":
        return html(request, "items.html", collection=cid,
                    frame=page.view.frame.iloc[page.rows].drop(columns="geometry"),
                    matched=page.matched, offset=offset, limit=limit,
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
    served = page.features()
    extra = {"datum": GCJ02_LABEL} if page.datum == "gcj02" else {}
    body = feature_collection(served, numberMatched=page.matched, numberReturned=len(served),
                              links=links, **extra)
    return Cached(time_stamped(body), request, GEOJSON, tag_of=body,
                  headers=content_crs(page.datum))


@router.get("/collections/{collection}/items/{feature_id}", summary="One feature",
            dependencies=[*CRS, Depends(refuse_unknown)])
async def item(request: Request, cid: Annotated[str, Depends(collection_id)], feature_id: str,
               as_of: Annotated[object, Depends(datetime_query)],
               resolution: Annotated[str, Depends(resolution_query)],
               datum: Annotated[str, Depends(datum_query)],
               f: Annotated[str, Depends(output_query)], size: SIZE,
               catalogue: Annotated[Catalogue, Depends(get_catalogue)],
               downloads: Annotated[Downloads, Depends(get_downloads)]):
    page = await _on_view(catalogue, catalogue.feature, cid, feature_id, datum=datum,
                          as_of=as_of, resolution=resolution)
    if page is None:
        when = f" at datetime={request.query_params['datetime']}" if as_of else ""
        raise NotFound(f"no feature {feature_id!r} in {cid}{when}")
    if f in FORMATS:
        if cid == "platforms":  # a platform downloads with its member units
            page = await _on_view(catalogue, catalogue.select, "memberships",
                                  properties={"entity": feature_id}, as_of=as_of,
                                  resolution=resolution)
        return await run_in_threadpool(downloads.respond, request, page.frame(),
                                       f"{cid}-{feature_id}", f, datum)
    if f in PICTURES:
        return await _feature_picture(request, catalogue.atlas, page, cid, feature_id, as_of,
                                      f, size)
    found = versions(catalogue.atlas, feature_id) if cid == "platforms" else None
    if f == "html":
        return html(request, "feature.html", collection=cid, feature_id=feature_id,
                    properties=page.view.frame.loc[feature_id].drop("geometry").to_dict(),
                    **(_history_context(catalogue.atlas, feature_id, found) if found else {}))
    label = b',"datum":' + dumps(GCJ02_LABEL) if datum == "gcj02" else b""
    body = page.features()[0] if found is None else _with_history(page.features()[0], found)
    return Cached(body[:-1] + b',"links":' + dumps(_links(request, cid)) + label + b"}",
                  request, GEOJSON, headers=content_crs(datum))


def _with_history(feature: bytes, found) -> bytes:
    """The entity's feature with its versions as the ``history`` property (kept in the
    properties: the feature stays valid GeoJSON)."""
    parsed = orjson.loads(feature)
    parsed["properties"]["history"] = [version.as_dict() for version in found]
    return dumps(parsed)


def _history_context(atlas: Layers, entity_id: str, found) -> dict:
    return {"history": readable(atlas, found), "history_summary": summary(atlas, entity_id, found)}


def _picture_date(as_of):
    """The date a map is drawn as of: an interval's end (the latest if open)."""
    return as_of.end if isinstance(as_of, Period) else as_of


async def _rendered(request: Request, atlas: Layers, make_picture, f: str, size: dict,
                    name: str):
    """A rendered map (PNG, SVG, PDF): the picture built and drawn in the thread pool."""
    data = await run_in_threadpool(lambda: render(atlas, make_picture(), f, **size))
    return Cached(data, request, MEDIA_TYPES[f], headers={
        "Content-Disposition": f'inline; filename="chengyu-{name}.{f}"'})


async def _selection_picture(request: Request, atlas: Layers, page: Page, cid: str, as_of,
                             f: str, size: dict):
    """The map of a page of features, titled with the collection and the selection."""
    asked = [f"{k}={v}" for k, v in request.query_params.items()
             if k not in ("f", "width", "height", "dpi")]
    subtitle = " · ".join([f"{len(page.rows)} / {page.matched} features", *asked])
    make = functools.partial(selection_picture, atlas, page.frame(), cid,
                             COLLECTIONS[cid].title, _picture_date(as_of), subtitle)
    return await _rendered(request, atlas, make, f, size, cid)


async def _feature_picture(request: Request, atlas: Layers, page: Page, cid: str,
                           feature_id: str, as_of, f: str, size: dict):
    """The map of one feature: an entity with its member units, or the feature alone."""
    if cid == "platforms":
        make = functools.partial(entity_picture, atlas, feature_id, _picture_date(as_of))
    else:
        frame = page.frame()
        title = str(frame["name"].iloc[0]) if "name" in frame else feature_id
        make = functools.partial(selection_picture, atlas, frame, cid, title,
                                 _picture_date(as_of))
    return await _rendered(request, atlas, make, f, size, f"{cid}-{feature_id}")
