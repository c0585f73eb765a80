"""The feature collections the API serves, built from the boundaries and the layers.

Five collections: ``units`` (county level, tagged with the entities they belong to),
``cities``, ``provinces``, ``platforms`` (one dissolved feature per entity) and
``memberships`` (one feature per unit × entity, with kind, dates and evidence). A
collection's features depend on the date (membership as of) and the resolution of the
geometry; :class:`Catalogue` builds each combination once and keeps it, serialised.

:meth:`Catalogue.select` is the one query: bbox, CQL2 filter, property filters, date,
resolution, datum and paging in, a :class:`Page` out. What can be filtered, and how, is
:meth:`Catalogue.queryables`: the queryables document, the property filters and CQL2 all
read it.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from formats import geojson
from formats.geojson import features, geometry_list, wrappers
from geo import derived
from geo.datum import geometries_to_gcj02
from layers import Layers, outlines
from layers.boxes import BoxIndex
from layers.memberships import Period, in_force


EVERY = "every"  # the ``as_of`` of the memberships view holding the rows of all dates


@dataclass(frozen=True)
class Collection:
    """What the API says about a collection."""

    id: str
    title: str
    description: str
    dated: bool  # whether ``datetime`` (membership as of a date) changes its features


COLLECTIONS = {c.id: c for c in [
    Collection("units", "County-level units 区县",
               "The 221 county-level units (区/县/县级市/自治县) of 重庆 and 四川, with the "
               "planning entities each belongs to.", True),
    Collection("cities", "Prefectures 地级市/州",
               "重庆市 and the 21 prefecture-level cities and prefectures of 四川.", False),
    Collection("provinces", "Provinces 省级", "重庆市 and 四川省.", False),
    Collection("platforms", "Platforms and zones 平台与功能区",
               "Every planning entity the policy texts define: the circle's planning extent, "
               "the cooperation platforms and their zones, metropolitan areas and other "
               "named zones; one feature each, dissolved from its member units.", True),
    Collection("memberships", "Memberships 成员关系",
               "Which unit belongs to which entity, how (whole, part, named) and since when, "
               "with the document, lines and quote that say so.", True),
]}


@dataclass(frozen=True)
class Features:
    """One collection at one date and resolution: properties, full geometry, serialised.

    Feature ``i``'s GeoJSON is ``heads[i] + geometries[which[i]] + tails[i]``: a geometry
    several features share (a unit's, in each of its memberships) is serialised once."""

    frame: gpd.GeoDataFrame  # properties + full-resolution geometry, indexed by feature id
    shown: gpd.GeoSeries  # the geometry at the chosen resolution, same index
    heads: np.ndarray  # each feature's GeoJSON before its geometry, by position
    tails: np.ndarray  # and after it
    geometries: np.ndarray  # GeoJSON (bytes) of each distinct geometry shown
    which: np.ndarray  # each feature's position in ``geometries``
    sizes: np.ndarray  # each feature's GeoJSON bytes
    boxes: BoxIndex  # on full-resolution geometry, positions as in ``frame``
    positions: dict  # feature id -> position

    def parts(self, positions) -> list[tuple[bytes, bytes, bytes]]:
        """The GeoJSON Features at ``positions``, at the chosen resolution, each as the kept
        bytes that joined make it (head, geometry, tail): shared, not copied."""
        return list(zip(self.heads[positions], self.geometries[self.which[positions]],
                        self.tails[positions]))

    def at_resolution(self, positions) -> gpd.GeoDataFrame:
        """The rows at ``positions`` with the geometry of the chosen resolution."""
        return self.frame.iloc[positions].set_geometry(self.shown.iloc[positions].to_numpy())

    def subset(self, positions: np.ndarray) -> Features:
        """The rows at ``positions``, their serialised bytes shared (not copied)."""
        frame = self.frame.iloc[positions]
        return Features(frame, self.shown.iloc[positions], self.heads[positions],
                        self.tails[positions], self.geometries, self.which[positions],
                        self.sizes[positions], self.boxes.subset(positions),
                        {key: position for position, key in enumerate(frame.index.tolist())})


class SelectionError(ValueError):
    """A selection that cannot be made; ``parameter`` names the part that is wrong."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


@dataclass(frozen=True)
class Queryable:
    """A property usable in filters: its JSON Schema type (and format), and whether it holds a
    list (then ``name=value`` matches when the list holds the value)."""

    name: str
    type: str
    format: str | None = None

    def schema(self) -> dict:
        """The property's JSON Schema, as the queryables document lists it."""
        return {"type": self.type, **({"format": self.format} if self.format else {})}

    def matches(self, column: pd.Series, wanted: str) -> np.ndarray:
        """The property filter ``name=wanted`` on ``column``: equality, or membership for a
        list property."""
        if self.type == "array":
            return column.map(lambda v: isinstance(v, list) and wanted in v).to_numpy(bool)
        if self.type in ("integer", "number"):
            return (column == _number(wanted, self.name)).to_numpy()
        return (column.astype(str) == wanted).to_numpy()


@dataclass(frozen=True)
class Page:
    """What :meth:`Catalogue.select` returns: the selected rows of one view, a page of them."""

    view: Features
    rows: np.ndarray  # positions in ``view`` of this page's features
    matched: int  # features that satisfy the selection, all pages together
    offset: int
    limit: int | None  # None: every matched feature from ``offset`` on
    datum: str = "wgs84"

    @property
    def nbytes(self) -> int:
        """The bytes of the page's GeoJSON Features (in WGS-84)."""
        return int(self.view.sizes[self.rows].sum())

    @property
    def next_offset(self) -> int | None:
        """The offset of the next page, if there is one."""
        end = self.offset + len(self.rows)
        return end if self.limit is not None and end < self.matched else None

    def features(self) -> list[bytes]:
        """The page's GeoJSON Features (bytes), in WGS-84 or shifted to GCJ-02."""
        return [b"".join(parts) for parts in self.feature_parts()]

    def feature_parts(self) -> list[tuple[bytes, ...]]:
        """The page's GeoJSON Features, each as the bytes that joined make it: in WGS-84 the
        view's kept parts, not copied (the hot path; a body is built from them a megabyte
        at a time), in GCJ-02 each Feature shifted and serialised whole."""
        if self.datum == "wgs84":
            return self.view.parts(self.rows)
        frame = self.frame()
        properties = [c for c in frame.columns if c != frame.geometry.name]
        return [(feature,) for feature in
                features(frame, "id", geometries_to_gcj02(frame.geometry.values), properties)]

    def frame(self) -> gpd.GeoDataFrame:
        """The page's properties with the geometry at the view's resolution (WGS-84)."""
        return self.view.at_resolution(self.rows)


class Catalogue:
    """Builds and keeps the features of every collection, per date and resolution."""

    PREBUILT = ("full", "overview")  # latest views built by :meth:`prebuild`

    def __init__(self, atlas: Layers, memoize=lru_cache(maxsize=64)):
        """``memoize`` keeps the views of other dates and resolutions (the app gives one
        bounded by bytes); the prebuilt ones are kept apart and never dropped."""
        self.atlas = atlas
        self.boundaries = atlas.boundaries
        self._cached = memoize(self._features)
        self._prebuilt: dict[tuple, Features] = {}
        self._queryables = {}

    def prebuild(self) -> None:
        """Build the latest views now (``overview``: the map's first), not on first request."""
        for name in COLLECTIONS:
            for resolution in self.PREBUILT:
                if name == "memberships":  # every row first: the latest are picked from it
                    self._prebuilt[name, EVERY, resolution] = \
                        self._features(name, EVERY, resolution)
                    latest = self.features(name, None, resolution)
                else:
                    latest = self._features(name, None, resolution)
                self._prebuilt[name, None, resolution] = latest

    def is_prebuilt(self, as_of, resolution: str) -> bool:
        """Whether :meth:`select` with these is a look-up (otherwise it may build a view)."""
        return as_of is None and resolution in self.PREBUILT

    def select(self, collection: str, *, bbox: tuple[float, ...] | None = None,
               filter=None, properties: dict[str, str] | None = None,
               as_of: dt.date | Period | None = None, resolution: str = "full",
               datum: str = "wgs84", offset: int = 0, limit: int | None = None) -> Page:
        """The features of ``collection`` that meet every condition, one page of them.

        ``bbox`` is (west, south, east, north) in CRS84, west > east crossing the
        antimeridian; ``filter`` a parsed CQL2 expression (:func:`filtering.parse`);
        ``properties`` ``{queryable: value}`` equality filters; ``limit`` None: all.
        """
        view = self.features(collection, as_of, resolution)
        selected = None  # the positions met, ascending; None: every row
        if bbox is not None:  # one box, or two across the antimeridian
            met = [view.boxes.meeting(box) for box in _boxes(bbox)]
            selected = met[0] if len(met) == 1 else np.union1d(*met)
        mask = None  # the rows the other conditions keep; None: every row
        queryables = self.queryables(collection)
        for name, value in (properties or {}).items():
            if name not in queryables:
                raise SelectionError(name, f"not a queryable of {collection}; queryables: "
                                           f"{', '.join(queryables)}")
            mask = _and(mask, queryables[name].matches(view.frame[name], value))
        if filter is not None:
            mask = _and(mask, self._evaluate(collection, view.frame, filter))
        if mask is not None:
            selected = np.flatnonzero(mask) if selected is None else selected[mask[selected]]
        elif selected is None:
            selected = np.arange(len(view.frame))
        end = None if limit is None else offset + limit
        return Page(view, selected[offset:end], len(selected), offset, limit, datum)

    def feature(self, collection: str, feature_id: str, *, as_of=None,
                resolution: str = "full", datum: str = "wgs84") -> Page | None:
        """One feature by id as a page of one (None if there is no such feature then)."""
        view = self.features(collection, as_of, resolution)
        if feature_id not in view.positions:
            return None
        return Page(view, np.array([view.positions[feature_id]]), 1, 0, 1, datum)

    def queryables(self, collection: str) -> dict[str, Queryable]:
        """The properties of ``collection`` usable in filters, by name (declared once, from
        the latest full view's columns: every view of a collection has the same columns)."""
        if collection not in self._queryables:
            frame = self.frame(collection)
            self._queryables[collection] = {
                name: _queryable(name, frame[name])
                for name in frame.columns.drop(frame.geometry.name)}
        return self._queryables[collection]

    def _evaluate(self, collection: str, frame, node) -> np.ndarray:
        # imported here: a command line that filters nothing needs no CQL2 (30 ms)
        from filtering import FilterError, attributes, evaluate

        geometry = frame.geometry.name
        unknown = attributes(node) - set(self.queryables(collection)) - {geometry}
        if unknown:
            raise SelectionError("filter", f"unknown propert{'y' if len(unknown) == 1 else 'ies'} "
                                           f"{', '.join(sorted(unknown))}; queryables: "
                                           f"{', '.join([*self.queryables(collection), geometry])}")
        try:
            return evaluate(frame, node).to_numpy(bool)
        except FilterError as error:
            raise SelectionError("filter", str(error)) from None

    def features(self, collection: str, as_of: dt.date | Period | None,
                 resolution: str) -> Features:
        """A collection's features at a date or over a period, at ``resolution``.

        Memberships are the rows in force at the date or at any time in the period, picked
        from the view of every row (a row's feature does not depend on the date); units and
        platforms are as of the date, or of the period's end (the latest if open). Cities
        and provinces do not depend on dates.
        """
        if not COLLECTIONS[collection].dated:
            as_of = None
        elif isinstance(as_of, Period) and collection != "memberships":
            as_of = as_of.end
        kept = self._prebuilt.get((collection, as_of, resolution))
        if kept is not None:
            return kept
        if collection == "memberships":
            every = self._prebuilt.get((collection, EVERY, resolution)) or \
                self._cached(collection, EVERY, resolution)
            table = self.atlas.memberships
            return every.subset(table.index.get_indexer(in_force(table, as_of).index))
        return self._cached(collection, as_of, resolution)

    def frame(self, collection: str, as_of: dt.date | None = None) -> gpd.GeoDataFrame:
        """Properties and full-resolution geometry of a collection, indexed by feature id."""
        return self.features(collection, as_of, "full").frame

    def _features(self, collection: str, as_of, resolution: str) -> Features:
        frame, shown = getattr(self, f"_{collection}")(as_of, resolution)
        shown = gpd.GeoSeries(np.asarray(shown, dtype=object), index=frame.index,
                              crs="OGC:CRS84")
        properties = [c for c in frame.columns if c != frame.geometry.name]
        heads, tails = (_bytes_array(part) for part in wrappers(frame, "id", properties))
        first, which = _distinct(shown.values)
        serialised = _bytes_array(self._geojson(collection, as_of, resolution,
                                                shown.values[first]))
        sizes = _lengths(heads) + _lengths(serialised)[which] + _lengths(tails)
        return Features(frame, shown, heads, tails, serialised, which.astype(np.intp), sizes,
                        BoxIndex(frame.geometry.values),
                        {key: position for position, key in enumerate(frame.index.tolist())})

    def _geojson(self, collection: str, as_of, resolution: str, geometry) -> list[bytes]:
        """The GeoJSON of ``geometry``; a prebuilt view's kept on disk (:mod:`geo.derived`),
        so that a start reads it (the memberships': their view of every row, which the
        latest is picked from). It is kept in the boundaries' store, under the name of the
        view, the code that makes its geometry and :meth:`_made_of`."""
        if as_of not in (None, EVERY) or resolution not in self.PREBUILT:
            return geometry_list(geometry)
        inputs = derived.key(derived.code(geojson, outlines, sys.modules[__name__]),
                             shapely.geos_version_string, *self._made_of(collection))
        return self.boundaries.derived.columns(f"geojson-{collection}-{resolution}", inputs,
                                               lambda: [geometry_list(geometry)])[0]

    def _made_of(self, collection: str) -> list[str]:
        """What a prebuilt view's geometry is made of besides the boundaries: the latest
        memberships (entity, unit, kind) of the platforms' outlines, the unit of each row of
        the memberships."""
        table = self.atlas.memberships
        if collection == "platforms":
            rows = in_force(table, None)
            return [part for row in zip(rows.entity.tolist(), rows.adcode.tolist(),
                                        rows.kind.tolist()) for part in row]
        return table.adcode.tolist() if collection == "memberships" else []

    def _units(self, as_of, resolution):
        units = self.boundaries.units.drop(columns="geometry")
        rows = in_force(self.atlas.memberships, as_of)
        tags = rows.groupby("adcode").entity.agg(sorted)
        platforms = rows[rows.entity_kind == "cooperation_platform"] \
            .groupby("adcode").entity.agg(sorted)
        frame = units.assign(
            id=units.adcode,
            entities=tags.reindex(units.index).map(lambda v: v if isinstance(v, list) else []),
            platforms=platforms.reindex(units.index).map(
                lambda v: v if isinstance(v, list) else []))
        frame = gpd.GeoDataFrame(frame[["id", *units.columns, "platforms", "entities"]],
                                 geometry=self.boundaries.units.geometry, crs="OGC:CRS84")
        return frame, self.boundaries.geometry("units", resolution)

    def _regions(self, layer, resolution):
        frame = getattr(self.boundaries, layer)
        frame = frame.assign(id=frame.adcode)[["id", *frame.columns]]
        return frame, self.boundaries.geometry(layer, resolution)

    def _cities(self, as_of, resolution):
        return self._regions("cities", resolution)

    def _provinces(self, as_of, resolution):
        return self._regions("provinces", resolution)

    def _platforms(self, as_of, resolution):
        full = self.atlas.outlines(as_of, "full")
        members = in_force(self.atlas.memberships, as_of)
        listed = pd.Series({entity: [{"adcode": a, "kind": k}
                                     for a, k in zip(g.adcode.tolist(), g.kind.tolist())]
                            for entity, g in members.groupby("entity")}, dtype=object)
        frame = full.drop(columns=["whole_geometry", "partial_geometry"]).rename(
            columns={"name_zh": "name"}).assign(  # ``name``: the Chinese name, as for units
            spans_provinces=full.provinces.map(len), members=listed.reindex(full.index))
        frame = frame.set_geometry(_multipolygons(frame.geometry.values))
        shown = frame.geometry if resolution == "full" else \
            self.atlas.outlines(as_of, resolution).geometry.reindex(full.index)
        return frame, _multipolygons(shown)

    def _memberships(self, as_of, resolution):
        """Every row of the membership table (``as_of`` is :data:`EVERY`), in its order."""
        rows = self.atlas.memberships
        units = self.boundaries.units
        entities = self.atlas.registry.entities
        frame = rows.assign(
            id=rows.entity + ":" + rows.adcode + ":" + rows.extent.astype(str),
            entity_name=rows.entity.map(lambda e: entities[e].name_zh),
            unit_name=units.name.reindex(rows.adcode).to_numpy(),
            city=units.city.reindex(rows.adcode).to_numpy())
        columns = ["id", "entity", "entity_name", "entity_kind", "family", "adcode",
                   "unit_name", "city", "kind", "part", "via", "in_force_from",
                   "in_force_until", "document", "document_title", "document_date",
                   "document_number", "evidence_file", "evidence_lines", "quote",
                   "outside_knowledge"]
        frame = gpd.GeoDataFrame(frame[columns].set_index("id", drop=False),
                                 geometry=units.geometry.reindex(rows.adcode).to_numpy(),
                                 crs="OGC:CRS84")
        shown = self.boundaries.geometry("units", resolution).reindex(rows.adcode).to_numpy()
        return frame, shown


def _distinct(geometries) -> tuple[np.ndarray, np.ndarray]:
    """The position of each distinct geometry object (by identity) at its first use, in
    order, and which of them each position holds."""
    _, first, inverse = np.unique([id(g) for g in geometries], return_index=True,
                                  return_inverse=True)
    order = np.argsort(first)  # by first use, not by address: the same every run
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.ravel()]


