"""Spatial functions (S_INTERSECTS … S_CROSSES) with shapely 2's vectorised predicates.

A property compared with a literal — the common case — goes through an STRtree: only the
geometries whose boxes meet the literal's are tested exactly, against the literal prepared
once. Two properties are compared row by row; two literals give one answer for every row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from filtering.errors import FilterError
from filtering.operands import Operand, boolean

PREDICATES = {"s_intersects": shapely.intersects, "s_equals": shapely.equals,
              "s_disjoint": shapely.disjoint, "s_touches": shapely.touches,
              "s_within": shapely.within, "s_overlaps": shapely.overlaps,
              "s_crosses": shapely.crosses, "s_contains": shapely.contains}
CONVERSE = {**{op: op for op in PREDICATES}, "s_within": "s_contains", "s_contains": "s_within"}


def relate(frame, op, args, value) -> Operand:
    if op not in PREDICATES:
        raise FilterError(f"spatial function {op!r} is not supported; "
                          f"supported: {', '.join(PREDICATES)}")
    first, second = (value(frame, arg) for arg in args)
    for operand in (first, second):
        if operand.kind != "geometry":
            raise FilterError(f"{op.upper()} needs two geometries, not the "
                              f"{operand.describe()}")
    a, b = first.values, second.values
    if isinstance(a, BaseGeometry) and isinstance(b, BaseGeometry):
        return boolean(frame, bool(PREDICATES[op](a, b)), False, op.upper())
    if isinstance(a, BaseGeometry):  # literal first: ask the converse of the property
        op, a, b = CONVERSE[op], b, a
    if isinstance(b, BaseGeometry):
        result = against(a, op, b)
    else:
        result = PREDICATES[op](a, b)
    return boolean(frame, result, pd.isna(a) | pd.isna(b), op.upper())


def against(geometries: np.ndarray, op: str, literal: BaseGeometry) -> np.ndarray:
    """``op(g, literal)`` for each of ``geometries``, testing only those whose boxes meet.

    >>> squares = np.array([shapely.box(0, 0, 1, 1), shapely.box(5, 5, 6, 6)])
    >>> against(squares, "s_disjoint", shapely.Point(0.5, 0.5)).tolist()
    [False, True]
    """
    present = ~pd.isna(geometries)
    candidates = shapely.STRtree(geometries[present]).query(literal)
    candidates = np.flatnonzero(present)[candidates]
    exact = "s_intersects" if op == "s_disjoint" else op
    shapely.prepare(literal)  # the literal comes first below: GEOS uses it prepared
    hits = np.zeros(len(geometries), dtype=bool)
    hits[candidates] = PREDICATES[CONVERSE[exact]](literal, geometries[candidates])
    return ~hits & present if op == "s_disjoint" else hits
