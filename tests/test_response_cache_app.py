"""The response cache in front of the real app, served by a real uvicorn on 127.0.0.1."""

import urllib.parse

import httpx
import pytest

from api.budget import Budget
from api.response_cache import ResponseCache
from api.responses import negotiate
from support import loopback

QUOTE = urllib.parse.quote
PATHS = [
    "/collections/units/items?f=json&limit=10&bbox=106.4,29.4,106.8,29.8&resolution=overview",
    "/collections/units/items?resolution=overview&limit=10&bbox=106.4,29.4,106.8,29.8&f=json",
    "/collections/units/items?limit=5",  # JSON by the Accept header
    "/collections/units/items?f=html&limit=5",
    "/collections/units/items/500103?f=json",
    "/collections/platforms/items?f=json&resolution=overview&limit=3",
    "/collections/units/items?f=csv&limit=5&resolution=overview",
    "/collections?f=json", "/conformance", "/", "/?f=html",
    "/query?q=" + QUOTE("platforms touching 广安"),
]


class Counting:
    """An ASGI app recording the HTTP requests that reach it."""

    def __init__(self, app):
        self.app, self.seen = app, []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.seen.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def cached(app):
    """(HTTP client, counter, version box) of the real app behind the response cache."""
    counting, version = Counting(app), {"now": "registry-1"}
    cache = ResponseCache(counting, Budget().region("responses"),
                          version=lambda: version["now"], negotiate=negotiate)
    with loopback.serve_app(cache) as base, httpx.Client(base_url=base, timeout=60) as client:
        yield client, counting.seen, version


@pytest.mark.parametrize("path", PATHS)
def test_a_repeated_get_gets_the_same_response_without_reaching_the_app(cached, path):
    client, seen, _ = cached
    first = client.get(path, headers={"Accept-Encoding": "gzip"})
    reached = len(seen)
    again = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == again.status_code == 200
    assert len(seen) == reached
    assert again.content == first.content
    same = {"content-type", "content-encoding", "etag", "vary", "cache-control",
            "content-length", "content-crs", "content-security-policy",
            "x-content-type-options", "content-disposition"}
    assert {k: v for k, v in again.headers.items() if k in same} == \
        {k: v for k, v in first.headers.items() if k in same}


def test_304_and_head_come_from_the_cache(cached):
    client, seen, _ = cached
    path = "/collections/cities/items?f=json&limit=2"
    etag = client.get(path).headers["etag"]
    reached = len(seen)
    not_modified = client.get(path, headers={"If-None-Match": etag})
    head = client.head(path)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
    assert len(seen) == reached


def test_errors_reach_the_app_every_time(cached):
    client, seen, _ = cached
    reached = len(seen)
    for _ in range(2):
        response = client.get("/collections/units/items?bbox=1,2,3")
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
    assert len(seen) == reached + 2


def test_a_new_data_version_reaches_the_app_again(cached):
    client, seen, version = cached
    path = "/collections/provinces/items?f=json"
    client.get(path)
    reached = len(seen)
    version["now"] = "registry-2"
    assert client.get(path).status_code == 200
    assert len(seen) == reached + 1
    client.get(path)
    assert len(seen) == reached + 1
