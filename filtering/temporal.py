"""Temporal functions (T_AFTER … T_STARTS) as comparisons of interval ends, vectorised.

An instant is the interval from itself to itself; ``'..'`` is an open end. The relations
are those of CQL2's table of temporal functions (Allen's interval algebra).
"""

from __future__ import annotations

import pandas as pd

from filtering.errors import FilterError
from filtering.operands import Operand, boolean, instant

EARLIEST, LATEST = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")

RELATIONS = {  # (start1, end1, start2, end2) -> condition
    "t_after": lambda s1, e1, s2, e2: s1 > e2,
    "t_before": lambda s1, e1, s2, e2: e1 < s2,
    "t_contains": lambda s1, e1, s2, e2: (s1 < s2) & (e1 > e2),
    "t_disjoint": lambda s1, e1, s2, e2: (e1 < s2) | (s1 > e2),
    "t_during": lambda s1, e1, s2, e2: (s1 > s2) & (e1 < e2),
    "t_equals": lambda s1, e1, s2, e2: (s1 == s2) & (e1 == e2),
    "t_finishedby": lambda s1, e1, s2, e2: (s1 < s2) & (e1 == e2),
    "t_finishes": lambda s1, e1, s2, e2: (s1 > s2) & (e1 == e2),
    "t_intersects": lambda s1, e1, s2, e2: (s1 <= e2) & (e1 >= s2),
    "t_meets": lambda s1, e1, s2, e2: e1 == s2,
    "t_metby": lambda s1, e1, s2, e2: s1 == e2,
    "t_overlappedby": lambda s1, e1, s2, e2: (s1 > s2) & (s1 < e2) & (e1 > e2),
    "t_overlaps": lambda s1, e1, s2, e2: (s1 < s2) & (e1 > s2) & (e1 < e2),
    "t_startedby": lambda s1, e1, s2, e2: (s1 == s2) & (e1 > e2),
    "t_starts": lambda s1, e1, s2, e2: (s1 == s2) & (e1 < e2),
}


def relate(frame, op, args, value) -> Operand:
    if op not in RELATIONS:
        raise FilterError(f"temporal function {op!r} is not supported; "
                          f"supported: {', '.join(RELATIONS)}")
    (s1, e1), (s2, e2) = (_interval(frame, arg, value, op) for arg in args)
    unknown = s1.isna() | e1.isna() | s2.isna() | e2.isna()
    return boolean(frame, RELATIONS[op](s1, e1, s2, e2).fillna(False), unknown, op.upper())


def _interval(frame, node, value, op) -> tuple[pd.Series, pd.Series]:
    if isinstance(node, dict) and "interval" in node:
        bounds = node["interval"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise FilterError("an INTERVAL has two ends")
        return (_end(frame, bounds[0], value, EARLIEST, op),
                _end(frame, bounds[1], value, LATEST, op))
    moment = _instants(value(frame, node), op)
    return moment, moment


def _end(frame, node, value, open_end: pd.Timestamp, op) -> pd.Series:
    if node == "..":
        return pd.Series(open_end, index=frame.index)
    if isinstance(node, str):
        return pd.Series(instant(node, "INTERVAL"), index=frame.index)
    return _instants(value(frame, node), op)


def _instants(operand: Operand, op: str) -> pd.Series:
    if operand.kind != "instant":
        raise FilterError(f"{op.upper()} needs dates, timestamps or intervals, not the "
                          f"{operand.describe()}")
    return operand.values
