"""Spatial questions in plain language, Chinese or English, answered exactly.

A question is matched against a small set of forms (:data:`FORMS`); names in it are
resolved through the gazetteer (units, prefectures, provinces) and the entity names and
aliases of the registry. Relations are DE-9IM on full-resolution geometry, so a platform
that *borders* a place is told apart from one that covers or overlaps it. Each answer
carries the CQL2 filter that selects the same features from ``/collections/{id}/items``.

Examples
--------
>>> import geo, layers
>>> answer = Questions(layers.load(geo.load())).ask("platforms touching 广安")
>>> answer["place"]["name"], [a["name"] for a in answer["ambiguity"]["alternatives"]]
('广安市', ['广安区'])
>>> sorted({h["relation"] for h in answer["hits"]})
['borders', 'covers', 'overlaps']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyproj
import shapely

from geo.gazetteer import AmbiguousName, Place, UnknownName, fold, normalise
from layers import Layers
from layers.memberships import in_force

# What the question asks about: the words for "platforms" select cooperation platforms,
# the words for "zones/entities" every entity of the registry.
_PLATFORM_WORDS = r"platforms?|cooperation platforms?|平台|合作平台|功能平台"
_ENTITY_WORDS = r"zones?|entities|entity|areas?|功能区|区域|实体|规划区"
_WHAT = rf"(?P<what>{_PLATFORM_WORDS}|{_ENTITY_WORDS})"
_UNITS = r"(?:units?|counties|districts|members?|区县|县区|成员|单位)"
_ASK = r"(?:有哪些|是什么|有什么|是哪些|包括哪些)?"


@dataclass(frozen=True)
class Form:
    """One way of asking: a name, patterns (regular expressions), an example of each."""

    name: str
    patterns: tuple[str, ...]
    examples: tuple[str, ...]


FORMS = [  # tried in this order: the more specific forms first
    Form("entities_touching", (
        rf"^(?:which |what |list |show )?(?:the )?{_WHAT} (?:that )?(?:touch|touches|touching|"
        r"border|borders|bordering|adjacent to|next to|neighbou?ring|around|near) (?P<x>.+)$",
        rf"^(?:与|和|跟)?(?P<x>.+?)(?:接壤|相邻|毗邻|相接|交界|周边|周围)的{_WHAT}{_ASK}$",
    ), ("platforms touching 广安", "与广安接壤的平台")),
    Form("cross_province", (
        rf"^(?:which |what |list |show )?{_WHAT} (?:with members in|spanning|across|that span|"
        r"in) both provinces$",
        rf"^(?:cross-province|cross-border) {_WHAT}$",
        rf"^(?:跨省|跨省市|跨川渝|横跨两省市?|成员跨两省市?)的{_WHAT}{_ASK}$",
    ), ("platforms with members in both provinces", "跨省的平台")),
    Form("units_within", (
        rf"^{_UNITS} within (?P<n>\d+(?:\.\d+)?) ?km of (?P<x>.+)$",
        rf"^(?:距离?|离)(?P<x>.+?)(?P<n>\d+(?:\.\d+)?)(?:公里|千米|km)(?:以内|之内|内|范围内)的"
        rf"{_UNITS}{_ASK}$",
    ), ("units within 30 km of 成都", "距成都30公里以内的区县")),
    Form("neighbours", (
        r"^neighbou?rs of (?P<x>.+?)(?: (?:not in|outside|excluding|except) (?P<p>.+))?$",
        r"^(?P<x>.+?)的(?:邻居|相邻区县|周边区县|邻县)(?:中|里)?(?:(?:不属于|不在|以外于)(?P<p>.+?)"
        rf"(?:的)?)?{_ASK}$",
        rf"^(?:与|和|跟)?(?P<x>.+?)(?:接壤|相邻|毗邻)的{_UNITS}{_ASK}$",
    ), ("neighbours of 潼南 not in 遂潼", "潼南的邻居中不属于遂潼的")),
    Form("entities_including", (
        rf"^(?:which |what )?{_WHAT} (?:that )?(?:include|includes|including|contain|"
        r"contains|containing|cover|covers|covering|with) (?P<x>.+)$",
        rf"^(?:哪些|什么){_WHAT}(?:包括|包含|覆盖|涵盖)(?P<x>.+)$",
        rf"^(?:包括|包含|覆盖|涵盖)(?P<x>.+?)的{_WHAT}{_ASK}$",
        rf"^(?P<x>.+?)(?:属于|在|参与)(?:哪些|什么){_WHAT}$",
    ), ("which platforms include 荣昌", "荣昌属于哪些平台")),
    Form("units_of", (
        rf"^(?:which |what |list |show )?(?:the )?{_UNITS} (?:of|in) (?P<p>.+)$",
        rf"^(?P<p>.+?)的?{_UNITS}{_ASK}$",
        rf"^(?P<p>.+?)(?:包括|包含)哪些{_UNITS}$",
    ), ("units of 万达开", "万达开的成员")),
]

RELATIONS = {"borders": "接壤", "covers": "包含", "within": "位于其内", "overlaps": "部分重叠"}


class QuestionError(ValueError):
    """A question that cannot be understood or names something unknown."""


def supported_forms() -> list[dict]:
    """The forms of question understood, with examples (for error messages and docs)."""
    return [{"form": f.name, "examples": list(f.examples)} for f in FORMS]


@dataclass(frozen=True)
class Subject:
    """What a name in a question stands for: a place or an entity, with its units."""

    kind: str  # place | entity
    id: str
    name: str
    level: str  # province | city | unit | the entity's kind
    adcodes: tuple[str, ...]
    geometry: shapely.Geometry

    def describe(self) -> dict:
        key = "adcode" if self.kind == "place" else "id"
        return {key: self.id, "name": self.name, "level": self.level}


def _wkt(geometry) -> str:
    return shapely.to_wkt(geometry, rounding_precision=6, trim=True)


class Questions:
    """Answers plain-language questions over the layers (latest memberships by default)."""

    def __init__(self, atlas: Layers):
        self.atlas = atlas
        self.boundaries = atlas.boundaries
        self._entity_names: dict[str, set[str]] = {}
        for entity in atlas.registry.entities.values():
            for name in (entity.id, entity.name_zh, entity.name_en, *entity.aliases):
                self._entity_names.setdefault(normalise(name), set()).add(entity.id)

    # -- names -----------------------------------------------------------------
    def _place(self, place: Place) -> Subject:
        """A unit, prefecture or province, with the outline the boundaries already hold."""
        layer = {"unit": "units", "city": "cities", "province": "provinces"}[place.level]
        geometry = self.boundaries.geometry(layer).loc[place.adcode]
        return Subject("place", place.adcode, place.name, place.level,
                       tuple(self.boundaries.members(place.adcode)), geometry)

    def _entity(self, entity_id: str, on) -> Subject:
        entity = self.atlas.registry.entities[entity_id]
        members = self.atlas.members(entity_id, on)
        geometry = self.atlas.outlines(on, "full").geometry.get(entity_id)
        return Subject("entity", entity_id, entity.name_zh, entity.kind,
                       tuple(members.adcode), geometry)

    def resolve(self, text: str, on=None, prefer: str = "place") -> tuple[Subject, dict | None]:
        """Resolve a name to a place or an entity, with the ambiguity if there was one."""
        entities = sorted(self._entity_names.get(normalise(text), ()))
        try:
            place, ambiguity = self.boundaries.gazetteer.resolve(text), None
        except AmbiguousName as error:
            place, *others = error.candidates
            readings = " or ".join(p.describe() for p in error.candidates)
            ambiguity = {"text": text, "chosen": place.describe(),
                         "alternatives": [{"adcode": p.adcode, "name": p.name,
                                           "level": p.level} for p in others],
                         "note": f"'{text}' may mean {readings}; answered for {place.name}, "
                                 "the most likely reading"}
        except UnknownName:
            place = None
        if entities and (prefer == "entity" or place is None):
            return self._entity(entities[0], on), None
        if place is None:
            raise QuestionError(f"'{text}' is not a known unit, city, province or entity; "
                                "try a full name such as 广安市, 荣昌区 or 万达开")
        return self._place(place), ambiguity

    # -- answers ---------------------------------------------------------------
    def ask(self, question: str, on=None) -> dict:
        """Answer ``question`` (as of date ``on``; default the latest memberships).

        Answers are kept (the layers do not change while the app runs), so asking again
        costs a dictionary look-up.
        """
        text = re.sub(r"\s+", " ", fold(question)).strip().rstrip("?.!。").strip().lower()
        text = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text)
        return {"question": question, **self._answer(text, on)}

    @lru_cache(maxsize=256)
    def _answer(self, text: str, on) -> dict:
        for form in FORMS:
            for pattern in form.patterns:
                match = re.match(pattern, text)
                if match:
                    answer = getattr(self, f"_{form.name}")(match.groupdict(), on)
                    return {"form": form.name,
                            "as_of": on.isoformat() if on else None, **answer,
                            "count": len(answer["hits"])}
        raise QuestionError(f"cannot understand the question {text!r}")

    def _kinds(self, what: str | None) -> set[str] | None:
        return {"cooperation_platform"} if what and re.fullmatch(_PLATFORM_WORDS, what) else None

    def _outlines(self, on, what):
        outlines = self.atlas.outlines(on, "full")
        kinds = self._kinds(what)
        return outlines if kinds is None else outlines[outlines.kind.isin(kinds)]

    def _entity_hit(self, row, **extra) -> dict:
        return {"id": row.id, "name": row.name_zh, "name_en": row.name_en, "kind": row.kind,
                **extra}

    def _entities_touching(self, groups, on):
        subject, ambiguity = self.resolve(groups["x"], on)
        hits = []
        for row in self._outlines(on, groups["what"]).itertuples():
            if row.id == subject.id or not shapely.intersects(row.geometry, subject.geometry):
                continue
            relation = ("borders" if shapely.touches(row.geometry, subject.geometry) else
                        "covers" if shapely.covers(row.geometry, subject.geometry) else
                        "within" if shapely.covers(subject.geometry, row.geometry) else
                        "overlaps")
            inside = self.atlas.members(row.id, on)
            inside = inside[inside.adcode.isin(subject.adcodes)]
            hits.append(self._entity_hit(row, relation=relation,
                                         relation_zh=RELATIONS[relation],
                                         members_inside=[{"adcode": a, "kind": k} for a, k in
                                                         zip(inside.adcode, inside.kind)]))
        hits.sort(key=lambda h: (list(RELATIONS).index(h["relation"]), h["id"]))
        kinds = self._kinds(groups["what"])
        kind_filter = " AND kind = 'cooperation_platform'" if kinds else ""
        return {"place": subject.describe(), "ambiguity": ambiguity, "hits": hits,
                "cql2": {"collection": "platforms", "filter-lang": "cql2-text",
                         "filter": f"S_INTERSECTS(geometry, {_wkt(subject.geometry)})"
                                   f"{kind_filter}"}}

    def _entities_including(self, groups, on):
        subject, ambiguity = self.resolve(groups["x"], on)
        rows = in_force(self.atlas.memberships, on)
        rows = rows[rows.adcode.isin(subject.adcodes)]
        kinds = self._kinds(groups["what"])
        if kinds:
            rows = rows[rows.entity_kind.isin(kinds)]
        outlines = self.atlas.outlines(on, "full")
        hits = [self._entity_hit(outlines.loc[entity], members_inside=[
            {"adcode": a, "kind": k, "part": p} for a, k, p in
            zip(group.adcode, group.kind, group.part)])
            for entity, group in rows.groupby("entity", sort=True)]
        codes = ", ".join(f"'{a}'" for a in subject.adcodes)
        kind_filter = " AND entity_kind = 'cooperation_platform'" if kinds else ""
        return {"place": subject.describe(), "ambiguity": ambiguity, "hits": hits,
                "cql2": {"collection": "memberships", "filter-lang": "cql2-text",
                         "filter": f"adcode IN ({codes}){kind_filter}"}}

    def _unit_hits(self, adcodes, **extra_by_adcode) -> list[dict]:
        units = self.boundaries.units.loc[list(adcodes)]
        return [{"adcode": a, "name": n, "city": c, "province": p,
                 **{k: v[a] for k, v in extra_by_adcode.items() if a in v}}
                for a, n, c, p in zip(units.adcode, units.name, units.city, units.province)]

    def _units_of(self, groups, on):
        subject, _ = self.resolve(groups["p"], on, prefer="entity")
        if subject.kind != "entity":
            raise QuestionError(f"'{groups['p']}' is a place, not a platform or zone; "
                                "ask e.g. 'units of 万达开'")
        rows = self.atlas.members(subject.id, on)
        hits = self._unit_hits(rows.adcode, kind=dict(zip(rows.adcode, rows.kind)),
                               part=dict(zip(rows.adcode, rows.part)))
        return {"entity": subject.describe(), "hits": hits,
                "cql2": {"collection": "memberships", "filter-lang": "cql2-text",
                         "filter": f"entity = '{subject.id}'"}}

    def _neighbours(self, groups, on):
        subject, ambiguity = self.resolve(groups["x"], on)
        found = self.boundaries.neighbours(subject.adcodes)
        answer = {"place": subject.describe(), "ambiguity": ambiguity}
        filter_ = f"S_TOUCHES(geometry, {_wkt(subject.geometry)})"
        if groups.get("p"):
            excluded, _ = self.resolve(groups["p"], on, prefer="entity")
            found = [a for a in found if a not in excluded.adcodes]
            answer["excluding"] = excluded.describe()
            codes = ", ".join(f"'{a}'" for a in excluded.adcodes)
            filter_ += f" AND NOT adcode IN ({codes})" if codes else ""
        pairs = self.boundaries.adjacency
        shared = {}
        for a, b, km in zip(pairs.a, pairs.b, pairs.shared_km):
            if a in subject.adcodes and b in found or b in subject.adcodes and a in found:
                other = b if a in subject.adcodes else a
                shared[other] = round(shared.get(other, 0.0) + km, 3)
        return {**answer, "hits": self._unit_hits(found, shared_km=shared),
                "cql2": {"collection": "units", "filter-lang": "cql2-text", "filter": filter_}}

    def _cross_province(self, groups, on):
        outlines = self._outlines(on, groups["what"])
        both = outlines[outlines.provinces.map(len) == 2]
        kinds = self._kinds(groups["what"])
        return {"hits": [self._entity_hit(row, provinces=row.provinces)
                         for row in both.itertuples()],
                "cql2": {"collection": "platforms", "filter-lang": "cql2-text",
                         "filter": "spans_provinces = 2" +
                                   (" AND kind = 'cooperation_platform'" if kinds else "")}}

    def _units_within(self, groups, on):
        subject, ambiguity = self.resolve(groups["x"], on)
        km = float(groups["n"])
        if not 0 < km <= 500:
            raise QuestionError(f"distance must be between 0 and 500 km, got {km:g}")
        centre = subject.geometry.centroid
        local = pyproj.Transformer.from_crs(  # azimuthal equidistant: true distances
            "OGC:CRS84", f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +ellps=WGS84",
            always_xy=True)
        back = pyproj.Transformer.from_crs(local.target_crs, "OGC:CRS84", always_xy=True)
        zone = shapely.transform(shapely.transform(
            subject.geometry, local.transform, interleaved=False).buffer(km * 1000, quad_segs=8),
            back.transform, interleaved=False)
        found = [a for a in self.boundaries.query(zone, "intersects")
                 if a not in subject.adcodes]
        return {"place": subject.describe(), "ambiguity": ambiguity, "distance_km": km,
                "hits": self._unit_hits(found),
                "cql2": {"collection": "units", "filter-lang": "cql2-text",
                         "filter": f"S_INTERSECTS(geometry, {_wkt(zone)}) AND NOT adcode IN "
                                   f"({', '.join(repr(a) for a in subject.adcodes)})"}}
