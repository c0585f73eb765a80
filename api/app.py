"""The app factory: load the data, build the app around it, add the middleware.

Data flows one way: ``geo`` (boundaries) + the registry → ``layers`` (catalogue, questions) →
``formats``/``filtering`` → these routes. The routes reach the data through the dependencies
of :mod:`api.resources`, which read what :func:`create_app` puts on ``app.state``.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

import geo
import layers
import webmap
import webmap.assets
from api.budget import Budget
from api.errors import add_exception_handlers, problem
from api.freshness import Freshness
from api.openapi import openapi_document
from api.resources import MapPage
from api.response_cache import ResponseCache
from api.responses import GZIP_MINIMUM, ResponseHeaders, negotiate
from api.routes import collections, items, landing, pages, panel, questions
from api.settings import Settings
from api.version import data_version
from api.work import Worker
from layers.catalogue import Catalogue
from layers.questions import Questions

STATIC = Path(__file__).resolve().parents[1] / "static"  # the page's scripts and styles
TITLE = "Chengyu Atlas 成渝地图"
# What other sites' scripts may send (revalidation, negotiation) and read (CRS, file notes)
CORS_REQUEST_HEADERS = ["If-None-Match", "If-Modified-Since", "Accept", "Accept-Language"]
CORS_EXPOSED_HEADERS = ["ETag", "Content-Disposition", "Content-Crs", "Warning"]
DESCRIPTION = ("County-level units of 重庆 and 四川 and the planning entities of the "
               "成渝地区双城经济圈, as OGC API – Features.")


class HeadAsGet:
    """ASGI middleware: HEAD answers as GET does, without the body (HTTP requires HEAD
    wherever GET is)."""

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


class CrossOrigin(CORSMiddleware):
    """Starlette's CORS, passed by a request without ``Origin`` when any origin is allowed:
    all it would add is ``Vary: Origin``, which :class:`api.responses.ResponseHeaders` then
    drops (the CORS headers every response carries are its)."""

    async def __call__(self, scope, receive, send):
        if self.allow_all_origins and scope["type"] == "http" and \
                not any(name == b"origin" for name, _ in scope["headers"]):
            return await self.app(scope, receive, send)
        await super().__call__(scope, receive, send)


class LongUrls:
    """ASGI middleware: a request target (path and query) over ``max_bytes`` gets a 414
    problem document, before any parsing. (Past the HTTP parser's own buffer, which
    ``chengyu serve`` sets well above this, uvicorn answers a plain-text 400 itself.)"""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            size = len(scope.get("raw_path") or scope["path"].encode()) + \
                len(scope.get("query_string", b""))
            if size > self.max_bytes:
                message = (f"the URL is {size:,} bytes, longer than the {self.max_bytes:,} "
                           "accepted; shorten the filter or the question")
                return await problem(414, message, scope["path"][:200])(scope, receive, send)
        await self.app(scope, receive, send)


class StaticGZip:
    """ASGI middleware: Starlette's gzip for the static files under ``prefixes`` alone; the
    routes' answers are gzipped where they are made (:class:`api.responses.Cached`), and
    passing them through it cost each request tens of microseconds."""

    def __init__(self, app, prefixes: tuple[str, ...]):
        self.app, self.prefixes = app, prefixes
        self.gzip = GZipMiddleware(app, minimum_size=GZIP_MINIMUM, compresslevel=6)

    async def __call__(self, scope, receive, send):
        static = scope["type"] == "http" and scope["path"].startswith(self.prefixes)
        await (self.gzip if static else self.app)(scope, receive, send)


def map_page(atlas: layers.Layers, settings: Settings, version: str) -> MapPage:
    """The map page and its policy: made at its first request (:func:`made_once`, as
    ``app.state.map_page()``), not at start, which it would cost a third of a second and the
    import of folium."""
    html = webmap.page(atlas, page_limit=settings.page_limit,
                       edition=webmap.Edition(version=version))
    geo.memo.save()  # the names its search index spelled and folded
    return MapPage(html, webmap.content_security_policy(html))


def made_once(make):
    """``make()``, called once (under a lock: two first callers in two threads make it once)
    and kept."""
    kept, lock = functools.cache(make), threading.Lock()

    def once():
        with lock:
            return kept()
    return once


def create_app(settings: Settings | None = None) -> FastAPI:
    """Load the data (refusing an invalid registry) and build the app around it."""
    settings = settings or Settings()
    budget = Budget(settings.cache_bytes)
    atlas = layers.load(geo.load(settings.cache_dir), settings.registry_dir,
                        budget.region("outlines").memoize)
    catalogue = Catalogue(atlas, budget.region("views").memoize)
    catalogue.prebuild()
    app = FastAPI(title=TITLE, version="0.1.0", description=DESCRIPTION, openapi_url=None,
                  docs_url=None, redoc_url=None)
    version = data_version(atlas.boundaries.meta["fingerprint"],
                           Path(settings.registry_dir or layers.registry_dir()))
    app.state.settings, app.state.catalogue, app.state.budget = settings, catalogue, budget
    app.state.version = version
    app.state.questions = Questions(atlas, budget.region("answers").memoize)
    app.state.worker = Worker(settings.work_threads or min(4, os.cpu_count() or 1),
                              settings.time_limit)
    app.state.map_page = made_once(functools.partial(map_page, atlas, settings, version))
    geo.memo.save()  # the names spelled and folded: read at the next start
    add_exception_handlers(app)
    for module in (items, landing, pages, collections, questions, panel):  # items: most asked
        app.include_router(module.router)
    webmap.assets.mount(app)  # under an address naming their version, before the plain one
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    webmap.mount(app)
    # the page's files (``webmap.STATIC_URL`` is under /static/ too) and Leaflet's
    app.add_middleware(StaticGZip, prefixes=("/static/", webmap.VENDOR_URL + "/"))
    app.add_middleware(HeadAsGet)
    app.add_middleware(CrossOrigin, allow_origins=settings.cors_origins,
                       allow_methods=["GET"], allow_headers=CORS_REQUEST_HEADERS,
                       expose_headers=CORS_EXPOSED_HEADERS)
    app.add_middleware(LongUrls, max_bytes=settings.max_url_bytes)
    everyone = settings.cors_origins == ["*"]
    app.add_middleware(ResponseHeaders, cors=[  # sees every header, merges Vary
        (b"access-control-allow-origin", b"*"),
        (b"access-control-expose-headers", ", ".join(CORS_EXPOSED_HEADERS).encode())]
        if everyone else None)
    # outermost: a repeated GET is answered from the finished response, before routing
    app.add_middleware(ResponseCache, region=budget.region("responses"), negotiate=negotiate)
    # outside the response cache: ``v`` off the query first, Cache-Control on what it answers
    app.add_middleware(Freshness, version=version,
                       prefixes=(webmap.STATIC_URL + "/", webmap.VENDOR_URL + "/"))
    app.openapi = functools.cache(lambda: openapi_document(app, catalogue, settings))
    return app
