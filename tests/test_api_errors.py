"""The error contract: every bad request, whatever catches it (a parameter's own check,
FastAPI's validation, the filter parser, the router, an unexpected failure), answers with
one shape: ``application/problem+json`` with RFC 9457's type, title, status, detail and
instance, plus OGC's code and description. 400 for unknown or invalid parameters (never
FastAPI's 422), 404 for unknown collections, features and paths."""

import pytest
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient

from api.errors import DEFAULT_STATUS_CODES, InvalidParameter
from api.resources import Means, get_means
from layers.catalogue import SelectionError

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "description"}
CODES = {400: "InvalidParameterValue", 404: "NotFound", 405: "MethodNotAllowed",
         414: "URITooLong", 500: "ServerError", 503: "ServiceUnavailable"}
ITEMS = "/collections/units/items"

BAD_REQUESTS = [  # (path with query, status, a word the detail must name)
    # unknown parameters, on every endpoint
    (f"{ITEMS}?ooga=booga", 400, "ooga"),
    ("/?limit=5", 400, "limit"),
    ("/conformance?bbox=1,2,3,4", 400, "bbox"),
    ("/collections?x=1", 400, "x"),
    ("/collections/units/queryables?filter=x", 400, "filter"),
    ("/collections/units/items/511623?limit=1", 400, "limit"),
    ("/collections/units/items/511623?bbox-crs=" + "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
     400, "bbox-crs"),  # not a parameter of single items, and not listed for them either
    ("/query?q=units+of+万达开&limit=1", 400, "limit"),
    # limit and offset
    (f"{ITEMS}?limit=0", 400, "limit"),
    (f"{ITEMS}?limit=-1", 400, "limit"),
    (f"{ITEMS}?limit=abc", 400, "limit"),
    (f"{ITEMS}?limit=unlimited", 400, "limit"),
    (f"{ITEMS}?offset=-5", 400, "offset"),
    # bbox
    (f"{ITEMS}?bbox=1,2,3", 400, "bbox"),
    (f"{ITEMS}?bbox=1,2,3,4,5", 400, "bbox"),
    (f"{ITEMS}?bbox=100,20,110,95", 400, "latitude"),
    (f"{ITEMS}?bbox=100,-91,110,30", 400, "latitude"),
    (f"{ITEMS}?bbox=200,20,210,30", 400, "longitude"),
    (f"{ITEMS}?bbox=100,35,110,25", 400, "minLat"),
    (f"{ITEMS}?bbox=nan,20,110,30", 400, "bbox"),
    (f"{ITEMS}?bbox=100,20,inf,30", 400, "bbox"),
    (f"{ITEMS}?bbox=a,b,c,d", 400, "bbox"),
    # datetime
    (f"{ITEMS}?datetime=2022-13-01", 400, "datetime"),
    (f"{ITEMS}?datetime=yesterday", 400, "datetime"),
    (f"{ITEMS}?datetime=2023-01-01/2022-01-01", 400, "datetime"),
    ("/collections/platforms/items?datetime=2022-01-01/nonsense", 400, "datetime"),
    ("/query?q=units+of+万达开&datetime=2020-01-01/2021-01-01", 400, "datetime"),
    # output format, resolution, datum, CRS
    (f"{ITEMS}?f=xml", 400, "f"),
    ("/?f=gpkg", 400, "f"),
    ("/collections?f=csv", 400, "f"),
    ("/collections/units?f=shp", 400, "f"),
    (f"{ITEMS}?resolution=ultra", 400, "resolution"),
    (f"{ITEMS}?datum=bd09", 400, "datum"),
    (f"{ITEMS}?crs=http://www.opengis.net/def/crs/EPSG/0/3857", 400, "crs"),
    (f"{ITEMS}?bbox-crs=EPSG:4490", 400, "bbox-crs"),
    # property filters
    (f"{ITEMS}?area_km2=big", 400, "area_km2"),
    (f"{ITEMS}?city=%E5%B9%BF%FF", 400, "city"),  # not UTF-8
    # CQL2
    (f"{ITEMS}?filter=name='x'&filter-lang=cql-text", 400, "filter-lang"),
    (f"{ITEMS}?filter-lang=sql", 400, "filter-lang"),  # refused even without a filter
    (f"{ITEMS}?filter=name LIKE", 400, "filter"),
    (f"{ITEMS}?filter=name = 'x' AND (", 400, "filter"),
    (f"{ITEMS}?filter=population > 100", 400, "population"),
    (f"{ITEMS}?filter-lang=cql2-json&filter={{not json", 400, "cql2-json"),
    (f"{ITEMS}?filter-lang=cql2-json&filter="
     '{"op":"=","args":[{"property":"nope"},1]}', 400, "nope"),
    (f"{ITEMS}?filter=S_INTERSECTS(geometry, POLYGON((1 1, 2 2)))", 400, "filter"),
    # questions
    ("/query", 400, "q"),
    ("/query?q=", 400, "q"),
    ("/query?q=what is the meaning of life", 400, "platforms touching"),
    ("/query?q=临水县属于哪些平台", 400, "邻水县"),
    ("/query?q=units of 不存在", 400, "不存在"),
    # the panel
    ("/panel?start=2024-01-01&end=2023-01-01", 400, "start"),
    ("/panel?start=2023-01-01&end=2024-01-01&entities=atlantis", 400, "atlantis"),
    ("/panel?start=1900-01-01&end=2100-01-01&every=month", 400, "5,000,000"),
    # rendered maps
    (f"{ITEMS}?f=png&width=9000", 400, "width"),
    ("/collections/platforms/items/wandakai?f=svg&dpi=1", 400, "dpi"),
    (f"{ITEMS}?f=pdf&city=北京市", 404, "nothing to draw"),
    # unknown collections, features and paths
    ("/collections/nope", 404, "nope"),
    ("/collections/nope/items", 404, "nope"),
    ("/collections/nope/queryables", 404, "nope"),
    ("/collections/units/items/000000", 404, "000000"),
    ("/collections/platforms/items/not-a-platform", 404, "not-a-platform"),
    ("/collections/memberships/items/wandakai:500101:9", 404, "wandakai"),
    ("/nowhere", 404, "/nowhere"),
]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    assert body["code"] == CODES[status]
    assert body["type"] == "about:blank" and body["title"]
    assert body["detail"] == body["description"] and body["detail"]
    return body


