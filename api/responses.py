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
import functools
import hashlib
import io
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import quote_plus, urlencode

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from isal import isal_zlib

from api.response_cache import etag_matches
from api.settings import Settings
from formats.exports import FORMATS, export

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
GCJ02_LABEL = "GCJ-02 (shifted for Amap base maps; not RFC 7946)"
GZIP_MINIMUM = 1000  # bytes; smaller bodies go out as they are
# ISA-L's gzip: 12× zlib's level 6 on a 64 MB GeoJSON body (0.29 s, not 3.4 s), 7 % larger
GZIP_LEVEL, GZIP_WBITS = 2, 31  # wbits 16 + 15: a gzip header (no time stamp) and trailer
PIECE_BYTES = 2**20  # large bodies are hashed and compressed in pieces this size
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
    Worked out once per request (a page has several links) and kept in its scope, and
    once per setting and address (:func:`_base`).
    """
    scope = request.scope
    if BASE not in scope:
        settings = getattr(request.app.state, "settings", None) or Settings()  # an app alone
        server = scope.get("server")  # a list from some servers and clients
        address = (scope.get("type"), scope.get("scheme"), server and tuple(server),
                   scope.get("root_path"), scope.get("app_root_path"))
        scope[BASE] = _base(settings.public_url, tuple(settings.allowed_hosts), address,
                            next((value for name, value in scope["headers"]
                                  if name == b"host"), None))
    return scope[BASE]


BASE = "chengyu.public_base"  # the key of a request's scope that keeps its public base
ADDRESS = ("type", "scheme", "server", "root_path", "app_root_path")  # the scope's, it reads


@functools.lru_cache(maxsize=256)  # bounded: Host headers are the client's to choose
def _base(public_url: str | None, allowed_hosts: tuple[str, ...], address: tuple,
          host: bytes | None) -> str:
    """The public base of a request to ``address`` (scope items) with this Host header."""
    if public_url:
        return public_url.rstrip("/")
    scope = {key: value for key, value in zip(ADDRESS, address) if value is not None}
    request = Request({**scope, "path": "/", "query_string": b"",
                       "headers": [(b"host", host)] if host is not None else []})
    allowed = {name.strip("[]").lower() for name in allowed_hosts}
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
    return f"{base}{path if path is not None else _path(request)}" + \
        (f"?{query}" if query else "")


def page_href(request: Request, **changes) -> str:
    """A link to this request with some parameters changed (another page, another format;
    None removes one). The request's own parameters are encoded once (:func:`_encoded`)."""
    parts = {**_encoded(request), **{name: None if value is None else _pair(name, str(value))
                                     for name, value in changes.items()}}
    query = "&".join(part for part in parts.values() if part is not None)
    return f"{public_base(request)}{_path(request)}" + (f"?{query}" if query else "")


def _path(request: Request) -> str:
    """``request.url.path``, without parsing the whole URL (Starlette's escapes alone).

    >>> _path(Request({"type": "http", "path": "/a?b#c", "headers": []}))
    '/a%3Fb%23c'
    """
    path = request.scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C") \
        if "?" in path or "#" in path or "\\" in path else path


ENCODED = "chengyu.encoded_query"  # the key of a request's scope that keeps it encoded


def _encoded(request: Request) -> dict[str, str]:
    """Each query parameter of the request (its last value) as ``urlencode`` writes it, by
    name, in the order first given; kept in its scope (a page links to several others)."""
    if ENCODED not in request.scope:
        request.scope[ENCODED] = {name: _pair(name, value)
                                  for name, value in request.query_params.items()}
    return request.scope[ENCODED]


def _pair(name: str, value: str) -> str:
    """``urlencode({name: value})``.

    >>> _pair("bbox", "1,2,3,4"), _pair("q", "广安 x")
    ('bbox=1%2C2%2C3%2C4', 'q=%E5%B9%BF%E5%AE%89+x')
    """
    return f"{_quoted(name)}={_quoted(value)}"


def _quoted(text: str) -> str:
    """``quote_plus(text)``; short texts kept, as links repeat their names and values."""
    return _quoted_short(text) if len(text) <= 64 else quote_plus(text)


_quoted_short = functools.lru_cache(maxsize=1024)(quote_plus)


def html(request: Request, template: str, **context) -> Response:
    """A page rendered from the app's templates (``api/templates``, not served as files),
    tagged like every other answer (ETag, 304)."""
    return Cached(TEMPLATES.TemplateResponse(request, template, context).body, request,
                  "text/html")


def content_crs(datum: str) -> dict:
    """OGC API – Features Part 2's Content-Crs header (none for GCJ-02, which has no URI)."""
    return {"Content-Crs": f"<{CRS84}>"} if datum == "wgs84" else {}


