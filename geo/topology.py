"""Coverage topology: validity, repair, adjacency and topology-preserving simplification.

The county-level units form a *coverage*: polygons that do not overlap and whose
neighbours share identical edges. Every function here keeps it one. Per-feature
``simplify`` would not (it turns shared edges into slivers and overlaps, so ``touches``
fails), which is why display resolutions come from :func:`simplify_coverage` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj
import shapely

_GEOD = pyproj.Geod(ellps="WGS84")

# DE-9IM: interiors disjoint, boundaries meet in a line (dimension 1) -> a shared edge.
SHARES_EDGE = "F***1****"


@dataclass(frozen=True)
class CoverageReport:
    """What :func:`ensure_valid_coverage` found and did."""

    valid: bool
    invalid_edges: int
    repaired: bool

    def describe(self) -> str:
        if self.valid and not self.repaired:
            return "coverage valid as delivered: no repair needed"
        return (f"coverage had {self.invalid_edges} invalid edge(s); repaired with "
                "shapely.coverage_clean (overlaps merged into a neighbour, gaps closed), "
                "now valid")


def ensure_valid_coverage(geometries: np.ndarray) -> tuple[np.ndarray, CoverageReport]:
    """Check that ``geometries`` form a valid coverage; repair it if not.

    Returns
    -------
    (geometries, report): the input unchanged when valid, else the output of
    ``shapely.coverage_clean``, which must itself be valid.
    """
    if shapely.coverage_is_valid(geometries):
        return geometries, CoverageReport(True, 0, False)
    edges = shapely.coverage_invalid_edges(geometries)
    count = int(np.sum(~shapely.is_empty(edges)))
    cleaned = shapely.coverage_clean(geometries)
    if not shapely.coverage_is_valid(cleaned):
        raise ValueError(f"coverage still invalid after coverage_clean ({count} edges)")
    return cleaned, CoverageReport(False, count, True)


def adjacency(geometries: np.ndarray, ids) -> pd.DataFrame:
    """List every pair of touching polygons with how they meet.

    Parameters
    ----------
    geometries : array of polygons forming a valid coverage (lon/lat degrees)
    ids : identifiers, one per geometry

    Returns
    -------
    DataFrame with columns ``a``, ``b`` (ids, ``a < b``), ``contact`` (``'edge'`` when
    the boundaries share a line, ``'point'`` when they meet only at points) and
    ``shared_km`` (geodesic length of the shared border; 0 for a point contact).

    Examples
    --------
    >>> from shapely import box
    >>> squares = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 1, 3, 2)])
    >>> adjacency(squares, ["w", "e", "ne"]).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'a': 'e', 'b': 'ne', 'contact': 'point', 'shared_km': 0.0},
     {'a': 'e', 'b': 'w', 'contact': 'edge', 'shared_km': 110.574}]
    """
    ids = np.asarray(ids)
    left, right = shapely.STRtree(geometries).query(geometries, predicate="touches")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.intersection(shapely.boundary(geometries[left]),
                                  shapely.boundary(geometries[right]))
    edge = shapely.relate_pattern(geometries[left], geometries[right], SHARES_EDGE)
    km = np.array([_GEOD.geometry_length(g) / 1000.0 if e else 0.0
                   for g, e in zip(shared, edge)])
    a, b = ids[left], ids[right]
    swap = a > b
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    frame = pd.DataFrame({"a": a, "b": b, "contact": np.where(edge, "edge", "point"),
                          "shared_km": km.round(3)})
    return frame.sort_values(["a", "b"], ignore_index=True)


def simplify_coverage(geometries: np.ndarray, tolerance: float, decimals: int) -> np.ndarray:
    """Simplify a coverage for display, keeping shared edges shared.

    ``shapely.coverage_simplify`` (Visvalingam–Whyatt on the shared edge network;
    ``tolerance`` ≈ the square root of the triangle areas removed, in degrees) followed by
    rounding every vertex to ``decimals`` places, which maps equal vertices to equal
    vertices and so keeps the coverage. Exterior rings come out counter-clockwise (RFC 7946),
    as GEOS's coverage operations turn some of them round.
    """
    simplified = shapely.coverage_simplify(geometries, tolerance)
    return counter_clockwise(round_coordinates(simplified, decimals))


def counter_clockwise(geometries):
    """The polygons with exterior rings counter-clockwise and holes clockwise (RFC 7946's
    right-hand rule), which ``coverage_union_all`` and ``coverage_simplify`` do not keep.

    >>> square = shapely.Polygon([(0, 0), (0, 1), (1, 1), (1, 0)])
    >>> bool(counter_clockwise(square).exterior.is_ccw)
    True
    """
    return shapely.orient_polygons(geometries, exterior_cw=False)


def round_coordinates(geometries, decimals: int):
    """Round every vertex to ``decimals`` places, repairing any ring that collapses."""
    rounded = shapely.transform(geometries, lambda xy: np.round(xy, decimals))
    broken = ~shapely.is_valid(rounded)
    if np.any(broken):
        rounded = np.asarray(rounded).copy()
        rounded[broken] = shapely.set_precision(geometries[broken], 10.0 ** -decimals)
    return rounded
