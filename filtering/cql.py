"""CQL2 filters (OGC API – Features Part 3) evaluated on GeoDataFrames with pygeofilter.

Text and JSON encodings are parsed by pygeofilter and evaluated by its geopandas backend
(vectorised shapely predicates on full-resolution geometry). The text grammar is
pygeofilter's with two corrections: NOT applies to any condition (``NOT (a AND b)``, as
GDAL and QGIS write it) and ``''`` escapes a quote inside a string. WKT literals are read
by GEOS rather than by the grammar: the full-resolution outline of a prefecture is a
hundred thousand characters, which the grammar would take seconds over.

Before evaluation the expression is checked: its size (100,000 characters besides its
geometry literals, which are bounded by their vertices), its nesting depth and number of
terms are bounded, and every property it names must be a queryable.

Examples
--------
>>> import geopandas as gpd, shapely
>>> frame = gpd.GeoDataFrame({"name": ["渝中区", "邻水县"], "area_km2": [23.0, 1919.0]},
...     geometry=[shapely.box(106, 29, 107, 30), shapely.box(107, 29, 108, 30)])
>>> list(evaluate(frame, parse("name LIKE '%县' AND area_km2 > 100")))
[False, True]
>>> list(evaluate(frame, parse("name LIKE '渝_区'")))
[True, False]
>>> list(evaluate(frame, parse("NOT (name = '渝中区' AND area_km2 < 100)")))
[False, True]
>>> list(evaluate(frame, parse("S_TOUCHES(geometry, POLYGON((106 29, 107 29, 107 30, 106 30, 106 29)))")))
[False, True]
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pandas as pd
import shapely
from lark import Lark
from pygeofilter import ast, values
from pygeofilter.backends.geopandas.evaluate import to_filter
from pygeofilter.parsers import cql2_text
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text.parser import CQLTransformer

LANGUAGES = ("cql2-text", "cql2-json")
MAX_LENGTH = 100_000  # characters besides geometry literals
MAX_INPUT = 2_000_000  # characters in all: the outline of 四川省 (the largest place a
# question of /query names) is 872 k characters of WKT, and its answer must be reusable
MAX_DEPTH = 20  # nesting of logical operators
MAX_NODES = 500
MAX_VERTICES = 50_000  # in all geometry literals together (四川省: 40 k)
_FUNCTIONS = {"bbox": lambda *bounds: shapely.box(*bounds[:4])}


class FilterError(ValueError):
    """A filter that cannot be parsed or is not accepted; the message says why."""


def _text_parser() -> Lark:
    grammar_file = Path(cql2_text.__file__).with_name("grammar.lark")
    grammar = grammar_file.read_text()
    corrections = {  # pygeofilter's rule -> the CQL2 one
        '''?condition_1: predicate
            | "NOT"i predicate                                               -> not_
            | "NOT"i "(" predicate ")"                                       -> not_
            | "(" condition ")"''':
        '''?condition_1: predicate
            | "NOT"i condition_1                                             -> not_
            | "(" condition ")"''',
        '''SINGLE_QUOTED: "'" /.*?/ "'"''': '''SINGLE_QUOTED: /'(?:[^']|'')*'/''',
    }
    for rule, corrected in corrections.items():
        if rule not in grammar:
            raise RuntimeError(f"pygeofilter's CQL2 grammar changed: {rule.splitlines()[0]}")
        grammar = grammar.replace(rule, corrected)

    class Transformer(CQLTransformer):
        def SINGLE_QUOTED(self, token):  # noqa: N802 - lark names callbacks by terminal
            return token[1:-1].replace("''", "'")

    return Lark(grammar, parser="lalr", maybe_placeholders=False, transformer=Transformer(),
                source_path=str(grammar_file),
                import_paths=[str(grammar_file.parent.parent)])


_TEXT_PARSER = _text_parser()
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"")
_WKT_START = re.compile(r"\b(?:GEOMETRYCOLLECTION|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|"
                        r"POINT|LINESTRING|POLYGON)\s*(?:Z\s*)?\(", re.IGNORECASE)
_PARENTHESIS = re.compile(r"[()]")


def parse(text: str, language: str = "cql2-text") -> ast.Node:
    """Parse a CQL2 filter in ``language`` (``cql2-text`` or ``cql2-json``)."""
    if language not in LANGUAGES:
        raise FilterError(f"filter-lang must be one of {', '.join(LANGUAGES)}, got {language!r}")
    if len(text) > MAX_INPUT:
        raise FilterError(f"filter is {len(text):,} characters long; at most {MAX_INPUT:,}")
    geometries = []
    if language == "cql2-text":
        text, geometries = _lift_geometries(text)
        if len(text) > MAX_LENGTH:
            raise FilterError(f"filter is {len(text):,} characters long besides its geometry "
                              f"literals; at most {MAX_LENGTH:,}")
    try:
        node = _TEXT_PARSER.parse(text) if language == "cql2-text" else \
            parse_json(_between_as_pygeofilter(orjson.loads(text)))
    except Exception as error:  # noqa: BLE001 - the parsers raise many types
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise FilterError(f"invalid {language} filter: {first_line or type(error).__name__}") \
            from error
    _put_back(node, geometries)
    _check_bounds(node)
    _like_single_character(node)
    return node


def _lift_geometries(text: str) -> tuple[str, list]:
    """Read each WKT literal with GEOS and leave a placeholder ``POINT(i 0)`` in its place."""
    quoted = [match.span() for match in _QUOTED.finditer(text)]
    pieces, geometries, position = [], [], 0
    for match in _WKT_START.finditer(text):
        start = match.start()
        if start < position or any(a <= start < b for a, b in quoted):
            continue  # inside a literal already read, or inside a string
        depth, end = 0, None
        for parenthesis in _PARENTHESIS.finditer(text, match.end() - 1):
            depth += 1 if parenthesis.group() == "(" else -1
            if depth == 0:
                end = parenthesis.end()
                break
        if end is None:
            continue  # unbalanced: the grammar reports it
        try:
            geometries.append(shapely.from_wkt(text[start:end]))
        except shapely.errors.GEOSException as error:
            raise FilterError(f"invalid geometry literal: {error}") from error
        pieces += [text[position:start], f"POINT({len(geometries) - 1} 0)"]
        position = end
    return "".join(pieces) + text[position:], geometries


def _put_back(root, geometries: list) -> None:
    """Replace the placeholders of :func:`_lift_geometries` by the geometries read."""
    if not geometries:
        return
    stack, placed = [root], 0
    while stack:
        node = stack.pop()
        if isinstance(node, values.Geometry):
            node.geometry = shapely.geometry.mapping(
                geometries[int(node.geometry["coordinates"][0])])
            placed += 1
        stack.extend(c for c in _children(node) if isinstance(c, (ast.Node, values.Geometry)))
    if placed != len(geometries):
        raise FilterError("geometry literals are allowed only as arguments of spatial "
                          "functions")


def _between_as_pygeofilter(value):
    """CQL2 JSON writes ``between`` as three arguments; pygeofilter wants ``[x, [low, high]]``."""
    if isinstance(value, list):
        return [_between_as_pygeofilter(v) for v in value]
    if not isinstance(value, dict):
        return value
    value = {k: _between_as_pygeofilter(v) for k, v in value.items()}
    if value.get("op") == "between" and isinstance(value.get("args"), list) \
            and len(value["args"]) == 3:
        value["args"] = [value["args"][0], value["args"][1:]]
    return value


def _like_single_character(root) -> None:
    """CQL2's single-character wildcard is ``_``; pygeofilter's parsers set ``.``."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Like):
            node.singlechar = "_"
        stack.extend(c for c in _children(node) if isinstance(c, ast.Node))


