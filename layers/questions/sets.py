"""The sets a question combines: members, a place's entities, neighbours, entities
touching a place, units within a distance. Each set maps an identifier (adcode or entity
id) to what is known of that hit, with its certainty.

Relations come from membership and the adjacency graph of the units (they share edges
exactly, so a graph contact is a DE-9IM touch). A relation that holds only through a
member that belongs in part (or is named without extent) is ``possible``, not certain:
川渝高竹新区 holds towns of 邻水县, so it *may* border 达州市 through 邻水县.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyproj
import shapely

from layers import Layers
from layers.memberships import in_force
from layers.questions.names import Target

if TYPE_CHECKING:  # imported where distances are measured: a third of a second to import
    from scipy.spatial import cKDTree

CERTAIN = {"certainty": "certain"}
RELATIONS_ZH = {"borders": "接壤", "covers": "包含", "within": "位于其内", "overlaps": "部分重叠"}


def possible(en: str, zh: str) -> dict:
    return {"certainty": "possible", "reason": en, "reason_zh": zh}


@dataclass(frozen=True)
class Subject:
    """A name as read: its units, those that belong whole, and the part of the others."""

    target: Target
    adcodes: tuple[str, ...]
    whole: frozenset[str]
    parts: dict  # adcode -> (kind, part text or None) for members not whole

    def describe(self) -> dict:
        return self.target.describe()


class World:
    """The layers as of one date, with the lookups questions need."""

    def __init__(self, atlas: Layers, as_of=None):
        self.atlas, self.as_of = atlas, as_of
        self.boundaries = atlas.boundaries
        self.units = atlas.boundaries.units
        self.rows = in_force(atlas.memberships, as_of)

    @cached_property
    def table(self):
        """Entities in force, indexed by id: kind, provinces spanned, the stated area and
        the area of the member units (no geometry: nothing to dissolve)."""
        rows = self.rows.assign(province=self.units.province.reindex(self.rows.adcode).values,
                                area=self.units.area_km2.reindex(self.rows.adcode).values)
        grouped = rows.groupby("entity", sort=True)
        registry = self.atlas.registry.entities
        frame = pd.DataFrame({
            "kind": grouped.entity_kind.first(),
            "provinces": grouped.province.agg(lambda p: sorted(set(p))),
            "member_area_km2": grouped.area.sum().round(1)})
        frame["stated_area_km2"] = [registry[i].area_km2.value if registry[i].area_km2 else None
                                    for i in frame.index]
        frame["name_zh"] = [registry[i].name_zh for i in frame.index]
        return frame

    @cached_property
    def edges(self) -> dict[str, dict[str, float]]:
        """Unit -> the units it shares a border with (not only a point), and its length."""
        graph: dict[str, dict[str, float]] = {}
        pairs = self.boundaries.adjacency
        pairs = pairs[pairs.contact == "edge"]
        for a, b, km in zip(pairs.a, pairs.b, pairs.shared_km):
            graph.setdefault(a, {})[b] = km
            graph.setdefault(b, {})[a] = km
        return graph

    @cached_property
    def by_entity(self) -> dict[str, list[tuple]]:
        """Entity id -> its memberships in force: (adcode, kind, part or None)."""
        found: dict[str, list[tuple]] = {}
        for entity, adcode, kind, part in zip(self.rows.entity, self.rows.adcode,
                                              self.rows.kind, self.rows.part):
            found.setdefault(entity, []).append((adcode, kind, part if part == part else None))
        return found

    @cached_property
    def by_unit(self) -> dict[str, list[tuple]]:
        """Adcode -> the memberships in force of that unit: (entity, entity kind, kind, part)."""
        found: dict[str, list[tuple]] = {}
        for entity, entity_kind, adcode, kind, part in zip(
                self.rows.entity, self.rows.entity_kind, self.rows.adcode, self.rows.kind,
                self.rows.part):
            found.setdefault(adcode, []).append((entity, entity_kind, kind,
                                                 part if part == part else None))
        return found

    @cached_property
    def unit_names(self) -> dict[str, tuple[str, str, str]]:
        """Adcode -> (name, city, province)."""
        units = self.units
        return {a: (n, c, p) for a, n, c, p in
                zip(units.adcode, units.name, units.city, units.province)}

    @cached_property
    def member_sets(self) -> dict[str, tuple[set, set]]:
        """Entity id -> (its member units, those that belong whole)."""
        sets: dict[str, tuple[set, set]] = {}
        for entity, adcode, kind in zip(self.rows.entity, self.rows.adcode, self.rows.kind):
            units, whole = sets.setdefault(entity, (set(), set()))
            units.add(adcode)
            if kind == "whole":
                whole.add(adcode)
        return sets

    def subject(self, target: Target) -> Subject:
        if target.kind == "place":
            units = tuple(self.boundaries.members(target.id))
            return Subject(target, units, frozenset(units), {})
        rows = self.by_entity.get(target.id, [])
        parts = {a: (k, p) for a, k, p in rows if k != "whole"}
        return Subject(target, tuple(a for a, _, _ in rows),
                       frozenset(a for a, k, _ in rows if k == "whole"), parts)

    def subject_of_units(self, units) -> Subject:
        """A set of units as a subject of its own (e.g. the units within a distance)."""
        adcodes = tuple(units)
        return Subject(Target("place", "", "", "units"), adcodes, frozenset(adcodes), {})

    # -- hits ----------------------------------------------------------------------
    def unit(self, adcode: str, **details) -> dict:
        name, city, province = self.unit_names[adcode]
        return {"adcode": adcode, "name": name, "city": city, "province": province, **details}

    def entity(self, entity_id: str, **details) -> dict:
        entity = self.atlas.registry.entities[entity_id]
        return {"id": entity_id, "name": entity.name_zh, "name_en": entity.name_en,
                "kind": entity.kind, **details}

    def part_reason(self, subject: Subject, adcode: str) -> dict:
        kind, part = subject.parts[adcode]
        name = self.unit_names[adcode][0]
        if kind == "part":
            return possible(f"only part of {name} belongs ({part})", f"仅{name}部分区域（{part}）")
        return possible(f"{name} is named without its extent", f"文件点名{name}，未列明范围")

    # -- sets of units -------------------------------------------------------------
    def members(self, subject: Subject) -> dict[str, dict]:
        """The units of a place, or an entity's member units with how they belong."""
        hits = {}
        for adcode in subject.adcodes:
            kind = "whole" if adcode in subject.whole else subject.parts[adcode][0]
            extra = CERTAIN if kind == "whole" else self.part_reason(subject, adcode)
            part = subject.parts.get(adcode, (None, None))[1]
            hits[adcode] = self.unit(adcode, **({"kind": kind, "part": part}
                                                if subject.target.kind == "entity" else {}),
                                     **extra)
        return hits

    def neighbours(self, subject: Subject) -> dict[str, dict]:
        """Units outside the subject sharing a border with it, with the length shared."""
        inside, found = set(subject.adcodes), {}
        for adcode in subject.adcodes:
            for other, km in self.edges.get(adcode, {}).items():
                if other in inside:
                    continue
                shared, via = found.get(other, (0.0, set()))
                found[other] = (shared + km, via | {adcode})
        hits = {}
        for other, (km, via) in sorted(found.items()):
            whole = via & subject.whole
            extra = CERTAIN if whole else self.part_reason(subject, sorted(via)[0])
            hits[other] = self.unit(other, shared_km=round(km, 3), **extra)
        return hits

    def within(self, subject: Subject, km: float) -> dict[str, dict]:
        """Units outside the subject whose nearest point is at most ``km`` away, with the
        distance, in an azimuthal equidistant projection centred on the subject.

        Exact polygon distances over a municipality's outline take seconds in GEOS (it
        compares every pair of segments); here both outlines are cut into points at most
        ``STEP`` metres apart and a k-d tree finds the nearest pair: within ``STEP`` of
        the true distance, in milliseconds.
        """
        local = self.boundaries.geometry("units", "local")
        members = local.loc[list(subject.adcodes)].values
        x0, y0, x1, y1 = shapely.total_bounds(members)
        forward = pyproj.Transformer.from_crs(
            "OGC:CRS84", f"+proj=aeqd +lat_0={(y0 + y1) / 2} +lon_0={(x0 + x1) / 2} "
            "+ellps=WGS84", always_xy=True)
        from scipy.spatial import cKDTree  # scipy: a third of a second to import

        near = self._near(subject, km, forward)
        tree = cKDTree(_points(shapely.coverage_union_all(members), forward))
        extra = CERTAIN if not subject.parts else possible(
            "measured from the whole of members that belong only in part",
            "按部分所属成员的整个区县量算")
        nearest = _nearest(tree, local.loc[near].values, forward, km * 1000 + STEP)
        return {a: self.unit(a, distance_km=round(metres / 1000, 2), **extra)
                for metres, a in sorted(zip(nearest.tolist(), near)) if metres <= km * 1000}

    def _near(self, subject: Subject, km: float, forward) -> list[str]:
        """Units that may lie within ``km``: by the overview outlines (about 1 km coarse),
        so that only these are measured finely."""
        coarse = self.boundaries.geometry("units", "overview")
        outline = shapely.transform(
            shapely.coverage_union_all(coarse.loc[list(subject.adcodes)].values),
            forward.transform, interleaved=False)
        margin = km / 80 + 0.05  # degrees: more than km (and the coarseness) everywhere
        x0, y0, x1, y1 = shapely.bounds(coarse.loc[list(subject.adcodes)].values).T
        box = shapely.box(x0.min() - margin, y0.min() - margin, x1.max() + margin,
                          y1.max() + margin)
        candidates = [a for a in self.boundaries.query(box, "intersects")
                      if a not in subject.adcodes]
        metric = shapely.transform(coarse.loc[candidates].values, forward.transform,
                                   interleaved=False)
        return [a for a, d in zip(candidates, shapely.distance(metric, outline))
                if d <= km * 1000 + 3000]

    def at_level(self, units: dict[str, dict], level: str) -> dict[str, dict]:
        """The cities (or provinces) of a set of units."""
        column = "city_adcode" if level == "city" else "province_adcode"
        layer = self.boundaries.cities if level == "city" else self.boundaries.provinces
        hits = {}
        for adcode, unit in units.items():
            code = self.units.at[adcode, column]
            hit = hits.setdefault(code, {"adcode": code, "name": layer.at[code, "name"],
                                         "units": [], "certainty": "possible"})
            hit["units"].append(unit["name"])
            if unit.get("certainty", "certain") == "certain":
                hit["certainty"] = "certain"
        return hits

    # -- sets of entities ------------------------------------------------------------
    def entities(self, kinds) -> dict[str, dict]:
        """Every entity in force, of ``kinds`` (all kinds if None)."""
        ids = self.table.index if kinds is None else \
            self.table.index[self.table.kind.isin(kinds)]
        return {i: self.entity(i, **CERTAIN) for i in sorted(ids)}

    def entities_of(self, subject: Subject, kinds) -> dict[str, dict]:
        """Entities with a member among the subject's units (not the subject itself)."""
        groups: dict[str, list[dict]] = {}
        for adcode in subject.adcodes:
            for entity_id, entity_kind, kind, part in self.by_unit.get(adcode, []):
                if kinds is None or entity_kind in kinds:
                    groups.setdefault(entity_id, []).append(
                        {"adcode": adcode, "name": self.unit_names[adcode][0], "kind": kind,
                         "part": part})
        hits = {}
        for entity_id, inside in sorted(groups.items()):
            if entity_id == subject.target.id:
                continue
            extra = CERTAIN if any(m["kind"] == "whole" for m in inside) else possible(
                "; ".join(f"only part of {m['name']} ({m['part']})" if m["kind"] == "part"
                          else f"{m['name']} named without its extent" for m in inside),
                "；".join(f"仅{m['name']}部分区域（{m['part']}）" if m["kind"] == "part"
                         else f"文件点名{m['name']}，未列明范围" for m in inside))
            hits[entity_id] = self.entity(entity_id, members_inside=inside, **extra)
        return hits

    def touching(self, subject: Subject, kinds) -> dict[str, dict]:
        """Entities that border, cover, lie within or overlap the subject."""
        place = set(subject.adcodes)
        hits = {}
        for entity_id, hit in self.entities(kinds).items():
            if entity_id == subject.target.id:
                continue
            units, whole = self.member_sets[entity_id]
            relation = _relation(units, whole, place)
            extra = CERTAIN
            if relation is None:
                contacts = {u for u in units for n in self.edges.get(u, {}) if n in place}
                if not contacts:
                    continue
                relation = "borders"
                if not contacts & whole:
                    extra = possible(
                        "borders only through " + "、".join(self.units.at[u, "name"] for u in
                                                           sorted(contacts)) +
                        ", which belongs only in part",
                        "仅经由部分所属的" + "、".join(self.units.at[u, "name"] for u in
                                                 sorted(contacts)) + "相接")
            inside = sorted(units & place)
            hits[entity_id] = {**hit, "relation": relation,
                               "relation_zh": RELATIONS_ZH[relation],
                               "members_inside": [{"adcode": a, "name": self.units.at[a, "name"]}
                                                  for a in inside], **extra}
        order = list(RELATIONS_ZH)
        return dict(sorted(hits.items(), key=lambda kv: (order.index(kv[1]["relation"]), kv[0])))


