"""An entity's history on its resource and page, and rendered maps (PNG, SVG, PDF) of items
and features, through the app: files read back by Pillow, XML and poppler."""

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from matplotlib import font_manager
from PIL import Image

SIZE = {"width": 900, "height": 600, "dpi": 100}
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                   reason="poppler-utils (pdftoppm) not installed")
WANDAKAI = "/collections/platforms/items/wandakai"
GUANGAN_UNITS = "/collections/units/items"


def test_an_entity_carries_its_history_in_its_properties(client):
    feature = client.get("/collections/platforms/items/chuannan-yuxi").json()
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "MultiPolygon"
    history = feature["properties"]["history"]
    assert [len(v["listed"]) for v in history] == [7, 10]
    first, second = history
    assert first["document_date"] == "2021-10-20" and second["in_force_from"] == "2023-03-02"
    assert second["added"] == ["500110", "500111", "500151"] and second["removed"] == []
    assert second["changed"]["500116"] == ["named", "whole"]
    assert first["in_force_until"] == second["in_force_from"]
    assert {v["inferred"] for v in history} == {False}
    assert "history" not in client.get("/collections/units/items/500110").json()["properties"]


def test_an_undated_texts_version_says_its_date_is_inferred(client):
    history = client.get("/collections/platforms/items/yudongbei-chuandongbei").json()[
        "properties"]["history"]
    assert [(v["in_force_from"], v["inferred"], v["document_date"]) for v in history] == [
        ("2021-10-20", False, "2021-10-20"), ("2021-11-23", True, None)]
    page = client.get("/collections/platforms/items/yudongbei-chuandongbei?f=html").text
    assert "2021-11-23 (inferred 推定)" in page


def test_the_entity_page_shows_its_history_as_a_table(client):
    page = client.get("/collections/platforms/items/chuannan-yuxi", params={"f": "html"}).text
    assert "7 members in 2021 → 10 in 2023: +綦江 +大足 +铜梁" in page
    rows = re.findall(r"<tr><td>(.*?)</tr>", page.split('id="history"')[1].split("</table>")[0],
                      re.S)
    assert len(rows) == 2 and "+綦江区" in rows[1] and "2023-03-02" in rows[1]
    mingyueshan = client.get("/collections/platforms/items/mingyueshan?f=html").text
    assert "6 members in" in mingyueshan and "+长寿" in mingyueshan


def _png(response) -> Image.Image:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


@pytest.mark.parametrize("path, params", [
    (WANDAKAI, {}),
    (GUANGAN_UNITS, {"city": "广安市"}),
    ("/collections/memberships/items", {"filter": "entity = 'mingyueshan'"}),
])
def test_png_of_an_entity_and_of_a_selection_has_the_requested_size(client, path, params):
    image = _png(client.get(path, params={**params, "f": "png", **SIZE}))
    assert image.format == "PNG" and image.size == (900, 600)
    assert round(image.info["dpi"][0]) == 100
    assert len(image.convert("RGB").getcolors(1_000_000)) > 50  # a map, not a blank


def test_the_picture_of_a_selection_draws_only_what_is_selected(client):
    svg = client.get(GUANGAN_UNITS, params={"city": "广安市", "f": "svg", **SIZE}).text
    names = set(re.findall(r"<!-- (\S+?) -->", svg))
    assert {"邻水县", "岳池县", "广安区"} <= names  # members labelled
    assert "6 / 6 features · city=广安市" in svg  # the selection, in the subtitle
    everything = client.get(GUANGAN_UNITS, params={"f": "svg", "limit": 3, **SIZE}).text
    assert "3 / 221 features" in everything


def test_svg_of_an_entity_has_the_page_size_and_its_name(client):
    response = client.get(WANDAKAI, params={"f": "svg", **SIZE})
    assert response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert (root.get("width"), root.get("height")) == ("648pt", "432pt")  # 9 × 6 in
    assert "<!-- 万达开川渝统筹发展示范区 -->" in response.text


@needs_poppler
@pytest.mark.parametrize("path, params", [(WANDAKAI, {}), (GUANGAN_UNITS, {"city": "广安市"})])
def test_pdf_reads_back_at_the_requested_size(client, tmp_path, path, params):
    response = client.get(path, params={**params, "f": "pdf", **SIZE})
    assert response.headers["content-type"] == "application/pdf"
    (tmp_path / "map.pdf").write_bytes(response.content)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", tmp_path / "map.pdf",
                    tmp_path / "page"], check=True)
    assert Image.open(tmp_path / "page.png").size == (900, 600)
    text = subprocess.run(["pdftotext", tmp_path / "map.pdf", "-"], capture_output=True,
                          text=True, check=True).stdout
    assert ("万州区" if path == WANDAKAI else "邻水县") in text


def test_a_picture_on_a_date_shows_the_members_then(client):
    before = client.get("/collections/platforms/items/chuannan-yuxi",
                        params={"f": "svg", "datetime": "2022-06-30", **SIZE}).text
    after = client.get("/collections/platforms/items/chuannan-yuxi",
                       params={"f": "svg", "datetime": "2023-06-30", **SIZE}).text
    assert "截至 as of 2022-06-30" in before and "31 个县级单位" in before
    assert "截至 as of 2023-06-30" in after and "34 个县级单位" in after


@pytest.mark.parametrize("params, named", [
    ({"width": 9000}, "width"), ({"height": 10}, "height"), ({"dpi": 1000}, "dpi"),
    ({"width": "wide"}, "width"), ({"f": "gif"}, "f")])
def test_bad_sizes_are_400_naming_the_parameter_and_range(client, params, named):
    response = client.get(WANDAKAI, params={"f": "png", **params})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    detail = response.json()["detail"]
    assert detail.startswith(named)
    if named != "f" and "wide" not in detail:
        assert re.search(r"(less|greater) than or equal to \d+", detail)


def test_a_picture_of_nothing_is_404(client):
    empty = client.get(GUANGAN_UNITS, params={"city": "北京市", "f": "png"})
    assert empty.status_code == 404 and "nothing to draw" in empty.json()["detail"]
    early = client.get("/collections/platforms/items/chuannan-yuxi",
                       params={"f": "png", "datetime": "2019-01-01"})
    assert early.status_code == 404


def test_without_a_cjk_font_a_picture_is_503_saying_what_to_install(client, monkeypatch):
    latin = [e for e in font_manager.fontManager.ttflist if e.name.startswith("DejaVu")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)
    response = client.get(WANDAKAI, params={"f": "png", **SIZE},
                          headers={"Cache-Control": "no-cache"})  # not the picture made before
    assert response.status_code == 503
    assert "fonts-noto-cjk" in response.json()["detail"]


def test_the_openapi_document_lists_the_picture_formats_and_sizes(client):
    operation = client.get("/api").json()["paths"]["/collections/units/items"]["get"]
    parameters = {p.get("name"): p for p in operation["parameters"]}
    assert parameters["width"]["schema"]["maximum"] == 8000
    assert parameters["dpi"]["schema"]["minimum"] == 36
    assert {"image/png", "image/svg+xml", "application/pdf"} <= \
        set(operation["responses"]["200"]["content"])
