"""The HTTP API: OGC API – Features (Part 1 Core, Part 3 filtering), exports, questions.

Routes stay thin: each query parameter has its own FastAPI dependency that parses and checks
it (tipg's pattern), the features come from :mod:`layers.collections`, filters from
:mod:`geo.cql`, exports from :mod:`geo.export` and answers from :mod:`layers.questions`.
Every error leaves through one handler as ``application/problem+json`` (RFC 9457 fields plus
OGC's ``code``/``description``).

``uvicorn server:app`` serves it; the app is built on first access of ``server.app``.
"""


import copy
import collections
import datetime as dt
import functools
import gzip
import hashlib
import math
import sys
import threading
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote_to_bytes, urlencode

import numpy as np
import shapely
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

import geo
import layers
from geo.cache import CacheError
from geo.source import SourceError
import webmap
from geo.build import RESOLUTIONS
from geo.cql import LANGUAGES, FilterError, evaluate, parse
from geo.datum import geometries_to_gcj02
from geo.export import FORMATS, export
from geo.geojson import collection as feature_collection
from geo.geojson import dumps, features
from layers.collections import COLLECTIONS, Catalogue, Features, Period
from layers.questions import QuestionError, Questions, csv_text, hits_geojson, html_context

HERE = Path(__file__).parent
DEFAULT_LIMIT, MAX_LIMIT = 10, 10_000
GZIP_MINIMUM = 1000  # bytes; smaller bodies go out as they are
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
PROBLEM = "application/problem+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
GCJ02_LABEL = "GCJ-02 (shifted for Amap base maps; not RFC 7946)"
RESOLUTION_NAMES = ("full", *RESOLUTIONS)
PREBUILT = ("full", "overview")  # latest views built at start; overview: the map's first
OUTPUTS = ("json", "html", *FORMATS)  # f=… on items: json is the page, geojson a file
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
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    # the draft name of basic-spatial-functions, the one QGIS checks before it sends
    # spatial predicates to the server
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    # not arithmetic: pygeofilter's cql2-text parser has no %, div or ^
]


