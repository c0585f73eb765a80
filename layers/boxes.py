"""Which of a collection's geometries meet a box: the ``bbox`` of every items request.

An STRtree finds the candidates (their envelopes meet the box), then each candidate is
tested exactly against the box. ``STRtree.query(box, predicate="intersects")`` does that
test with the box prepared, walking every vertex of each full-resolution candidate (a
county's outline has thousands): most of a first-time page's selecting. Here the
candidates are prepared instead, so the test is a look-up in their own segment index.

The prepared geometries are private copies, made on first use: GEOS builds a prepared
geometry's indexes lazily and not thread-safely, so the ones shared with the rest of the
app (filters, questions, maps in worker threads) are left unprepared, and these are used
under a lock. A geometry several rows share (a unit's, in each of its memberships) is
copied once.

>>> index = BoxIndex(np.array([shapely.box(0, 0, 2, 2), None,
...                            shapely.Polygon([(3, 0), (4, 0), (3, 1)])]))
>>> index.meeting(shapely.box(1, 1, 5, 5)).tolist()  # the triangle by its corner (3, 1)
[0, 2]
>>> index.meeting(shapely.box(3.6, 0.6, 5, 5)).tolist()  # within its envelope, not it
[]
"""

from __future__ import annotations

import threading

import numpy as np
import shapely

# a prepared copy holds about 2.6 times the coordinates' 16 bytes per point (measured on
# the units: 5.7 MB of coordinates, 9.8 MB copied and 4.9 MB of indexes once tested)
PREPARED_FACTOR = 2.6


class Prepared:
    """Private prepared copies of geometries, by identity (the originals are held by whoever
    holds this, so an identity is never reused while it lives), shared between views of the
    same geometries."""

    def __init__(self):
        self.copies: dict[int, shapely.Geometry] = {}
        self.lock = threading.Lock()

    def of(self, geometries: np.ndarray) -> np.ndarray:
        """The prepared copies of ``geometries``; call with :attr:`lock` held."""
        copies = np.empty(len(geometries), dtype=object)
        for position, geometry in enumerate(geometries):
            copy = self.copies.get(id(geometry))
            if copy is None:
                copy = self.copies[id(geometry)] = shapely.from_wkb(shapely.to_wkb(geometry))
                shapely.prepare(copy)
            copies[position] = copy
        return copies


class BoxIndex:
    """The positions of ``geometries`` (None: no geometry) that meet a box."""

    def __init__(self, geometries: np.ndarray, prepared: Prepared | None = None):
        self.geometries = np.asarray(geometries, dtype=object)
        self.tree = shapely.STRtree(self.geometries)
        self.prepared = prepared or Prepared()

    def __len__(self) -> int:
        return len(self.tree)

    def subset(self, positions: np.ndarray) -> BoxIndex:
        """The index of the geometries at ``positions``, sharing their prepared copies."""
        return BoxIndex(self.geometries[positions], self.prepared)

    def meeting(self, box: shapely.Geometry) -> np.ndarray:
        """The positions, ascending, whose geometry intersects ``box``."""
        candidates = np.sort(self.tree.query(box))
        with self.prepared.lock:
            copies = self.prepared.of(self.geometries[candidates])
            return candidates[shapely.intersects(copies, box)]
