"""Read a question into its parts: names, relation, kind asked, operator, count,
superlative, dates, distance. Each part is found on its own, so the parts may come in any
order and phrasing; :mod:`layers.questions.compose` builds the answer from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geo.gazetteer import fold
from layers.questions import dates, words
from layers.questions.names import Mention, Names

PLACEHOLDER = "◆"  # stands for a name in the text the other parts are read from
_FILLER = re.compile(
    r"[\s\d◆,，、.。?？!！:：;；()（）\"'“”‘’\-—~～/]+|"
    r"的|有|哪些|哪个|哪几个|什么|是|和|与|跟|同|及|以及|中|里|内|在|于|了|吗|呢|个|家|所|"
    r"列出|请|给出|告诉我|一下|目前|现在|当前|其|它|们|各|所有|全部|都|也|还|又|被|把|"
    r"对|为|由|从|到|至|时|年|月|日|底|初|末|以|上|下|间|之间|按|个数|"
    r"\b(?:the|a|an|of|in|on|at|to|by|is|are|was|were|be|been|do|does|did|which|what|who|"
    r"that|with|and|or|both|not|all|any|list|show|me|give|tell|there|their|its|it|as|from|"
    r"between|how|many|much|much|per|each|for|into|inside|than|then|same|other|has|have|"
    r"had|s|belong|belongs|belonging|include|includes|including|contain|contains|"
    r"containing|cover|covers|covering|part|member|members|within|between|since|until|"
    r"before|after|date|year|years|now|today|currently|please|about|by|area|size|top|new|"
    r"make|makes|made|up|form|forms|are|located|lie|lies|situated|exist|existed|span|spans|"
    r"spanning|cross|crosses|crossing|only|just|whole|wholly)\b")


@dataclass
class Reading:
    """What a question was understood to ask (see :func:`read`)."""

    question: str
    text: str  # folded, lower-cased
    mentions: list[Mention]
    negated: list[bool]  # per mention: under a 'not'
    kind: str | None  # unit | city | province | platform | metropolitan_area | entity
    relation: str | None  # see words.RELATIONS; None: membership
    operator: str | None  # and | or
    counting: bool
    superlative: str | None
    top: int
    km: float | None
    dates: list[dates.DatePart] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # words that may be unknown names

    def describe(self) -> dict:
        return {"kind": self.kind, "relation": self.relation, "operator": self.operator,
                "counting": self.counting, "superlative": self.superlative,
                "top": self.top if self.superlative else None, "distance_km": self.km,
                "dates": [d.describe() for d in self.dates],
                "names": [{"text": m.text, "read_as": m.target.describe(),
                           "negated": n} for m, n in zip(self.mentions, self.negated)]}


def normalised(question: str) -> str:
    """Folded (full-width, traditional), lower-cased, single-spaced, without the final mark.

    >>> normalised("  與廣安接壤的平台？ ")
    '与广安接壤的平台'
    """
    text = re.sub(r"\s+", " ", fold(question)).strip().lower()
    text = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text)
    return text.rstrip("?.!。 ").strip()


def _without_names(text: str, mentions: list[Mention]) -> str:
    for mention in reversed(mentions):
        text = text[:mention.start] + PLACEHOLDER + text[mention.end:]
    return text


def _negated(text: str, mentions: list[Mention]) -> list[bool]:
    """A name right after 不属于 / not in / except …, or right before 以外 / 之外."""
    flags, previous = [], 0
    for mention in mentions:
        before = text[previous:mention.start]
        after = text[mention.end:]
        flags.append(bool(words.NEGATION.search(before) or words.NEGATION_AFTER.search(after)))
        previous = mention.end
    return flags


def _unknown(rest: str) -> list[str]:
    """Runs of text that no part of the reading explains: perhaps names not known."""
    for _, pattern in (*words.RELATIONS, *words.OPERATORS, *words.KINDS.items()):
        rest = re.sub(pattern, " ", rest)
    for pattern in (words.NEGATION.pattern.removesuffix(r"\s*(?:the\s*)?$"),
                    words.COUNTING, words.LARGEST, words.SMALLEST, words.MEASURE,
                    words.DISTANCE, r"以外|之外|除外|接壤|变化|属于|包括|包含|涵盖|涉及|组成|"
                    r"位于|地方|面积|范围|距离?|离|最|多大|面积"):
        rest = re.sub(pattern, " ", rest)
    runs = re.findall(r"[\u3400-\u9fff]+|[a-z][a-z'\-]*", rest)
    found = []
    for run in runs:  # a run no part explains, named as written (不存在, not 不存)
        kept = [w for w in _FILLER.sub(" ", run).split() if len(w) >= 2]
        if kept:
            found.append(run if re.match(r"[\u3400-\u9fff]", run) else " ".join(kept))
    return found


def read(question: str, names: Names) -> Reading:
    """The parts of ``question`` (any order, zh or en)."""
    text = normalised(question)
    found_dates = dates.find(text)
    mentions = names.find(dates.strip(text) if found_dates else text)
    rest = _without_names(text, mentions)
    undated = dates.strip(rest)
    which, top = words.superlative(undated)
    return Reading(
        question=question, text=text, mentions=mentions, negated=_negated(text, mentions),
        kind=words.kind_asked(words.without_provinces_spanned(undated)), relation=words.relation(undated),
        operator=words.operator(undated),
        counting=bool(words.COUNTING.search(undated)), superlative=which, top=top,
        km=words.distance_km(undated), dates=found_dates, unknown=_unknown(undated))