# -- errors: one shape, mapped once ----------------------------------------------------
class ApiError(Exception):
    """An error to report: HTTP status, OGC code and a detail naming the bad part."""

    titles = {400: "Invalid parameter", 404: "Not found", 405: "Method not allowed",
              406: "Not acceptable", 500: "Server error"}
    codes = {400: "InvalidParameterValue", 404: "NotFound", 405: "MethodNotAllowed",
             406: "NotAcceptable", 500: "ServerError"}

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def problem(status: int, detail: str, instance: str) -> Response:
    """The error document: RFC 9457 problem details plus OGC ``code``/``description``."""
    body = {"type": "about:blank", "title": ApiError.titles.get(status, "Error"),
            "status": status, "detail": detail, "instance": instance,
            "code": ApiError.codes.get(status, "Error"), "description": detail}
    return Response(dumps(body), status_code=status, media_type=PROBLEM)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError):
        return problem(error.status, error.detail, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError):
        parts = []
        for item in error.errors():
            name = item["loc"][-1] if item["loc"] else "request"
            shown = f" (got {item['input']!r})" if item.get("input") is not None else ""
            parts.append(f"{name}: {item['msg']}{shown}")
        return problem(400, "; ".join(parts), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        detail = (f"no such resource: {request.url.path}" if error.status_code == 404
                  else str(error.detail))
        response = problem(error.status_code, detail, request.url.path)
        response.headers.update(error.headers or {})  # e.g. Allow, with a 405
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        return problem(500, "internal error; the server log has the details",
                       request.url.path)


# -- one dependency per query parameter ----------------------------------------------
# Dependencies and routes are ``async``: their work is a few hundred microseconds of CPU, and
# FastAPI would otherwise hop to a worker thread for each one, which costs more than the work
# (GIL hand-offs). Exports, which write files, go to the thread pool explicitly.
async def limit_query(limit: Annotated[int, Query(ge=1, description=(
        f"Features per page (default {DEFAULT_LIMIT}); above {MAX_LIMIT} it is capped, "
        "not refused."))] = DEFAULT_LIMIT) -> int:
    return min(limit, MAX_LIMIT)


async def offset_query(offset: Annotated[int, Query(ge=0, description="Features to skip.")] = 0):
    return offset


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ApiError(400, f"{name}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ApiError(400, f"{name}: {text!r} is not a finite number")
    return value


async def bbox_query(bbox: Annotated[str | None, Query(description=(
        "minLon,minLat,maxLon,maxLat in CRS84 (6 numbers with heights are accepted; "
        "minLon > maxLon crosses the antimeridian)."))] = None) -> list[shapely.Geometry] | None:
    if bbox is None:
        return None
    parts = bbox.split(",")
    if len(parts) not in (4, 6):
        raise ApiError(400, f"bbox: expected 4 or 6 comma-separated numbers "
                            f"(minLon,minLat,maxLon,maxLat), got {len(parts)}")
    numbers = [_number(p.strip(), "bbox") for p in parts]
    west, south, east, north = (numbers[:2] + numbers[2:4]) if len(parts) == 4 else \
        (numbers[0], numbers[1], numbers[3], numbers[4])
    for value, limit, what in ((west, 180, "longitude"), (east, 180, "longitude"),
                               (south, 90, "latitude"), (north, 90, "latitude")):
        if abs(value) > limit:
            raise ApiError(400, f"bbox: {what} {value:g} is outside [-{limit}, {limit}]")
    if south > north:
        raise ApiError(400, f"bbox: minLat {south:g} is greater than maxLat {north:g}")
    if west > east:  # crosses the antimeridian
        return [shapely.box(west, south, 180, north), shapely.box(-180, south, east, north)]
    return [shapely.box(west, south, east, north)]


def _crs(value: str | None, name: str) -> None:
    if value not in (None, CRS84, "CRS84", "OGC:CRS84"):
        raise ApiError(400, f"{name}: only {CRS84} is supported, got {value!r}")


async def crs_query(crs: Annotated[str | None, Query(description=f"Only {CRS84}.")] = None,
                    bbox_crs: Annotated[str | None, Query(alias="bbox-crs",
                                                          description=f"Only {CRS84}.")] = None,
                    filter_crs: Annotated[str | None, Query(alias="filter-crs",
                                                            description=f"Only {CRS84}.")] = None):
    for value, name in ((crs, "crs"), (bbox_crs, "bbox-crs"), (filter_crs, "filter-crs")):
        _crs(value, name)


def _date(text: str) -> dt.date:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date() \
            if "T" in text else dt.date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, f"datetime: {text!r} is not a date (YYYY-MM-DD) or an "
                            "RFC 3339 instant") from None


async def datetime_query(datetime: Annotated[str | None, Query(description=(
        "Membership as of this date (YYYY-MM-DD or an RFC 3339 instant); default: the "
        "latest texts. An interval start/end (either end may be '..') selects the "
        "memberships in force at any time in it; units and platforms are then as of its "
        "end."))] = None) -> dt.date | Period | None:
    if datetime is None:
        return None
    if "/" not in datetime:
        return _date(datetime)
    start, _, end = datetime.partition("/")
    period = Period(*(None if part in ("", "..") else _date(part) for part in (start, end)))
    if period.start and period.end and period.start > period.end:
        raise ApiError(400, f"datetime: the interval {datetime!r} ends before it starts")
    return period


async def as_of_query(datetime: Annotated[str | None, Query(description=(
        "Membership as of this date (YYYY-MM-DD); default: the latest texts."))] = None
                      ) -> dt.date | None:
    if datetime is not None and "/" in datetime:
        raise ApiError(400, "datetime: give one date (membership as of that date), "
                            "e.g. 2022-06-30, not an interval")
    return None if datetime is None else _date(datetime)


async def resolution_query(resolution: Annotated[str, Query(description=(
        "Geometry detail: full (for analysis, the default) or a display resolution "
        f"({', '.join(RESOLUTIONS)})."))] = "full") -> str:
    if resolution not in RESOLUTION_NAMES:
        raise ApiError(400, f"resolution: expected one of {', '.join(RESOLUTION_NAMES)}, "
                            f"got {resolution!r}")
    return resolution


async def datum_query(datum: Annotated[str, Query(description=(
        "wgs84 (default, RFC 7946) or gcj02: coordinates shifted for Amap base maps; "
        "such output is labelled GCJ-02 and is not valid RFC 7946 GeoJSON."))] = "wgs84"):
    if datum not in ("wgs84", "gcj02"):
        raise ApiError(400, f"datum: expected wgs84 or gcj02, got {datum!r}")
    return datum


async def filter_query(filter_: Annotated[str | None, Query(alias="filter", description=(
        "A CQL2 filter (text or JSON, see filter-lang) on the queryables; spatial "
        "functions use full-resolution geometry."))] = None,
                       filter_lang: Annotated[str, Query(alias="filter-lang")] = "cql2-text"):
    if filter_ is None:
        return None
    try:
        return parse(filter_, filter_lang)
    except FilterError as error:
        raise ApiError(400, f"filter: {error}") from None


def _negotiate(accept: str) -> str:
    """``json`` or ``html`` from an Accept header: the highest q wins, the first on a tie,
    JSON when neither is named."""
    best, best_q = "json", 0.0
    for part in accept.split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        q = 1.0
        for name, _, value in (p.partition("=") for p in params):
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        kind = "html" if media in ("text/html", "application/xhtml+xml") else \
            "json" if media.endswith("json") else None
        if kind and q > best_q:
            best, best_q = kind, q
    return best


def _output(request: Request, f: str | None, allowed: tuple[str, ...]) -> str:
    if f is None:
        return _negotiate(request.headers.get("accept", ""))
    if f not in allowed:
        raise ApiError(400, f"f: unsupported format {f!r}; supported: {', '.join(allowed)}")
    return f


async def output_query(request: Request, f: Annotated[str | None, Query(description=(
        f"Output: {', '.join(OUTPUTS)}: json is the GeoJSON page with links, geojson and "
        "the others download a file. Without it the Accept header decides between JSON "
        "and HTML."))] = None) -> str:
    return _output(request, f, OUTPUTS)


async def page_output_query(request: Request, f: Annotated[str | None, Query(description=(
        "Output: json or html. Without it the Accept header decides."))] = None) -> str:
    return _output(request, f, ("json", "html"))


def _known(request: Request, allowed: set[str]) -> None:
    """Refuse unknown parameters, and values that are not UTF-8 once percent-decoded
    (Starlette would silently turn them into U+FFFD)."""
    for part in request.scope["query_string"].split(b"&"):
        name, _, value = part.partition(b"=")
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            shown = unquote_to_bytes(name).decode("utf-8", errors="replace")
            raise ApiError(400, f"{shown}: the value is not UTF-8 text") from None
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ApiError(400, f"unknown parameter{'s' if len(unknown) > 1 else ''} "
                            f"{', '.join(unknown)}; accepted: {', '.join(sorted(allowed))}")


# -- representation helpers -----------------------------------------------------------
def _href(request: Request, path: str | None = None, **params) -> str:
    base = str(request.base_url).rstrip("/")
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}{path if path is not None else request.url.path}" + \
        (f"?{query}" if query else "")


