"""Find administrative units by name: full names, short forms and city-qualified names.

Examples
--------
>>> g = Gazetteer([Place("511600", "广安市", "city"), Place("511602", "广安区", "unit",
...                  "511600"), Place("511002", "市中区", "unit", "511000"),
...                  Place("511000", "内江市", "city"), Place("511102", "市中区", "unit", "511100"),
...                  Place("511100", "乐山市", "city")])
>>> [p.name for p in g.candidates("广安")]
['广安市', '广安区']
>>> g.resolve("内江市中区").adcode
'511002'
>>> g.resolve("广安")
Traceback (most recent call last):
...
geo.gazetteer.AmbiguousName: '广安' is ambiguous: 广安市 (511600, city), 广安区 (511602, unit)
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from opencc import OpenCC

from geo import memo
from geo.naming import short_name
from geo.pinyin import syllables

LEVEL_ORDER = {"province": 0, "city": 1, "unit": 2}


@dataclass(frozen=True)
class Place:
    """A named administrative area: a province, a prefecture city or a county-level unit."""

    adcode: str
    name: str
    level: str  # province | city | unit
    parent: str | None = None  # the prefecture city's adcode, for a unit

    def describe(self) -> str:
        return f"{self.name} ({self.adcode}, {self.level})"


class UnknownName(LookupError):
    """No place has this name."""


class AmbiguousName(LookupError):
    """Several places share this name; ``candidates`` lists them, most likely first."""

    def __init__(self, text: str, candidates: list[Place]):
        self.text, self.candidates = text, candidates
        listed = ", ".join(p.describe() for p in candidates)
        super().__init__(f"'{text}' is ambiguous: {listed}")


_TO_SIMPLIFIED = OpenCC("t2s")
FOLDED = "folded.json"  # the names folded, remembered in the cache directory (geo.memo)
_FOLDED = memo.Memo(FOLDED, "folded", "opencc-python-reimplemented",
                    lambda text: _TO_SIMPLIFIED.convert(unicodedata.normalize("NFKC", text)))


def fold(text: str, remember: bool = False) -> str:
    """Fold full-width forms (NFKC) and traditional characters (OpenCC t2s); ``remember``: a
    name of the data (a place, an entity), whose folded form is kept (:mod:`geo.memo`),
    never a question's text.

    >>> fold("與廣安接壤的平台？")
    '与广安接壤的平台?'
    """
    if text.isascii():  # nothing to fold (and OpenCC, pure Python, is slow)
        return text
    return _FOLDED(text) if remember else _FOLDED.compute(text)


def normalise(text: str, remember: bool = False) -> str:
    """:func:`fold` (``remember``: a name of the data), lower-case, drop white space and the
    marks of pinyin spellings.

    >>> normalise(" 廣安 "), normalise("Guang'an")
    ('广安', 'guangan')
    """
    return re.sub(r"[\s'’\-]+", "", fold(text, remember)).lower()


def pinyin(name: str) -> str:
    """Toneless pinyin of a name, as one word (``广安`` → ``guangan``)."""
    return "".join(syllables(name))


class Gazetteer:
    """An index of places by full name, short name, adcode and city-qualified name."""

    def __init__(self, places):
        self.places = list(places)
        self._by_key: dict[str, list[Place]] = defaultdict(list)
        by_adcode = {p.adcode: p for p in self.places if p.level != "unit"}
        for place in self.places:
            keys = {place.adcode, place.name, short_name(place.name),
                    pinyin(short_name(place.name)), pinyin(place.name)}
            parent = by_adcode.get(place.parent) if place.parent else None
            if parent is not None:  # 内江市市中区, 内江市中区, 内江市中 …
                for city in (parent.name, short_name(parent.name)):
                    keys |= {city + place.name, city + short_name(place.name)}
            for key in keys:
                self._by_key[normalise(key, remember=True)].append(place)

    def keys(self) -> list[str]:
        """Every normalised name the index knows (to find names inside a longer text)."""
        return list(self._by_key)

    def candidates(self, text: str) -> list[Place]:
        """All places the text may name, coarser levels first (a city before its district)."""
        found = self._by_key.get(normalise(text), [])
        exact = [p for p in found if normalise(p.name, remember=True) == normalise(text)]
        rest = sorted((p for p in found if p not in exact),
                      key=lambda p: (LEVEL_ORDER[p.level], p.adcode))
        return sorted(exact, key=lambda p: LEVEL_ORDER[p.level]) + rest

    def resolve(self, text: str) -> Place:
        """Return the one place the text names, or raise UnknownName / AmbiguousName."""
        found = self.candidates(text)
        if not found:
            raise UnknownName(f"no unit, city or province is named '{text}'")
        exact = [p for p in found
                 if normalise(p.name, remember=True) == normalise(text) or p.adcode == text]
        if len(exact) == 1:
            return exact[0]
        if len(found) > 1:
            raise AmbiguousName(text, found)
        return found[0]
