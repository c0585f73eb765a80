"""Benchmark of the rendered maps: time and size per format, beside a naive plot.

Measures, in one run, for an entity (万达开, 9 units) and for a question's hits
("platforms touching 广安", 5 platforms):

1. the first render (font and glyph caches cold) and the warm render time (median of 5)
   of :func:`formats.render.render` at 1600 × 1200 px, 200 dpi, in PNG, SVG and PDF, and
   the size of each file;
2. the naive peer: the same member units drawn by ``GeoDataFrame.plot()`` alone (no
   context, labels, legend, scale bar or credit), saved as a 1600 × 1200 PNG and SVG;
3. the goal: the entity's PNG renders in at most 1.5 s warm (PASS/FAIL).

Sizes are in kB = 1000 bytes.

Run: ``python bench/render.py``
"""

from __future__ import annotations

import io
import statistics
import time

from matplotlib.figure import Figure

import geo
import layers
from formats.pictures import answer_picture, entity_picture
from formats.render import MEDIA_TYPES, render
from layers.questions import Questions

SIZE = {"width": 1600, "height": 1200, "dpi": 200}
RUNS = 5
GOAL_SECONDS = 1.5


def _timed(function) -> tuple[float, bytes]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _naive(picture, fmt: str) -> bytes:
    """The member units by GeoDataFrame.plot(), nothing else, at the same size."""
    figure = Figure(figsize=(SIZE["width"] / SIZE["dpi"], SIZE["height"] / SIZE["dpi"]))
    picture.features.plot(ax=figure.add_subplot(), column="group")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=SIZE["dpi"])
    return buffer.getvalue()


def _measure(name: str, atlas, picture) -> float:
    print(f"\n{name}: {len(picture.features)} units, {picture.features.group.nunique()} groups")
    print(f"{'':>8} {'first s':>8} {'warm s':>8} {'kB':>8}   naive plot(): {'warm s':>7} {'kB':>7}")
    png_warm = None
    for fmt in MEDIA_TYPES:
        first, _ = _timed(lambda: render(atlas, picture, fmt, **SIZE))
        runs = [_timed(lambda: render(atlas, picture, fmt, **SIZE)) for _ in range(RUNS)]
        warm, data = statistics.median(t for t, _ in runs), runs[-1][1]
        line = f"{fmt:>8} {first:8.2f} {warm:8.2f} {len(data) / 1000:8.0f}"
        if fmt != "pdf":
            naive = [_timed(lambda: _naive(picture, fmt)) for _ in range(RUNS)]
            line += (f"   {'':>13} {statistics.median(t for t, _ in naive):7.2f} "
                     f"{len(naive[-1][1]) / 1000:7.0f}")
        print(line)
        png_warm = warm if fmt == "png" else png_warm
    return png_warm


def main() -> None:
    atlas = layers.load(geo.load())
    print(f"rendered maps at {SIZE['width']}×{SIZE['height']} px, {SIZE['dpi']} dpi; "
          f"median of {RUNS} warm runs")
    entity = _measure("entity 万达开 (wandakai)", atlas, entity_picture(atlas, "wandakai"))
    answer = Questions(atlas).ask("platforms touching 广安")
    _measure("question 'platforms touching 广安'", atlas, answer_picture(atlas, answer))
    verdict = "PASS" if entity <= GOAL_SECONDS else "FAIL"
    print(f"\ngoal: entity PNG ≤ {GOAL_SECONDS} s warm: {entity:.2f} s {verdict}")


if __name__ == "__main__":
    main()
