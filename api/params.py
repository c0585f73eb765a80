"""Query parameters: each one a :class:`Parameter` (its name, how its text is read and
checked, how OpenAPI shows it), read for a route by one dependency, a :class:`Query` of the
parameters the route takes.

One dependency per route, not per parameter: FastAPI's solving costs tens of microseconds a
dependency and a validated parameter, which made up most of a small page's time (see
bench/page_cost.py). What tipg's pattern gives is kept: each parameter is read and checked in
one place, a route's accepted set is what it declares (:func:`accepted`), unknown names are
refused, and the OpenAPI document lists exactly these (:func:`openapi_parameters`).

>>> LIMIT.read("20", None), OFFSET.read(None, None)
(20, 0)
>>> BBOX.read("106,29,108,31", None)
(106.0, 29.0, 108.0, 31.0)
>>> try:
...     LIMIT.read("0", None)
... except InvalidParameter as error:
...     print(error)
limit: should be greater than or equal to 1 (got '0')
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Callable
from urllib.parse import unquote_to_bytes

from fastapi import Depends, Path, Request

from api.errors import InvalidParameter, NotFound
from api.resources import Means, get_means
from api.responses import CRS84, negotiate
from filtering import LANGUAGES, parse
from formats.exports import FORMATS
from formats.render import LIMITS, MEDIA_TYPES, render
from geo.build import RESOLUTIONS
from layers.catalogue import COLLECTIONS, Period
from layers.panel import STEPS

RESOLUTION_NAMES = ("full", *RESOLUTIONS)
DATUMS = ("wgs84", "gcj02")
PICTURES = tuple(MEDIA_TYPES)  # f=… on items: a rendered map
OUTPUTS = ("json", "html", *FORMATS, *PICTURES)  # json is the page, geojson a file
PAGES = ("json", "html")
ANSWERS = ("json", "html", "csv", "geojson")
PANELS = ("json", "csv", "parquet")


@dataclass(frozen=True)
class Parameter:
    """One query parameter: ``read(text, request)`` turns its text (None when absent) into
    the value a route gets, or raises :class:`InvalidParameter` naming it."""

    name: str
    read: Callable[[str | None, Request | None], Any]
    description: str
    schema: dict = field(default_factory=lambda: {"type": "string"})
    required: bool = False

    def openapi(self) -> dict:
        """Its OpenAPI 3.0 entry (OGC's style: form, not exploded)."""
        return {"name": self.name, "in": "query", "required": self.required, "style": "form",
                "explode": False, "schema": self.schema, "description": self.description}


def known_collection(collection: str) -> str:
    """``collection`` if there is one by that name, else :class:`NotFound`."""
    if collection not in COLLECTIONS:
        raise NotFound(f"no collection {collection!r}; collections: {', '.join(COLLECTIONS)}")
    return collection


async def collection_id(collection: Annotated[str, Path(description=(
        f"One of {', '.join(COLLECTIONS)}"))]) -> str:
    return known_collection(collection)


class Query:
    """A route's query parameters as one dependency: ``Depends(Query(LIMIT, BBOX, …))``
    gives the route ``{name: value}``. Unknown names are refused, as are values that are
    not UTF-8 once percent-decoded (Starlette would silently turn them into U+FFFD)."""

    def __init__(self, *parameters: Parameter):
        self.parameters = parameters
        self.names = frozenset(p.name for p in parameters)

    async def __call__(self, request: Request) -> dict[str, Any]:
        return self.read(request)

    def read(self, request: Request, also: set[str] | None = None) -> dict[str, Any]:
        """The values of the parameters; ``also`` names further accepted parameters (the
        items' queryables), whose values come as given under ``"properties"``."""
        _check_utf8(request.scope["query_string"])
        given = request.query_params
        extra = also or set()
        unknown = sorted(set(given) - self.names - extra)
        if unknown:
            raise InvalidParameter(", ".join(unknown), f"unknown parameter"
                                   f"{'s' if len(unknown) > 1 else ''}; accepted: "
                                   f"{', '.join(sorted(self.names | extra))}")
        last = dict(given.items())  # each name's last value, read as a plain dict's
        values = {p.name: p.read(last.get(p.name), request) for p in self.parameters}
        if also is not None:
            values["properties"] = {n: v for n, v in given.items() if n not in self.names}
        return values


class FeatureQuery(Query):
    """The items' parameters: also ``name=value`` filters on the collection's queryables.
    The route's ``{collection}`` is checked here first and given as ``"collection"`` (one
    dependency rather than two: its parameters depend on it), and the means it was read with
    as ``"means"`` (the route needs no dependency of its own: FastAPI solves each, even one
    already solved, at some microseconds a request)."""

    async def __call__(self, request: Request, use: Annotated[Means, Depends(get_means)]
                       ) -> dict[str, Any]:
        collection = known_collection(request.path_params["collection"])
        return {"collection": collection, "means": use,
                **self.read(request, set(use.catalogue.queryables(collection)))}


def _check_utf8(query_string: bytes) -> None:
    try:  # the whole query at once: '&' and '=' never complete a UTF-8 sequence
        unquote_to_bytes(query_string.replace(b"+", b" ")).decode("utf-8")
        return
    except UnicodeDecodeError:
        pass  # a name or a value is not UTF-8: a value's is refused, naming it
    for part in query_string.split(b"&"):
        name, _, value = part.partition(b"=")
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            shown = unquote_to_bytes(name).decode("utf-8", errors="replace")
            raise InvalidParameter(shown, "the value is not UTF-8 text") from None


def accepted(route) -> frozenset[str]:
    """The query parameters ``route`` declares: those of its :class:`Query` dependencies."""
    return frozenset().union(*(query.names for query in queries(route)))


def queries(route) -> list[Query]:
    """The :class:`Query` dependencies of ``route``, at any depth."""
    found, stack = [], [route.dependant]
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, Query):
            found.append(dependant.call)
        stack.extend(dependant.dependencies)
    return found