def time_stamped(parts: list[bytes]) -> tuple[list[bytes], dict]:
    """A JSON object (given as the parts that joined make it) with ``timeStamp``, when the
    response is generated (to the second, UTC), and ``Expires`` at the end of that second:
    the response cache (:mod:`api.response_cache`) makes it anew after. Shared caches get
    :mod:`api.freshness`'s Cache-Control instead: a copy they keep says when it was made,
    and its ETag ignores the stamp.

    >>> parts, headers = time_stamped([b'{"a":', b'1}'])
    >>> b"".join(parts)[:21], sorted(headers)
    (b'{"a":1,"timeStamp":"2', ['Expires'])
    """
    stamp, expires = _stamps(int(time.time()))
    return [*parts[:-1], parts[-1][:-1] + b',"timeStamp":"' + stamp + b'"}'], \
        {"Expires": expires}


@functools.lru_cache(maxsize=4)
def _stamps(second: int) -> tuple[bytes, str]:
    """The ``timeStamp`` of a response made in ``second`` and its ``Expires``."""
    stamp = dt.datetime.fromtimestamp(second, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return stamp.encode(), email.utils.formatdate(second + 1, usegmt=True)


Body = bytes | list[bytes]  # a body, or the parts that joined make it


class Cached(Response):
    """A response with a weak ETag (hash of the body, or of ``tag_of``: the body but for its
    ``timeStamp``, or what makes it, e.g. ``api.routes.items._made_of``) and ``Vary: Accept,
    Accept-Encoding`` (Cache-Control is :mod:`api.freshness`'s); ``If-None-Match`` with that
    tag gets 304.

    The tag is weak because the body may travel gzipped, or differ by its time stamp. Bodies
    are compressed here, with the body's own tag kept; the finished response, compressed, is
    what the response cache (:mod:`api.response_cache`) keeps and repeats. A body given in
    parts is hashed and gzipped piece by piece (:func:`pieces`), never joined whole.
    """

    def __init__(self, content: Body, request: Request, media_type: str,
                 tag_of: Body | None = None, **kwargs):
        digest = hashlib.blake2b(digest_size=16)
        for piece in pieces(content if tag_of is None else tag_of):
            digest.update(piece)
        headers = {"ETag": f'W/"{digest.hexdigest()}"',
                   "Vary": "Accept, Accept-Encoding", **kwargs.pop("headers", {})}
        if etag_matches(request.headers.get("if-none-match", "").encode("latin-1"),
                        headers["ETag"].encode()):
            super().__init__(status_code=304, headers=headers)
            return
        size = len(content) if isinstance(content, bytes) else sum(map(len, content))
        if size >= GZIP_MINIMUM and media_type not in COMPRESSED and \
                "gzip" in request.headers.get("accept-encoding", ""):
            content = gzip(content)
            headers["Content-Encoding"] = "gzip"
        elif not isinstance(content, bytes):
            content = b"".join(content)
        super().__init__(content, media_type=media_type, headers=headers, **kwargs)


def pieces(body: Body) -> Iterator[bytes | memoryview]:
    """``body`` in pieces of about :data:`PIECE_BYTES`: parts are joined a piece at a time and
    a whole body is sliced without copying, so no single copy holds the GIL for long (hashing
    and ISA-L release it while they work).

    >>> [bytes(p) for p in pieces(b"abc")], list(pieces([b"a", b"b"]))
    ([b'abc'], [b'ab'])
    """
    if isinstance(body, bytes):
        view = memoryview(body)
        yield from (view[start:start + PIECE_BYTES] for start in range(0, len(body),
                                                                       PIECE_BYTES))
        return
    if body and sum(map(len, body)) < PIECE_BYTES:  # a small body: one join, no loop
        yield b"".join(body)
        return
    group, size = [], 0
    for part in body:
        group.append(part)
        size += len(part)
        if size >= PIECE_BYTES:
            yield b"".join(group)
            group, size = [], 0
    if group:
        yield b"".join(group)


def gzip(body: Body) -> bytes:
    """``body`` gzipped (RFC 1952, no time stamp: the same body gives the same bytes).

    >>> import gzip as stdlib
    >>> stdlib.decompress(gzip([b"abc"] * 1000)) == b"abc" * 1000
    True
    """
    compressor = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, GZIP_WBITS)
    compressed = io.BytesIO()  # grown in place: each piece's output is freed at once
    for piece in pieces(body):
        compressed.write(compressor.compress(piece))
    compressed.write(compressor.flush())
    return compressed.getvalue()  # the buffer itself, not a copy


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
                message["headers"] = self.headers(message.get("headers", ()))  # sent once
            await send(message)

        await self.app(scope, receive, with_headers)

    def headers(self, headers) -> list[tuple[bytes, bytes]]:
        vary, kept, names, is_html = [], [], set(), False
        for name, value in headers:  # one pass: a page pays this on every request
            lower = name.lower()
            if lower == b"vary":
                vary.append(value)
                continue
            kept.append((name, value))
            names.add(lower)
            if lower == b"content-type" and value.startswith(b"text/html"):
                is_html = True
        if self.cors:
            kept += [(name, value) for name, value in self.cors if name not in names]
        vary = merge_vary(vary, frozenset({b"origin"}) if self.cors else frozenset())
        if vary:
            kept.append((b"vary", vary))
        kept.append((b"x-content-type-options", b"nosniff"))
        if is_html and b"content-security-policy" not in names:
            kept.append((b"content-security-policy", self.POLICY))
        return kept
