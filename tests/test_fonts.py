"""The CJK font: a preferred family when installed, any font with the glyphs otherwise,
a clear error naming the package to install when there is none."""

import pytest
from matplotlib import font_manager

from formats.fonts import PREFERRED, CJKFontMissing, _covers, cjk_font


def test_a_preferred_family_with_the_glyphs_is_chosen():
    entry = cjk_font()
    assert entry.name in PREFERRED
    assert _covers(entry.fname, entry.index, "万达开广安邻水")
    installed = {e.name for e in font_manager.fontManager.ttflist}
    assert not any(name in installed for name in PREFERRED[:PREFERRED.index(entry.name)])


def test_without_preferred_families_any_font_with_the_glyphs_serves(monkeypatch):
    chosen = cjk_font()
    others = [e for e in font_manager.fontManager.ttflist if e.name not in PREFERRED]
    renamed = font_manager.FontEntry(fname=chosen.fname, index=chosen.index,
                                     name="Some CJK Face", style="normal", weight=400)
    monkeypatch.setattr(font_manager.fontManager, "ttflist", others + [renamed])
    found = cjk_font()
    assert found.name not in PREFERRED and _covers(found.fname, found.index, "成都重庆广安")


def test_a_font_drawing_every_ideograph_as_one_box_does_not_count(monkeypatch):
    latin = [e for e in font_manager.fontManager.ttflist
             if e.name.startswith(("DejaVu", "Last Resort"))]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)
    with pytest.raises(CJKFontMissing):
        cjk_font()


def test_no_cjk_font_is_a_clear_error(monkeypatch):
    latin = [e for e in font_manager.fontManager.ttflist if e.name.startswith("DejaVu")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)
    with pytest.raises(CJKFontMissing, match="no font with Chinese glyphs.*fonts-noto-cjk"):
        cjk_font()
