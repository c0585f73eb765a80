"""Responses: content negotiation, links, tagged bodies (ETag/304, gzip), downloads and
the headers every response carries.

>>> negotiate("text/html,application/xml;q=0.9"), negotiate("*/*"), negotiate("")
('html', 'json', 'json')
>>> merge_vary([b"Accept, Accept-Encoding", b"Accept-Encoding", b"Origin"])
b'Accept, Accept-Encoding, Origin'
>>> merge_vary([b"Accept, Origin", b"origin"], drop=frozenset({b"origin"}))
b'Accept'
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import time
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from api.response_cache import etag_matches
from api.settings import Settings
from formats.exports import FORMATS, export

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
GCJ02_LABEL = "GCJ-02 (shifted for Amap base maps; not RFC 7946)"
GZIP_MINIMUM = 1000  # bytes; smaller bodies go out as they are
COMPRESSED = {"application/zip", "image/png", "application/vnd.apache.parquet"}  # not gzipped
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")  # package data


def negotiate(accept: str) -> str:
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


def public_base(request: Request) -> str:
    """Where links point: the ``public_url`` setting; else this request's scheme and Host if
    the Host is among ``allowed_hosts``; else the address the connection reached. A Host
    header is never echoed unchecked (it would let anyone plant links in cached pages).
    """
    settings = getattr(request.app.state, "settings", None) or Settings()  # an app of its own
    if settings.public_url:
        return settings.public_url.rstrip("/")
    allowed = {name.strip("[]").lower() for name in settings.allowed_hosts}
    if "*" in allowed or (request.url.hostname or "").lower() in allowed:
        return str(request.base_url).rstrip("/")
    if not request.scope.get("server"):  # a Unix socket: links relative to the root
        return request.scope.get("root_path", "")
    host, port = request.scope["server"]
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(request.url.scheme)
    return (f"{request.url.scheme}://{host}{'' if port == default else f':{port}'}"
            f"{request.scope.get('root_path', '')}")


def href(request: Request, path: str | None = None, **params) -> str:
    """An absolute link to ``path`` (default: this request's) with ``params`` (None: left out).

    The links of JSON documents name a JSON representation by their ``type`` alone, with a
    clean path (no ``f=json``): clients such as GDAL extend an ``items`` link with
    ``/{featureId}``, and ask for the type through ``Accept``. Only other representations
    (``f=html``, the downloads) carry ``f``.
    """
    base = public_base(request)
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}{path if path is not None else request.url.path}" + \
        (f"?{query}" if query else "")


def page_href(request: Request, **changes) -> str:
    """A link to this request with some parameters changed (another page, another format;
    None removes one)."""
    params = dict(request.query_params)
    params.update({k: None if v is None else str(v) for k, v in changes.items()})
    return href(request, **params)


def html(request: Request, template: str, **context) -> Response:
    """A page rendered from the app's templates (``api/templates``, not served as files),
    tagged like every other answer (ETag, 304)."""
    return Cached(TEMPLATES.TemplateResponse(request, template, context).body, request,
                  "text/html")


def content_crs(datum: str) -> dict:
    """OGC API – Features Part 2's Content-Crs header (none for GCJ-02, which has no URI)."""
    return {"Content-Crs": f"<{CRS84}>"} if datum == "wgs84" else {}


def time_stamped(document: bytes) -> tuple[bytes, dict]:
    """A JSON object with ``timeStamp``, when the response is generated (to the second, UTC),
    and ``Expires`` at the end of that second: the response cache (:mod:`api.response_cache`)
    makes it anew after. Shared caches get :mod:`api.freshness`'s Cache-Control instead: a
    copy they keep says when it was made, and its ETag ignores the stamp.

    >>> body, headers = time_stamped(b'{"a":1}')
    >>> body[:21], sorted(headers)
    (b'{"a":1,"timeStamp":"2', ['Expires'])
    """
    second = int(time.time())
    stamp = dt.datetime.fromtimestamp(second, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (document[:-1] + b',"timeStamp":"' + stamp.encode() + b'"}',
            {"Expires": email.utils.formatdate(second + 1, usegmt=True)})


class Cached(Response):
    """A response with a weak ETag (hash of the body, or of ``tag_of``: the body but for its
    ``timeStamp``) and ``Vary: Accept, Accept-Encoding`` (Cache-Control is
    :mod:`api.freshness`'s); ``If-None-Match`` with that tag gets 304.

    The tag is weak because the body may travel gzipped, or differ by its time stamp. Bodies
    are compressed here, with the body's own tag kept; the finished response, compressed, is
    what the response cache (:mod:`api.response_cache`) keeps and repeats.
    """

    def __init__(self, content: bytes, request: Request, media_type: str,
                 tag_of: bytes | None = None, **kwargs):
        digest = hashlib.blake2b(content if tag_of is None else tag_of,
                                 digest_size=16).hexdigest()
        headers = {"ETag": f'W/"{digest}"', "Vary": "Accept, Accept-Encoding", **kwargs.pop("headers", {})}
        if etag_matches(request.headers.get("if-none-match", "").encode("latin-1"),
                        headers["ETag"].encode()):
            super().__init__(status_code=304, headers=headers)
            return
        if len(content) >= GZIP_MINIMUM and media_type not in COMPRESSED and \
                "gzip" in request.headers.get("accept-encoding", ""):
            content = gzip.compress(content, compresslevel=6, mtime=0)
            headers["Content-Encoding"] = "gzip"
        super().__init__(content, media_type=media_type, headers=headers, **kwargs)


def download(request: Request, frame, name: str, fmt: str, datum: str) -> Response:
    """``frame`` as a file in format ``fmt``, named for what it holds (the response cache
    keeps the finished file for the next request of it)."""
    made = export(frame.reset_index(drop=True), fmt, name.replace("-", "_"), datum)
    suffix = "-gcj02" if datum == "gcj02" else ""
    filename = f"chengyu-{name}{suffix}.{FORMATS[fmt].extension}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"',
               **content_crs(datum)}
    if made.notes:  # RFC 9111's Warning (299: persistent), as a reader of the file needs it
        headers["Warning"] = ", ".join(f'299 - "{note}"' for note in made.notes)
    return Cached(made.data, request, FORMATS[fmt].media_type, headers=headers)


def merge_vary(values: list[bytes], drop: frozenset[bytes] = frozenset()) -> bytes:
    """One ``Vary`` value from several, each header named once (case-insensitively), none
    of ``drop`` (lower case)."""
    names = {}
    for value in values:
        for name in value.split(b","):
            if name.strip() and name.strip().lower() not in drop:
                names.setdefault(name.strip().lower(), name.strip())
    return b", ".join(names.values())


class ResponseHeaders:
    """ASGI middleware, outermost: ``X-Content-Type-Options: nosniff`` on every response, a
    strict Content-Security-Policy on HTML that does not bring its own (the map page does),
    and one ``Vary`` header naming each header once, whoever added it.

    ``cors``: when the API answers any origin (``*``), the CORS headers every response
    carries, asked or not; ``Vary`` then never names ``Origin``, since nothing varies by it
    (else a shared cache would keep one copy per site)."""

    POLICY = (b"default-src 'self'; object-src 'none'; base-uri 'none'; "
              b"frame-ancestors 'none'; form-action 'self'")

    def __init__(self, app, cors: list[tuple[bytes, bytes]] | None = None):
        self.app, self.cors = app, cors

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": self.headers(message.get("headers", []))}
            await send(message)

        await self.app(scope, receive, with_headers)

    def headers(self, headers) -> list[tuple[bytes, bytes]]:
        vary = [value for name, value in headers if name.lower() == b"vary"]
        headers = [(name, value) for name, value in headers if name.lower() != b"vary"]
        if self.cors:
            given = {name.lower() for name, _ in headers}
            headers += [(name, value) for name, value in self.cors if name not in given]
        vary = merge_vary(vary, frozenset({b"origin"}) if self.cors else frozenset())
        if vary:
            headers.append((b"vary", vary))
        headers.append((b"x-content-type-options", b"nosniff"))
        names = {name.lower() for name, _ in headers}
        is_html = any(n.lower() == b"content-type" and v.startswith(b"text/html")
                      for n, v in headers)
        if is_html and b"content-security-policy" not in names:
            headers.append((b"content-security-policy", self.POLICY))
        return headers