def _page_href(request: Request, **changes) -> str:
    params = dict(request.query_params)
    params.update({k: str(v) for k, v in changes.items()})
    return _href(request, **params)


class Cached(Response):
    """A response with a weak ETag (hash of the body), a public Cache-Control and
    ``Vary: Accept``; ``If-None-Match`` with that tag gets 304 Not Modified.

    The tag is weak because the body may travel gzipped. Bodies are compressed here, once
    per distinct body (:func:`_gzipped` keeps them), rather than by the middleware on every
    request: the data does not change while the app runs.
    """

    def __init__(self, content: bytes, request: Request, media_type: str, **kwargs):
        digest = hashlib.blake2b(content, digest_size=16).hexdigest()
        headers = {"ETag": f'W/"{digest}"', "Cache-Control": "public, max-age=3600",
                   "Vary": "Accept, Accept-Encoding", **kwargs.pop("headers", {})}
        if _matches(request.headers.get("if-none-match"), digest):
            super().__init__(status_code=304, headers=headers)
            return
        if len(content) >= GZIP_MINIMUM and "gzip" in request.headers.get("accept-encoding", ""):
            content, headers["Content-Encoding"] = _gzipped(content), "gzip"
        super().__init__(content, media_type=media_type, headers=headers, **kwargs)


@functools.lru_cache(maxsize=128)
def _gzipped(content: bytes) -> bytes:
    return gzip.compress(content, compresslevel=6, mtime=0)


