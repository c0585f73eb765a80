"""The history of an entity: its versions, one per defining text, and what each changed.

>>> import geo, layers
>>> atlas = layers.load(geo.load())
>>> [(v.document, len(v.members), v.added[:2]) for v in versions(atlas, "mingyueshan")]
[('pingtai-tuijin-2020', 6, ['500155', '500231']), ('mingyueshan-fangan-2021', 7, ['500115'])]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from layers.memberships import extent_starts


@dataclass(frozen=True)
class Version:
    """One extent of an entity: the text that defines it, when, and its member units.

    ``listed`` holds the adcodes as the text lists them (a prefecture stands for its units),
    ``members`` maps each unit's adcode to its membership kind; ``added`` and ``removed``
    list units compared with the version before (all are added in the first one), and
    ``changed`` the units whose kind changed
    (adcode → [before, after]). ``inferred`` says the start date is inferred (the text is
    undated, see :func:`layers.registry.document_start`).
    """

    index: int
    document: str
    document_title: str
    document_date: dt.date | None
    document_number: str | None
    in_force_from: dt.date | None
    in_force_until: dt.date | None
    inferred: bool
    listed: list[str]
    members: dict[str, str]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    note: str | None = None

    def as_dict(self) -> dict:
        """Plain data (dates stay dates), e.g. for a JSON encoder."""
        return asdict(self)


def versions(atlas, entity_id: str) -> list[Version]:
    """The versions of ``entity_id`` in ``atlas`` (a :class:`layers.Layers`), oldest first.

    Raises
    ------
    KeyError
        naming the unknown entity.
    """
    entity = atlas.registry.entities.get(entity_id)
    if entity is None:
        raise KeyError(f"unknown entity {entity_id!r}: expected an id of the registry")
    rows = atlas.memberships[atlas.memberships.entity == entity_id]
    starts, inferred = extent_starts(atlas.registry, entity)
    found, before = [], {}
    for e, extent in enumerate(entity.extents):
        document = atlas.registry.documents[extent.document]
        here = rows[rows.extent == e]
        members = dict(zip(here.adcode, here.kind))
        found.append(Version(
            index=e, document=document.id, document_title=document.title,
            document_date=document.date, document_number=document.number,
            in_force_from=starts[e], in_force_until=starts[e + 1] if e + 1 < len(starts) else None,
            inferred=inferred[e], listed=[m.adcode for m in extent.members], members=members,
            added=sorted(set(members) - set(before)),
            removed=sorted(set(before) - set(members)),
            changed={a: [before[a], k] for a, k in sorted(members.items())
                     if a in before and before[a] != k},
            note=extent.note))
        before = members
    return found


def _short_names(atlas) -> dict[str, str]:
    """adcode → short name (綦江, 自贡) of every unit and prefecture."""
    frames = (atlas.boundaries.units, atlas.boundaries.cities)
    return {a: n for f in frames for a, n in zip(f.adcode, f.short_name)}


def _year(version: Version) -> str:
    day = version.in_force_from or version.document_date
    return str(day.year) if day else "undated"


def summary(atlas, entity_id: str, found: list[Version]) -> str:
    """One line: the members as written in each version, and what each added or removed.

    >>> import geo, layers
    >>> atlas = layers.load(geo.load())
    >>> summary(atlas, "chuannan-yuxi", versions(atlas, "chuannan-yuxi"))
    '川南渝西融合发展试验区: 7 members in 2021 → 10 in 2023: +綦江 +大足 +铜梁'
    """
    names = _short_names(atlas)
    parts = []
    for before, version in zip([None, *found], found):
        text = f"{len(version.listed)}{' members' if before is None else ''} in {_year(version)}"
        if before is not None:
            gone = set(before.listed) - set(version.listed)
            text += ":" + "".join(
                [f" +{names.get(a, a)}" for a in version.listed if a not in before.listed]
                + [f" −{names.get(a, a)}" for a in before.listed if a in gone])
        parts.append(text.removesuffix(":"))
    return f"{atlas.registry.entities[entity_id].name_zh}: " + " → ".join(parts)


def readable(atlas, found: list[Version]) -> list[dict]:
    """The versions for a table: dates, the document, counts, and the unit names added,
    removed or changed in kind (grouped by change)."""
    names = {a: n for a, n in zip(atlas.boundaries.units.adcode, atlas.boundaries.units.name)}
    return [{"from": v.in_force_from, "until": v.in_force_until, "inferred": v.inferred,
             "document": v.document_title, "number": v.document_number,
             "date": v.document_date, "listed": len(v.listed), "units": len(v.members),
             "added": [names.get(a, a) for a in v.added] if v.index else [],
             "removed": [names.get(a, a) for a in v.removed],
             "changed": _changes(v.changed, names)}
            for v in found]


def _changes(changed: dict[str, list[str]], names: dict[str, str]) -> list[str]:
    """Kind changes grouped by change: ``named→whole (2): 江津区、永川区``."""
    grouped: dict[str, list[str]] = {}
    for adcode, (old, new) in changed.items():
        grouped.setdefault(f"{old}→{new}", []).append(names.get(adcode, adcode))
    return [f"{change} ({len(units)}): {'、'.join(units)}" for change, units in grouped.items()]
