"""The response cache, in front of a small Starlette app that counts what reaches it."""

import gzip

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from api.budget import Budget
from api.response_cache import ResponseCache


class Counting:
    """An ASGI app recording the requests that reach it."""

    def __init__(self, app):
        self.app, self.seen = app, []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"], scope["query_string"]))
        await self.app(scope, receive, send)


def negotiate(accept: str) -> str:
    return "html" if "text/html" in accept else "json"


async def page(request):
    text = f"{request.url.path} {sorted(request.query_params.items())} {request.url.hostname}"
    if negotiate(request.headers.get("accept", "")) == "html":
        text = f"<p>{text}</p>"
    body = text.encode() * 50
    headers = {"ETag": f'W/"{hash(body) & 0xffff:x}"', "Vary": "Accept, Accept-Encoding",
               "Cache-Control": "public, max-age=60"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        body, headers["Content-Encoding"] = gzip.compress(body, mtime=0), "gzip"
    return Response(body, media_type="text/plain", headers=headers)


def fixed(status=200, **headers):
    async def endpoint(request):
        return PlainTextResponse("answer", status_code=status, headers=headers)
    return endpoint


async def failing(request):
    raise RuntimeError("boom")


async def streamed(request):
    async def parts():
        for n in range(int(request.query_params.get("parts", "3"))):
            yield f"part {n};".encode() * 100
    return StreamingResponse(parts(), media_type="text/plain")


ROUTES = [Route("/page", page), Route("/missing", fixed(404)), Route("/failing", failing),
          Route("/cookie", fixed(**{"Set-Cookie": "a=b"})),
          Route("/no-store", fixed(**{"Cache-Control": "no-store"})),
          Route("/private", fixed(**{"Cache-Control": "private, max-age=60"})),
          Route("/by-cookie", fixed(Vary="Cookie")), Route("/stream", streamed),
          Route("/post", fixed(), methods=["GET", "POST"])]


@pytest.fixture
def setup():
    """A client over the cache over the counting app, the counter and the version box."""
    inner = Counting(Starlette(routes=ROUTES))
    version = {"now": "v1"}
    budget = Budget(200_000)
    cache = ResponseCache(inner, budget.region("responses"), version=lambda: version["now"],
                          negotiate=negotiate, max_entry=20_000)
    return TestClient(cache, raise_server_exceptions=False), inner.seen, version, budget


def test_a_repeated_get_is_answered_from_the_cache(setup):
    client, seen, _, _ = setup
    first, second = client.get("/page?b=2&a=1"), client.get("/page?a=1&b=2")
    assert len(seen) == 1
    assert first.content == second.content and first.headers == second.headers
    assert first.headers["content-encoding"] == "gzip"  # the TestClient accepts gzip


def test_the_key_holds_query_values_type_encoding_and_host(setup):
    client, seen, _, _ = setup
    client.get("/page?a=1")
    client.get("/page?a=1", headers={"Accept": "application/json, */*"})  # negotiates json
    assert len(seen) == 1
    html = client.get("/page?a=1", headers={"Accept": "text/html"})
    plain = client.get("/page?a=1", headers={"Accept-Encoding": "identity"})
    other_host = client.get("/page?a=1", headers={"Host": "mirror.example"})
    other_value = client.get("/page?a=2")
    assert len(seen) == 5
    assert html.text.startswith("<p>") and "content-encoding" not in plain.headers
    assert "mirror.example" in other_host.text and "'2'" in other_value.text
    assert client.get("/page?a=1", headers={"Accept": "text/html;q=1"}).text == html.text
    assert len(seen) == 5


def test_repeated_names_keep_their_order(setup):
    client, seen, _, _ = setup
    client.get("/page?a=1&a=2")
    client.get("/page?a=2&a=1")
    assert len(seen) == 2


def test_if_none_match_gets_304_from_the_cache(setup):
    client, seen, _, _ = setup
    etag = client.get("/page").headers["etag"]
    response = client.get("/page", headers={"If-None-Match": f'"other", {etag}'})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["etag"] == etag and response.headers["vary"]
    assert "content-type" not in response.headers and "content-encoding" not in response.headers
    assert client.get("/page", headers={"If-None-Match": '"other"'}).status_code == 200
    assert len(seen) == 1


def test_head_is_answered_from_a_cached_get_without_body(setup):
    client, seen, _, _ = setup
    get = client.get("/page")
    head = client.head("/page")
    assert len(seen) == 1 and head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    client.head("/page?fresh=1")  # a HEAD that misses reaches the app and keeps nothing
    client.head("/page?fresh=1")
    assert seen[1:] == [("HEAD", "/page", b"fresh=1")] * 2


@pytest.mark.parametrize("path", ["/missing", "/failing", "/cookie", "/no-store", "/private",
                                  "/by-cookie"])
def test_errors_and_uncacheable_responses_are_not_kept(setup, path):
    client, seen, _, budget = setup
    statuses = {client.get(path).status_code for _ in range(2)}
    assert len(seen) == 2 and statuses <= {200, 404, 500}
    assert budget.used == 0


def test_other_methods_and_bypassing_requests_reach_the_app(setup):
    client, seen, _, _ = setup
    client.get("/post")
    client.post("/post")
    for headers in ({"Authorization": "Bearer x"}, {"Range": "bytes=0-10"},
                    {"Cache-Control": "no-cache"}, {"Pragma": "no-cache"}):
        client.get("/post", headers=headers)
    assert [method for method, *_ in seen] == ["GET", "POST", "GET", "GET", "GET", "GET"]
    client.get("/post")
    assert len(seen) == 6  # the first GET was kept


def test_a_new_data_version_is_served_fresh(setup):
    client, seen, version, budget = setup
    client.get("/page")
    version["now"] = "v2"
    client.get("/page")
    client.get("/page")
    assert len(seen) == 2 and len(budget.region("responses")) == 1


def test_a_response_finished_after_the_version_changed_is_not_kept(setup):
    client, seen, version, budget = setup
    cache = client.app
    inner = cache.app

    async def app(scope, receive, send):
        version["now"] = "v2"  # the data changes while the request is answered
        await inner(scope, receive, send)

    cache.app = app
    client.get("/page")
    assert len(budget.region("responses")) == 0
    client.get("/page")
    assert len(budget.region("responses")) == 1 and len(seen) == 2


def test_streamed_bodies_are_kept_whole_and_large_ones_not_at_all(setup):
    client, seen, _, budget = setup
    first, second = client.get("/stream?parts=3"), client.get("/stream?parts=3")
    assert first.content == second.content and len(seen) == 1
    client.get("/stream?parts=100")  # 100 × 700 bytes > max_entry
    client.get("/stream?parts=100")
    assert len(seen) == 3


def test_many_distinct_requests_stay_within_the_budget(setup):
    client, seen, _, budget = setup
    for n in range(300):
        client.get(f"/page?n={n}", headers={"Accept-Encoding": "identity"})
        assert budget.used <= budget.limit
    assert len(budget.region("responses")) < 300
    client.get("/page?n=299", headers={"Accept-Encoding": "identity"})  # the newest is kept
    assert len(seen) == 300
