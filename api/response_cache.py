"""Finished responses, answered again before routing: the hot path of a map that pans and
zooms over the same pages.

:class:`ResponseCache` is a pure ASGI middleware. A GET whose response was a cacheable 200 is
kept, keyed by the normalised request — scheme, host and path, the query with its parameters
sorted by name, the negotiated type (from ``Accept``), the encoding (from ``Accept-Encoding``)
and ``Origin`` — in a region of the app's memory budget (:mod:`api.budget`). A repeated GET
or HEAD with the same key is answered from it without reaching the app: 200 with the same
headers and bytes, or 304 when ``If-None-Match`` names the kept ETag. When the data version
changes (``version``, a value or a callable read on each request), the kept responses are
dropped. Never kept: errors and other non-200 answers, ``Set-Cookie``, ``Cache-Control:
no-store`` or ``private``, ``Vary`` on headers outside the key, bodies sent as files
(``http.response.pathsend``) and those over ``max_entry`` bytes; requests with
``Authorization``, ``Range`` or ``Cache-Control: no-cache``/``no-store`` go to the app.

Hand-written: caching libraries for Starlette (e.g. asgi-cache, fastapi-cache) cache per
route through a decorator or a key function, after routing and dependency solving, which is
where the time goes; none answers from the raw ASGI scope with a byte budget.

>>> sorted_query(b"limit=10&bbox=1,2,3,4&f=json&a=2&a=1")
b'a=2&a=1&bbox=1,2,3,4&f=json&limit=10'
>>> etag_matches(b'W/"x", "y"', b'"y"'), etag_matches(b"*", b'W/"z"'), etag_matches(b'"x"', None)
(True, True, False)
"""

from __future__ import annotations

import email.utils
import functools
import math
import time

from typing import Callable, Hashable, NamedTuple

from api.budget import Region

KEYED_HEADERS = {b"accept", b"accept-encoding", b"origin"}  # what ``Vary`` may name
BYPASS_HEADERS = {b"authorization", b"range"}
UNSTORABLE_IF = {b"set-cookie", b"cache-control", b"vary"}  # what :func:`storable` reads
NOT_MODIFIED_DROPS = {b"content-type", b"content-length", b"content-encoding",
                      b"content-language", b"content-range"}  # representation headers


class Stored(NamedTuple):
    """A finished 200 response: its headers, body and ETag (if any)."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None
    expires: float = math.inf  # from the response's ``Expires``: a time-stamped page's second


@functools.lru_cache(maxsize=16)  # the app's own: one a second
def expiry(value: bytes) -> float:
    """When a response stops being fresh, from its ``Expires`` header.

    >>> expiry(b"Sun, 06 Dec 2026 05:40:01 GMT")
    1796535601.0
    """
    try:
        return email.utils.parsedate_to_datetime(value.decode("latin-1")).timestamp()
    except (TypeError, ValueError):
        return 0.0  # an unreadable date means already stale (RFC 9111 §5.3)


def sorted_query(query: bytes) -> bytes:
    """The query string with its parameters sorted by name; repeated names keep their order
    (``sorted`` is stable), as the app may read the first or the last."""
    return b"&".join(sorted(query.split(b"&"), key=lambda part: part.partition(b"=")[0]))


def etag_matches(if_none_match: bytes, etag: bytes | None) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, RFC 9110 §13.1.2) or is
    ``*``."""
    if etag is None:
        return False
    tags = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
    return b"*" in tags or etag.removeprefix(b"W/") in tags


def _as_given(accept: str) -> str:
    return accept.strip()


