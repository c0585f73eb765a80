"""The landing page (the map in a browser, links as JSON) and the conformance classes."""

from __future__ import annotations

from fastapi import APIRouter, Request

import filtering

from api.params import PAGE_PARAMETERS
from api.resources import get_map_page
from api.responses import OPENAPI, Cached, href, html
from formats.geojson import dumps

router = APIRouter()
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    # Part 2 with CRS84 as the one CRS: crs/bbox-crs accepted, Content-Crs sent
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    *filtering.CONFORMANCE,  # CQL2 and Part 3 filtering: exactly the classes met
]


@router.get("/", summary="Landing page (the map, as HTML)")
async def landing(request: Request, given: PAGE_PARAMETERS):
    if given["f"] == "html":  # the map page, made at its first request: not for the JSON
        map_page = await get_map_page(request)
        return Cached(map_page.html.encode(), request, "text/html; charset=utf-8",
                      headers={"Content-Security-Policy": map_page.policy})
    app = request.app
    body = {"title": app.title, "description": app.description, "links": [
        {"rel": "self", "type": "application/json", "href": href(request, "/")},
        {"rel": "alternate", "type": "text/html", "href": href(request, "/", f="html")},
        {"rel": "service-desc", "type": OPENAPI, "href": href(request, "/api")},
        {"rel": "service-doc", "type": "text/html", "href": href(request, "/api", f="html")},
        {"rel": "conformance", "type": "application/json",
         "href": href(request, "/conformance")},
        {"rel": "data", "type": "application/json", "href": href(request, "/collections")},
    ]}
    return Cached(dumps(body), request, "application/json")


@router.get("/conformance", summary="Conformance classes met")
async def conformance(request: Request, given: PAGE_PARAMETERS):
    if given["f"] == "html":
        return html(request, "document.html", title="Conformance classes",
                    listed=CONFORMANCE, json=href(request, f="json"))
    return Cached(dumps({"conformsTo": CONFORMANCE}), request, "application/json")
