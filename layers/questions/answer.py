"""Put an answer together: the form's hits, the reading said back in zh and en, the
ambiguity (once), notes (a date before an entity existed …) and the CQL2 filter that
selects the same features by identifier.
"""

from __future__ import annotations

from urllib.parse import urlencode

from layers.questions import forms
from layers.questions.compose import (UNIT_LEVELS, QuestionError, combined,
                                      operator_of, result_kind)
from layers.questions.parse import Reading
from layers.questions.sets import World

NOUNS = {"unit": ("units", "区县"), "city": ("cities", "城市"), "province": ("provinces", "省级"),
         "platform": ("cooperation platforms", "合作平台"),
         "metropolitan_area": ("metropolitan areas", "都市圈"),
         "entity": ("entities", "平台与功能区")}
READING = {
    "members": ("{kinds} of {names}", "{names}的{kinds}"),
    "entities_of": ("{kinds} with members in {names}", "{names}所属的{kinds}"),
    "neighbours": ("{kinds} bordering {names}", "与{names}接壤的{kinds}"),
    "entities_touching": ("{kinds} touching {names}", "与{names}相接或重叠的{kinds}"),
    "units_within": ("{kinds} within {km:g} km of {names}", "距{names}{km:g}公里以内的{kinds}"),
    "cross_province": ("{kinds} with members in both provinces", "跨川渝两省市的{kinds}"),
    "one_province": ("{kinds} in one province only {names}", "仅在一个省市{names}的{kinds}"),
    "superlative": ("the {which} {kinds} by area {names}", "{names}面积{which}的{kinds}"),
    "where": ("where {names} is", "{names}的位置"),
    "what": ("what {names} is", "{names}是什么"),
    "changes": ("changes in {names} from {first} to {second}", "{names}{first}至{second}的变化"),
    "list": ("all {kinds}", "全部{kinds}"),
}
COLLECTIONS = {"unit": "units", "city": "cities", "province": "provinces"}
MAX_FILTER = 2048


def hits_of(r: Reading, world: World, form: str) -> tuple[dict, dict | None, str]:
    """The hits by identifier, a block about the subject (or None), the collection."""
    kind = result_kind(r)
    collection = COLLECTIONS.get(kind, "platforms")
    if form in ("where", "what"):
        mention = next(m for m, n in zip(r.mentions, r.negated) if not n)
        hits, block = getattr(forms, form)(world, mention)
        level = mention.target.level if mention.target.kind == "place" else None
        collection = COLLECTIONS.get(level, "units" if form == "where" else "platforms")
        return hits, block, collection
    if form in ("cross_province", "one_province"):
        return forms.provinces_spanned(r, world, form), None, "platforms"
    if form == "superlative":
        if not r.kind:
            r.kind = "platform"
            collection = "platforms"
        base = combined(r, world, "members" if kind in UNIT_LEVELS else "entities_of")
        return forms.superlative(r, world, base), None, collection
    return combined(r, world, form), None, collection


def cql2(hits: list[dict], collection: str, as_of, universe=()) -> dict:
    """``id IN (…)`` / ``adcode IN (…)`` selecting the hits, or ``NOT adcode IN (…)`` the
    other units of ``universe`` when that is shorter; with the link to the collection.

    >>> cql2([{"adcode": "500152"}], "units", None)["filter"]
    "adcode IN ('500152')"
    """
    key = "id" if collection == "platforms" else "adcode"
    ids = sorted({h[key] for h in hits})
    text = f"{key} IN ({', '.join(repr(str(i)) for i in ids) or repr('')})"
    others = sorted(set(universe) - set(ids))
    if universe and len(others) < len(ids):
        text = f"NOT adcode IN ({', '.join(repr(a) for a in others) or repr('')})"
    params = {"filter": text, "filter-lang": "cql2-text", "limit": 10_000}
    if as_of:
        params["datetime"] = as_of.isoformat()
    return {"collection": collection, "filter-lang": "cql2-text", "filter": text,
            "datetime": params.get("datetime"),
            "href": f"/collections/{collection}/items?{urlencode(params)}"}