def _children(node):
    return [c for c in getattr(node, "get_sub_nodes", lambda: [])() or []]


def _check_bounds(root) -> None:
    count, vertices, stack = 0, 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise FilterError(f"filter is nested deeper than {MAX_DEPTH} levels")
        if count > MAX_NODES:
            raise FilterError(f"filter has more than {MAX_NODES} terms")
        if isinstance(node, values.Geometry):
            try:
                geometry = shapely.geometry.shape(node)
            except (ValueError, TypeError, KeyError, shapely.errors.GEOSException) as error:
                raise FilterError(f"invalid geometry literal: {error}") from error
            vertices += shapely.get_num_coordinates(geometry)
            if vertices > MAX_VERTICES:
                raise FilterError(f"geometry literals have more than {MAX_VERTICES:,} vertices")
        stack.extend((child, depth if _same_chain(node, child) else depth + 1)
                     for child in _children(node)
                     if isinstance(child, (ast.Node, values.Geometry)))


def _same_chain(parent, child) -> bool:
    """``a OR b OR c`` parses as nested ORs but is one level, as a reader counts it."""
    return isinstance(parent, (ast.And, ast.Or)) and type(child) is type(parent)


def attributes(node) -> set[str]:
    """The property names a parsed filter refers to."""
    found, stack = set(), [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Attribute):
            found.add(item.name)
        stack.extend(c for c in _children(item) if isinstance(c, ast.Node))
    return found


def evaluate(frame: pd.DataFrame, node: ast.Node) -> pd.Series:
    """Return the boolean mask of the rows of ``frame`` that satisfy the filter."""
    unknown = attributes(node) - set(frame.columns)
    if unknown:
        raise FilterError(f"unknown propert{'y' if len(unknown) == 1 else 'ies'} "
                          f"{', '.join(sorted(unknown))}; queryables: "
                          f"{', '.join(sorted(frame.columns))}")
    try:
        mask = to_filter(frame, node, function_map=_FUNCTIONS)
    except (TypeError, ValueError, KeyError, shapely.errors.GEOSException) as error:
        raise FilterError(f"cannot evaluate filter: {error}") from error
    if not isinstance(mask, pd.Series):
        raise FilterError("filter must be a condition (a comparison or predicate), "
                          "not a value")
    return mask.fillna(False).astype(bool)
