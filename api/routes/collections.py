"""The collections: their list, each one's description and its queryables."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.params import CRS84, PAGE_PARAMETERS, collection_id
from api.resources import get_catalogue, get_settings
from api.responses import GEOJSON, Cached, href, html
from api.settings import Settings
from formats.exports import FORMATS
from formats.geojson import dumps
from layers.catalogue import COLLECTIONS, Catalogue

router = APIRouter()


GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def temporal_extent(catalogue: Catalogue, cid: str) -> dict:
    """``{"temporal": …}`` for a collection of dated features (memberships, platforms): from
    the first membership in force to the last one's end, open (null) while any is in force;
    ``{}`` for the others. Any date is accepted as ``datetime``: before the first nothing is a
    member."""
    if "in_force_from" not in catalogue.frame(cid).columns:
        return {}
    table = catalogue.atlas.memberships  # every membership, not only those in force today
    starts, ends = table.in_force_from.dropna(), table.in_force_until
    end = None if ends.isna().any() else max(ends)
    return {"temporal": {"interval": [[_date(min(starts)) if len(starts) else None,
                                       _date(end)]], "trs": GREGORIAN}}


def _date(value) -> str | None:
    return None if value is None else f"{value.isoformat()[:10]}T00:00:00Z"


def describe(request: Request, catalogue: Catalogue, settings: Settings, cid: str) -> dict:
    """A collection's description: title, extent, CRS and links (items, downloads)."""
    spec = COLLECTIONS[cid]
    west, south, east, north = (round(float(v), 6) for v in catalogue.frame(cid).total_bounds)
    items = href(request, f"/collections/{cid}/items")
    return {"id": cid, "title": spec.title, "description": spec.description,
            "itemType": "feature", "crs": [CRS84], "storageCrs": CRS84,
            "extent": {"spatial": {"bbox": [[west, south, east, north]], "crs": CRS84},
                       **temporal_extent(catalogue, cid)},
            "links": [
                {"rel": "self", "type": "application/json",
                 "href": href(request, f"/collections/{cid}")},
                {"rel": "alternate", "type": "text/html",
                 "href": href(request, f"/collections/{cid}", f="html")},
                {"rel": "items", "type": GEOJSON, "href": items},
                {"rel": "items", "type": "text/html", "href": items + "?f=html"},
                {"rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                 "type": "application/schema+json",
                 "href": href(request, f"/collections/{cid}/queryables")},
                *({"rel": "enclosure", "type": spec_.media_type,
                   "title": f"all {cid} as {name}",
                   "href": items + f"?f={name}&limit={settings.page_limit}"}
                  for name, spec_ in FORMATS.items())]}


@router.get("/collections", summary="The feature collections")
async def collections(request: Request, given: PAGE_PARAMETERS,
                      catalogue: Annotated[Catalogue, Depends(get_catalogue)],
                      settings: Annotated[Settings, Depends(get_settings)]):
    body = {"collections": [describe(request, catalogue, settings, c) for c in COLLECTIONS],
            "links": [{"rel": "self", "type": "application/json",
                       "href": href(request, "/collections")},
                      {"rel": "alternate", "type": "text/html",
                       "href": href(request, "/collections", f="html")}]}
    if given["f"] == "html":
        return html(request, "collections.html", body=body)
    return Cached(dumps(body), request, "application/json")


@router.get("/collections/{collection}", summary="One collection")
async def collection(request: Request, cid: Annotated[str, Depends(collection_id)],
                     given: PAGE_PARAMETERS,
                     catalogue: Annotated[Catalogue, Depends(get_catalogue)],
                     settings: Annotated[Settings, Depends(get_settings)]):
    body = describe(request, catalogue, settings, cid)
    if given["f"] == "html":
        return html(request, "collections.html", body={"collections": [body]})
    return Cached(dumps(body), request, "application/json")


@router.get("/collections/{collection}/queryables", summary="Properties usable in filters")
async def queryables(request: Request, cid: Annotated[str, Depends(collection_id)],
                     given: PAGE_PARAMETERS,
                     catalogue: Annotated[Catalogue, Depends(get_catalogue)]):
    properties = {name: q.schema() for name, q in catalogue.queryables(cid).items()}
    frame = catalogue.frame(cid)
    kinds = set(frame.geom_type)
    properties[frame.geometry.name] = {
        "format": f"geometry-{kinds.pop().lower()}" if len(kinds) == 1 else "geometry-any",
        "x-ogc-role": "primary-geometry"}
    body = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": href(request, f"/collections/{cid}/queryables"), "type": "object",
            "title": COLLECTIONS[cid].title, "properties": properties,
            "additionalProperties": False}
    if given["f"] == "html":
        return html(request, "document.html", title=f"Queryables of {cid}",
                    properties=properties, json=href(request, f="json"))
    return Cached(dumps(body), request, "application/schema+json")