STEP = 100.0  # metres between the points outlines are cut into for distances
SAMPLE = 32  # every 32nd point of an outline is measured first (see _nearest)


def _points(polygons, forward) -> np.ndarray:
    """The boundary of ``polygons`` (degrees) as points in metres, ``STEP`` apart."""
    lines = shapely.transform(shapely.boundary(polygons), forward.transform, interleaved=False)
    return shapely.get_coordinates(shapely.segmentize(lines, STEP))


def _nearest(tree: cKDTree, polygons, forward, limit: float) -> np.ndarray:
    """For each of ``polygons``, the least distance (metres) from a point of its boundary
    (cut as by :func:`_points`) to the nearest point of ``tree``; inf if not below ``limit``.

    Measuring every point is what takes the time, and only each polygon's nearest counts.
    So every ``SAMPLE``-th point of each line (and its last) is measured first: the nearest
    of these bounds the polygon's distance from above, and, as the points of a line are at
    most ``STEP`` apart, a point ``k`` points from a sampled one at distance ``d`` is at least
    ``d - k·STEP`` away. Only the points that could still be nearer are then measured: the
    result is the minimum over every point.
    """
    parts, owner = shapely.get_parts(shapely.boundary(polygons), return_index=True)
    lines = shapely.segmentize(shapely.transform(parts, forward.transform, interleaved=False),
                               STEP)
    points, line = shapely.get_coordinates(lines, return_index=True)
    owner, index = owner[line], np.arange(len(points))
    first = np.searchsorted(line, line)  # each point's line starts there ...
    last = np.searchsorted(line, line, side="right") - 1  # ... and ends there
    sampled = np.flatnonzero(((index - first) % SAMPLE == 0) | (index == last))
    found = tree.query(points[sampled], distance_upper_bound=limit)[0]
    nearest = np.full(len(polygons), np.inf)
    np.minimum.at(nearest, owner[sampled], found)
    at_least = np.minimum(found, limit)  # beyond ``limit``: at least that far
    before = np.searchsorted(sampled, index, side="right") - 1  # sampled, on the same line
    after = np.searchsorted(sampled, index)
    bound = np.maximum(at_least[before] - (index - sampled[before]) * STEP,
                       at_least[after] - (sampled[after] - index) * STEP)
    rest = np.flatnonzero(bound - 1 <= np.minimum(nearest[owner], limit))  # 1 m: rounding
    np.minimum.at(nearest, owner[rest],
                  tree.query(points[rest], distance_upper_bound=limit)[0])
    return nearest


def _relation(units: set, whole: set, place: set) -> str | None:
    """covers / within / overlaps when the entity has members inside the place, else None.

    An entity covers the place only if every unit of the place belongs to it whole.

    >>> _relation({"a", "b"}, {"a", "b"}, {"a"}), _relation({"a", "b"}, {"b"}, {"a"})
    ('covers', 'overlaps')
    >>> _relation({"a"}, {"a"}, {"a", "b"}), _relation({"c"}, {"c"}, {"a"})
    ('within', None)
    """
    if not units & place:
        return None
    if place <= whole:
        return "covers"
    return "within" if units <= place else "overlaps"
