"""Parse CQL2 text or JSON with cql2-rs (the reference implementation of OGC CQL2 1.0).

Both encodings end as the same tree: CQL2 JSON as Python values (``dict``/``list``/``str``/
``float``/``bool``), as ``cql2.Expr.to_json`` writes it.
"""

from __future__ import annotations

import cql2
import orjson

from filtering import bounds
from filtering.classes import ARITY, OPERATORS
from filtering.errors import FilterError

LANGUAGES = ("cql2-text", "cql2-json")


def check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise FilterError(f"filter-lang must be one of {', '.join(LANGUAGES)}, "
                          f"got {language!r}")


def parse(text: str, language: str = "cql2-text"):
    """Parse a CQL2 filter in ``language`` (``cql2-text`` or ``cql2-json``).

    >>> parse("name = 'a' OR name = 'b' AND area_km2 > 1")["op"]
    'or'
    >>> parse('{"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [1, 2, 3, 4]}]}',
    ...       "cql2-json") == parse("S_INTERSECTS(geometry, BBOX(1, 2, 3, 4))")
    True
    """
    check_language(language)
    if language == "cql2-text":
        bounds.check_text(text)
        node = _read(cql2.parse_text, text, language)
        bounds.check_tree(node)  # (a JSON filter's tree is checked before it is parsed)
    else:
        bounds.check_length(text)
        try:
            bounds.check_tree(orjson.loads(text))
        except orjson.JSONDecodeError as error:
            raise FilterError(f"invalid cql2-json filter: {error}") from None
        node = _read(cql2.parse_json, text, language)
    _check_operators(node)
    return node


def _read(parser, text: str, language: str):
    """Parse with cql2-rs. Not ``Expr.validate``: it compiles the CQL2 JSON schema on every
    call (~100 ms); the arity and kind checks here and in evaluation cover what it adds."""
    try:
        return parser(text).to_json()
    except Exception as error:  # noqa: BLE001 - cql2-rs raises bare Exception for bad WKT
        raise FilterError(f"invalid {language} filter: {_message(error)}") from None


def _message(error: Exception) -> str:
    """pest draws the position with ASCII art; keep the position and what was expected."""
    lines = [line.strip(" |") for line in str(error).splitlines()]
    useful = [line for line in lines if line and set(line) - set("^-| ")]
    return "; ".join(useful)[:500] or type(error).__name__


def _check_operators(root) -> None:
    for node in _nodes(root):
        if "op" not in node:
            continue
        if node["op"].lower() not in OPERATORS:
            raise FilterError(f"operator or function {node['op']!r} is not supported; "
                              f"supported: {', '.join(sorted(OPERATORS))}")
        least, most = ARITY[node["op"].lower()]
        if not least <= len(node["args"]) <= (most or len(node["args"])):
            expected = f"at least {least}" if most is None else str(least)
            raise FilterError(f"{node['op']} takes {expected} arguments, got "
                              f"{len(node['args'])}")


def _nodes(root):
    """Every operation and property reference of a tree, depth first (no recursion)."""
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "op" in item or "property" in item:
                yield item
            stack.extend(item.get("args", ()))
            stack.extend(item.get("interval", ()))


def operators(node) -> set[str]:
    """The operators and functions a parsed filter uses, lower-cased.

    >>> sorted(operators(parse("NOT (a = 1) AND S_INTERSECTS(geometry, POINT(1 2))")))
    ['=', 'and', 'not', 's_intersects']
    """
    return {item["op"].lower() for item in _nodes(node) if "op" in item}


def attributes(node) -> set[str]:
    """The property names a parsed filter refers to.

    >>> sorted(attributes(parse("a = 1 AND S_INTERSECTS(geometry, POINT(1 2))")))
    ['a', 'geometry']
    """
    return {item["property"] for item in _nodes(node) if "property" in item}