def _matches(if_none_match: str | None, digest: str) -> bool:
    """Whether an If-None-Match header names this tag (weak comparison) or is ``*``."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/").strip('"') for t in if_none_match.split(",")]
    return "*" in tags or digest in tags


class HeadAsGet:
    """HEAD answers as GET does, without the body (HTTP requires HEAD wherever GET is)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class SecurityHeaders:
    """``X-Content-Type-Options: nosniff`` on every response; a strict
    Content-Security-Policy on HTML that does not bring its own (the map page does)."""

    POLICY = (b"default-src 'self'; object-src 'none'; base-uri 'none'; "
              b"frame-ancestors 'none'; form-action 'self'")

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.append((b"x-content-type-options", b"nosniff"))
                html = any(n.lower() == b"content-type" and v.startswith(b"text/html")
                           for n, v in headers)
                if html and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.POLICY))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _extent(frame) -> dict:
    west, south, east, north = (round(float(v), 6) for v in frame.total_bounds)
    return {"spatial": {"bbox": [[west, south, east, north]], "crs": CRS84}}


# -- the OpenAPI document ----------------------------------------------------------------
# What the type hints cannot tell FastAPI: OGC's parameter definitions (QGIS and GDAL read
# the limit's maximum and default, and bbox is an array of numbers), closed value lists.
PARAMETER_SCHEMAS = {
    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    "bbox": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
    "filter-lang": {"type": "string", "enum": list(LANGUAGES), "default": "cql2-text"},
    "resolution": {"type": "string", "enum": list(RESOLUTION_NAMES), "default": "full"},
    "datum": {"type": "string", "enum": ["wgs84", "gcj02"], "default": "wgs84"},
    **{name: {"type": "string", "format": "uri", "default": CRS84}
       for name in ("crs", "bbox-crs", "filter-crs")},
}
PROBLEM_SCHEMA = {  # the one error shape, as the handlers of _add_error_handlers write it
    "type": "object", "required": ["type", "title", "status", "detail", "code"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "detail": {"type": "string"},
                   "instance": {"type": "string"}, "code": {"type": "string"},
                   "description": {"type": "string"}}}
_JSON_AND_HTML = ["application/json", "text/html"]
_FEATURES = [GEOJSON, "text/html", *(spec.media_type for spec in FORMATS.values())]
RESPONSE_TYPES = {"/": _JSON_AND_HTML, "/conformance": _JSON_AND_HTML,
                  "/api": [OPENAPI, "text/html"], "/collections": _JSON_AND_HTML,
                  "/collections/{collection}": _JSON_AND_HTML,
                  "/collections/{collection}/queryables": ["application/schema+json",
                                                           "text/html"],
                  "/collections/{collection}/items": _FEATURES,
                  "/collections/{collection}/items/{feature_id}": _FEATURES,
                  "/query": ["application/json", "text/html", "text/csv",
                             "application/geo+json"]}


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


def openapi_document(app: FastAPI, catalogue: Catalogue) -> dict:
    """The API's OpenAPI 3.0 document, self-contained (every ``$ref`` is local).

    FastAPI's document is made OGC-shaped: errors are 400/404 problem details (not 422),
    query parameters are ``form``/unexploded with OGC's schemas, the limit is the shared
    ``#/components/parameters/limit`` and every collection has its own paths, its items
    listing the queryables as parameters (where QGIS and GDAL look for them).
    """
    document = _oas30(get_openapi(title=app.title, version=app.version,
                                  openapi_version="3.0.3", description=app.description,
                                  routes=app.routes))
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    document["components"] = {
        "schemas": {"Problem": PROBLEM_SCHEMA},
        "responses": {
            "InvalidParameter": {"description": "An unknown or invalid parameter",
                                 "content": problem},
            "NotFound": {"description": "No such collection or feature", "content": problem}},
        "parameters": {"limit": {
            "name": "limit", "in": "query", "required": False, "style": "form",
            "explode": False, "schema": PARAMETER_SCHEMAS["limit"],
            "description": f"Features per page (default {DEFAULT_LIMIT}); above "
                           f"{MAX_LIMIT} it is capped, not refused."}}}
    paths = {}
    for path, item in document["paths"].items():
        for operation in item.values():
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
                        catalogue.frame(cid), {p.get("name") for p in operation["parameters"]})
            paths[path.replace("{collection}", cid)] = expanded
    document["paths"] = paths
    return document


