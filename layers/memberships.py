"""Memberships: every (unit, entity, extent) the registry defines, dated, with evidence.

A prefecture member is expanded to its county-level units (keeping its kind and evidence,
``via`` naming the prefecture). Each extent is in force from its ``as_of`` date until the
next extent of the same entity; an undated extent follows the one before it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from layers.registry import Registry

COLUMNS = ["entity", "entity_kind", "family", "adcode", "kind", "part", "via", "extent", "in_force_from", "in_force_until",
           "latest", "document", "document_title", "document_date", "document_number",
           "evidence_file", "evidence_lines", "quote", "outside_knowledge"]


def membership_table(registry: Registry, boundaries) -> pd.DataFrame:
    """One row per unit and extent of every entity (see :data:`COLUMNS`).

    ``in_force_from`` is None for an undated first extent (in force from the start);
    ``in_force_until`` is the next extent's start (None for the latest extent, or when the
    next extent is undated too: it supersedes this one at once).
    """
    rows = []
    for entity in registry.entities.values():
        starts, start = [], None
        for extent in entity.extents:
            start = extent.as_of or start
            starts.append(start)
        for e, extent in enumerate(entity.extents):
            until = starts[e + 1] if e + 1 < len(starts) else None
            document = registry.documents[extent.document]
            for member in extent.members:
                units = [a for a in boundaries.members(member.adcode) if a not in member.except_]
                via = member.adcode if member.adcode not in boundaries.units.index else None
                first, last = member.evidence.lines
                for adcode in units:
                    rows.append([entity.id, entity.kind, entity.family, adcode, member.kind, member.part, via, e,
                                 starts[e], until, e == len(entity.extents) - 1,
                                 document.id, document.title, document.date, document.number,
                                 member.evidence.file,
                                 f"{first}" if first == last else f"{first}-{last}",
                                 member.evidence.quote, member.outside_knowledge])
    return pd.DataFrame(rows, columns=COLUMNS)


def in_force(table: pd.DataFrame, as_of: dt.date | None = None) -> pd.DataFrame:
    """The rows of the extents in force on date ``as_of`` (default: the latest extents).

    An entity whose first extent is dated after ``as_of`` has no rows then.

    Examples
    --------
    >>> t = pd.DataFrame({"entity": ["x", "x", "x"], "adcode": ["1", "1", "2"],
    ...     "in_force_from": [dt.date(2021, 1, 1), dt.date(2023, 1, 1), dt.date(2023, 1, 1)],
    ...     "in_force_until": [dt.date(2023, 1, 1), None, None],
    ...     "latest": [False, True, True]})
    >>> list(in_force(t, dt.date(2022, 6, 1)).adcode), list(in_force(t).adcode)
    (['1'], ['1', '2'])
    >>> len(in_force(t, dt.date(2020, 1, 1)))
    0
    """
    if as_of is None:
        return table[table.latest]
    started = table.in_force_from.map(lambda d: d is None or d <= as_of)
    not_ended = table.latest | table.in_force_until.map(lambda d: d is not None and as_of < d)
    return table[started & not_ended]
