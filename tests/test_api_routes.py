"""Routes are module-level functions that reach the data through dependencies: a test
imports one, mounts it on an app of its own and feeds it through ``dependency_overrides``."""

import threading
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from api import Settings
from api.errors import add_exception_handlers
from api.params import accepted
from api.resources import Means, get_means, get_questions
from api.routes.items import items
from api.routes.landing import conformance
from api.routes.questions import query
from api.work import Worker


def api_routes(app) -> list[APIRoute]:
    """The app's routes, through the routers it includes."""
    return [context.original_route for context in iter_route_contexts(app.routes)
            if isinstance(context.original_route, APIRoute)]


class Recording:
    """A catalogue that passes every call on and keeps the arguments of ``select``."""

    def __init__(self, catalogue):
        self.catalogue, self.selections = catalogue, []

    def select(self, *args, **kwargs):
        self.selections.append((args, kwargs))
        return self.catalogue.select(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.catalogue, name)


def test_the_items_route_runs_on_an_app_of_its_own_with_overridden_data(app):
    own = FastAPI()
    add_exception_handlers(own)
    own.add_api_route("/collections/{collection}/items", items)
    recording = Recording(app.state.catalogue)
    own.dependency_overrides[get_means] = \
        lambda: Means(Settings(page_limit=3, default_limit=2), recording, Worker(1, 30))
    with TestClient(own) as client:
        page = client.get("/collections/units/items",
                          params={"city": "广安市", "limit": 50, "bbox": "106,29,108,31"}).json()
        assert client.get("/collections/units/items").json()["numberReturned"] == 2
        refused = client.get("/collections/units/items", params={"colour": "red"})
    assert page["numberReturned"] == 3 and page["numberMatched"] > 3  # the overridden cap
    assert {f["properties"]["city"] for f in page["features"]} == {"广安市"}
    args, kwargs = recording.selections[0]
    assert args == ("units",) and kwargs["properties"] == {"city": "广安市"}
    assert kwargs["bbox"] == (106, 29, 108, 31) and kwargs["limit"] == 3
    assert refused.status_code == 400 and "colour" in refused.json()["detail"]


def test_a_slow_question_does_not_hold_up_other_requests(overrides, client):
    asked, release = threading.Event(), threading.Event()

    class Slow:  # a question doing seconds of geometry, held until the test lets it go
        def ask(self, question, as_of=None):
            asked.set()
            assert release.wait(30)
            return {"question": question, "hits": []}

    overrides[get_questions] = Slow
    try:
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(client.get, "/query", params={"q": "units within 30 km of 四川"})
            assert asked.wait(30)
            assert client.get("/conformance").status_code == 200  # answered meanwhile
            assert not pending.done()
            release.set()
            assert pending.result(timeout=30).json()["question"] == "units within 30 km of 四川"
    finally:
        release.set()


class Held(Recording):
    """A catalogue whose selections wait until the test releases them."""

    def __init__(self, catalogue):
        super().__init__(catalogue)
        self.selecting, self.release = threading.Event(), threading.Event()

    def select(self, *args, **kwargs):
        self.selecting.set()
        assert self.release.wait(30)
        return super().select(*args, **kwargs)


HEAVY_FILTER = {"filter": "area_km2 > 1", "limit": 10_000}


def test_a_heavy_filter_does_not_hold_up_other_requests(app, overrides, client):
    held = Held(app.state.catalogue)
    overrides[get_means] = lambda: Means(app.state.settings, held, app.state.worker)
    try:
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(client.get, "/collections/units/items", params=HEAVY_FILTER)
            assert held.selecting.wait(30)
            assert client.get("/conformance").status_code == 200  # answered meanwhile
            assert not pending.done()
            held.release.set()
            assert pending.result(timeout=60).json()["numberMatched"] > 100
    finally:
        held.release.set()


def test_work_over_the_time_limit_is_a_503_problem(app, overrides, client):
    held, worker = Held(app.state.catalogue), Worker(1, 0.3)
    overrides[get_means] = lambda: Means(app.state.settings, held, worker)
    try:
        response = client.get("/collections/units/items", params=HEAVY_FILTER)
    finally:
        held.release.set()
        worker.close()
    assert response.status_code == 503 and response.headers["retry-after"] == "10"
    assert response.headers["content-type"] == "application/problem+json"
    assert "more than 0.3 s" in response.json()["detail"]


def test_links_start_with_the_public_url_when_one_is_set(app, client):
    configured = app.state.settings
    app.state.settings = Settings(public_url="https://atlas.example.org/api/")
    try:
        body = client.get("/", headers={"Host": "elsewhere.example"}).json()
    finally:
        app.state.settings = configured
    assert {link["href"].split("?")[0] for link in body["links"]} >= {
        "https://atlas.example.org/api/", "https://atlas.example.org/api/conformance"}


def test_each_route_accepts_exactly_the_parameters_its_openapi_entry_lists(app, client):
    document = client.get("/api").json()
    listed = {}
    for path, item in document["paths"].items():
        parameters = item["get"]["parameters"]
        listed[path] = {p.get("name") or p["$ref"].rsplit("/", 1)[1] for p in parameters
                        if "$ref" in p or p["in"] == "query"}
    routes = api_routes(app)
    assert len(routes) == len(listed) - 4 * 4  # 4 collection paths, 5 collections each
    for route in routes:
        path = route.path.replace("{collection}", "units")
        queryables = set(app.state.catalogue.queryables("units")) \
            if route.path.endswith("/items") else set()
        assert listed[path] - queryables == accepted(route), path
    assert "bbox-crs" not in listed["/collections/units/items/{feature_id}"]
    assert "filter-crs" not in listed["/collections/units/items/{feature_id}"]
    assert {"bbox-crs", "filter-crs"} <= listed["/collections/units/items"]


def test_route_functions_are_importable_and_registered(app):
    endpoints = {route.endpoint for route in api_routes(app)}
    assert {items, conformance, query} <= endpoints


def test_vary_names_each_header_once(client):
    for path in ("/collections/units/items", "/collections", "/api?f=html", "/nowhere"):
        response = client.get(path, headers={"Origin": "https://example.org",
                                             "Accept-Encoding": "gzip"})
        names = [n.strip().lower() for n in response.headers.get("vary", "").split(",")
                 if n.strip()]
        assert len(names) == len(set(names)), (path, names)
        assert len(response.headers.get_list("vary")) <= 1


def test_templates_render_but_are_not_files_anyone_can_fetch(client):
    assert client.get("/static/templates/items.html").status_code == 404
    page = client.get("/collections/units/items", params={"f": "html", "limit": 2})
    assert page.status_code == 200 and "{%" not in page.text and "units" in page.text