@pytest.mark.parametrize("url, status, named", BAD_REQUESTS, ids=[u for u, _, _ in BAD_REQUESTS])
def test_bad_requests_share_one_problem_shape(client, url, status, named):
    body = assert_problem(client.get(url), status)
    assert named in body["detail"]
    assert body["instance"] == url.split("?")[0]


def test_unknown_parameter_lists_the_accepted_ones(client):
    detail = client.get(f"{ITEMS}?ooga=booga").json()["detail"]
    assert "bbox" in detail and "limit" in detail and "name" in detail  # name: a queryable


def test_unparseable_question_gives_examples_of_questions(client):
    detail = client.get("/query", params={"q": "tell me a story"}).json()["detail"]
    for example in ("platforms touching 广安", "万达开有哪些区县", "units within 30 km of 成都"):
        assert example in detail


def test_wrong_method_is_a_problem_too(client):
    response = client.post("/collections")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


def test_an_unexpected_failure_is_a_500_problem_without_internals(app, overrides):
    class Broken:
        def __getattr__(self, name):
            raise RuntimeError("secret internals")

    overrides[get_means] = lambda: Means(app.state.settings, Broken(), app.state.worker)
    with TestClient(app, raise_server_exceptions=False) as client:
        body = assert_problem(client.get(ITEMS), 500)
    assert "secret" not in body["detail"]


def test_every_mapped_error_type_answers_with_its_status(app, overrides):
    """The one mapping: each typed error, wherever raised, leaves with its status."""
    for kind, status in DEFAULT_STATUS_CODES.items():
        if kind is RequestValidationError:
            continue
        error = kind("x", "bad value") if kind in (InvalidParameter, SelectionError) \
            else kind("bad value")

        class Failing:
            def queryables(self, collection):
                raise error

        overrides[get_means] = lambda: Means(app.state.settings, Failing(), app.state.worker)
        with TestClient(app, raise_server_exceptions=False) as client:
            body = assert_problem(client.get(ITEMS), status)
        assert "bad value" in body["detail"]
