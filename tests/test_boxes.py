"""The box index: the same positions as GEOS's own box query, from any number of threads."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

from layers.boxes import BoxIndex


def boxes_over(bounds, count: int) -> list[shapely.Geometry]:
    """``count`` boxes of several sizes scattered over ``bounds``, the same every run."""
    west, south, east, north = bounds
    random = np.random.default_rng(15)
    made = []
    for size in random.uniform(0.01, 2.0, count):
        x, y = random.uniform(west - 0.5, east), random.uniform(south - 0.5, north)
        made.append(shapely.box(x, y, x + size, y + size * random.uniform(0.3, 3)))
    return made


def test_it_finds_what_the_tree_finds_with_the_box_prepared(boundaries):
    geometries = boundaries.units.geometry.values
    index, tree = BoxIndex(geometries), shapely.STRtree(geometries)
    for box in boxes_over(boundaries.units.total_bounds, 200):
        expected = np.sort(tree.query(box, predicate="intersects"))
        assert index.meeting(box).tolist() == expected.tolist()


def test_threads_at_once_get_the_same_answers(boundaries):
    geometries = boundaries.units.geometry.values
    boxes = boxes_over(boundaries.units.total_bounds, 300)
    tree = shapely.STRtree(geometries)
    expected = [np.sort(tree.query(box, predicate="intersects")).tolist() for box in boxes]
    index = BoxIndex(geometries)  # nothing prepared yet: the threads prepare as they go
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda box: index.meeting(box).tolist(), boxes))
    assert found == expected


def test_a_subset_shares_the_prepared_copies_and_answers_in_its_own_positions(boundaries):
    geometries = boundaries.units.geometry.values
    index = BoxIndex(geometries)
    box = shapely.box(*geometries[5].bounds)
    whole = index.meeting(box)
    copied = len(index.prepared.copies)
    assert copied == len(index.tree.query(box))  # the candidates, each copied once
    part = index.subset(np.array([5, 0, 5]))  # a unit twice, as memberships repeat them
    assert part.meeting(box).tolist() == [p for p, g in enumerate([5, 0, 5]) if g in whole]
    assert part.prepared is index.prepared and len(index.prepared.copies) == copied
