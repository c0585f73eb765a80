"""CQL2 filters (OGC API – Features Part 3) evaluated on GeoDataFrames with pygeofilter.

Text and JSON encodings are parsed by pygeofilter and evaluated by its geopandas backend
(vectorised shapely predicates on full-resolution geometry). Before evaluation the parsed
expression is checked: its size, nesting depth and geometry vertices are bounded, and every
property it names must be a queryable.

Examples
--------
>>> import geopandas as gpd, shapely
>>> frame = gpd.GeoDataFrame({"name": ["渝中区", "邻水县"], "area_km2": [23.0, 1919.0]},
...     geometry=[shapely.box(106, 29, 107, 30), shapely.box(107, 29, 108, 30)])
>>> list(evaluate(frame, parse("name LIKE '%县' AND area_km2 > 100")))
[False, True]
>>> list(evaluate(frame, parse("S_TOUCHES(geometry, POLYGON((106 29, 107 29, 107 30, 106 30, 106 29)))")))
[False, True]
"""

from __future__ import annotations

import orjson
import pandas as pd
import shapely
from pygeofilter import ast, values
from pygeofilter.backends.geopandas.evaluate import to_filter
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

LANGUAGES = ("cql2-text", "cql2-json")
MAX_LENGTH = 100_000  # characters of filter text
MAX_DEPTH = 20  # nesting of logical operators
MAX_NODES = 500
MAX_VERTICES = 50_000  # in all geometry literals together
_FUNCTIONS = {"bbox": lambda *bounds: shapely.box(*bounds[:4])}


class FilterError(ValueError):
    """A filter that cannot be parsed or is not accepted; the message says why."""


def parse(text: str, language: str = "cql2-text") -> ast.Node:
    """Parse a CQL2 filter in ``language`` (``cql2-text`` or ``cql2-json``)."""
    if language not in LANGUAGES:
        raise FilterError(f"filter-lang must be one of {', '.join(LANGUAGES)}, got {language!r}")
    if len(text) > MAX_LENGTH:
        raise FilterError(f"filter is {len(text):,} characters long; at most {MAX_LENGTH:,}")
    try:
        node = parse_text(text) if language == "cql2-text" else parse_json(orjson.loads(text))
    except Exception as error:  # noqa: BLE001 - the parsers raise many types
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise FilterError(f"invalid {language} filter: {first_line or type(error).__name__}") \
            from error
    _check_bounds(node)
    return node


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
            vertices += shapely.get_num_coordinates(shapely.geometry.shape(node))
            if vertices > MAX_VERTICES:
                raise FilterError(f"geometry literals have more than {MAX_VERTICES:,} vertices")
        stack.extend((child, depth + 1) for child in _children(node)
                     if isinstance(child, (ast.Node, values.Geometry)))


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
