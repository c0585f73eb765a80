"""The registry's file format as pydantic models: what a document or an entity file holds.

Every model forbids unknown fields, so a misspelt key is an error, not silently ignored.
See ``layers/README.md`` for the format with an example.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt,
                      StringConstraints, model_validator)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Adcode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
SeedFile = Annotated[str, StringConstraints(pattern=r"^\d{3}_[0-9a-f]{16}\.txt$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

MembershipKind = Literal["whole", "part", "named", "uncertain"]
EntityKind = Literal["planning_extent", "central_urban_area", "cooperation_platform",
                     "platform_zone", "metropolitan_area", "metropolitan_tier",
                     "development_axis", "tourism_zone", "agriculture_zone", "other_zone"]

# The map's layer groups, by entity kind.
FAMILIES = {
    "planning_extent": "planning_extent", "central_urban_area": "planning_extent",
    "cooperation_platform": "cooperation_platforms", "platform_zone": "cooperation_platforms",
    "metropolitan_area": "metropolitan_areas", "metropolitan_tier": "metropolitan_areas",
    "development_axis": "other_zones", "tourism_zone": "other_zones",
    "agriculture_zone": "other_zones", "other_zone": "other_zones",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


MAX_SPAN = 30  # lines a piece of evidence may span


class Evidence(_Strict):
    """Where a seed text says it: file, first and last line (1-based), a verbatim quote."""

    file: SeedFile
    lines: tuple[PositiveInt, PositiveInt]
    quote: Annotated[str, StringConstraints(min_length=2, max_length=120)]

    @model_validator(mode="after")
    def _ordered_span(self):
        first, last = self.lines
        if not first <= last <= first + MAX_SPAN:
            raise ValueError(f"lines must be [first, last] with first <= last <= first + "
                             f"{MAX_SPAN}, got [{first}, {last}]")
        return self


class Citation(_Strict):
    """A later, dated document that cites an undated one: the undated one existed by then."""

    document: Slug
    evidence: Evidence


class Document(_Strict):
    """A policy document that defines entities."""

    id: Slug
    title: Text
    issuer: Text
    date: dt.date | None
    number: Text | None = None
    implements: Slug | None = None
    cited_by: Citation | None = None
    evidence: Evidence
    outside_knowledge: Text | None = None

    @model_validator(mode="after")
    def _undated_documents_say_what_they_implement(self):
        if self.date is None and self.implements is None:
            raise ValueError("an undated document needs 'implements': the id of the dated "
                             "document it implements (it comes into force no earlier)")
        if self.date is not None and self.cited_by is not None:
            raise ValueError("'cited_by' is only for undated documents")
        return self


class Member(_Strict):
    """A unit (or a prefecture, expanded to its units) and how it belongs to an entity."""

    adcode: Adcode
    kind: MembershipKind
    part: Text | None = None
    disagreement: Text | None = None
    except_: list[Adcode] = Field(default_factory=list, alias="except")
    evidence: Evidence
    outside_knowledge: Text | None = None

    @model_validator(mode="after")
    def _part_only_for_partial_members(self):
        if self.kind == "part" and not self.part:
            raise ValueError("a 'part' member needs 'part': the towns or area the text "
                             "names, or 未列明 where it names none")
        if self.kind != "part" and self.part:
            raise ValueError(f"'part' is only for kind 'part', not {self.kind!r}")
        if (self.kind == "uncertain") != bool(self.disagreement):
            raise ValueError("'disagreement' (which texts contradict each other, and how) is "
                             f"required for kind 'uncertain' and only for it, not {self.kind!r}")
        return self


class Extent(_Strict):
    """The membership of an entity as one document defines it."""

    as_of: dt.date | None
    document: Slug
    members: list[Member]
    note: Text | None = None

    @model_validator(mode="after")
    def _no_members_says_why(self):
        if not self.members and not self.note:
            raise ValueError("an extent without members needs a 'note' saying why (e.g. the "
                             "text names the entity but never lists its units)")
        return self


class StatedArea(_Strict):
    """An area a text states for the entity, in km²."""

    value: PositiveFloat
    evidence: Evidence


class Entity(_Strict):
    """A spatial entity the texts define: planning extent, platform, zone, tier …"""

    id: Slug
    name_zh: Text
    name_en: Text
    aliases: list[Text] = Field(default_factory=list)
    kind: EntityKind
    parent: Slug | None = None
    area_km2: StatedArea | None = None
    note: Text | None = None
    extents: Annotated[list[Extent], Field(min_length=1)]

    @model_validator(mode="after")
    def _extents_oldest_first(self):
        dates = [e.as_of for e in self.extents if e.as_of is not None]
        if dates != sorted(dates):
            raise ValueError("extents must be listed oldest first (by as_of)")
        return self

    @property
    def family(self) -> str:
        return FAMILIES[self.kind]