def _describe_operation(operation: dict, path: str) -> None:
    parameters = []
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query":
            parameter.update(style="form", explode=False)
            if parameter["name"] in PARAMETER_SCHEMAS:
                parameter["schema"] = PARAMETER_SCHEMAS[parameter["name"]]
            if parameter["name"] == "limit":
                parameter = {"$ref": "#/components/parameters/limit"}
        parameters.append(parameter)
    operation["parameters"] = parameters
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    responses["400"] = {"$ref": "#/components/responses/InvalidParameter"}
    if "{" in path:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    if path in RESPONSE_TYPES and "200" in responses:
        responses["200"]["content"] = {media: {} for media in RESPONSE_TYPES[path]}


def _queryable_parameters(frame, taken: set[str]) -> list[dict]:
    """``name=value`` filters on the queryables (a list property matches if it holds it)."""
    parameters = []
    for name in frame.columns.drop(frame.geometry.name):
        if name in taken:
            continue
        schema = _schema(frame[name])
        if schema["type"] in ("array", "object"):
            schema = {"type": "string", "description": "matches when the list holds it"}
        parameters.append({"name": name, "in": "query", "required": False, "style": "form",
                           "explode": False, "schema": schema,
                           "description": f"Only features whose {name} is this value"})
    return parameters


