"""Evaluate a parsed filter on a GeoDataFrame, column by column (vectorised).

Conditions are pandas ``boolean`` Series, so NULL follows CQL2's three-valued logic
(``NOT (x = 1)`` does not select rows where ``x`` is NULL); only the final mask turns
unknown into False. The operators of each conformance class live in their own module.
"""

from __future__ import annotations

import functools
import operator

import pandas as pd

from filtering import arrays, spatial, temporal, text
from filtering.errors import FilterError
from filtering.parsing import attributes
from filtering.operands import Operand, boolean, literal_operand, property_operand

_COMPARE = {"=": operator.eq, "<>": operator.ne, "<": operator.lt, ">": operator.gt,
            "<=": operator.le, ">=": operator.ge}
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
               "%": operator.mod, "div": operator.floordiv, "^": operator.pow}
_COMPARABLE = {"text", "number", "boolean", "instant"}


def evaluate(frame: pd.DataFrame, node) -> pd.Series:
    """Return the boolean mask of the rows of ``frame`` that satisfy the filter ``node``.

    >>> import geopandas as gpd, shapely
    >>> from filtering.parsing import parse
    >>> frame = gpd.GeoDataFrame({"name": ["渝中区", "邻水县"], "area_km2": [23.0, 1919.0]},
    ...     geometry=[shapely.box(106, 29, 107, 30), shapely.box(107, 29, 108, 30)])
    >>> list(evaluate(frame, parse("name LIKE '%县' OR name = '渝中区' AND area_km2 > 100")))
    [False, True]
    >>> list(evaluate(frame, parse("S_TOUCHES(geometry, BBOX(105, 29, 106, 30))")))
    [True, False]
    """
    unknown = attributes(node) - set(frame.columns)
    if unknown:
        raise FilterError(f"unknown propert{'y' if len(unknown) == 1 else 'ies'} "
                          f"{', '.join(sorted(unknown))}; queryables: "
                          f"{', '.join(sorted(map(str, frame.columns)))}")
    result = value(frame, node)
    if result.kind != "boolean":
        raise FilterError(f"a filter must be a condition, not the {result.describe()}")
    return result.values.fillna(False).astype(bool)


def value(frame: pd.DataFrame, node) -> Operand:
    """The operand a node of the filter stands for, on every row of ``frame``."""
    if isinstance(node, dict) and "property" in node:
        return property_operand(frame, node["property"])
    if isinstance(node, dict) and "op" in node:
        op = node["op"].lower()
        handler = _HANDLERS.get(op) or _MODULES.get(op[:2])
        if handler is None:
            raise FilterError(f"operator or function {node['op']!r} is not supported")
        return handler(frame, op, node["args"], value)
    if isinstance(node, list):
        raise FilterError("a list is allowed only after IN and in array functions")
    if isinstance(node, dict) and "interval" in node:
        raise FilterError("an INTERVAL is allowed only in temporal functions")
    return literal_operand(frame, node)


def _logic(frame, op, args, value) -> Operand:
    operands = [value(frame, arg) for arg in args]
    for operand in operands:
        if operand.kind != "boolean":
            raise FilterError(f"{op.upper()} combines conditions, not the {operand.describe()}")
    if op == "not":
        return Operand("boolean", ~operands[0].values, "NOT")
    combine = operator.and_ if op == "and" else operator.or_
    return Operand("boolean", functools.reduce(combine, (o.values for o in operands)),
                   op.upper())


def compare(frame, op: str, left: Operand, right: Operand) -> Operand:
    """``left op right`` for one of = <> < > <= >=, on operands of one kind."""
    if left.kind == "null" or right.kind == "null":
        return boolean(frame, False, True, op)
    if left.kind != right.kind or left.kind not in _COMPARABLE:
        hint = {"geometry": " (use S_EQUALS)", "list": " (use A_EQUALS)"}
        raise FilterError(f"cannot compare the {left.describe()} with the "
                          f"{right.describe()} by {op}"
                          f"{hint.get(left.kind) or hint.get(right.kind) or ''}")
    result = _COMPARE[op](left.values, right.values)
    return boolean(frame, result.fillna(False), left.values.isna() | right.values.isna(), op)


def _comparison(frame, op, args, value) -> Operand:
    left, right = (value(frame, arg) for arg in args)
    return compare(frame, op, left, right)


def _between(frame, op, args, value) -> Operand:
    subject, low, high = (value(frame, arg) for arg in args)
    above, below = compare(frame, ">=", subject, low), compare(frame, "<=", subject, high)
    return Operand("boolean", above.values & below.values, "BETWEEN")


def _in(frame, op, args, value) -> Operand:
    subject, choices = value(frame, args[0]), args[1]
    if not isinstance(choices, list) or not choices:
        raise FilterError("IN needs a non-empty list of values, as in name IN ('a', 'b')")
    matches = (compare(frame, "=", subject, value(frame, choice)).values for choice in choices)
    return Operand("boolean", functools.reduce(operator.or_, matches), "IN")


def _is_null(frame, op, args, value) -> Operand:
    subject = value(frame, args[0])
    return boolean(frame, pd.isna(subject.values), False, "IS NULL")


def _arithmetic(frame, op, args, value) -> Operand:
    left, right = (value(frame, arg) for arg in args)
    for operand in (left, right):
        if operand.kind != "number":
            raise FilterError(f"{op} needs numbers, not the {operand.describe()}")
    return Operand("number", _ARITHMETIC[op](left.values, right.values), op)


_HANDLERS = {"and": _logic, "or": _logic, "not": _logic, "between": _between, "in": _in,
             "isnull": _is_null, "like": text.like, "casei": text.casei,
             "accenti": text.accenti,
             **{op: _comparison for op in _COMPARE}, **{op: _arithmetic for op in _ARITHMETIC}}
_MODULES = {"s_": spatial.relate, "t_": temporal.relate, "a_": arrays.relate}
