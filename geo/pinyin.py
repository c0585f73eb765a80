"""Toneless pinyin of names, remembered in the cache directory so that a start needs no pypinyin.

pypinyin costs a quarter of a second and 50 MB to import (its phrase dictionary), and the
names spelled are the same at every start: places and the registry's entities. Their
syllables are kept in ``pinyin.json`` beside the boundary cache (a :class:`geo.memo.Memo`,
with the pypinyin version and a SHA-256 of its entries; :func:`remember_in` is called by
:func:`geo.load`); pypinyin is imported only for a name not found there, and :func:`save`
writes the file again when some were added. A file of another version, or one that does
not match its checksum or cannot be read, is ignored (and replaced), never used.

>>> syllables("广安市")
('guang', 'an', 'shi')
"""

from __future__ import annotations

from geo import memo

FILENAME = "pinyin.json"


def _spell(name: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(name)


_SYLLABLES = memo.Memo(FILENAME, "syllables", "pypinyin", _spell)


def syllables(name: str) -> tuple[str, ...]:
    """The toneless pinyin syllables of ``name`` (``广安`` → ``('guang', 'an')``)."""
    return tuple(_SYLLABLES(name))


def remember_in(directory) -> None:
    """Keep the syllables in ``directory``: read what is there now (if it verifies)."""
    _SYLLABLES.remember_in(directory)


def save() -> None:
    """Write the file again if names were added since it was read (atomically; silently
    skipped where the directory cannot be written: the file only saves time)."""
    _SYLLABLES.save()