def _bytes_array(values: list[bytes]) -> np.ndarray:
    """``values`` as a one-dimensional object array (numpy would nest equal-length bytes)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _lengths(values: np.ndarray) -> np.ndarray:
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values))


def _multipolygons(geometries) -> np.ndarray:
    """Polygons as one-part MultiPolygons: one geometry type per layer, as GIS formats want."""
    geometries = np.array(geometries, dtype=object)  # a copy: the input may be read-only
    single = shapely.get_type_id(geometries) == 3
    geometries[single] = [shapely.MultiPolygon([g]) for g in geometries[single]]
    return geometries


def _and(mask: np.ndarray | None, condition) -> np.ndarray:
    """The rows ``mask`` and ``condition`` both keep (``condition``'s alone, with no mask).

    >>> _and(None, [True, False]), _and(np.array([True, True]), [False, True])
    (array([ True, False]), array([False,  True]))
    """
    condition = np.asarray(condition, dtype=bool)
    return condition if mask is None else mask & condition


def _boxes(bbox: tuple[float, ...]) -> list[shapely.Geometry]:
    """The box(es) of a CRS84 bbox: two when it crosses the antimeridian (west > east)."""
    west, south, east, north = bbox
    if west > east:
        return [shapely.box(west, south, 180, north), shapely.box(-180, south, east, north)]
    return [shapely.box(west, south, east, north)]


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SelectionError(name, f"{text!r} is not a number") from None


def _queryable(name: str, values) -> Queryable:
    """A property's queryable, from the values of its column."""
    sample = next((v for v in values if v is not None and v == v), None)
    if isinstance(sample, (list, tuple, np.ndarray)):
        return Queryable(name, "array")
    if isinstance(sample, dict):
        return Queryable(name, "object")
    if isinstance(sample, (bool, np.bool_)):
        return Queryable(name, "boolean")
    if isinstance(sample, (int, np.integer)):
        return Queryable(name, "integer")
    if isinstance(sample, (float, np.floating)):
        return Queryable(name, "number")
    if isinstance(sample, dt.date):
        return Queryable(name, "string", "date")
    return Queryable(name, "string")
