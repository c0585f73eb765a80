"""Rendered maps read back: PNG by Pillow, PDF by poppler (pdftoppm, pdffonts, pdftotext),
SVG as XML: the requested size, the CJK font used and embedded, the names on the map."""

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from PIL import Image

from formats.fonts import CJKFontMissing, cjk_font
from formats.pictures import answer_picture, entity_picture
from formats.render import RenderError, render
from layers.questions import Questions

SIZE = {"width": 1000, "height": 700, "dpi": 100}
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                   reason="poppler-utils (pdftoppm) not installed")


@pytest.fixture(scope="module")
def pictures(atlas):
    answer = Questions(atlas).ask("platforms touching 广安")
    return {"wandakai": entity_picture(atlas, "wandakai"),
            "touching": answer_picture(atlas, answer)}


@pytest.fixture(scope="module")
def font():
    entry = cjk_font()
    return FT2Font(entry.fname, face_index=entry.index)


@pytest.fixture(scope="module")
def font_name(font):
    return font.postscript_name


def _poppler(*command) -> str:
    return subprocess.run([str(c) for c in command], capture_output=True, check=True,
                          text=True).stdout


@pytest.mark.parametrize("which", ["wandakai", "touching"])
def test_png_has_the_requested_size_and_draws_the_groups(atlas, pictures, which):
    image = Image.open(io.BytesIO(render(atlas, pictures[which], "png", **SIZE)))
    assert image.format == "PNG" and image.size == (1000, 700)
    assert round(image.info["dpi"][0]) == 100
    colours = {c for _, c in image.convert("RGB").getcolors(1_000_000)}
    assert (0x1b, 0x9e, 0x77) in colours  # the first group's outline colour


@pytest.mark.parametrize("which", ["wandakai", "touching"])
def test_svg_has_the_page_size_and_embeds_the_cjk_glyphs(atlas, pictures, font_name, which):
    svg = render(atlas, pictures[which], "svg", **SIZE).decode()
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == ("720pt", "504pt")  # 10 × 7 in
    # each text is written as a comment, then uses of glyph outlines defined once in the
    # file and named after the font: the CJK font travels with the SVG
    texts = dict(re.findall(r"<!-- (.*?) -->\s*<g[^>]*>(.*?)</g>", svg, re.S))
    for prefix in (pictures[which].title, "图例 Legend",
                   *(g[:12] for g in pictures[which].features.group.unique())):
        text = next((t for t in texts if t.startswith(prefix)), None)
        assert text, prefix
        uses = re.findall(r'xlink:href="#([\w-]+?)-[0-9a-f]+"', texts[text])
        assert len(uses) == len(text.replace("\n", "")), text  # one glyph per character
        family = font_name.split("-")[0]  # the title is set in the bold face of the family
        assert {u.split("-")[0] for u in uses} == {family}, text
    assert f'id="{font_name}-' in svg


@needs_poppler
@pytest.mark.parametrize("which", ["wandakai", "touching"])
def test_pdf_reads_back_at_the_requested_size_with_the_font_embedded(atlas, pictures,
                                                                      font_name, which,
                                                                      tmp_path):
    path = tmp_path / "map.pdf"
    path.write_bytes(render(atlas, pictures[which], "pdf", **SIZE))
    _poppler("pdftoppm", "-r", "100", "-png", "-singlefile", path, tmp_path / "page")
    assert Image.open(tmp_path / "page.png").size == (1000, 700)
    fonts = [line.split() for line in _poppler("pdffonts", path).splitlines()]
    embedded = [row for row in fonts if row[0].endswith("+" + font_name)]
    # columns emb, sub, uni: embedded, subset, with a ToUnicode map (text searchable)
    assert embedded and all(row[-5:-2] == ["yes", "yes", "yes"] for row in embedded)
    text = _poppler("pdftotext", path, "-").replace("\n", "")
    expected = (["万达开川渝统筹发展示范区", "万州区", "开州区", "渝府发〔2023〕9号"]
                if which == "wandakai" else
                ["广安市", *pictures[which].features.group.unique(), "部分重叠", "接壤"])
    for words in expected:
        assert words in text, words


def test_bad_parameters_are_named(atlas, pictures):
    for kwargs, word in (({"fmt": "gif"}, "format"), ({"width": 10}, "width"),
                         ({"height": 20_000}, "height"), ({"dpi": 1.5}, "dpi")):
        with pytest.raises(RenderError, match=word):
            render(atlas, pictures["wandakai"], **kwargs)


def test_without_a_cjk_font_the_renderer_says_so(atlas, pictures, monkeypatch):
    latin = [e for e in font_manager.fontManager.ttflist if e.name.startswith("DejaVu")]
    assert latin
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)
    with pytest.raises(CJKFontMissing, match="fonts-noto-cjk"):
        render(atlas, pictures["wandakai"], "png", **SIZE)
