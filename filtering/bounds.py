"""Limits on a filter's size and shape, checked in time linear in its length.

cql2-rs parses by recursive descent: some ten thousand nested parentheses, prefix operators
or chained terms overflow its stack and kill the process (no Python exception). No library
bounds that, so these checks run before the parser: a single left-to-right scan of the text
(:func:`check_text`), an iterative walk of the JSON (:func:`check_json`).
"""

from __future__ import annotations

import re


from filtering.errors import FilterError

MAX_INPUT = 2_000_000  # characters in all: the outline of 四川省 (the largest place a
# question of /query names) is 872 k characters of WKT, and its answer must be reusable
MAX_LENGTH = 100_000  # characters besides geometry literals
MAX_DEPTH = 20  # nesting of operators (a chain ``a OR b OR c`` is one level)
MAX_TERMS = 500  # operators and property references
MAX_VERTICES = 50_000  # in all geometry literals together (四川省: 40 k)
MAX_NESTING = 100 # parentheses and prefix operators (NOT, unary minus) in the text

_TOKEN = re.compile(r"""'(?:[^']|'')*'|"[^"]*"|[^\W\d][\w:.]*|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?
                    |<>|<=|>=|\s+|.""", re.VERBOSE | re.DOTALL)
_INSIDE_GEOMETRY = re.compile(r"[^()]*")
_WKT = {"POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
        "GEOMETRYCOLLECTION"}
_PREFIX = {"NOT", "-", "+"}
_WORD_OPERATORS = {"AND", "OR", "NOT", "LIKE", "IN", "BETWEEN", "IS", "DIV"}


def check_length(text: str) -> None:
    if len(text) > MAX_INPUT:
        raise FilterError(f"filter is {len(text):,} characters long; at most {MAX_INPUT:,}")


def check_text(text: str) -> None:
    """Bound a CQL2 text filter's length besides geometry literals, nesting and terms.

    >>> check_text("NOT (a = 1 OR S_INTERSECTS(geometry, POINT(1 2)))")
    >>> check_text("(" * 200 + "a = 1" + ")" * 200)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    filtering.errors.FilterError: filter nests parentheses ... deeper than 100 levels
    """
    check_length(text)
    position, depth, geometry_depth, run = 0, 0, None, 0
    terms = outside = vertices = 0
    pending_geometry, previous_operand = False, False
    while position < len(text):
        if geometry_depth is not None and depth > geometry_depth:  # skip coordinates
            start, position = position, _INSIDE_GEOMETRY.match(text, position).end()
            vertices += text.count(",", start, position) + 1  # at most one more per ring
            if position == len(text):
                break
        token = _TOKEN.match(text, position).group()
        start, position = position, position + len(token)
        if token == "(":
            depth += 1
            if pending_geometry and geometry_depth is None:
                geometry_depth = depth - 1
            pending_geometry = previous_operand = False
        elif token == ")":
            depth -= 1
            previous_operand = True
            if geometry_depth is not None and depth <= geometry_depth:
                geometry_depth = None
        elif token.isspace():
            continue
        elif token.upper() in _PREFIX and not previous_operand:
            run += 1
        else:
            word = token.upper()
            operand = word not in _WORD_OPERATORS and token[0] not in "=<>*/%^,-+"
            terms += token[0] not in "'.,0123456789"  # names and operators, not values
            pending_geometry = word in _WKT or pending_geometry and word in {"Z", "M", "ZM"}
            run = 0 if operand else run
            previous_operand = operand
        if geometry_depth is None:
            outside += position - start
        if depth + run > MAX_NESTING:
            raise FilterError("filter nests parentheses and prefix operators deeper than "
                              f"{MAX_NESTING} levels")
        if terms > MAX_TERMS:
            raise FilterError(f"filter has more than {MAX_TERMS} terms")
    if vertices > MAX_VERTICES + MAX_TERMS:  # the exact count follows the parser
        raise FilterError(f"geometry literals have more than {MAX_VERTICES:,} vertices")
    if outside > MAX_LENGTH:
        raise FilterError(f"filter is {outside:,} characters long besides its geometry "
                          f"literals; at most {MAX_LENGTH:,}")


def check_tree(node) -> None:
    """Bound a filter's operator nesting, terms and geometry vertices; check its shape.

    ``node`` is CQL2 JSON as Python values. The walk is iterative, so any depth is safe.

    >>> check_tree({"op": "=", "args": [{"property": 5}, 1]})
    Traceback (most recent call last):
    filtering.errors.FilterError: a property name must be a string, got 5
    """
    terms, vertices, stack = 0, 0, [(node, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list):
            stack.extend((value, depth) for value in item)
        if not isinstance(item, dict):
            continue
        if depth > MAX_DEPTH:
            raise FilterError(f"filter is nested deeper than {MAX_DEPTH} levels")
        if "property" in item:
            if not isinstance(item["property"], str):
                raise FilterError(f"a property name must be a string, got {item['property']!r}")
            terms += 1
        elif "op" in item:
            terms += 1
            if not isinstance(item["op"], str) or not isinstance(item.get("args"), list):
                raise FilterError('an operation is {"op": "<name>", "args": [...]}, got '
                                  f"{_excerpt(item)}")
            stack.extend((arg, depth + _level(item, arg)) for arg in item["args"])
        elif "coordinates" in item or "geometries" in item:
            vertices += _vertices(item)
        elif "interval" in item:
            stack.append((item["interval"], depth))
        if terms > MAX_TERMS:
            raise FilterError(f"filter has more than {MAX_TERMS} terms")
        if vertices > MAX_VERTICES:
            raise FilterError(f"geometry literals have more than {MAX_VERTICES:,} vertices")


def _level(parent: dict, child) -> int:
    """``a OR (b OR c)`` counts as one level, as a reader counts it."""
    return 0 if parent["op"] in ("and", "or") and isinstance(child, dict) \
        and child.get("op") == parent["op"] else 1


def _vertices(geometry: dict) -> int:
    """Positions in a GeoJSON geometry, counted in its nested lists (any depth, no parsing:
    the literal is read once, when it is evaluated).

    >>> _vertices({"type": "GeometryCollection", "geometries": [
    ...     {"type": "Point", "coordinates": [1, 2]},
    ...     {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}]})
    3
    """
    count, stack = 0, [geometry]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += [item.get("coordinates", []), *item.get("geometries", [])]
        elif isinstance(item, list) and item and isinstance(item[0], (int, float)):
            count += 1
        elif isinstance(item, list):
            stack += item
    return count


def _excerpt(value, length: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= length else text[:length] + "…"