def openapi_parameters(route) -> list[dict]:
    """The OpenAPI entries of the query parameters ``route`` declares."""
    return [p.openapi() for query in queries(route) for p in query.parameters]


# ---- readers: each takes the text (None when absent) and the request -------------------

def _integer(name: str, low: int, high: int | None, default: int | None):
    def read(text, request=None):
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise InvalidParameter(name, f"should be a whole number (got {text!r})") from None
        if value < low:
            raise InvalidParameter(name, f"should be greater than or equal to {low} "
                                         f"(got {text!r})")
        if high is not None and value > high:
            raise InvalidParameter(name, f"should be less than or equal to {high} "
                                         f"(got {text!r})")
        return value
    return read


def _one_of(name: str, allowed: tuple[str, ...], default: str | None):
    def read(text, request=None):
        if text is None:
            return default
        if text not in allowed:
            raise InvalidParameter(name, f"expected one of {', '.join(allowed)}, got {text!r}")
        return text
    return read


def _output(allowed: tuple[str, ...]):
    """``f``: one of ``allowed``; without it the Accept header decides (json or html)."""
    def read(text, request):
        if text is None:
            return negotiate(request.headers.get("accept", "") if request else "")
        if text not in allowed:
            raise InvalidParameter("f", f"unsupported format {text!r}; supported: "
                                        f"{', '.join(allowed)}")
        return text
    return read


def _only_crs84(name: str):
    def read(text, request=None):
        if text not in (None, CRS84, "CRS84", "OGC:CRS84"):
            raise InvalidParameter(name, f"only {CRS84} is supported, got {text!r}")
    return read


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidParameter(name, f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise InvalidParameter(name, f"{text!r} is not a finite number")
    return value


def _bbox(text, request=None) -> tuple[float, float, float, float] | None:
    """(west, south, east, north), checked."""
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) not in (4, 6):
        raise InvalidParameter("bbox", f"expected 4 or 6 comma-separated numbers "
                                       f"(minLon,minLat,maxLon,maxLat), got {len(parts)}")
    numbers = [_number(p.strip(), "bbox") for p in parts]
    west, south, east, north = numbers if len(parts) == 4 else \
        (numbers[0], numbers[1], numbers[3], numbers[4])
    for value, limit, what in ((west, 180, "longitude"), (east, 180, "longitude"),
                               (south, 90, "latitude"), (north, 90, "latitude")):
        if abs(value) > limit:
            raise InvalidParameter("bbox", f"{what} {value:g} is outside [-{limit}, {limit}]")
    if south > north:
        raise InvalidParameter("bbox", f"minLat {south:g} is greater than maxLat {north:g}")
    return west, south, east, north


