"""Cache-Control for every GET, fit for shared caches (a CDN in front: ``deploy/nginx.conf``).

* **Addressed by version, kept for good** (``public, max-age=31536000, immutable``): the data
  when the request's ``v`` parameter names the current data version (:mod:`api.version`;
  the map page adds it to each of its requests), and the page's scripts, styles and Leaflet
  under their versioned addresses (:data:`webmap.STATIC_URL`, :data:`webmap.VENDOR_URL`).
  After a registry change the page names the new version, so its requests are new
  addresses: nothing has to be purged.
* **Everything else, revalidated** (``public, no-cache``): kept, but reused only once its
  ``ETag`` is confirmed — the map page and every other page, and the data without ``v`` or
  with another version's (answered with the current data).
* **Errors**: ``no-store``.

``v`` selects nothing: it is taken off the query before the app (and its response cache)
sees it, so it is no unknown parameter and ``v=1`` and no ``v`` share one cached answer.
"""

from __future__ import annotations

LASTING = b"public, max-age=31536000, immutable"
REVALIDATE = b"public, no-cache"
ERROR = b"no-store"
REPLACED = {b"cache-control", b"expires"}


def policy(status: int, lasting: bool) -> bytes:
    """The Cache-Control of a response with ``status``, addressed by version or not.

    >>> policy(200, True), policy(304, False), policy(404, True)
    (b'public, max-age=31536000, immutable', b'public, no-cache', b'no-store')
    """
    if status >= 400:
        return ERROR
    return LASTING if lasting else REVALIDATE


class Freshness:
    """ASGI middleware: takes ``v`` off the query, then sets each GET's Cache-Control (and
    drops its Expires) by :func:`policy`; ``version`` is the current data version and
    ``prefixes`` the paths whose address names their version."""

    def __init__(self, app, version: str, prefixes: tuple[str, ...]):
        self.app, self.current, self.prefixes = app, b"v=" + version.encode(), prefixes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        query, named = scope.get("query_string", b""), ()
        if b"v" in query:  # else no ``v`` to take off: the query as it is
            parts = [p for p in query.split(b"&") if p]
            named = [p for p in parts if p.partition(b"=")[0] == b"v"]
            if named:
                scope = {**scope, "query_string": b"&".join(p for p in parts
                                                            if p not in named)}
        lasting = scope["path"].startswith(self.prefixes) or \
            (bool(named) and all(p == self.current for p in named))

        async def with_policy(message):
            if message["type"] == "http.response.start":
                headers = [(n, v) for n, v in message.get("headers", ())
                           if n.lower() not in REPLACED]
                headers.append((b"cache-control", policy(message["status"], lasting)))
                message["headers"] = headers  # a message is sent once: changed in place
            await send(message)

        await self.app(scope, receive, with_policy)
