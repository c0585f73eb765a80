"""What clients we did not write rely on: links they can follow and extend (every link the
JSON documents emit), ``timeStamp`` on item pages, a temporal extent where features are
dated, and CORS that lets other sites' scripts revalidate and read the CRS."""

import datetime as dt
import time
from urllib.parse import urlsplit

import pytest

JSON_TYPES = ("application/json", "application/geo+json", "application/schema+json",
              "application/vnd.oai.openapi+json;version=3.0")
DOCUMENTS = ["/", "/collections", "/collections/units", "/collections/memberships",
             "/collections/units/items?limit=2&offset=2", "/collections/units/items/500153",
             "/collections/platforms/items/wandakai",
             "/collections/memberships/items?limit=3&entity=wandakai&f=json"]


def emitted_links(client):
    """Every link of every JSON document above (nested ones, e.g. each collection's, too)."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            if "href" in value and "rel" in value:
                found.append(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in DOCUMENTS:
        response = client.get(path)
        assert response.status_code == 200, path
        walk(response.json())
    return found


def test_the_items_link_is_a_clean_path_gdal_can_extend_with_an_id(client):
    collection = client.get("/collections/units").json()
    [items] = [link for link in collection["links"]
               if link["rel"] == "items" and link["type"] == "application/geo+json"]
    assert urlsplit(items["href"]).query == ""
    assert items["href"].endswith("/collections/units/items")
    one = client.get(items["href"] + "/500153", headers={"Accept": items["type"]})
    assert one.status_code == 200, one.text
    assert one.json()["id"] == "500153"


def test_every_json_link_is_a_clean_path_that_gives_its_type(client):
    links = emitted_links(client)
    json_links = [link for link in links if link["type"] in JSON_TYPES]
    assert len(json_links) > 20
    for link in json_links:
        assert "f=json" not in link["href"], link
        response = client.get(link["href"], headers={"Accept": link["type"]})
        assert response.status_code == 200, link
        assert response.headers["content-type"].split(";")[0] == link["type"].split(";")[0], \
            link


def test_every_other_link_names_its_format_and_gives_it(client):
    for link in emitted_links(client):
        if link["type"] in JSON_TYPES:
            continue
        assert "f=" in urlsplit(link["href"]).query, link
        if link["rel"] == "enclosure" and "/provinces/" not in link["href"]:
            continue  # a download: fetched for the smallest collection (the same code)
        response = client.head(link["href"])
        assert response.status_code == 200, link
        assert response.headers["content-type"].split(";")[0] == link["type"].split(";")[0], \
            link


def test_next_and_prev_of_a_geojson_page_keep_every_parameter_but_f(client):
    page = client.get("/collections/units/items?f=json&limit=2&offset=2&city=广安市").json()
    for rel in ("self", "next", "prev"):
        [link] = [link for link in page["links"] if link["rel"] == rel]
        query = urlsplit(link["href"]).query
        assert "limit=2" in query and "city=" in query and "f=" not in query, link


def test_item_pages_carry_the_time_they_were_generated(client):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    first = client.get("/collections/units/items?limit=1")
    stamp = dt.datetime.fromisoformat(first.json()["timeStamp"])
    assert stamp.utcoffset() == dt.timedelta(0)
    assert before <= stamp <= dt.datetime.now(dt.UTC)
    time.sleep(1.1)  # a later response is stamped later, and is still the same page
    again = client.get("/collections/units/items?limit=1")
    assert dt.datetime.fromisoformat(again.json()["timeStamp"]) > stamp
    assert again.headers["etag"] == first.headers["etag"]
    assert client.get("/collections/units/items?limit=1", headers={
        "If-None-Match": first.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("cid", ["memberships", "platforms"])
def test_dated_collections_declare_their_temporal_extent(client, atlas, cid):
    temporal = client.get(f"/collections/{cid}").json()["extent"]["temporal"]
    [[start, end]] = temporal["interval"]
    first = min(d for d in atlas.memberships.in_force_from if d is not None)
    assert start == f"{first.isoformat()}T00:00:00Z"
    assert end is None  # memberships are in force today: the interval is open
    assert temporal["trs"].endswith("/Gregorian")
    before = (first - dt.timedelta(days=1)).isoformat()
    assert client.get(f"/collections/{cid}/items?datetime={before}").json()[
        "numberMatched"] == 0


def test_undated_collections_declare_no_temporal_extent(client):
    assert "temporal" not in client.get("/collections/cities").json()["extent"]


def test_cors_exposes_content_crs_and_file_notes(client):
    response = client.get("/collections/units/items?limit=1",
                          headers={"Origin": "https://example.org"})
    exposed = {h.strip().lower()
               for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"content-crs", "etag", "content-disposition", "warning"} <= exposed
    assert response.headers["content-crs"]


def test_cors_preflight_allows_if_none_match(client):
    preflight = client.options("/collections/units/items", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 200, preflight.text
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()
    refused = client.options("/collections/units/items", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-made-up"})
    assert refused.status_code == 400