# -- the application ---------------------------------------------------------------------
def create_app(cache_directory=None, registry_directory=None) -> FastAPI:
    """Load the data (refusing an invalid registry) and build the app around it."""
    atlas = layers.load(geo.load(cache_directory), registry_directory)
    catalogue, questions, downloads = Catalogue(atlas), Questions(atlas), Downloads()
    map_page = webmap.page(atlas)
    map_headers = {"Content-Security-Policy": webmap.content_security_policy(map_page)}
    for name in COLLECTIONS:  # build the default views now, not on the first requests
        for resolution in PREBUILT:
            catalogue.features(name, None, resolution)
    templates = Jinja2Templates(directory=HERE / "static" / "templates")
    app = FastAPI(title="Chengyu Atlas 成渝地图", version="0.1.0", openapi_url=None,
                  docs_url=None, redoc_url=None,
                  description="County-level units of 重庆 and 四川 and the planning entities "
                              "of the 成渝地区双城经济圈, as OGC API – Features.")
    _add_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM, compresslevel=6)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"],
                       expose_headers=["ETag", "Content-Disposition"])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    webmap.mount(app)
    app.state.catalogue, app.state.questions = catalogue, questions

    async def features_of(name: str, on, resolution: str) -> Features:
        """A collection's features. Views other than the prebuilt ones are built off the
        event loop: a first request for a date takes up to a second and must not stall the
        requests of others meanwhile."""
        if on is None and resolution in PREBUILT:
            return catalogue.features(name, None, resolution)
        return await run_in_threadpool(catalogue.features, name, on, resolution)

    async def collection_id(collection: str) -> str:
        if collection not in COLLECTIONS:
            raise ApiError(404, f"no collection {collection!r}; collections: "
                                f"{', '.join(COLLECTIONS)}")
        return collection

    def html(request, name, **context):
        return templates.TemplateResponse(request, name, context)

    def describe(request: Request, cid: str) -> dict:
        spec, frame = COLLECTIONS[cid], catalogue.frame(cid)
        items = _href(request, f"/collections/{cid}/items")
        return {"id": cid, "title": spec.title, "description": spec.description,
                "itemType": "feature", "crs": [CRS84], "storageCrs": CRS84,
                "extent": _extent(frame),
                "links": [
                    {"rel": "self", "type": "application/json",
                     "href": _href(request, f"/collections/{cid}", f="json")},
                    {"rel": "items", "type": GEOJSON, "href": items + "?f=json"},
                    {"rel": "items", "type": "text/html", "href": items + "?f=html"},
                    {"rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                     "type": "application/schema+json",
                     "href": _href(request, f"/collections/{cid}/queryables")},
                    *({"rel": "enclosure", "type": spec_.media_type,
                       "title": f"all {cid} as {name}",
                       "href": items + f"?f={name}&limit={MAX_LIMIT}"}
                      for name, spec_ in FORMATS.items())]}

    @app.get("/", summary="Landing page (the map, as HTML)")
    async def landing(request: Request, f: Annotated[str, Depends(page_output_query)]):
        _known(request, {"f"})
        if f == "html":
            return Cached(map_page.encode(), request, "text/html; charset=utf-8",
                          headers=map_headers)
        body = {"title": app.title, "description": app.description, "links": [
            {"rel": "self", "type": "application/json", "href": _href(request, "/", f="json")},
            {"rel": "alternate", "type": "text/html", "href": _href(request, "/", f="html")},
            {"rel": "service-desc", "type": OPENAPI, "href": _href(request, "/api")},
            {"rel": "service-doc", "type": "text/html", "href": _href(request, "/api", f="html")},
            {"rel": "conformance", "type": "application/json",
             "href": _href(request, "/conformance")},
            {"rel": "data", "type": "application/json", "href": _href(request, "/collections")},
        ]}
        return Cached(dumps(body), request, "application/json")

    @app.get("/conformance", summary="Conformance classes met")
    async def conformance(request: Request, f: Annotated[str, Depends(page_output_query)]):
        _known(request, {"f"})
        if f == "html":
            return html(request, "document.html", title="Conformance classes",
                        listed=CONFORMANCE, json=_href(request, f="json"))
        return Cached(dumps({"conformsTo": CONFORMANCE}), request, "application/json")

    @app.get("/api", summary="This API's OpenAPI 3.0 document")
    async def api(request: Request, f: Annotated[str, Depends(page_output_query)]):
        _known(request, {"f"})
        document = app.openapi()
        if f == "html":
            return html(request, "api.html", document=document)
        return Cached(dumps(document), request, OPENAPI)

    @app.get("/collections", summary="The feature collections")
    async def collections(request: Request, f: Annotated[str, Depends(page_output_query)]):
        _known(request, {"f"})
        body = {"collections": [describe(request, c) for c in COLLECTIONS], "links": [
            {"rel": "self", "type": "application/json",
             "href": _href(request, "/collections", f="json")}]}
        if f == "html":
            return html(request, "collections.html", body=body)
        return Cached(dumps(body), request, "application/json")

    @app.get("/collections/{collection}", summary="One collection")
    async def collection(request: Request, cid: Annotated[str, Depends(collection_id)],
                   f: Annotated[str, Depends(page_output_query)]):
        _known(request, {"f"})
        body = describe(request, cid)
        if f == "html":
            return html(request, "collections.html", body={"collections": [body]})
        return Cached(dumps(body), request, "application/json")

    @app.get("/collections/{collection}/queryables", summary="Properties usable in filters")
    async def queryables(request: Request, cid: Annotated[str, Depends(collection_id)],
                   f: Annotated[str, Depends(page_output_query)]):
        _known(request, {"f"})
        frame = catalogue.frame(cid)
        properties = {name: _schema(frame[name]) for name in frame.columns}
        kinds = set(frame.geom_type)
        properties[frame.geometry.name] = {
            "format": f"geometry-{kinds.pop().lower()}" if len(kinds) == 1 else "geometry-any",
            "x-ogc-role": "primary-geometry"}
        body = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": _href(request, f"/collections/{cid}/queryables"), "type": "object",
                "title": COLLECTIONS[cid].title, "properties": properties,
                "additionalProperties": False}
        if f == "html":
            return html(request, "document.html", title=f"Queryables of {cid}",
                        properties=properties, json=_href(request, f="json"))
        return Cached(dumps(body), request, "application/schema+json")

    items_params = {"limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "filter",
                    "filter-lang", "filter-crs", "f", "resolution", "datum"}

    @app.get("/collections/{collection}/items", summary="Features, filtered and paged")
    async def items(request: Request, cid: Annotated[str, Depends(collection_id)],
              limit: Annotated[int, Depends(limit_query)],
              offset: Annotated[int, Depends(offset_query)],
              boxes: Annotated[list | None, Depends(bbox_query)],
              on: Annotated[dt.date | Period | None, Depends(datetime_query)],
              cql: Annotated[object, Depends(filter_query)],
              resolution: Annotated[str, Depends(resolution_query)],
              datum: Annotated[str, Depends(datum_query)],
              f: Annotated[str, Depends(output_query)],
              _: Annotated[None, Depends(crs_query)]):
        found = await features_of(cid, on, resolution)
        frame = found.frame
        _known(request, items_params | set(frame.columns))
        mask = np.ones(len(frame), dtype=bool)
        if boxes:
            hits = np.concatenate([found.tree.query(b, predicate="intersects") for b in boxes])
            mask[:] = False
            mask[hits] = True
        for name in set(request.query_params) - items_params:
            mask &= _equals(frame[name], request.query_params[name]).to_numpy()
        if cql is not None:
            try:
                mask &= evaluate(frame, cql).to_numpy()
            except FilterError as error:
                raise ApiError(400, f"filter: {error}") from None
        selected = np.flatnonzero(mask)
        if f in FORMATS:  # a download holds the whole result unless a limit is given
            rows = selected[offset:offset + limit] if "limit" in request.query_params \
                else selected[offset:]
            return await run_in_threadpool(downloads.respond, request,
                                           found.at_resolution(rows), cid, f, datum)
        page = selected[offset:offset + limit]
        return _feature_page(request, found, cid, page, len(selected), offset, limit, f, datum,
                             html)

    @app.get("/collections/{collection}/items/{feature_id}", summary="One feature")
    async def item(request: Request, cid: Annotated[str, Depends(collection_id)], feature_id: str,
             on: Annotated[dt.date | Period | None, Depends(datetime_query)],
             resolution: Annotated[str, Depends(resolution_query)],
             datum: Annotated[str, Depends(datum_query)],
             f: Annotated[str, Depends(output_query)],
             _: Annotated[None, Depends(crs_query)]):
        _known(request, {"f", "datetime", "resolution", "datum", "crs"})
        found = await features_of(cid, on, resolution)
        if feature_id not in found.positions:
            when = f" at datetime={request.query_params['datetime']}" if on else ""
            raise ApiError(404, f"no feature {feature_id!r} in {cid}{when}")
        if f in FORMATS:  # a platform downloads with its member units
            if cid == "platforms":
                members = await features_of("memberships", on, resolution)
                frame = members.at_resolution(np.flatnonzero(members.frame.entity == feature_id))
            else:
                frame = found.at_resolution([found.positions[feature_id]])
            return await run_in_threadpool(downloads.respond, request, frame,
                                           f"{cid}-{feature_id}", f, datum)
        if f == "html":
            return html(request, "feature.html", collection=cid, feature_id=feature_id,
                        properties=found.frame.loc[feature_id].drop("geometry").to_dict())
        position = found.positions[feature_id]
        body = found.serialised[position] if datum == "wgs84" else \
            _shifted(found.at_resolution([position]))[0]
        links = dumps([{"rel": "self", "type": GEOJSON, "href": _page_href(request, f="json")},
                       {"rel": "alternate", "type": "text/html",
                        "href": _page_href(request, f="html")},
                       {"rel": "collection", "type": "application/json",
                        "href": _href(request, f"/collections/{cid}")}])
        label = b',"datum":' + dumps(GCJ02_LABEL) if datum == "gcj02" else b""
        return Cached(body[:-1] + b',"links":' + links + label + b"}", request, GEOJSON,
                      headers=_content_crs(datum))

    @app.get("/query", summary="Ask a spatial question in Chinese or English")
    async def query(request: Request, q: Annotated[str, Query(min_length=1, max_length=500,
                                                        description=(
            "e.g. 'platforms touching 广安', '万达开有哪些区县', 'units within 30 km of 成都'"))],
              on: Annotated[dt.date | None, Depends(as_of_query)],
              f: Annotated[str | None, Query(description="json, html, csv or geojson")] = None):
        _known(request, {"q", "datetime", "f"})
        f = _output(request, f, ("json", "html", "csv", "geojson"))
        try:  # off the event loop: a first question about a date or a distance takes a while
            answer = await run_in_threadpool(questions.ask, q, on)
        except QuestionError as error:
            raise ApiError(400, f"q: {error}") from None
        if f == "html":
            return html(request, "answer.html", query_json=urlencode({**request.query_params,
                                                                     "f": "json"}),
                        **await run_in_threadpool(html_context, answer, atlas))
        if f == "csv":
            return Cached(csv_text(answer).encode(), request, "text/csv; charset=utf-8")
        if f == "geojson":
            body = await run_in_threadpool(hits_geojson, answer, atlas)
            return Cached(dumps(body), request, "application/geo+json")
        return Cached(dumps(answer), request, "application/json")

    app.openapi = functools.cache(lambda: openapi_document(app, catalogue))
    return app