def _date(text: str, name: str = "datetime") -> dt.date:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date() \
            if "T" in text else dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidParameter(name, f"{text!r} is not a date (YYYY-MM-DD) or an "
                                     "RFC 3339 instant") from None


def _required_date(name: str):
    def read(text, request=None):
        if text is None:
            raise InvalidParameter(name, "required: a date YYYY-MM-DD")
        return _date(text, name)
    return read


def _datetime(text, request=None) -> dt.date | Period | None:
    """The ``as_of`` of a selection: a date, a period or None (the latest)."""
    if text is None:
        return None
    if "/" not in text:
        return _date(text)
    start, _, end = text.partition("/")
    period = Period(*(None if part in ("", "..") else _date(part) for part in (start, end)))
    if period.start and period.end and period.start > period.end:
        raise InvalidParameter("datetime", f"the interval {text!r} ends before it starts")
    return period


def _as_of(text, request=None) -> dt.date | None:
    """One date (no interval), or None for the latest."""
    if text is not None and "/" in text:
        raise InvalidParameter("datetime", "give one date (membership as of that date), "
                                           "e.g. 2022-06-30, not an interval")
    return None if text is None else _date(text)


def _filter(text, request):
    """The parsed filter (:func:`filtering.parse`) in the language ``filter-lang`` names."""
    language = FILTER_LANG.read(request.query_params.get("filter-lang"), request)
    return None if text is None else parse(text, language)


def _question(text, request=None) -> str:
    if not text:
        raise InvalidParameter("q", "required: a question, e.g. 'platforms touching 广安'")
    if len(text) > 500:
        raise InvalidParameter("q", f"a question is at most 500 characters, got {len(text)}")
    return text


def _entities(text, request=None) -> list[str] | None:
    """The ids as given (checked by the panel), or None for all."""
    return None if text is None else [name.strip() for name in text.split(",") if name.strip()]


TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _wide(text, request=None) -> bool:
    if text is None or text.lower() in FALSE:
        return False
    if text.lower() in TRUE:
        return True
    raise InvalidParameter("wide", f"expected true or false, got {text!r}")


# ---- the parameters ------------------------------------------------------------------------

def _enum(values, default=None) -> dict:
    return {"type": "string", "enum": list(values),
            **({"default": default} if default is not None else {})}


def _crs_parameter(name: str) -> Parameter:
    return Parameter(name, _only_crs84(name), f"Only {CRS84}.",
                     {"type": "string", "format": "uri", "default": CRS84})


PICTURE_DEFAULTS = {name: parameter.default for name, parameter in
                    inspect.signature(render).parameters.items() if name in LIMITS}


def _size(name: str, description: str) -> Parameter:
    low, high = LIMITS[name]
    return Parameter(name, _integer(name, low, high, PICTURE_DEFAULTS[name]), description,
                     {"type": "integer", "minimum": low, "maximum": high,
                      "default": PICTURE_DEFAULTS[name]})


LIMIT = Parameter("limit", _integer("limit", 1, None, None), (
    "Features per page (default 10); above 10,000 it is capped, not refused (both are "
    "settings)."), {"type": "integer", "minimum": 1})
OFFSET = Parameter("offset", _integer("offset", 0, None, 0), "Features to skip.",
                   {"type": "integer", "minimum": 0, "default": 0})
BBOX = Parameter("bbox", _bbox, (
    "minLon,minLat,maxLon,maxLat in CRS84 (6 numbers with heights are accepted; minLon > "
    "maxLon crosses the antimeridian)."),
    {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}})
