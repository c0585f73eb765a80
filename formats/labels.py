"""Map labels that never overlap: the more important label wins, the lesser one is dropped.

Hand-written because the matplotlib label libraries (adjustText, textalloc) move labels
away from their anchor to avoid overlaps; a map label must stay on its unit's label point,
so a label that does not fit is dropped instead (as web maps do). Greedy in priority order
over axis-aligned boxes in display pixels: a few hundred labels cost well under a
millisecond per label.
"""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects


def free_boxes(boxes: np.ndarray, occupied: np.ndarray | None = None,
               gap: float = 0.0) -> list[int]:
    """Indices of ``boxes`` kept, in order, each overlapping no kept box nor ``occupied``.

    Boxes are rows ``x0, y0, x1, y1``, most important first; ``gap`` is the least
    distance kept between boxes.

    >>> free_boxes(np.array([[0, 0, 10, 4], [5, 2, 15, 6], [11, 0, 20, 4]]))
    [0, 2]
    """
    taken = np.empty((0, 4)) if occupied is None else np.asarray(occupied, float).reshape(-1, 4)
    kept = []
    for i, (x0, y0, x1, y1) in enumerate(np.asarray(boxes, float)):
        clash = ((taken[:, 0] < x1 + gap) & (x0 - gap < taken[:, 2]) &
                 (taken[:, 1] < y1 + gap) & (y0 - gap < taken[:, 3]))
        if not clash.any():
            kept.append(i)
            taken = np.vstack([taken, [x0, y0, x1, y1]])
    return kept


def halo(width: float = 2.5, colour: str = "white") -> list:
    """Path effects drawing a text with a halo so it reads over any fill (as outlines)."""
    return [patheffects.withStroke(linewidth=width, foreground=colour)]


def place(ax, labels, renderer, occupied=(), gap: float = 2.0, halo_width: float = 2.5,
          halo_colour: str = "white") -> list:
    """Draw ``labels`` (dicts: ``x``, ``y``, ``text`` and text keywords), most important
    first, on ``ax``; drop each that would overlap one drawn before or an ``occupied``
    box (display pixels). Returns the text artists kept.

    Each kept label gets a halo: a copy underneath drawn as a stroked outline, so the
    label itself stays text in SVG and PDF (selectable, searchable)."""
    artists = [ax.text(label["x"], label["y"], label["text"], ha="center", va="center",
                       zorder=5, **{k: v for k, v in label.items() if k not in ("x", "y", "text")})
               for label in labels]
    inside = ax.get_window_extent(renderer)
    boxes = np.array([a.get_window_extent(renderer).extents for a in artists]).reshape(-1, 4)
    within = ((boxes[:, 0] >= inside.x0) & (boxes[:, 2] <= inside.x1) &
              (boxes[:, 1] >= inside.y0) & (boxes[:, 3] <= inside.y1))
    candidates = np.flatnonzero(within)
    kept = set(candidates[free_boxes(boxes[candidates], np.array(list(occupied)), gap)])
    for i, (artist, label) in enumerate(zip(artists, labels)):
        if i not in kept:
            artist.remove()
            continue
        behind = ax.text(label["x"], label["y"], label["text"], ha="center", va="center",
                         zorder=4.9, **{k: v for k, v in label.items()
                                        if k not in ("x", "y", "text", "color")})
        behind.set(color=halo_colour, path_effects=[
            patheffects.Stroke(linewidth=halo_width, foreground=halo_colour)])
    return [a for i, a in enumerate(artists) if i in kept]
