"""Toneless pinyin of names, remembered in the cache directory so that a start needs no pypinyin.

pypinyin costs a quarter of a second and 50 MB to import (its phrase dictionary), and the
names spelled are the same at every start: places and the registry's entities. Their
syllables are kept in ``pinyin.json`` beside the boundary cache (:func:`remember_in`, called
by :func:`geo.load`); pypinyin is imported only for a name not found there, and
:func:`save` writes the file again when some were added. The file is written to a
temporary file and renamed, and carries the pypinyin version and a SHA-256 of its
entries: a file of another version, or one that does not match its checksum or cannot be
read, is ignored (and replaced at the next :func:`save`), never used.

>>> syllables("广安市")
('guang', 'an', 'shi')
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path

from geo.atomic import replacing

FILENAME = "pinyin.json"

_known: dict[str, tuple[str, ...]] = {}  # name -> syllables, from the file and this process
_added: set[str] = set()  # names converted since the file was read
_file: Path | None = None


def syllables(name: str) -> tuple[str, ...]:
    """The toneless pinyin syllables of ``name`` (``广安`` → ``('guang', 'an')``)."""
    found = _known.get(name)
    if found is None:
        from pypinyin import lazy_pinyin

        found = _known[name] = tuple(lazy_pinyin(name))
        _added.add(name)
    return found


def _version() -> str:
    return importlib.metadata.version("pypinyin")


def _checksum(entries: dict) -> str:
    return hashlib.sha256(json.dumps(entries, ensure_ascii=False, sort_keys=True)
                          .encode()).hexdigest()


def remember_in(directory: Path) -> None:
    """Keep the syllables in ``directory``: read what is there now (if it verifies)."""
    global _file
    _file = Path(directory) / FILENAME
    try:
        stored = json.loads(_file.read_text(encoding="utf-8"))
        entries = stored["syllables"]
        usable = stored["pypinyin"] == _version() and stored["sha256"] == _checksum(entries)
    except (OSError, ValueError, KeyError, TypeError):
        return
    if usable:
        _known.update({name: tuple(found) for name, found in entries.items()
                       if name not in _known})


def save() -> None:
    """Write the file again if names were added since it was read (atomically; silently
    skipped where the directory cannot be written: the file only saves time)."""
    if _file is None or not _added:
        return
    entries = {name: list(found) for name, found in sorted(_known.items())}
    text = json.dumps({"pypinyin": _version(), "sha256": _checksum(entries),
                       "syllables": entries}, ensure_ascii=False)
    try:
        with replacing(_file) as temporary:
            temporary.write_text(text, encoding="utf-8")
    except OSError:
        return
    _added.clear()
