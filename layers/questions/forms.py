"""The forms that are not a combination of sets: provinces spanned, superlatives, where,
what, and what changed between two dates. Each returns the hits by identifier and, where
the form has one, a block describing the subject.
"""

from __future__ import annotations

from layers.memberships import in_force
from layers.questions import words
from layers.questions.compose import UNIT_LEVELS, result_kind
from layers.questions.parse import Reading
from layers.questions.sets import CERTAIN, World


def _kinds(r: Reading, default=None):
    kind = result_kind(r) if r.kind else default
    return words.ENTITY_KINDS.get(kind) if kind not in UNIT_LEVELS else default


def provinces_spanned(r: Reading, world: World, form: str) -> dict:
    """Entities with members in both provinces, or in one only (that one, if named)."""
    named = {m.target.name for m in r.mentions if m.target.level == "province"}
    hits = {}
    for row in world.table.itertuples():
        if words.ENTITY_KINDS.get(r.kind or "entity") and \
                row.kind not in words.ENTITY_KINDS[r.kind or "entity"]:
            continue
        spans = list(row.provinces)
        wanted = len(spans) == 2 if form == "cross_province" else \
            len(spans) == 1 and (not named or spans[0] in named)
        if wanted:
            hits[row.Index] = world.entity(row.Index, provinces=spans, **CERTAIN)
    return hits


def superlative(r: Reading, world: World, hits: dict) -> dict:
    """The largest (smallest) of the hits by area: the area a text states, else the sum
    of the member units (cities and units: their own area)."""
    measured = []
    for key, hit in hits.items():
        if "id" in hit:
            row = world.table.loc[key]
            stated = _stated(row)
            area, source = (stated, "stated") if stated else (row.member_area_km2, "members")
        else:
            layer = {"unit": world.units}.get(result_kind(r)) or (
                world.boundaries.cities if result_kind(r) == "city"
                else world.boundaries.provinces)
            area, source = float(layer.at[key, "area_km2"]), "boundaries"
        measured.append((float(area), key, source))
    measured.sort(reverse=r.superlative == "largest")
    return {key: {**hits[key], "area_km2": round(area, 1), "area_source": source}
            for area, key, source in measured[:r.top]}


def where(world: World, mention) -> tuple[dict, dict]:
    """An entity's member units with their cities and provinces; a place's parents."""
    subject = world.subject(mention.target)
    if mention.target.kind == "place":
        level = mention.target.level
        hit = {"adcode": mention.target.id, "name": mention.target.name, "level": level,
               **CERTAIN}
        units = world.units.loc[list(subject.adcodes)]
        block = {"provinces": sorted(units.province.unique()),
                 "cities": sorted(units.city.unique()) if level != "province" else [],
                 "area_km2": round(float(units.area_km2.sum()), 1)}
        return {mention.target.id: hit}, block
    hits = world.members(subject)
    row = world.table.loc[mention.target.id] if mention.target.id in world.table.index \
        else None
    block = {"cities": sorted({h["city"] for h in hits.values()}),
             "provinces": sorted({h["province"] for h in hits.values()}),
             "stated_area_km2": None if row is None else _stated(row),
             "member_area_km2": None if row is None else row.member_area_km2}
    return hits, block


def _stated(row):
    area = row.stated_area_km2
    return None if area is None or area != area else float(area)


def what(world: World, mention) -> tuple[dict, dict]:
    """An entity's names, kind, defining documents and member counts; a place's level."""
    target = mention.target
    if target.kind == "place":
        hits, block = where(world, mention)
        entities = world.entities_of(world.subject(target), None)
        return hits, {**block, "level": target.level, "entities": len(entities)}
    entity = world.atlas.registry.entities[target.id]
    documents = world.atlas.registry.documents
    subject = world.subject(target)
    in_force = world.rows.extent[world.rows.entity == target.id]  # by the memberships' dating
    extent = entity.extents[int(in_force.iat[0]) if len(in_force) else 0]
    block = {"name_zh": entity.name_zh, "name_en": entity.name_en,
             "aliases": list(entity.aliases), "kind": entity.kind, "parent": entity.parent,
             "stated_area_km2": entity.area_km2.value if entity.area_km2 else None,
             "documents": [{"id": e.document, "title": documents[e.document].title,
                            "date": _iso(documents[e.document].date),
                            "number": documents[e.document].number, "as_of": _iso(e.as_of),
                            "members_as_written": len(e.members)} for e in entity.extents],
             "members_as_written": len(extent.members), "member_units": len(subject.adcodes),
             "whole": len(subject.whole), "in_part_or_named": len(subject.parts)}
    return {target.id: world.entity(target.id, **CERTAIN)}, block


def _iso(date):
    return date.isoformat() if date else None


def _membership_kinds(rows, kinds, named) -> dict:
    """(entity, adcode) -> membership kind, for the entities of ``kinds`` / ``named``."""
    if kinds is not None:
        rows = rows[rows.entity_kind.isin(kinds)]
    if named:
        rows = rows[rows.entity.isin(named)]
    return dict(zip(zip(rows.entity, rows.adcode), rows.kind))


def changes(r: Reading, world: World, first, second) -> tuple[dict, str]:
    """Memberships added, removed or changed in kind between two dates (None: latest):
    unit by unit for the entities named, else entity by entity (which units each gained,
    lost or holds differently); with the collection the hits are in."""
    table = world.atlas.memberships
    before, after = in_force(table, first), in_force(table, second)
    named = {m.target.id for m in r.mentions if m.target.kind == "entity"}
    old, new = (_membership_kinds(frame, _kinds(r), named) for frame in (before, after))
    units = {}
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key), new.get(key)
        if was != now:
            entity_id, adcode = key
            units[key] = world.unit(
                adcode, entity=entity_id,
                entity_name=world.atlas.registry.entities[entity_id].name_zh,
                change="added" if was is None else "removed" if now is None else "changed",
                kind_before=was, kind_after=now, **CERTAIN)
    if named:
        return {f"{e}:{a}": hit for (e, a), hit in units.items()}, "units"
    by_entity: dict[str, dict] = {}
    for (entity_id, _), hit in units.items():
        entry = by_entity.setdefault(entity_id, world.entity(
            entity_id, added=[], removed=[], changed=[], **CERTAIN))
        entry[hit["change"]].append(hit["name"])
    return by_entity, "platforms"
