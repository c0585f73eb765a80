"""The service description: the OpenAPI document, as JSON or as a page to read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.params import page_output_query, refuse_unknown
from api.responses import OPENAPI, Cached, html
from formats.geojson import dumps

router = APIRouter(dependencies=[Depends(refuse_unknown)])


@router.get("/api", summary="This API's OpenAPI 3.0 document")
async def api(request: Request, f: Annotated[str, Depends(page_output_query)]):
    document = request.app.openapi()
    if f == "html":
        return html(request, "api.html", document=document)
    return Cached(dumps(document), request, OPENAPI)
