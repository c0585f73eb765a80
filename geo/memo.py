"""Slow functions of names, their results remembered in the cache directory.

A start spells and folds the same names every time (places and the registry's entities):
their pinyin (:mod:`geo.pinyin`: pypinyin costs a quarter of a second to import) and their
simplified forms (:func:`geo.gazetteer.fold`: OpenCC, pure Python, 50 ms for the names). A
:class:`Memo` keeps the results in a JSON file beside the boundary cache, with the version
of the library that computed them and a checksum (:func:`geo.integrity.write_sealed`): a
file of another version, or one that does not match its checksum or cannot be read, is
ignored (and replaced at the next :func:`save`), never used. :func:`remember_in` (called by
:func:`geo.load`) reads every memo's file; :func:`save` writes those that gained names,
atomically, silently skipped where the directory cannot be written (the files only save
time).
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Callable

from geo import integrity

_MEMOS: list[Memo] = []


class Memo:
    """``compute`` (of a name, giving JSON: a string or a list of them), its results kept in
    the file ``filename`` under ``table``, with the version of the package ``library``."""

    def __init__(self, filename: str, table: str, library: str,
                 compute: Callable[[str], object]):
        self.filename, self.table, self.library, self.compute = filename, table, library, compute
        self.known: dict[str, object] = {}  # from the file and this process
        self.added: set[str] = set()  # names computed since the file was read
        self.file: Path | None = None
        _MEMOS.append(self)

    def __call__(self, name: str):
        found = self.known.get(name)
        if found is None:
            found = self.known[name] = self.compute(name)
            self.added.add(name)
        return found

    def _version(self) -> str:
        return importlib.metadata.version(self.library)

    def remember_in(self, directory: Path) -> None:
        """Keep the results in ``directory``: read what is there now (if it verifies)."""
        self.file = Path(directory) / self.filename
        stored = integrity.read_sealed(self.file) or {}
        if stored.get(self.library) == self._version():
            self.known.update({name: found for name, found in stored[self.table].items()
                               if name not in self.known})

    def save(self) -> None:
        """Write the file again if names were added since it was read."""
        if self.file is None or not self.added:
            return
        if integrity.write_sealed(self.file, {self.library: self._version(),
                                              self.table: dict(sorted(self.known.items()))}):
            self.added.clear()


def remember_in(directory: Path) -> None:
    """Every memo keeps its results in ``directory``."""
    for memo in _MEMOS:
        memo.remember_in(directory)


def save() -> None:
    """Every memo that gained names writes its file."""
    for memo in _MEMOS:
        memo.save()
