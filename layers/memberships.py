"""Memberships: every (unit, entity, extent) the registry defines, dated, with evidence.

A prefecture member is expanded to its county-level units (keeping its kind and evidence,
``via`` naming the prefecture). Each extent is in force from its ``as_of`` date until the
next extent of the same entity. An undated extent (its text gives no date) never antedates
the dated document its text implements nor the extent before it: its start is inferred
(see :func:`layers.registry.document_start`) and flagged ``in_force_inferred``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from layers.registry import Registry, document_start

COLUMNS = ["entity", "entity_kind", "family", "adcode", "kind", "part", "disagreement", "via",
           "extent", "in_force_from", "in_force_until", "in_force_inferred", "latest",
           "document", "document_title", "document_date", "document_number",
           "evidence_file", "evidence_lines", "quote", "outside_knowledge"]


def membership_table(registry: Registry, boundaries) -> pd.DataFrame:
    """One row per unit and extent of every entity (see :data:`COLUMNS`).

    ``in_force_until`` is the next extent's start (None for the latest extent).
    """
    rows = []
    for entity in registry.entities.values():
        starts, inferred = extent_starts(registry, entity)
        for e, extent in enumerate(entity.extents):
            until = starts[e + 1] if e + 1 < len(starts) else None
            document = registry.documents[extent.document]
            for member in extent.members:
                units = [a for a in boundaries.members(member.adcode) if a not in member.except_]
                via = member.adcode if member.adcode not in boundaries.units.index else None
                first, last = member.evidence.lines
                for adcode in units:
                    rows.append([entity.id, entity.kind, entity.family, adcode, member.kind,
                                 member.part, member.disagreement, via, e, starts[e], until,
                                 inferred[e], e == len(entity.extents) - 1,
                                 document.id, document.title, document.date, document.number,
                                 member.evidence.file,
                                 f"{first}" if first == last else f"{first}-{last}",
                                 member.evidence.quote, member.outside_knowledge])
    return pd.DataFrame(rows, columns=COLUMNS)


def extent_starts(registry: Registry, entity) -> tuple[list, list[bool]]:
    """Each extent's start date, and whether it is inferred (its text is undated).

    An undated extent starts when its document does (:func:`document_start`), and never
    before the extent listed before it.
    """
    starts, inferred, previous = [], [], None
    for extent in entity.extents:
        start, guessed = (extent.as_of, False) if extent.as_of else \
            document_start(registry, registry.documents[extent.document])
        if guessed and previous and start < previous:
            start = previous
        starts.append(start)
        inferred.append(guessed)
        previous = start
    return starts, inferred


@dataclass(frozen=True)
class Period:
    """A closed interval of dates (``datetime=start/end``); ``None`` is an open end."""

    start: dt.date | None
    end: dt.date | None


def in_force(table: pd.DataFrame, as_of: dt.date | Period | None = None) -> pd.DataFrame:
    """The rows of the extents in force on date ``as_of``, or at any time in a
    :class:`Period` (default: the latest extents); ``in_force_until`` is exclusive.

    An entity whose first extent is dated after ``as_of`` has no rows then.

    Examples
    --------
    >>> t = pd.DataFrame({"entity": ["x", "x", "x"], "adcode": ["1", "1", "2"],
    ...     "in_force_from": [dt.date(2021, 1, 1), dt.date(2023, 1, 1), dt.date(2023, 1, 1)],
    ...     "in_force_until": [dt.date(2023, 1, 1), None, None],
    ...     "latest": [False, True, True]})
    >>> list(in_force(t, dt.date(2022, 6, 1)).adcode), list(in_force(t).adcode)
    (['1'], ['1', '2'])
    >>> len(in_force(t, dt.date(2020, 1, 1))), len(in_force(t, Period(dt.date(2022, 1, 1), None)))
    (0, 3)
    """
    if as_of is None:
        return table[table.latest]
    start, end = (as_of.start, as_of.end) if isinstance(as_of, Period) else (as_of, as_of)
    began = table.in_force_from.map(lambda d: d is None or end is None or d <= end)
    lasted = table.in_force_until.map(lambda d: d is None or start is None or start < d)
    return table[began & lasted]
