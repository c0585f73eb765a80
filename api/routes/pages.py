"""The service description: the OpenAPI document, as JSON or as a page to read."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.params import PAGE_PARAMETERS
from api.responses import OPENAPI, Cached, html
from formats.geojson import dumps

router = APIRouter()


@router.get("/api", summary="This API's OpenAPI 3.0 document")
async def api(request: Request, given: PAGE_PARAMETERS):
    document = request.app.openapi()
    if given["f"] == "html":
        return html(request, "api.html", document=document)
    return Cached(dumps(document), request, OPENAPI)
