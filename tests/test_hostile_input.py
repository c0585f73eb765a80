"""Hostile and malformed input: each gets a precise 4xx (or a safe 200), never a 5xx.

The contract test (test_api_errors.py) pins the error shape over the ordinary mistakes;
this file covers what an attacker or a broken client sends.
"""

import json

import pytest
import shapely

ITEMS = "/collections/units/items"


def problem(response, status):
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()["detail"]


@pytest.mark.parametrize("path", [
    "/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2fpyproject.toml", "/static/..%2fserver.py",
    "/static/%252e%252e/pyproject.toml", "/static//etc/passwd", "/static/templates/../../server.py",
    "/static/templates/items.html", "/static/templates/base.html",  # templates: not files to fetch
])
def test_path_traversal_on_static_files_finds_nothing(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"[project]" not in response.content and b"import" not in response.content


@pytest.fixture
def long_urls(monkeypatch):
    """Let the test client send URLs beyond httpx's own 64 KiB cap."""
    import httpx

    monkeypatch.setattr(httpx._urlparse, "MAX_URL_LENGTH", 5_000_000)


def test_a_very_long_query_string_is_refused_precisely(client, long_urls):
    detail = problem(client.get(ITEMS, params={"filter": "name = '" + "x" * 200_000 + "'"}),
                     400)
    assert "at most 100,000" in detail


def test_deeply_nested_filter_is_refused(client):
    nested = "name = 'x'"
    for _ in range(30):
        nested = f"NOT ({nested})"
    assert "nested deeper than 20 levels" in problem(client.get(ITEMS, params={"filter": nested}),
                                                     400)


def test_a_huge_geometry_in_a_filter_is_refused(client, long_urls):
    ring = shapely.Point(106, 30).buffer(1, quad_segs=20_000)  # 80,001 vertices
    ring = shapely.Polygon(shapely.get_coordinates(ring.exterior.segmentize(0.0001)))
    assert shapely.get_num_coordinates(ring) > 50_000
    wkt = shapely.to_wkt(ring, rounding_precision=4)
    detail = problem(client.get(ITEMS, params={"filter": f"S_INTERSECTS(geometry, {wkt})"}), 400)
    assert "vertices" in detail or "characters" in detail


def test_a_filter_with_too_many_terms_is_refused(client):
    many = " OR ".join(f"adcode = '{i:06d}'" for i in range(600))
    assert "more than 500 terms" in problem(client.get(ITEMS, params={"filter": many}), 400)


def test_invalid_utf8_in_the_query_is_a_400(client):
    detail = problem(client.get(f"{ITEMS}?city=%E5%B9%BF%FF"), 400)
    assert "city" in detail or "UTF-8" in detail


def test_invalid_utf8_in_a_question_is_a_400(client):
    detail = problem(client.get("/query?q=%FF%FE"), 400)
    assert "q" in detail


@pytest.mark.parametrize("name", ["廣安", "广安", "ＧＵＡＮＧＡＮ", "guang'an", "Guangan"])
def test_traditional_full_width_and_pinyin_names_resolve(client, name):
    answer = client.get("/query", params={"q": f"platforms touching {name}"}).json()
    assert answer["place"]["name"] == "广安市"


def test_offset_past_the_end_is_an_empty_page(client):
    body = client.get(ITEMS, params={"offset": 5000}).json()
    assert body["features"] == [] and body["numberMatched"] == 221
    assert body["numberReturned"] == 0


@pytest.mark.parametrize("limit", ["10001", "99999999999999999999"])
def test_a_huge_limit_is_capped_not_refused(client, limit):
    response = client.get(ITEMS, params={"limit": limit, "resolution": "overview"})
    if response.status_code == 200:
        assert response.json()["numberReturned"] == 221
    else:  # beyond any integer: refused, precisely
        assert "limit" in problem(response, 400)


def test_cors_allows_get_only(client):
    allowed = client.options(ITEMS, headers={"Origin": "https://example.org",
                                             "Access-Control-Request-Method": "GET"})
    assert allowed.headers["access-control-allow-origin"] == "*"
    refused = client.options(ITEMS, headers={"Origin": "https://example.org",
                                             "Access-Control-Request-Method": "DELETE"})
    assert refused.status_code == 400
    assert client.get(ITEMS, headers={"Origin": "https://example.org"}) \
        .headers["access-control-allow-origin"] == "*"


def test_security_headers_on_the_page_and_the_api(client):
    for path in ("/?f=html", ITEMS):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
    policy = client.get("/?f=html").headers["content-security-policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy


def test_post_is_not_allowed(client):
    assert problem(client.post(ITEMS, content=json.dumps({"a": 1})), 405)
