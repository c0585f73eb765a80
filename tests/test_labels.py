"""Labels: kept in priority order, never overlapping one another, the frame or a reserved
box; each kept label stays text with a halo drawn beneath it."""

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

from formats.fonts import cjk_font
from formats.labels import free_boxes, place


def test_free_boxes_keeps_the_more_important_and_respects_occupied():
    boxes = np.array([[0, 0, 10, 10], [5, 5, 15, 15], [20, 0, 30, 10], [40, 0, 50, 10]])
    assert free_boxes(boxes) == [0, 2, 3]
    assert free_boxes(boxes[::-1]) == [0, 1, 2]  # order decides: now (5, 5, 15, 15) wins
    assert free_boxes(boxes, occupied=[[38, 0, 60, 5]]) == [0, 2]
    assert free_boxes(boxes, gap=6) == [0, 2, 3]  # 10 px apart
    assert free_boxes(boxes, gap=12) == [0, 3]  # 10 px apart is closer than 12


@pytest.fixture(autouse=True)
def chinese_text():
    with matplotlib.rc_context({"font.family": [cjk_font().name]}):
        yield


def _axes():
    figure = Figure(figsize=(4, 3), dpi=100)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, 100), ylim=(0, 100))
    return ax, RendererAgg(400, 300, 100)


def test_place_draws_no_two_labels_overlapping():
    ax, renderer = _axes()
    rng = np.random.default_rng(7)
    labels = [{"x": x, "y": y, "text": f"区县{i}", "size": 9}
              for i, (x, y) in enumerate(rng.uniform(5, 95, (120, 2)))]
    kept = place(ax, labels, renderer, occupied=[(0, 0, 100, 60)], gap=1)
    boxes = np.array([a.get_window_extent(renderer).extents for a in kept])
    assert 5 < len(kept) < len(labels)
    assert free_boxes(boxes) == list(range(len(kept)))  # pairwise disjoint
    assert ((boxes[:, 1] >= 60) | (boxes[:, 0] >= 100)).all()  # clear of the reserved box
    assert kept[0].get_text() == "区县0"  # the first label always fits
    halos = [t for t in ax.texts if t not in kept]
    assert len(halos) == len(kept) and all(h.get_path_effects() for h in halos)
    assert all(h.get_zorder() < k.get_zorder() for h, k in zip(halos, kept))


def test_a_label_crossing_the_frame_is_dropped():
    ax, renderer = _axes()
    kept = place(ax, [{"x": 99, "y": 50, "text": "边上的名字"},
                      {"x": 50, "y": 50, "text": "中间"}], renderer)
    assert [a.get_text() for a in kept] == ["中间"]
