"""Derived data kept beside the boundary cache, so that a start reads what it would compute.

Some of what a server computes at every start is slow and depends only on inputs that rarely
change: the entities' outlines (coverage unions of their members) and the GeoJSON of the
views it prebuilds. :meth:`Derived.columns` keeps such a result, columns of byte strings
(WKB, GeoJSON), in a small SQLite file of the cache directory named after it, under the
SHA-256 of its inputs: the store's ``basis`` (the verified content of the boundary cache,
:func:`geo.integrity.content`, so that a caller need not hash the boundaries' geometry) and
the caller's key (which names the code that makes it and any other input). The file is
written to a temporary file, sealed with the table checksums of :mod:`geo.integrity` and
renamed; one that does not verify, or holds another key, is made again, never used. A
directory that cannot be written only costs the time: the result is made, not kept.

>>> import tempfile
>>> store = Derived(tempfile.mkdtemp())
>>> store.columns("squares", "v1", lambda: [[b"1", b"4", None]])
[[b'1', b'4', None]]
>>> store.columns("squares", "v1", lambda: 1 / 0)  # read back, not made
[[b'1', b'4', None]]
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Callable

from geo import integrity
from geo.atomic import replacing

Columns = list[list[bytes | None]]
DIRECTORY = "derived"


def key(*parts) -> str:
    """The SHA-256 of ``parts`` (bytes, or anything with a ``str``), one after the other."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode()
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


def files(directory: Path, pattern: str = "*") -> list[bytes]:
    """Each file under ``directory`` matching ``pattern``: its path (relative, POSIX) and its
    bytes, in order; parts of a key, so that a renamed, added or changed file changes it."""
    found = sorted(path for path in Path(directory).rglob(pattern) if path.is_file())
    return [part for path in found
            for part in (path.relative_to(directory).as_posix().encode(), path.read_bytes())]


def code(*modules) -> bytes:
    """The source of ``modules``: part of a key, so that changed code makes its data again."""
    return b"".join(Path(module.__file__).read_bytes() for module in modules)


class Derived:
    """Results kept in ``directory``/derived (None: nothing kept, everything made), each
    under its inputs and ``basis``: what every result kept here derives from."""

    def __init__(self, directory: Path | str | None, basis: str = ""):
        self.directory = Path(directory) / DIRECTORY if directory is not None else None
        self.basis = basis

    def columns(self, name: str, inputs: str, make: Callable[[], Columns]) -> Columns:
        """The columns ``make()`` returns for ``inputs`` (a :func:`key`), read from the file
        ``name`` when it holds them, else made and written there."""
        if self.directory is None:
            return make()
        inputs = key(self.basis, inputs)
        path = self.directory / f"{name}.sqlite"
        try:
            tables = integrity.read_verified(path)
            [(stored, parts)] = tables["inputs"].rows
            if stored == inputs:
                return _columns(parts, tables["items"].rows)
        except (integrity.Damaged, KeyError, ValueError, TypeError, IndexError):
            pass  # none yet, another key, or damaged: made again
        made = make()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write(path, inputs, made)
        except (OSError, sqlite3.Error):
            pass  # read-only or full: the result is still good, only not kept
        return made


def _columns(parts: int, rows: list[tuple]) -> Columns:
    found: Columns = [[] for _ in range(parts)]
    for part, position, value in rows:  # in the order written
        if position != len(found[part]):
            raise ValueError("rows out of order")
        found[part].append(value)
    return found


def _write(path: Path, inputs: str, columns: Columns) -> None:
    with replacing(path) as temporary:
        with closing(sqlite3.connect(temporary)) as db, db:
            db.execute("CREATE TABLE inputs (sha256 TEXT NOT NULL, parts INTEGER NOT NULL)")
            db.execute("INSERT INTO inputs VALUES (?, ?)", (inputs, len(columns)))
            db.execute("CREATE TABLE items (part INTEGER, position INTEGER, value BLOB)")
            db.executemany("INSERT INTO items VALUES (?, ?, ?)",
                           ((c, p, v) for c, values in enumerate(columns)
                            for p, v in enumerate(values)))
        integrity.seal(temporary)