def said(r: Reading, form: str, dates: tuple) -> dict:
    """The reading said back, in English and Chinese."""
    joiners = (" and ", "和") if operator_of(r) == "and" else (" or ", "或")
    positives = [m.target for m, n in zip(r.mentions, r.negated) if not n]
    related = [t.name for t in positives if t.kind == positives[0].kind] if positives else []
    restricted = "、".join(t.name for t in positives if t.kind != positives[0].kind)
    negatives = "、".join(m.target.name for m, n in zip(r.mentions, r.negated) if n)
    text = {}
    for index, language in enumerate(("en", "zh")):
        which = {"largest": ("largest", "最大"), "smallest": ("smallest", "最小")}.get(
            r.superlative, ("", ""))[index]
        text[language] = " ".join(READING[form][index].format(
            kinds=NOUNS[result_kind(r)][index],
            names=joiners[index].join(related) or NOUNS[result_kind(r)][index],
            km=r.km or 0, which=which, first=dates[0] or "",
            second=dates[1] or ("now", "现在")[index]).split())
        if restricted:
            text[language] += (f", also in {restricted}", f"（且属于{restricted}）")[index]
        if negatives:
            text[language] += (f", except {negatives}", f"（不含{negatives}）")[index]
    return text


def summary(hits: list[dict], kind: str, counting: bool) -> dict:
    """The answer in a sentence: the count, then the first names."""
    names = [h.get("name") for h in hits[:12]]
    more = "…" if len(hits) > 12 else ""
    en_noun, zh_noun = NOUNS[kind]
    return {"en": f"{len(hits)} {en_noun}" + (f": {', '.join(names)}{more}" if names else ""),
            "zh": f"共{len(hits)}个{zh_noun}" + (f"：{'、'.join(names)}{more}" if names else "")}


NAMELESS = ("cross_province", "one_province", "superlative", "changes", "list")
EXAMPLES = "e.g. 'platforms touching 广安', '万达开有哪些区县', 'units within 30 km of 成都'"


def check(r: Reading, form: str, names) -> None:
    """Refuse a question naming nothing known where a name is needed, or words that look
    like a misspelt name; say what it may mean."""
    for run in r.unknown:
        suggestions = [s for word in run.split() for s in names.suggest(word)]
        if suggestions:
            raise QuestionError(f"'{run}' is not a known unit, city, province or entity; "
                                f"did you mean {' / '.join(suggestions)}?", suggestions)
    unknown = " ".join(r.unknown)
    needs_name = r.km is not None or r.relation in ("touching", "where", "what")
    asks = r.kind or r.relation or r.counting or r.superlative
    refused = (r.unknown and not r.mentions and form not in NAMELESS) or \
        (form == "list" and (needs_name or not (r.kind or r.counting) or r.unknown)) or \
        (r.unknown and not asks)
    if refused and r.unknown:
        raise QuestionError(f"'{unknown}' is not a known unit, city, province or entity; "
                            f"name one and what you want to know, {EXAMPLES}")
    if refused:
        raise QuestionError("cannot tell what is asked: name a place or an entity and what "
                            f"you want to know, {EXAMPLES}")


def ambiguity(r: Reading, table) -> tuple[dict | None, list[dict]]:
    """The first name with other readings, said once: what was taken, what else it may
    mean (other places; for a city or province, its central urban area or metropolitan
    area). Further ambiguous names become notes."""
    found = []
    for mention in r.mentions:
        chosen = mention.target
        others = [t for t in mention.readings[1:] if t.name != chosen.name]
        if chosen.kind == "place" and chosen.level in ("city", "province"):
            stem = mention.text
            others += [{"id": i, "name": n, "level": k} for i, n, k in
                       zip(table.index, table.name_zh, table.kind)
                       if k in ("central_urban_area", "metropolitan_area")
                       and n.startswith(stem) and n != chosen.name]
        if not others or chosen.name == mention.text:
            continue
        alternatives = [o if isinstance(o, dict) else o.describe() for o in others]
        listed = "、".join(a["name"] for a in alternatives)
        found.append({"text": mention.text, "chosen": chosen.name, "read_as": chosen.describe(),
                      "alternatives": alternatives,
                      "note": f"'{mention.text}' read as {chosen.name}; it may also mean "
                              f"{listed} (ask with the full name)",
                      "note_zh": f"“{mention.text}”按{chosen.name}理解；也可指{listed}"
                                 "（请用全称提问）"})
    return (found[0] if found else None), found[1:]


def existence_notes(r: Reading, world: World) -> list[dict]:
    """Entities named that did not exist yet on the date asked."""
    notes = []
    for mention in r.mentions:
        if mention.target.kind != "entity" or world.as_of is None:
            continue
        if (world.rows.entity == mention.target.id).any():
            continue
        table = world.atlas.memberships
        starts = table.in_force_from[table.entity == mention.target.id].dropna()
        first = min(starts).isoformat() if len(starts) else "a later date"
        name = mention.target.name
        notes.append({"en": f"{name} did not exist yet on {world.as_of.isoformat()}: it was "
                            f"first defined on {first}",
                      "zh": f"{world.as_of.isoformat()}时{name}尚未设立（首次界定于{first}）"})
    return notes
