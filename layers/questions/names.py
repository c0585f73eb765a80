"""Names in a question: places (gazetteer) and entities (registry), found by longest match.

The question is cut into tokens (one per Chinese character, one per Latin word or
number); at each token the longest run of tokens whose normalised text is a known name is
taken. Keys cover full names, short forms, aliases, pinyin, ids and English names;
traditional and full-width forms fold to the same key. Unknown names get suggestions by
fuzzy matching (rapidfuzz) over the names and their pinyin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from geo.gazetteer import normalise, pinyin
from geo.naming import short_name

_TOKEN = re.compile(r"[a-z0-9]+(?:['’\-][a-z0-9]+)*|[\u3400-\u9fff]|[^\s]")
MAX_TOKENS = 24
_GENERIC = re.compile(r"(?:新区|示范区|示范带|先行区|试验区|地区)$")  # 高竹新区 = 高竹


@dataclass(frozen=True)
class Target:
    """What a name may stand for: a place (by adcode) or an entity (by id)."""

    kind: str  # place | entity
    id: str
    name: str
    level: str  # province | city | unit, or the entity's kind

    def describe(self) -> dict:
        key = "adcode" if self.kind == "place" else "id"
        return {key: self.id, "name": self.name, "level": self.level}


@dataclass(frozen=True)
class Mention:
    """A name found in the question: where, as written, and its readings (likeliest first)."""

    text: str
    start: int  # character offsets in the folded question
    end: int
    readings: tuple[Target, ...]

    @property
    def target(self) -> Target:
        return self.readings[0]


class Names:
    """The name index of the places of the boundaries and the entities of the registry."""

    def __init__(self, boundaries, registry):
        self.gazetteer = boundaries.gazetteer
        self.entities: dict[str, list[Target]] = {}
        self.exact: set[tuple[str, str]] = set()  # (key, entity id) of full names and aliases
        for entity in registry.entities.values():
            target = Target("entity", entity.id, entity.name_zh, entity.kind)
            written = (entity.name_zh, *entity.aliases)
            written += tuple(_GENERIC.sub("", w) for w in written if _GENERIC.search(w))
            for name in (*written, entity.id, entity.name_en, *map(pinyin, written)):
                key = normalise(name, remember=True)
                self.entities.setdefault(key, []).append(target)
                self.exact.add((key, entity.id))
        self.keys = {k for k in (*self.gazetteer.keys(), *self.entities) if _usable(k)}
        self.registry = registry

    @cached_property
    def choices(self) -> dict[str, str]:
        """Every display name, keyed by itself and its pinyin, for suggestions (built at
        the first unknown name)."""
        entities = self.registry.entities.values()
        names = [p.name for p in self.gazetteer.places]
        names += [e.name_zh for e in entities]
        names += [a for e in entities for a in e.aliases]
        short = {pinyin(short_name(p.name)): p.name for p in self.gazetteer.places}
        every = {**short, **{pinyin(n): n for n in names}, **{n: n for n in names}}
        return {normalise(key, remember=True): name for key, name in every.items()}

    def readings(self, text: str) -> tuple[Target, ...]:
        """Every reading of a name: exact full names, then entities, then short forms."""
        key = normalise(text)
        places = [Target("place", p.adcode, p.name, p.level)
                  for p in self.gazetteer.candidates(text)]
        exact = [t for t in places if normalise(t.name, remember=True) == key or t.id == key]
        entities = list(dict.fromkeys(self.entities.get(key, [])))
        rest = [t for t in places if t not in exact]
        return tuple(exact + entities + rest)

    def find(self, text: str) -> list[Mention]:
        """The names in a folded, lower-cased question, by longest match, in order."""
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        found, i = [], 0
        while i < len(tokens):
            for j in range(min(len(tokens), i + MAX_TOKENS), i, -1):
                written = text[tokens[i][0]:tokens[j - 1][1]]
                if normalise(written) in self.keys:
                    found.append(Mention(written, tokens[i][0], tokens[j - 1][1],
                                         self.readings(written)))
                    i = j
                    break
            else:
                i += 1
        return found

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Known names close to ``text`` (临水县 → 邻水县), best first."""
        from rapidfuzz import fuzz, process

        query = normalise(text)
        latin = query.isascii()
        if latin and len(query) < 4:
            return []
        found = process.extract(query, list(self.choices), scorer=fuzz.ratio, limit=limit * 3,
                                score_cutoff=85 if latin else 60)
        return list(dict.fromkeys(self.choices[name] for name, _, _ in found))[:limit]


def _usable(key: str) -> bool:
    """Keys long enough not to be found by chance inside other words: two Chinese
    characters, or four letters (one Latin word may be a pinyin key)."""
    if re.fullmatch(r"\d+", key):
        return len(key) == 6  # adcodes only, never years or distances
    return len(key) >= (4 if key.isascii() else 2)
