"""Array functions (A_EQUALS, A_CONTAINS, A_CONTAINEDBY, A_OVERLAPS) on list properties.

Arrays compare as sets of their items, as cql2-rs does. Rows hold Python lists, so the
test runs once per row (sets have no vectorised form in pandas).
"""

from __future__ import annotations

import numpy as np

from filtering.errors import FilterError
from filtering.operands import Operand, boolean

RELATIONS = {"a_equals": frozenset.__eq__, "a_contains": frozenset.issuperset,
             "a_containedby": frozenset.issubset,
             "a_overlaps": lambda a, b: not a.isdisjoint(b)}


def relate(frame, op, args, value) -> Operand:
    if op not in RELATIONS:
        raise FilterError(f"array function {op!r} is not supported; "
                          f"supported: {', '.join(RELATIONS)}")
    first, second = (_sets(frame, arg, value, op) for arg in args)
    unknown = [a is None or b is None for a, b in zip(first, second)]
    result = [not missing and RELATIONS[op](a, b)
              for a, b, missing in zip(first, second, unknown)]
    return boolean(frame, result, unknown, op.upper())


def _sets(frame, node, value, op) -> list:
    """The array each row has for ``node``: a list literal, or a list property."""
    if isinstance(node, list):
        items = frozenset(_item(value(frame, item), op) for item in node)
        return [items] * len(frame)
    operand = value(frame, node)
    if operand.kind != "list":
        raise FilterError(f"{op.upper()} needs arrays, not the {operand.describe()}")
    return [frozenset(v) if isinstance(v, (list, tuple, np.ndarray)) else None
            for v in operand.values]


def _item(operand: Operand, op: str):
    values = operand.values.dropna().unique() if operand.kind != "geometry" else ()
    if len(values) != 1:
        raise FilterError(f"{op.upper()}: array items must be literal values, not the "
                          f"{operand.describe()}")
    return values[0]