CRS, BBOX_CRS, FILTER_CRS = map(_crs_parameter, ("crs", "bbox-crs", "filter-crs"))
DATETIME = Parameter("datetime", _datetime, (
    "Membership as of this date (YYYY-MM-DD or an RFC 3339 instant); default: the latest "
    "texts. An interval start/end (either end may be '..') selects the memberships in force "
    "at any time in it; units and platforms are then as of its end."))
AS_OF = Parameter("datetime", _as_of,
                  "Membership as of this date (YYYY-MM-DD); default: the latest texts.")
RESOLUTION = Parameter("resolution", _one_of("resolution", RESOLUTION_NAMES, "full"), (
    "Geometry detail: full (for analysis, the default) or a display resolution "
    f"({', '.join(RESOLUTIONS)})."), _enum(RESOLUTION_NAMES, "full"))
DATUM = Parameter("datum", _one_of("datum", DATUMS, "wgs84"), (
    "wgs84 (default, RFC 7946) or gcj02: coordinates shifted for Amap base maps; such output "
    "is labelled GCJ-02 and is not valid RFC 7946 GeoJSON."), _enum(DATUMS, "wgs84"))
FILTER_LANG = Parameter("filter-lang", _one_of("filter-lang", LANGUAGES, "cql2-text"),
                        "The filter's encoding.", _enum(LANGUAGES, "cql2-text"))
FILTER = Parameter("filter", _filter, (
    "A CQL2 filter (text or JSON, see filter-lang) on the queryables; spatial functions use "
    "full-resolution geometry."))
OUTPUT = Parameter("f", _output(OUTPUTS), (
    f"Output: {', '.join(OUTPUTS)}: json is the GeoJSON page with links, geojson and the "
    f"others download a file, {', '.join(PICTURES)} a rendered map (see width, height, dpi). "
    "Without it the Accept header decides between JSON and HTML."), _enum(OUTPUTS))
PAGE_OUTPUT = Parameter("f", _output(PAGES), (
    "Output: json or html. Without it the Accept header decides."), _enum(PAGES))
ANSWER_OUTPUT = Parameter("f", _output(ANSWERS), (
    "Output: json (the answer), html (a readable page), csv (the hits as a table) or geojson "
    "(the hits as features). Without it the Accept header decides between JSON and HTML."),
    _enum(ANSWERS))
PANEL_OUTPUT = Parameter("f", _one_of("f", PANELS, "json"), (
    "Output: json (the rows as objects), csv or parquet (a file)."), _enum(PANELS, "json"))
WIDTH = _size("width", "Width of a rendered map (f=png, svg, pdf) in pixels.")
HEIGHT = _size("height", "Height of a rendered map (f=png, svg, pdf) in pixels.")
DPI = _size("dpi", "Dots per inch of a rendered map: the size of its text; an SVG or PDF page "
                   "measures width/dpi × height/dpi inches.")
QUESTION = Parameter("q", _question, (
    "e.g. 'platforms touching 广安', '与广安接壤的平台', 'units of 万达开'"),
    {"type": "string", "minLength": 1, "maxLength": 500}, required=True)
START = Parameter("start", _required_date("start"), "First day of the panel (YYYY-MM-DD).",
                  {"type": "string", "format": "date"}, required=True)
END = Parameter("end", _required_date("end"), (
    "Last day of the panel (YYYY-MM-DD): the last period ends on it."),
    {"type": "string", "format": "date"}, required=True)
EVERY = Parameter("every", _one_of("every", tuple(STEPS), "year"), (
    f"The step between periods: {', '.join(STEPS)}."), _enum(STEPS, "year"))
ENTITIES = Parameter("entities", _entities, (
    "Entity ids of the registry, comma-separated (default: every entity)."))
WIDE = Parameter("wide", _wide, (
    "One row per unit and period, one column per entity (0, 1 for whole, or the kind), "
    "instead of one row per unit, period and entity."), {"type": "boolean", "default": False})

# the parameters of the landing page, conformance, the collections and /api: f only
PAGE_PARAMETERS = Annotated[dict[str, Any], Depends(Query(PAGE_OUTPUT))]