def _schema(values) -> dict:
    """JSON Schema of a property, from the values of its column."""
    sample = next((v for v in values if v is not None and v == v), None)
    if isinstance(sample, (list, tuple, np.ndarray)):
        return {"type": "array"}
    if isinstance(sample, dict):
        return {"type": "object"}
    if isinstance(sample, (bool, np.bool_)):
        return {"type": "boolean"}
    if isinstance(sample, (int, np.integer)):
        return {"type": "integer"}
    if isinstance(sample, (float, np.floating)):
        return {"type": "number"}
    if isinstance(sample, dt.date):
        return {"type": "string", "format": "date"}
    return {"type": "string"}


def _equals(column, wanted: str):
    """Property filter ``name=value``: equality, or membership for list properties."""
    sample = next((v for v in column if isinstance(v, list)), None)
    if sample is not None:
        return column.map(lambda v: isinstance(v, list) and wanted in v)
    if column.dtype.kind in "if":
        return column == _number(wanted, column.name)
    return column.astype(str) == wanted


def _shifted(frame) -> list[bytes]:
    """Features of ``frame`` with coordinates shifted to GCJ-02."""
    properties = [c for c in frame.columns if c != frame.geometry.name]
    return features(frame, "id", geometries_to_gcj02(frame.geometry.values), properties)


