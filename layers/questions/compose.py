"""Compose an answer from the parts of a reading: choose the form, compute each name's
set, combine them with the operators, and describe what was done.
"""

from __future__ import annotations

from layers.questions import words
from layers.questions.parse import Reading
from layers.questions.sets import CERTAIN, World


class QuestionError(ValueError):
    """A question that cannot be understood; ``suggestions`` lists names it may mean."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        super().__init__(message)
        self.suggestions = suggestions or []


UNIT_LEVELS = ("unit", "city", "province")


def form_of(r: Reading) -> str:
    """Which answer the parts call for."""
    positives = [m for m, n in zip(r.mentions, r.negated) if not n]
    if r.relation == "changes" or len(r.dates) >= 2:
        return "changes"
    if r.superlative:
        return "superlative"
    if r.relation in ("cross_province", "one_province"):
        return r.relation
    if r.relation in ("where", "what") and positives and (r.relation == "where" or not r.kind):
        return r.relation
    if not positives:
        return "list"
    if r.km is not None:
        return "units_within"
    if r.relation == "touching":
        return "neighbours" if result_kind(r) in UNIT_LEVELS else "entities_touching"
    return "members" if result_kind(r) in UNIT_LEVELS else "entities_of"


def result_kind(r: Reading) -> str:
    """What the hits are: unit, city, province, or an entity word (platform …)."""
    if r.kind:
        return r.kind
    positives = [m for m, n in zip(r.mentions, r.negated) if not n]
    if _mixed(positives):  # 'is 邻水 in 明月山': the place's units that belong
        return "unit"
    if r.km is not None or (r.relation == "touching" and positives
                            and positives[0].target.kind == "place"):
        return "unit"
    return "unit" if positives and positives[0].target.kind == "entity" else "entity"


def _mixed(mentions) -> bool:
    return len({m.target.kind for m in mentions}) == 2


def operator_of(r: Reading) -> str:
    """The operator written, else 'and' between a place and an entity ('neighbours of 合川
    in 合广长', 'is 邻水 in 明月山'), else 'or' ('units of 万达开 and 明月山' lists both)."""
    positives = [m for m, n in zip(r.mentions, r.negated) if not n]
    return r.operator or ("and" if _mixed(positives) else "or")


def _operand(r: Reading, world: World, mention, form: str) -> dict:
    """The set one name stands for in this form."""
    subject = world.subject(mention.target)
    kind = result_kind(r)
    kinds = words.ENTITY_KINDS.get(kind)
    if form == "units_within":
        units = world.within(subject, r.km)
        if kind not in UNIT_LEVELS:  # entities with a member that near
            return world.entities_of(world.subject_of_units(units), kinds)
    elif form == "neighbours":
        units = world.neighbours(subject)
    elif form == "entities_touching":
        return world.touching(subject, kinds)
    elif kind not in UNIT_LEVELS:
        return world.entities_of(subject, kinds)
    else:
        units = world.members(subject)
    return units if kind == "unit" else world.at_level(units, kind)


def _everything(r: Reading, world: World) -> dict:
    kind = result_kind(r)
    if kind in UNIT_LEVELS:
        units = {a: world.unit(a, **CERTAIN) for a in world.units.index}
        return units if kind == "unit" else world.at_level(units, kind)
    return world.entities(words.ENTITY_KINDS.get(kind))


def _exclusion(r: Reading, world: World, mention) -> set[str]:
    """What a name under 'not' removes: its units, or the entities it is or holds."""
    if mention.target.kind == "entity" and result_kind(r) not in UNIT_LEVELS:
        return {mention.target.id}
    return set(_operand(r, world, mention, "members"))


def combined(r: Reading, world: World, form: str) -> dict:
    """The names' sets joined (or, by default) or intersected (and / both / 同时), less
    the sets of the names under 'not'."""
    positives = [m for m, n in zip(r.mentions, r.negated) if not n]
    negatives = [m for m, n in zip(r.mentions, r.negated) if n]
    if not positives:
        hits = _everything(r, world)
    else:  # the relation holds for names like the first (places, or entities); the
        # others are their members: 'units bordering 潼南 and also in 遂潼'
        sets = [_operand(r, world, m, form if m.target.kind == positives[0].target.kind
                         else "members") for m in positives]
        hits = dict(sets[0])
        for other in sets[1:]:
            if operator_of(r) == "and":
                hits = {k: {**v, **other[k]} for k, v in hits.items() if k in other}
            else:
                hits.update({k: v for k, v in other.items() if k not in hits})
    for mention in negatives:
        removed = _exclusion(r, world, mention)
        hits = {k: v for k, v in hits.items() if k not in removed}
    return hits
