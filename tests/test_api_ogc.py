"""OGC API – Features over HTTP: landing page, conformance, OpenAPI, collections,
queryables, items (paging, limit cap, links, bbox, property filters, datetime, resolution,
negotiation, HTML), single items and the HTTP niceties (ETag, gzip, CORS)."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import shapely
from openapi_spec_validator import validate as validate_openapi

from api import Settings
from api.resources import Means, get_means

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
COLLECTIONS = ["units", "cities", "provinces", "platforms", "memberships"]
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def items(client, collection="units", **params):
    response = client.get(f"/collections/{collection}/items", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def all_items(client, collection, **params):
    return items(client, collection, limit=10_000, **params)["features"]


def links(document, rel):
    return [link for link in document["links"] if link["rel"] == rel]


def names(features, key="name"):
    return sorted(f["properties"][key] for f in features)


# -- landing page, conformance, API definition ------------------------------------------
def test_landing_page_links_to_the_api_conformance_and_data(client):
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    page = response.json()
    assert "成渝" in page["title"]
    by_rel = {link["rel"]: link for link in page["links"]}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} \
        <= set(by_rel)
    assert by_rel["service-desc"]["type"] == OPENAPI
    for rel in ("service-desc", "service-doc", "conformance", "data"):
        assert client.get(by_rel[rel]["href"]).status_code == 200, rel


def test_landing_page_is_html_for_a_browser(client):
    for response in (client.get("/", headers={"Accept": BROWSER_ACCEPT}),
                     client.get("/?f=html")):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")


def test_conformance_declares_what_the_server_meets(client):
    declared = set(client.get("/conformance").json()["conformsTo"])
    spec = "http://www.opengis.net/spec/"
    expected = {f"{spec}ogcapi-features-1/1.0/conf/{c}" for c in ("core", "geojson", "html",
                                                                  "oas30")}
    expected |= {f"{spec}ogcapi-features-2/1.0/conf/crs"}
    expected |= {f"{spec}ogcapi-features-3/1.0/conf/{c}" for c in (
        "queryables", "queryables-query-parameters", "filter", "features-filter")}
    # QGIS sends a layer's filter to the server only with basic-cql2, cql2-text and the two
    # filter classes; LIKE/IN with advanced-comparison-operators; spatial predicates with
    # basic-spatial-operators (the draft name it still checks)
    expected |= {f"{spec}cql2/1.0/conf/{c}" for c in (
        "cql2-text", "cql2-json", "basic-cql2", "advanced-comparison-operators",
        "basic-spatial-functions", "basic-spatial-operators", "basic-spatial-functions-plus",
        "spatial-functions")}
    assert expected <= declared
    # the CQL2 classes come from one place, filtering.CONFORMANCE, each one tested in
    # tests/test_filtering.py and tests/test_cql2_examples.py
    import filtering

    assert set(filtering.CONFORMANCE) <= declared
    assert not {c for c in declared if "/cql2/" in c} - set(filtering.CONFORMANCE)


def test_conformance_as_html(client):
    response = client.get("/conformance", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    assert "ogcapi-features-1/1.0/conf/core" in response.text


def _references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def test_api_is_a_valid_self_contained_openapi_30_document(client):
    response = client.get("/api")
    assert response.status_code == 200
    assert response.headers["content-type"] == OPENAPI
    document = response.json()
    assert document["openapi"].startswith("3.0.")
    validate_openapi(document)  # openapi-spec-validator, offline
    references = set(_references(document))
    assert references and all(r.startswith("#/") for r in references)
    assert "422" not in json.dumps(document)  # errors are 400s and 404s, not FastAPI's 422


def test_api_describes_each_collection_as_ogc_clients_read_it(client):
    document = client.get("/api").json()
    limit = document["components"]["parameters"]["limit"]  # where QGIS and GDAL look
    settings = Settings()
    # the cap is described, not a schema maximum: a larger limit is valid and served capped
    assert limit["schema"] == {"type": "integer", "minimum": 1,
                               "default": settings.default_limit}
    assert f"at most {settings.page_limit}" in limit["description"]
    for collection in COLLECTIONS:
        operation = document["paths"][f"/collections/{collection}/items"]["get"]
        parameters = {p.get("name", p.get("$ref")): p for p in operation["parameters"]}
        assert "#/components/parameters/limit" in parameters
        assert parameters["bbox"]["schema"] == {"type": "array", "minItems": 4, "maxItems": 6,
                                                "items": {"type": "number"}}
        assert parameters["filter-lang"]["schema"]["enum"] == ["cql2-text", "cql2-json"]
        assert all(p.get("style") == "form" and p.get("explode") is False
                   for p in parameters.values() if p.get("in") == "query")
        assert set(operation["responses"]) >= {"200", "400", "404"}
    units = document["paths"]["/collections/units/items"]["get"]["parameters"]
    assert {"name", "adcode", "city", "platforms"} <= {p.get("name") for p in units}


def test_api_as_html(client):
    response = client.get("/api?f=html")
    assert response.headers["content-type"].startswith("text/html")
    assert "/collections/units/items" in response.text


# -- collections and queryables --------------------------------------------------------
def test_collections_list_the_five_collections_with_extent_and_crs(client):
    body = client.get("/collections").json()
    assert [c["id"] for c in body["collections"]] == COLLECTIONS
    assert links(body, "self")
    for described in body["collections"]:
        west, south, east, north = described["extent"]["spatial"]["bbox"][0]
        assert 97 < west < east < 111 and 26 < south < north < 35  # 重庆 and 四川
        assert described["extent"]["spatial"]["crs"] == CRS84
        assert described["crs"] == [CRS84] and described["storageCrs"] == CRS84
        assert {"self", "items", "http://www.opengis.net/def/rel/ogc/1.0/queryables"} \
            <= {link["rel"] for link in described["links"]}
        assert all("type" in link for link in described["links"])
        # the same description at /collections/{id}
        assert client.get(f"/collections/{described['id']}").json() == described


def test_collection_as_html(client):
    response = client.get("/collections/platforms", headers={"Accept": BROWSER_ACCEPT})
    assert response.headers["content-type"].startswith("text/html")
    assert "平台" in response.text


def test_queryables_describe_the_properties_and_the_geometry(client):
    response = client.get("/collections/units/queryables")
    assert response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    assert schema["type"] == "object"
    assert schema["$id"].endswith("/collections/units/queryables")
    properties = schema["properties"]
    assert properties["name"] == {"type": "string"}
    assert properties["area_km2"] == {"type": "number"}
    assert properties["platforms"]["type"] == "array"
    assert properties["geometry"]["format"] == "geometry-multipolygon"
    dates = client.get("/collections/memberships/queryables").json()["properties"]
    assert dates["in_force_from"] == {"type": "string", "format": "date"}
    html = client.get("/collections/units/queryables?f=html")
    assert html.headers["content-type"].startswith("text/html") and "area_km2" in html.text


# -- items: paging, links, limit cap -----------------------------------------------------
def test_items_are_a_feature_collection_with_counts_and_links(client):
    response = client.get("/collections/units/items")
    assert response.headers["content-type"] == GEOJSON
    assert response.headers["content-crs"] == f"<{CRS84}>"
    page = response.json()
    assert page["type"] == "FeatureCollection"
    assert page["numberMatched"] == 221
    assert page["numberReturned"] == len(page["features"]) == Settings().default_limit
    assert links(page, "self") and links(page, "next") and not links(page, "prev")
    assert links(page, "alternate")[0]["type"] == "text/html"


def test_paging_with_next_and_prev_visits_every_feature_once(client):
    page = items(client, "cities", limit=5)
    seen, pages = [f["id"] for f in page["features"]], 1
    while links(page, "next"):
        page = client.get(links(page, "next")[0]["href"]).json()
        assert links(page, "prev")
        seen += [f["id"] for f in page["features"]]
        pages += 1
    assert pages == 5  # 22 cities, 5 a page
    assert len(seen) == len(set(seen)) == 22
    back = client.get(links(page, "prev")[0]["href"]).json()
    assert back["features"][0]["id"] == seen[15]


def test_limit_above_the_cap_is_capped_not_refused(app, overrides, client):
    overrides[get_means] = \
        lambda: Means(Settings(page_limit=100), app.state.catalogue, app.state.worker)
    page = items(client, "memberships", limit=5000)
    assert page["numberReturned"] == 100
    assert page["numberMatched"] > 100
    assert "offset=100" in links(page, "next")[0]["href"]


def test_stable_ids_adcode_for_units_and_slug_for_entities(client):
    assert items(client, "units", limit=1)["features"][0]["id"] == "500101"
    platforms = all_items(client, "platforms")
    assert {"wandakai", "suitong", "heguangchang"} <= {f["id"] for f in platforms}
    memberships = all_items(client, "memberships", entity="wandakai")
    assert "wandakai:500101:2" in {f["id"] for f in memberships}


# -- bbox, property filters, datetime, resolution -----------------------------------------
def test_bbox_returns_the_units_whose_full_geometry_intersects_it(client, boundaries):
    box = (106.5, 30.0, 107.0, 30.5)
    found = all_items(client, "units", bbox=",".join(map(str, box)))
    units = boundaries.units
    expected = sorted(units.name[units.intersects(shapely.box(*box))])
    assert names(found) == expected
    assert "广安区" in expected and len(expected) == 9
    # six numbers (with heights) select the same
    assert names(all_items(client, "units", bbox="106.5,30.0,-100,107.0,30.5,100")) == expected


def test_bbox_crossing_the_antimeridian(client, boundaries):
    found = all_items(client, "units", bbox="110,25,-170,35")  # from 110°E east to 170°W
    units = boundaries.units
    assert names(found) == sorted(units.name[units.intersects(shapely.box(110, 25, 180, 35))])
    assert found  # 巫山县 and 巫溪县 reach past 110°E


def test_property_filters_on_queryables(client):
    assert items(client, "units", province="重庆市")["numberMatched"] == 38
    assert names(all_items(client, "units", name="邻水县")) == ["邻水县"]
    in_wandakai = all_items(client, "units", platforms="wandakai")  # a list property
    assert names(in_wandakai) == sorted(["万州区", "开州区", "通川区", "达川区", "宣汉县",
                                         "开江县", "大竹县", "渠县", "万源市"])
    assert items(client, "units", province="重庆市", city="成都市")["numberMatched"] == 0
    assert items(client, "platforms", spans_provinces="2", kind="cooperation_platform")[
        "numberMatched"] == 10


def test_datetime_gives_membership_as_of_that_date(client):
    # 川渝高竹新区: 7 units in the 2020-07 text, 2 since the 2020-12 approval
    latest = client.get("/collections/platforms/items/chuanyu-gaozhu").json()
    before = client.get("/collections/platforms/items/chuanyu-gaozhu",
                        params={"datetime": "2020-09-01"}).json()
    assert latest["properties"]["units"] == 2 and before["properties"]["units"] == 7
    assert shapely.geometry.shape(before["geometry"]).area > \
        shapely.geometry.shape(latest["geometry"]).area
    rows = all_items(client, "memberships", entity="chuanyu-gaozhu", datetime="2020-09-01")
    assert len(rows) == 7
    assert len(all_items(client, "memberships", entity="chuanyu-gaozhu")) == 2  # default
    instant = all_items(client, "memberships", entity="chuanyu-gaozhu",
                        datetime="2020-09-01T12:00:00Z")
    assert [f["id"] for f in instant] == [f["id"] for f in rows]
    # before the first text the platform does not exist
    assert client.get("/collections/platforms/items/chuanyu-gaozhu",
                      params={"datetime": "2019-01-01"}).status_code == 404
    units = all_items(client, "units", platforms="chuanyu-gaozhu", datetime="2020-09-01")
    assert len(units) == 7


def test_datetime_interval_selects_memberships_in_force_during_it(client, atlas):
    both = all_items(client, "memberships", entity="chuanyu-gaozhu",
                     datetime="2020-09-01/2021-01-01")
    assert len(both) == 9  # the 7 of the first extent and the 2 of the second
    ever = items(client, "memberships", datetime="../..", limit=1)
    assert ever["numberMatched"] == len(atlas.memberships)
    later = all_items(client, "memberships", entity="chuanyu-gaozhu", datetime="2021-01-01/..")
    assert len(later) == 2
    # units and platforms are taken as of the interval's end
    platform = client.get("/collections/platforms/items/chuanyu-gaozhu",
                          params={"datetime": "2019-01-01/2020-09-01"}).json()
    assert platform["properties"]["units"] == 7


def test_cities_and_provinces_do_not_depend_on_datetime(client):
    for collection in ("cities", "provinces"):
        dated = items(client, collection, datetime="2019-01-01", limit=50)
        assert dated["features"] == items(client, collection, limit=50)["features"]


@pytest.mark.parametrize("dated", ["/collections/platforms/items?datetime=2022-05-01",
                                   "/query?q=units of 万达开&datetime=2022-05-01"])
def test_a_first_request_for_a_date_does_not_stall_the_others(app, client, monkeypatch, dated):
    building, release = threading.Event(), threading.Event()

    def held(method):
        def call(*args):  # (collection, date, resolution) or (question, date)
            if len(args) > 1 and args[1] is not None:  # a dated view: a slow first build
                building.set()
                assert release.wait(30)
            return method(*args)
        return call

    catalogue, questions = app.state.catalogue, app.state.questions
    monkeypatch.setattr(catalogue, "features", held(catalogue.features))
    monkeypatch.setattr(questions, "ask", held(questions.ask))
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(client.get, dated)
        assert building.wait(30)
        assert client.get("/collections/platforms/items").status_code == 200
        assert client.get("/query", params={"q": "units of 万达开"}).status_code == 200
        assert not pending.done()  # the others were answered while it was being built
        release.set()
        assert pending.result(timeout=60).status_code == 200


def test_resolution_chooses_full_or_display_geometry(client):
    full = items(client, "units", name="邻水县")["features"][0]
    shown = items(client, "units", name="邻水县", resolution="overview")["features"][0]
    assert full["id"] == shown["id"] and full["properties"] == shown["properties"]
    vertices = [shapely.get_num_coordinates(shapely.geometry.shape(f["geometry"]))
                for f in (full, shown)]
    assert vertices[1] < vertices[0] / 5



@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("resolution", ["full", "overview"])
def test_polygons_follow_the_right_hand_rule(client, collection, resolution):
    """RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise."""
    polygons = [polygon for feature in all_items(client, collection, resolution=resolution)
                for polygon in shapely.get_parts(shapely.geometry.shape(feature["geometry"]))]
    assert polygons
    assert all(polygon.exterior.is_ccw and not any(hole.is_ccw for hole in polygon.interiors)
               for polygon in polygons)

# -- negotiation and HTML --------------------------------------------------------------
@pytest.mark.parametrize("accept, expected", [
    (BROWSER_ACCEPT, "text/html"),
    ("application/geo+json", GEOJSON),
    ("application/json", GEOJSON),
    ("*/*", GEOJSON),
    ("application/json;q=0.5, text/html", "text/html"),
    ("text/html;q=0.2, application/geo+json;q=0.9", GEOJSON),
])
def test_accept_header_chooses_the_representation(client, accept, expected):
    response = client.get("/collections/units/items", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(expected)
    assert "Accept" in response.headers["vary"]


def test_f_parameter_wins_over_accept(client):
    response = client.get("/collections/units/items?f=json", headers={"Accept": "text/html"})
    assert response.headers["content-type"] == GEOJSON


def test_items_as_html_table_with_chinese_names_and_paging(client):
    response = client.get("/collections/units/items?f=html&province=四川省")
    assert response.headers["content-type"].startswith("text/html")
    assert "183" in response.text and "锦江区" in response.text
    assert 'rel="next"' in response.text


# -- single items --------------------------------------------------------------------
def test_single_unit_by_adcode(client):
    response = client.get("/collections/units/items/511623")
    assert response.status_code == 200
    assert response.headers["content-type"] == GEOJSON
    assert response.headers["content-crs"] == f"<{CRS84}>"
    feature = response.json()
    assert feature["type"] == "Feature" and feature["id"] == "511623"
    assert feature["properties"]["name"] == "邻水县"
    assert {"self", "alternate", "collection"} <= {link["rel"] for link in feature["links"]}
    assert shapely.geometry.shape(feature["geometry"]).is_valid


def test_single_platform_and_membership(client):
    platform = client.get("/collections/platforms/items/wandakai").json()
    assert platform["properties"]["name"] == "万达开川渝统筹发展示范区"
    assert platform["geometry"]["type"] == "MultiPolygon"
    membership = client.get("/collections/memberships/items/wandakai:500101:2").json()
    assert membership["properties"]["unit_name"] == "万州区"
    assert membership["properties"]["quote"]


def test_single_item_as_html(client):
    response = client.get("/collections/units/items/511623", headers={"Accept": BROWSER_ACCEPT})
    assert response.headers["content-type"].startswith("text/html")
    assert "邻水县" in response.text


def test_gcj02_output_is_labelled_and_shifted(client):
    wgs84 = items(client, "units", name="邻水县")
    response = client.get("/collections/units/items", params={"name": "邻水县",
                                                               "datum": "gcj02"})
    assert "content-crs" not in response.headers  # not CRS84 any more
    gcj02 = response.json()
    assert "GCJ-02" in gcj02["datum"] and "datum" not in wgs84
    single = client.get("/collections/units/items/511623?datum=gcj02").json()
    assert "GCJ-02" in single["datum"]
    a, b = (shapely.geometry.shape(d["features"][0]["geometry"]) for d in (wgs84, gcj02))
    shift = a.centroid.distance(b.centroid) * 111_000  # metres, roughly
    assert 300 < shift < 700


# -- HTTP: caching, compression, CORS --------------------------------------------------
def test_etag_and_if_none_match_give_304(client):
    first = client.get("/collections/units/items/511623")
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"  # no version named: revalidated
    named = client.get(f"/collections/units/items/511623?v={client.app.state.version}")
    assert named.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert named.headers["etag"] == tag and "expires" not in named.headers
    other_version = client.get("/collections/units/items/511623?v=0")
    assert other_version.headers["cache-control"] == "public, no-cache"
    assert client.get("/nope?v=0").headers["cache-control"] == "no-store"
    again = client.get("/collections/units/items/511623", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/collections/units/items/511602", headers={"If-None-Match": tag})
    assert other.status_code == 200


def test_a_page_of_items_keeps_its_etag(client):
    first = client.get("/collections/cities/items")
    again = client.get("/collections/cities/items",
                       headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_large_responses_are_gzipped(client):
    response = client.get("/collections/units/items", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["numberReturned"] == 10  # httpx decompressed it
    plain = client.get("/collections/units/items", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_a_body_of_many_pieces_gzips_to_the_same_bytes_and_tag(client):
    from api.responses import PIECE_BYTES

    path = "/collections/memberships/items?limit=10000&datetime=2023-06-01"
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip" and len(plain.content) > 8 * PIECE_BYTES
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
    unstamped = [r.content.rsplit(b',"timeStamp"', 1)[0] for r in (zipped, plain)]
    assert unstamped[0] == unstamped[1] and zipped.headers["etag"] == plain.headers["etag"]


def test_cors_allows_get_from_any_origin(client):
    response = client.get("/collections", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    preflight = client.options("/collections/units/items", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]


def test_head_answers_like_get_without_a_body(client):
    get = client.get("/collections/units/items/511623")
    head = client.head("/collections/units/items/511623")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == GEOJSON
    assert client.head("/collections/nope").status_code == 404