def _feature_page(request, found, cid, page, matched, offset, limit, f, datum, html):
    if f == "html":
        return html(request, "items.html", collection=cid,
                    frame=found.frame.iloc[page].drop(columns="geometry"),
                    matched=matched, offset=offset, limit=limit,
                    next=_page_href(request, offset=offset + limit)
                    if offset + limit < matched else None,
                    prev=_page_href(request, offset=max(0, offset - limit)) if offset else None,
                    json=_page_href(request, f="json"))
    serialised = found.page(page) if datum == "wgs84" else \
        _shifted(found.at_resolution(page))
    links = [{"rel": "self", "type": GEOJSON, "href": _page_href(request, f="json")},
             {"rel": "alternate", "type": "text/html", "href": _page_href(request, f="html")},
             {"rel": "collection", "type": "application/json",
              "href": _href(request, f"/collections/{cid}")}]
    if offset + limit < matched:
        links.append({"rel": "next", "type": GEOJSON,
                      "href": _page_href(request, offset=offset + limit)})
    if offset:
        links.append({"rel": "prev", "type": GEOJSON,
                      "href": _page_href(request, offset=max(0, offset - limit))})
    extra = {"datum": GCJ02_LABEL} if datum == "gcj02" else {}
    body = feature_collection(serialised, numberMatched=matched,
                              numberReturned=len(serialised), links=links, **extra)
    return Cached(body, request, GEOJSON, headers=_content_crs(datum))


def _content_crs(datum: str) -> dict:
    """OGC API – Features Part 2's Content-Crs header (none for GCJ-02, which has no URI)."""
    return {"Content-Crs": f"<{CRS84}>"} if datum == "wgs84" else {}


class Downloads:
    """Export files already made, by request URL (the data does not change while the app
    runs), the most recent ``kept``; made in the thread pool, hence the lock."""

    def __init__(self, kept: int = 32):
        self.kept, self.files, self.lock = kept, collections.OrderedDict(), threading.Lock()

    def respond(self, request, frame, name, fmt, datum) -> Response:
        """``frame`` as a file in format ``fmt``, named for what it holds."""
        key = str(request.url)
        with self.lock:
            data = self.files.get(key)
        if data is None:
            data = export(frame.reset_index(drop=True), fmt, name.replace("-", "_"), datum)
            with self.lock:
                self.files[key] = data
                while len(self.files) > self.kept:
                    self.files.popitem(last=False)
        suffix = "-gcj02" if datum == "gcj02" else ""
        filename = f"chengyu-{name}{suffix}.{FORMATS[fmt].extension}"
        return Cached(data, request, FORMATS[fmt].media_type,
                      headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def __getattr__(name: str):
    """``server.app``: built on first access, so importing this module stays cheap."""
    if name == "app":
        try:
            globals()["app"] = create_app()
        except (CacheError, SourceError, layers.RegistryError) as error:
            print(f"chengyu: cannot start: {error}", file=sys.stderr)
            raise SystemExit(1) from None
        return globals()["app"]
    raise AttributeError(name)
