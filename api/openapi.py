"""The API's OpenAPI 3.0 document: FastAPI's, made OGC-shaped.

Added to what FastAPI finds: each route's query parameters as :mod:`api.params` declares
them (OGC's definitions: QGIS and GDAL read the limit's default, its cap is described, not a
maximum, since a larger limit is served capped; bbox is an array of numbers; closed value
lists), problem details instead of 422, and one path per collection with its queryables as
parameters.
"""

from __future__ import annotations

import copy

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from api.errors import PROBLEM
from api.params import LIMIT, openapi_parameters
from api.routes.panel import WRITERS
from api.responses import GEOJSON, OPENAPI
from api.settings import Settings
from formats.exports import FORMATS
from formats.render import MEDIA_TYPES
from layers.catalogue import COLLECTIONS, Catalogue

PROBLEM_SCHEMA = {  # the one error shape, as api.errors.problem writes it
    "type": "object", "required": ["type", "title", "status", "detail", "code"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "detail": {"type": "string"},
                   "instance": {"type": "string"}, "code": {"type": "string"},
                   "description": {"type": "string"}}}
_JSON_AND_HTML = ["application/json", "text/html"]
_FEATURES = [GEOJSON, "text/html", *(spec.media_type for spec in FORMATS.values()),
             *MEDIA_TYPES.values()]
RESPONSE_TYPES = {"/": _JSON_AND_HTML, "/conformance": _JSON_AND_HTML,
                  "/api": [OPENAPI, "text/html"], "/collections": _JSON_AND_HTML,
                  "/collections/{collection}": _JSON_AND_HTML,
                  "/collections/{collection}/queryables": ["application/schema+json",
                                                           "text/html"],
                  "/collections/{collection}/items": _FEATURES,
                  "/collections/{collection}/items/{feature_id}": _FEATURES,
                  "/query": ["application/json", "text/html", "text/csv",
                             "application/geo+json"],
                  "/panel": [media for _, media in WRITERS.values()]}


def _oas30(node):
    """JSON Schema as OpenAPI 3.0 has it: ``anyOf [X, null]`` becomes X, nullable."""
    if isinstance(node, list):
        return [_oas30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _oas30(value) for key, value in node.items()}
    options = node.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        node.pop("anyOf")
        node.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
        node["nullable"] = True
    return node


def _components(settings: Settings) -> dict:
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {
        "schemas": {"Problem": PROBLEM_SCHEMA},
        "responses": {
            "InvalidParameter": {"description": "An unknown or invalid parameter",
                                 "content": problem},
            "NotFound": {"description": "No such collection or feature", "content": problem}},
        "parameters": {"limit": {
            "name": "limit", "in": "query", "required": False, "style": "form",
            "explode": False, "schema": {**LIMIT.schema, "default": settings.default_limit},
            "description": f"Features per page (default {settings.default_limit}); a page "
                           f"holds at most {settings.page_limit}: a larger limit is served "
                           f"as {settings.page_limit}, not refused."}}}


def openapi_document(app: FastAPI, catalogue: Catalogue, settings: Settings) -> dict:
    """The API's OpenAPI 3.0 document, self-contained (every ``$ref`` is local).

    Errors are 400/404 problem details (not 422), query parameters are ``form``/unexploded
    with OGC's schemas, the limit is the shared ``#/components/parameters/limit`` and every
    collection has its own paths, its items listing the queryables as parameters (where QGIS
    and GDAL look for them).
    """
    document = _oas30(get_openapi(title=app.title, version=app.version,
                                  openapi_version="3.0.3", description=app.description,
                                  routes=app.routes))
    document["components"] = _components(settings)
    declared = {context.original_route.path: openapi_parameters(context.original_route)
                for context in iter_route_contexts(app.routes)
                if isinstance(context.original_route, APIRoute)}
    paths = {}
    for path, item in document["paths"].items():
        for operation in item.values():
            operation["parameters"] = operation.get("parameters", []) + declared[path]
            _describe_operation(operation, path)
        if "{collection}" not in path:
            paths[path] = item
            continue
        for cid in COLLECTIONS:  # one path per collection, as pygeoapi and ldproxy do
            expanded = copy.deepcopy(item)
            for operation in expanded.values():
                operation["operationId"] += f"_{cid}"
                operation["parameters"] = [p for p in operation["parameters"]
                                           if p.get("name") != "collection"]
                if path.endswith("/items"):
                    operation["parameters"] += _queryable_parameters(
                        catalogue, cid, {p.get("name") for p in operation["parameters"]})
            paths[path.replace("{collection}", cid)] = expanded
    document["paths"] = paths
    return document


def _describe_operation(operation: dict, path: str) -> None:
    operation["parameters"] = [{"$ref": "#/components/parameters/limit"}
                               if parameter["name"] == LIMIT.name else parameter
                               for parameter in operation["parameters"]]
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    responses["400"] = {"$ref": "#/components/responses/InvalidParameter"}
    if "{" in path:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    if path in RESPONSE_TYPES and "200" in responses:
        responses["200"]["content"] = {media: {} for media in RESPONSE_TYPES[path]}


def _queryable_parameters(catalogue: Catalogue, collection: str, taken: set[str]) -> list[dict]:
    """``name=value`` filters on the queryables (a list property matches if it holds it)."""
    parameters = []
    for name, queryable in catalogue.queryables(collection).items():
        if name in taken:
            continue
        schema = queryable.schema()
        if schema["type"] in ("array", "object"):
            schema = {"type": "string", "description": "matches when the list holds it"}
        parameters.append({"name": name, "in": "query", "required": False, "style": "form",
                           "explode": False, "schema": schema,
                           "description": f"Only features whose {name} is this value"})
    return parameters
