"""GET /query on a real uvicorn (127.0.0.1): the CQL2 filter of every form, sent back to
/collections/{id}/items as an ordinary GET, selects the same features; the answer
formats; bad questions; the event loop stays free while a slow question runs."""

import csv
import io
import statistics
import threading
import time

import httpx
import pytest

from support import loopback

ONE_PER_FORM = [  # a question of every form, in both languages
    "units of 万达开", "万达开有哪些区县",
    "which platforms does 邻水 belong to", "邻水属于哪些平台",
    "neighbours of 潼南", "与潼南接壤的区县",
    "platforms touching 达州", "与广安接壤的平台",
    "units within 30 km of 成都", "距成都三十公里以内的区县",
    "platforms with members in both provinces", "跨省的平台",
    "zones only in 四川", "只在四川的功能区",
    "how many units in 川南渝西", "川南渝西有多少个区县",
    "largest platform by area", "面积最小的平台",
    "where is 高竹新区", "高竹新区在哪",
    "what is 万达开", "万达开是什么",
    "members of 川南渝西 in 2021", "2021年川南渝西有哪些成员",
    "what changed in 川南渝西 between 2021 and 2023", "2021年到2023年川南渝西的变化",
    "units in both 万达开 and 明月山", "潼南的邻居中不属于遂潼的",
    "units within 50 km of 重庆", "万达开涉及哪些城市", "which province is 邻水 in",
    "units of 成都市", "which platforms changed between 2021 and 2023",
    "what platforms are within 20 km of 广安区", "Is 邻水 in 明月山?",
]


@pytest.fixture(scope="module")
def base(cache_directory, boundaries):
    with loopback.serve(cache_directory) as url:
        yield url


@pytest.fixture(scope="module")
def http(base):
    with httpx.Client(base_url=base, timeout=120) as client:
        yield client


def ask(http, question, **params):
    response = http.get("/query", params={"q": question, **params})
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("question", ONE_PER_FORM)
def test_the_returned_cql2_selects_the_same_hits_from_items(http, question):
    response = ask(http, question)
    assert len(response.content) <= 50_000
    answer = response.json()
    cql2 = answer["cql2"]
    assert len(cql2["filter"].encode()) <= 2048
    items = http.get(cql2["href"])  # an ordinary GET, as a client would send it
    assert items.status_code == 200, items.text
    found = {f["id"] for f in items.json()["features"]}
    key = "id" if cql2["collection"] == "platforms" else "adcode"
    assert found == {h[key] for h in answer["hits"]}
    assert len(found) == answer["count"] or answer["form"] == "changes"


def test_answer_as_csv(http):
    response = ask(http, "platforms touching 达州", f="csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["id"] for r in rows} == {h["id"] for h in ask(http, "platforms touching 达州").json()["hits"]}
    gaozhu = next(r for r in rows if r["id"] == "chuanyu-gaozhu")
    assert gaozhu["name"] == "川渝高竹新区" and gaozhu["certainty"] == "possible"


def test_answer_as_geojson(http):
    response = ask(http, "units of 万达开", f="geojson")
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 9
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in collection["features"])


def test_answer_as_html_page(http):
    response = ask(http, "与广安接壤的平台", f="html")
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "与广安接壤的平台" in page and "广安市" in page and "广安区" in page  # reading, ambiguity
    assert "<table>" in page and "川渝高竹新区" in page and "<svg" in page


def test_unknown_name_is_a_400_with_did_you_mean(http):
    response = http.get("/query", params={"q": "临水县属于哪些平台"})
    assert response.status_code == 400
    assert "邻水县" in response.json()["detail"]


def test_unknown_format_is_a_400(http):
    response = http.get("/query", params={"q": "units of 万达开", "f": "xlsx"})
    assert response.status_code == 400 and "csv" in response.json()["detail"]


def test_conformance_answers_while_the_slowest_question_runs(http, base):
    """A cold distance question over a whole province at a date runs in a worker thread;
    the event loop keeps answering meanwhile."""
    done = threading.Event()

    def slow():
        with httpx.Client(base_url=base, timeout=300) as client:
            client.get("/query", params={"q": "2022年距四川省97公里以内的区县"})
        done.set()

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(0.2)
    latencies = []
    while not done.is_set() and len(latencies) < 20:
        start = time.perf_counter()
        assert http.get("/conformance").status_code == 200
        latencies.append(time.perf_counter() - start)
        time.sleep(0.05)
    worker.join()
    assert latencies, "the question finished before /conformance was asked"
    assert statistics.median(latencies) < 0.05