class ResponseCache:
    """ASGI middleware answering repeated GET/HEAD requests from finished responses kept in
    ``region``; see the module's description.

    ``negotiate`` maps an ``Accept`` header to what the app would serve for it (e.g.
    ``"json"`` or ``"html"``), so that browsers' many Accept headers share one entry; the
    default keeps the header as given.
    """

    def __init__(self, app, region: Region, version: Callable[[], Hashable] | Hashable = None,
                 negotiate: Callable[[str], str] = _as_given,
                 max_entry: int = 16 * 2**20):
        self.app, self.region, self.negotiate, self.max_entry = app, region, negotiate, max_entry
        self.version = version if callable(version) else (lambda: version)
        self.current = self.version()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        request = self.request_key(scope)
        if request is None:
            return await self.app(scope, receive, send)
        key, if_none_match = request
        version = self.version()
        if version != self.current:
            self.region.clear()
            self.current = version
        stored = self.region.get(key)
        if stored is not None and stored.expires <= time.time():
            stored = None  # stale: asked of the app again, and replaced
        if stored is not None:
            return await self.answer(stored, scope["method"] == "HEAD", if_none_match, send)
        if scope["method"] == "HEAD":  # the app answers it without the body: nothing to keep
            return await self.app(scope, receive, send)
        await self.app(scope, receive, self.keeping(key, version, send))

    def request_key(self, scope) -> tuple[tuple, bytes] | None:
        """The normalised request and its ``If-None-Match``; None if it must reach the app."""
        host = accept = encoding = origin = if_none_match = b""
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"accept":
                accept = value
            elif name == b"accept-encoding":
                encoding = value
            elif name == b"origin":
                origin = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name in BYPASS_HEADERS or (
                    name in (b"cache-control", b"pragma")
                    and (b"no-cache" in value or b"no-store" in value)):
                return None
        key = (scope["scheme"], host, scope.get("root_path", ""), scope["path"],
               sorted_query(scope["query_string"]),
               self.negotiate(accept.decode("latin-1")),
               b"gzip" in encoding.lower(),  # as the app and Starlette's GZipMiddleware test
               origin)
        return key, if_none_match

    async def answer(self, stored: Stored, head: bool, if_none_match: bytes, send) -> None:
        """Send a kept response: 304 if the client holds it, else 200 (no body for HEAD)."""
        if if_none_match and etag_matches(if_none_match, stored.etag):
            headers = [(n, v) for n, v in stored.headers if n not in NOT_MODIFIED_DROPS]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": stored.headers})
        await send({"type": "http.response.body", "body": b"" if head else stored.body})

    def keeping(self, key: tuple, version: Hashable, send):
        """``send``, passing every message on and keeping a copy of a cacheable response."""
        return _Keeping(self, key, version, send).send

    def keep(self, key: tuple, version: Hashable, headers: list, body: bytes,
             measured: tuple[bytes | None, float, int]) -> None:
        """Keep a finished response (``measured`` by :func:`measure`), unless the data
        version changed since its request began."""
        if version == self.version():
            etag, expires, size = measured
            self.region.put(key, Stored(headers, body, etag, expires),
                            size + len(body) + key_size(key))


class _Keeping:
    """One response on its way out: passed on, and its parts gathered to be kept (a class,
    not a closure over a dict: a first-time page pays this on every request)."""

    __slots__ = ("cache", "key", "version", "downstream", "headers", "measured", "parts",
                 "size")

    def __init__(self, cache: ResponseCache, key: tuple, version: Hashable, send):
        self.cache, self.key, self.version, self.downstream = cache, key, version, send
        self.headers = self.measured = None
        self.parts, self.size = [], 0

    async def send(self, message) -> None:
        kind = message["type"]  # read before passing it on (the outer layers change it)
        if kind == "http.response.start":
            if message["status"] == 200:
                self.headers = list(message.get("headers", []))
                self.measured = measure(self.headers)
                if self.measured is None:
                    self.headers = None
        elif kind == "http.response.body" and self.headers is not None:
            self.collect(message)
        else:  # e.g. a file sent by the server (pathsend): no body to keep
            self.headers = None
        await self.downstream(message)

    def collect(self, message: dict) -> None:
        """Add a body part; keep the response once complete, if small enough."""
        body = message.get("body", b"")
        self.parts.append(body)
        self.size += len(body)
        if self.size > self.cache.max_entry:
            self.headers = None
        elif not message.get("more_body", False):  # most answers come in one part: not joined
            whole = body if len(self.parts) == 1 else b"".join(self.parts)
            self.cache.keep(self.key, self.version, self.headers, whole, self.measured)


def key_size(key: tuple) -> int:
    """Bytes a request key holds, about (its parts are short texts, bytes and flags)."""
    return 64 * len(key) + sum(len(part) for part in key if isinstance(part, (bytes, str)))


def measure(headers: list[tuple[bytes, bytes]]) -> tuple[bytes | None, float, int] | None:
    """A 200 response's ETag, expiry (never, without ``Expires``) and headers' size, in one
    pass; None if it may not be kept (:func:`storable`).

    >>> measure([(b"etag", b'W/"a"'), (b"content-type", b"application/json")])
    (b'W/"a"', inf, 165)
    >>> measure([(b"set-cookie", b"a=b")]) is None
    True
    """
    etag, expires, size = None, math.inf, 0
    for name, value in headers:
        size += len(name) + len(value) + 64
        name = name.lower()
        if name == b"etag":
            etag = value
        elif name == b"expires":
            expires = expiry(value)
        elif name in UNSTORABLE_IF and not storable([(name, value)]):
            return None
    return etag, expires, size


def storable(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a 200 response with these headers may be kept and served to others.

    >>> storable([(b"cache-control", b"public, max-age=60"), (b"vary", b"Accept")])
    True
    >>> storable([(b"cache-control", b"no-store")]), storable([(b"vary", b"Cookie")])
    (False, False)
    """
    for name, value in headers:
        name, value = name.lower(), value.lower()
        if name == b"set-cookie":
            return False
        if name == b"cache-control" and (b"no-store" in value or b"private" in value):
            return False
        if name == b"vary" and any(part.strip() not in KEYED_HEADERS
                                   for part in value.split(b",") if part.strip()):
            return False
    return True
