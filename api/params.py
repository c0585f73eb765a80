"""Query parameters: one dependency each, parsing and checking its parameter (tipg's pattern).

A route accepts exactly the query parameters of the dependencies it declares
(:func:`accepted`): no list is kept by hand, so the OpenAPI document and the checks agree.
Unknown parameters are refused by :func:`refuse_unknown` (on every route but the items, whose
:func:`property_filters` also accepts the collection's queryables).

Dependencies are ``async``: their work is a few microseconds, and FastAPI would otherwise hop
to a worker thread for each, which costs more than the work.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from typing import Annotated
from urllib.parse import unquote_to_bytes

from fastapi import Depends, Path, Query, Request

from api.errors import InvalidParameter, NotFound
from api.resources import get_catalogue, get_settings
from api.responses import CRS84, negotiate
from api.settings import Settings
from filtering import LANGUAGES, parse
from formats.exports import FORMATS
from formats.render import LIMITS, MEDIA_TYPES, render
from geo.build import RESOLUTIONS
from layers.catalogue import COLLECTIONS, Catalogue, Period
from layers.panel import STEPS

RESOLUTION_NAMES = ("full", *RESOLUTIONS)
DATUMS = ("wgs84", "gcj02")
PICTURES = tuple(MEDIA_TYPES)  # f=… on items: a rendered map
OUTPUTS = ("json", "html", *FORMATS, *PICTURES)  # json is the page, geojson a file
PAGES = ("json", "html")


def accepted(route) -> frozenset[str]:
    """The query parameters ``route`` declares, through its dependencies at any depth."""
    if id(route) not in _ACCEPTED:  # routes are not hashable; they live as long as the app
        _ACCEPTED[id(route)] = route, _declared(route)
    return _ACCEPTED[id(route)][1]


_ACCEPTED: dict[int, tuple[object, frozenset[str]]] = {}


def _declared(route) -> frozenset[str]:
    names, stack = set(), [route.dependant]
    while stack:
        dependant = stack.pop()
        names.update(parameter.alias for parameter in dependant.query_params)
        stack.extend(dependant.dependencies)
    return frozenset(names)


def _check(request: Request, allowed: frozenset[str] | set[str]) -> None:
    """Refuse unknown parameters, and values that are not UTF-8 once percent-decoded
    (Starlette would silently turn them into U+FFFD)."""
    for part in request.scope["query_string"].split(b"&"):
        name, _, value = part.partition(b"=")
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            shown = unquote_to_bytes(name).decode("utf-8", errors="replace")
            raise InvalidParameter(shown, "the value is not UTF-8 text") from None
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise InvalidParameter(", ".join(unknown), f"unknown parameter"
                               f"{'s' if len(unknown) > 1 else ''}; accepted: "
                               f"{', '.join(sorted(allowed))}")


async def refuse_unknown(request: Request) -> None:
    """Refuse any query parameter the route does not declare."""
    _check(request, accepted(request.scope["route"]))


async def collection_id(collection: Annotated[str, Path(description=(
        f"One of {', '.join(COLLECTIONS)}"))]) -> str:
    if collection not in COLLECTIONS:
        raise NotFound(f"no collection {collection!r}; collections: {', '.join(COLLECTIONS)}")
    return collection


async def property_filters(request: Request, collection: Annotated[str, Depends(collection_id)],
                           catalogue: Annotated[Catalogue, Depends(get_catalogue)]
                           ) -> dict[str, str]:
    """``name=value`` filters on the collection's queryables: the parameters the route does
    not declare itself; any other name is refused."""
    declared = accepted(request.scope["route"])
    _check(request, declared | set(catalogue.queryables(collection)))
    return {name: value for name, value in request.query_params.items()
            if name not in declared}


async def limit_query(settings: Annotated[Settings, Depends(get_settings)],
                      limit: Annotated[int | None, Query(ge=1, description=(
                          "Features per page (default 10); above 10,000 it is capped, not "
                          "refused (both are settings)."))] = None) -> int | None:
    """The limit as given, capped at the page limit; None when not given."""
    return None if limit is None else min(limit, settings.page_limit)


async def offset_query(offset: Annotated[int, Query(ge=0, description="Features to skip.")] = 0
                       ) -> int:
    return offset


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidParameter(name, f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise InvalidParameter(name, f"{text!r} is not a finite number")
    return value


async def bbox_query(bbox: Annotated[str | None, Query(description=(
        "minLon,minLat,maxLon,maxLat in CRS84 (6 numbers with heights are accepted; "
        "minLon > maxLon crosses the antimeridian)."))] = None
                     ) -> tuple[float, float, float, float] | None:
    """(west, south, east, north), checked."""
    if bbox is None:
        return None
    parts = bbox.split(",")
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


def _only_crs84(value: str | None, name: str) -> None:
    if value not in (None, CRS84, "CRS84", "OGC:CRS84"):
        raise InvalidParameter(name, f"only {CRS84} is supported, got {value!r}")


async def crs_query(crs: Annotated[str | None, Query(description=f"Only {CRS84}.")] = None):
    _only_crs84(crs, "crs")


async def bbox_crs_query(bbox_crs: Annotated[str | None, Query(
        alias="bbox-crs", description=f"Only {CRS84}.")] = None):
    _only_crs84(bbox_crs, "bbox-crs")


async def filter_crs_query(filter_crs: Annotated[str | None, Query(
        alias="filter-crs", description=f"Only {CRS84}.")] = None):
    _only_crs84(filter_crs, "filter-crs")


def _date(text: str, name: str = "datetime") -> dt.date:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date() \
            if "T" in text else dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidParameter(name, f"{text!r} is not a date (YYYY-MM-DD) or an "
                                     "RFC 3339 instant") from None


async def datetime_query(datetime: Annotated[str | None, Query(description=(
        "Membership as of this date (YYYY-MM-DD or an RFC 3339 instant); default: the "
        "latest texts. An interval start/end (either end may be '..') selects the "
        "memberships in force at any time in it; units and platforms are then as of its "
        "end."))] = None) -> dt.date | Period | None:
    """The ``as_of`` of a selection: a date, a period or None (the latest)."""
    if datetime is None:
        return None
    if "/" not in datetime:
        return _date(datetime)
    start, _, end = datetime.partition("/")
    period = Period(*(None if part in ("", "..") else _date(part) for part in (start, end)))
    if period.start and period.end and period.start > period.end:
        raise InvalidParameter("datetime", f"the interval {datetime!r} ends before it starts")
    return period


async def as_of_query(datetime: Annotated[str | None, Query(description=(
        "Membership as of this date (YYYY-MM-DD); default: the latest texts."))] = None
                      ) -> dt.date | None:
    """One date (no interval), or None for the latest."""
    if datetime is not None and "/" in datetime:
        raise InvalidParameter("datetime", "give one date (membership as of that date), "
                                           "e.g. 2022-06-30, not an interval")
    return None if datetime is None else _date(datetime)


def _one_of(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise InvalidParameter(name, f"expected one of {', '.join(allowed)}, got {value!r}")
    return value


async def resolution_query(resolution: Annotated[str, Query(description=(
        "Geometry detail: full (for analysis, the default) or a display resolution "
        f"({', '.join(RESOLUTIONS)})."))] = "full") -> str:
    return _one_of(resolution, RESOLUTION_NAMES, "resolution")


async def datum_query(datum: Annotated[str, Query(description=(
        "wgs84 (default, RFC 7946) or gcj02: coordinates shifted for Amap base maps; "
        "such output is labelled GCJ-02 and is not valid RFC 7946 GeoJSON."))] = "wgs84"
                      ) -> str:
    return _one_of(datum, DATUMS, "datum")


async def filter_lang_query(filter_lang: Annotated[str, Query(
        alias="filter-lang", description="The filter's encoding.")] = "cql2-text") -> str:
    """Checked even without a filter: an unknown language is an error either way."""
    return _one_of(filter_lang, LANGUAGES, "filter-lang")


async def filter_query(language: Annotated[str, Depends(filter_lang_query)],
                       filter_: Annotated[str | None, Query(alias="filter", description=(
                           "A CQL2 filter (text or JSON, see filter-lang) on the queryables; "
                           "spatial functions use full-resolution geometry."))] = None):
    """The parsed filter (:func:`filtering.parse`), or None."""
    return None if filter_ is None else parse(filter_, language)


def _output(request: Request, f: str | None, allowed: tuple[str, ...]) -> str:
    if f is None:
        return negotiate(request.headers.get("accept", ""))
    if f not in allowed:
        raise InvalidParameter("f", f"unsupported format {f!r}; supported: {', '.join(allowed)}")
    return f


async def output_query(request: Request, f: Annotated[str | None, Query(description=(
        f"Output: {', '.join(OUTPUTS)}: json is the GeoJSON page with links, geojson and "
        f"the others download a file, {', '.join(PICTURES)} a rendered map (see width, "
        "height, dpi). Without it the Accept header decides between JSON and HTML."))] = None
                       ) -> str:
    return _output(request, f, OUTPUTS)


async def page_output_query(request: Request, f: Annotated[str | None, Query(description=(
        "Output: json or html. Without it the Accept header decides."))] = None) -> str:
    return _output(request, f, PAGES)


ANSWERS = ("json", "html", "csv", "geojson")


async def answer_output_query(request: Request, f: Annotated[str | None, Query(description=(
        "Output: json (the answer), html (a readable page), csv (the hits as a table) or "
        "geojson (the hits as features). Without it the Accept header decides between JSON "
        "and HTML."))] = None) -> str:
    return _output(request, f, ANSWERS)


async def question_query(q: Annotated[str, Query(min_length=1, max_length=500, description=(
        "e.g. 'platforms touching 广安', '与广安接壤的平台', 'units of 万达开'"))]) -> str:
    return q


PICTURE_DEFAULTS = {name: parameter.default for name, parameter in
                    inspect.signature(render).parameters.items() if name in LIMITS}


async def width_query(width: Annotated[int, Query(
        ge=LIMITS["width"][0], le=LIMITS["width"][1],
        description="Width of a rendered map (f=png, svg, pdf) in pixels.")
        ] = PICTURE_DEFAULTS["width"]) -> int:
    return width


async def height_query(height: Annotated[int, Query(
        ge=LIMITS["height"][0], le=LIMITS["height"][1],
        description="Height of a rendered map (f=png, svg, pdf) in pixels.")
        ] = PICTURE_DEFAULTS["height"]) -> int:
    return height


async def dpi_query(dpi: Annotated[int, Query(
        ge=LIMITS["dpi"][0], le=LIMITS["dpi"][1],
        description="Dots per inch of a rendered map: the size of its text; an SVG or PDF "
                    "page measures width/dpi × height/dpi inches.")
        ] = PICTURE_DEFAULTS["dpi"]) -> int:
    return dpi


async def picture_size(width: Annotated[int, Depends(width_query)],
                       height: Annotated[int, Depends(height_query)],
                       dpi: Annotated[int, Depends(dpi_query)]) -> dict[str, int]:
    """The size of a rendered map, as :func:`formats.render.render` takes it."""
    return {"width": width, "height": height, "dpi": dpi}


async def start_query(start: Annotated[str, Query(description=(
        "First day of the panel (YYYY-MM-DD)."))]) -> dt.date:
    return _date(start, "start")


async def end_query(end: Annotated[str, Query(description=(
        "Last day of the panel (YYYY-MM-DD): the last period ends on it."))]) -> dt.date:
    return _date(end, "end")


async def every_query(every: Annotated[str, Query(description=(
        f"The step between periods: {', '.join(STEPS)}."))] = "year") -> str:
    return _one_of(every, tuple(STEPS), "every")


async def entities_query(entities: Annotated[str | None, Query(description=(
        "Entity ids of the registry, comma-separated (default: every entity)."))] = None
                         ) -> list[str] | None:
    """The ids as given (checked by the panel), or None for all."""
    if entities is None:
        return None
    return [name.strip() for name in entities.split(",") if name.strip()]


async def wide_query(wide: Annotated[bool, Query(description=(
        "One row per unit and period, one column per entity (0, 1 for whole, or the "
        "kind), instead of one row per unit, period and entity."))] = False) -> bool:
    return wide


PANELS = ("json", "csv", "parquet")


async def panel_output_query(f: Annotated[str, Query(description=(
        "Output: json (the rows as objects), csv or parquet (a file)."))] = "json") -> str:
    return _one_of(f, PANELS, "f")
