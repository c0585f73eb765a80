"""Spatial questions in plain language, Chinese or English, answered exactly.

A question is read into its parts (:mod:`.parse`: names by longest match, the relation,
the kind asked for, set operators, counting, superlatives, dates, distances) and the
answer is composed from them (:mod:`.compose`, :mod:`.forms`). Each answer says how the
question was read, which reading of an ambiguous name it took, how certain each hit is,
and carries a CQL2 filter selecting the same features by identifier. :mod:`.render`
turns an answer into CSV rows, GeoJSON features or an HTML page's context.

>>> import geo, layers
>>> questions = Questions(layers.load(geo.load()))
>>> answer = questions.ask("platforms touching 广安")
>>> answer["place"]["name"], [a["name"] for a in answer["ambiguity"]["alternatives"]]
('广安市', ['广安区'])
>>> sorted({h["relation"] for h in answer["hits"]})
['borders', 'covers', 'overlaps']
>>> questions.ask("万达开有几个区县")["count"]
9
"""

from __future__ import annotations

from functools import lru_cache

from layers import Layers
from layers.questions import answer as parts
from layers.questions.compose import QuestionError, form_of, result_kind
from layers.questions.names import Names
from layers.questions.parse import read
from layers.questions.render import csv_rows, csv_text, hits_geojson, html_context
from layers.questions.sets import World

__all__ = ["QuestionError", "Questions", "csv_rows", "csv_text", "hits_geojson",
           "html_context"]


class Questions:
    """Answers plain-language questions over the layers (latest memberships by default)."""

    def __init__(self, atlas: Layers, memoize=lru_cache(maxsize=1024)):
        """``memoize`` keeps the answers (the app gives one bounded by bytes)."""
        self.atlas = atlas
        self.names = Names(atlas.boundaries, atlas.registry)
        self.worlds = lru_cache(maxsize=16)(lambda as_of: World(atlas, as_of))
        self._kept = memoize(self._answer)

    def ask(self, question: str, as_of=None) -> dict:
        """Answer ``question``; ``as_of`` is the date asked (default: the date written in the
        question, else the latest memberships). Raises :class:`QuestionError`.

        Answers are kept (the layers do not change while the app runs): asking again
        costs a dictionary look-up.
        """
        return {"question": question, **self._kept(question.strip(), as_of)}

    def _answer(self, question: str, as_of) -> dict:
        r = read(question, self.names)
        form = form_of(r)
        parts.check(r, form, self.names)
        written = [d.as_of for d in r.dates]
        if form == "changes":
            first, second = (written + [None, None])[:2]
            world = self.worlds(None)
            (hits, collection), block = parts.forms.changes(r, world, first, second), None
            dates = (first and first.isoformat(), second and second.isoformat())
        else:
            world = self.worlds(written[0] if written else as_of)
            hits, block, collection = parts.hits_of(r, world, form)
            dates = (None, None)
        return self._compose(r, form, world, list(hits.values()), block, collection, dates)

    def _compose(self, r, form, world, hits, block, collection, dates) -> dict:
        ambiguity, more = parts.ambiguity(r, world.table)
        notes = [{"en": a["note"], "zh": a["note_zh"]} for a in more]
        notes += parts.existence_notes(r, world)
        subject = next((m.target for m, n in zip(r.mentions, r.negated) if not n), None)
        universe = list(self.atlas.boundaries.units.index) if collection == "units" else ()
        certainty = "possible" if any(h.get("certainty") == "possible" for h in hits) \
            else "certain"
        return {
            "form": form, "as_of": world.as_of.isoformat() if world.as_of else None,
            "reading": {"form": form, **parts.said(r, form, dates), **r.describe()},
            "place": subject.describe() if subject and subject.kind == "place" else None,
            "entity": subject.describe() if subject and subject.kind == "entity" else None,
            "ambiguity": ambiguity, "notes": notes, "about": block,
            "answer": parts.summary(hits, result_kind(r), r.counting),
            "count": len(hits), "certainty": certainty, "hits": hits,
            "cql2": parts.cql2(hits, collection, world.as_of, universe)}
