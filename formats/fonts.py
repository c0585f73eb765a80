"""The CJK font the rendered maps use, found among the fonts matplotlib knows.

Maps carry Chinese names, so a font without CJK glyphs would print empty boxes; rather
than that, :func:`cjk_font` raises :class:`CJKFontMissing` naming the package to install.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.font_manager import FontEntry

# Preferred families, best first: Noto Sans CJK SC (Debian fonts-noto-cjk) draws the
# Simplified Chinese glyph forms; the others are fallbacks that also cover them.
PREFERRED = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans SC", "Droid Sans Fallback")
SAMPLE = "成渝万达开区县市省"  # glyphs a usable font must have


class CJKFontMissing(RuntimeError):
    """No font with Chinese glyphs is installed: maps would print empty boxes."""


@lru_cache(maxsize=64)
def _covers(path: str, index: int, sample: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        face = FT2Font(path, face_index=index)
    except (OSError, RuntimeError, TypeError):
        return False
    glyphs = {face.get_char_index(ord(c)) for c in set(sample)}
    # every character its own glyph: a last-resort font maps a whole block to one box
    return 0 not in glyphs and len(glyphs) == len(set(sample))


def cjk_font(sample: str = SAMPLE) -> FontEntry:
    """The font entry (family name, file, face index) used for Chinese text.

    A preferred family (:data:`PREFERRED`) if installed, else any regular-weight font
    matplotlib knows that has a distinct glyph for every character of ``sample``.

    >>> cjk_font().name in PREFERRED
    True
    """
    import matplotlib  # imported here: the error class above is all most callers need
    from matplotlib import font_manager

    entries = [e for e in font_manager.fontManager.ttflist
               if e.style == "normal" and e.weight in (400, "normal", "regular")]
    ranked = sorted(entries, key=lambda e: PREFERRED.index(e.name) if e.name in PREFERRED
                    else len(PREFERRED))
    for entry in ranked:
        if _covers(entry.fname, getattr(entry, "index", 0), sample):
            return entry
    raise CJKFontMissing(
        "no font with Chinese glyphs is installed, so the map's names cannot be drawn; "
        "install one (Debian/Ubuntu: apt-get install fonts-noto-cjk), then remove "
        f"matplotlib's font list (fontlist-*.json in {matplotlib.get_cachedir()}) so it is "
        "found")
