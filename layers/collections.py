"""The feature collections the API serves, built from the boundaries and the layers.

Five collections: ``units`` (county level, tagged with the entities they belong to),
``cities``, ``provinces``, ``platforms`` (one dissolved feature per entity) and
``memberships`` (one feature per unit × entity, with kind, dates and evidence). A
collection's features depend on the date (membership as of) and the resolution of the
geometry; :class:`Catalogue` builds each combination once and keeps it, serialised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.geojson import features
from layers import Layers
from layers.memberships import in_force


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
class Period:
    """A closed interval of dates (``datetime=start/end``); ``None`` is an open end."""

    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class Features:
    """One collection at one date and resolution: properties, full geometry, serialised."""

    frame: gpd.GeoDataFrame  # properties + full-resolution geometry, indexed by feature id
    shown: gpd.GeoSeries  # the geometry at the chosen resolution, same index
    serialised: np.ndarray  # GeoJSON Feature bytes at the chosen resolution, by position
    tree: shapely.STRtree  # on full-resolution geometry, positions as in ``frame``
    positions: dict  # feature id -> position

    def page(self, positions) -> list[bytes]:
        """The serialised features at ``positions`` (plain arrays: this is the hot path)."""
        return list(self.serialised[positions])

    def at_resolution(self, positions) -> gpd.GeoDataFrame:
        """The rows at ``positions`` with the geometry of the chosen resolution."""
        return self.frame.iloc[positions].set_geometry(self.shown.iloc[positions].to_numpy())


class Catalogue:
    """Builds and keeps the features of every collection, per date and resolution."""

    def __init__(self, atlas: Layers):
        self.atlas = atlas
        self.boundaries = atlas.boundaries
        self._cached = lru_cache(maxsize=64)(self._features)

    def features(self, collection: str, when: dt.date | Period | None,
                 resolution: str) -> Features:
        """A collection's features at a date or over a period, at ``resolution``.

        Memberships are the rows in force at the date or at any time in the period; units and
        platforms are as of the date, or of the period's end (the latest if open). Cities
        and provinces do not depend on dates.
        """
        if not COLLECTIONS[collection].dated:
            when = None
        elif isinstance(when, Period) and collection != "memberships":
            when = when.end
        return self._cached(collection, when, resolution)

    def frame(self, collection: str, on: dt.date | None = None) -> gpd.GeoDataFrame:
        """Properties and full-resolution geometry of a collection, indexed by feature id."""
        return self.features(collection, on, "full").frame

    def _features(self, collection: str, on: dt.date | None, resolution: str) -> Features:
        frame, shown = getattr(self, f"_{collection}")(on, resolution)
        shown = gpd.GeoSeries(np.asarray(shown, dtype=object), index=frame.index,
                              crs="OGC:CRS84")
        properties = [c for c in frame.columns if c != frame.geometry.name]
        serialised = np.array(features(frame, "id", shown, properties) + [None],
                              dtype=object)[:-1]  # the None keeps numpy from nesting bytes
        return Features(frame, shown, serialised, shapely.STRtree(frame.geometry.values),
                        {key: position for position, key in enumerate(frame.index)})

    def _units(self, on, resolution):
        units = self.boundaries.units.drop(columns="geometry")
        rows = in_force(self.atlas.memberships, on)
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

    def _cities(self, on, resolution):
        return self._regions("cities", resolution)

    def _provinces(self, on, resolution):
        return self._regions("provinces", resolution)

    def _platforms(self, on, resolution):
        full = self.atlas.outlines(on, "full")
        members = in_force(self.atlas.memberships, on)
        listed = pd.Series({entity: [{"adcode": a, "kind": k} for a, k in zip(g.adcode, g.kind)]
                            for entity, g in members.groupby("entity")}, dtype=object)
        frame = full.drop(columns=["whole_geometry", "partial_geometry"]).assign(
            spans_provinces=full.provinces.map(len), members=listed.reindex(full.index))
        frame = frame.set_geometry(_multipolygons(frame.geometry.values))
        shown = frame.geometry if resolution == "full" else \
            self.atlas.outlines(on, resolution).geometry.reindex(full.index)
        return frame, _multipolygons(shown)

    def _memberships(self, on, resolution):
        rows = _during(self.atlas.memberships, on) if isinstance(on, Period) else \
            in_force(self.atlas.memberships, on)
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


def _multipolygons(geometries) -> np.ndarray:
    """Polygons as one-part MultiPolygons: one geometry type per layer, as GIS formats want."""
    geometries = np.array(geometries, dtype=object)  # a copy: the input may be read-only
    single = shapely.get_type_id(geometries) == 3
    geometries[single] = [shapely.MultiPolygon([g]) for g in geometries[single]]
    return geometries


def _during(table: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The membership rows in force at any time in ``period`` (``until`` is exclusive)."""
    start, end = period.start, period.end
    began = table.in_force_from.map(lambda d: d is None or end is None or d <= end)
    lasted = table.in_force_until.map(lambda d: d is None or start is None or start < d)
    return table[began & lasted]
