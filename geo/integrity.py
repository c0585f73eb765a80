"""Content checksums of a GeoPackage, one per table, stored in the file and checked at load.

:func:`seal` hashes every table of a finished GeoPackage (its rows, in storage order) and
the schema (``sqlite_master``), and records the digests in a ``checksums`` table (XXH3-128,
of the ``xxhash`` package: a checksum against damage, not a signature against forgery, read
at every start, where it hashes the 80 MB of the caches six times faster than SHA-256);
:func:`verify` recomputes them and raises :class:`Damaged` naming the first table whose
content differs, is missing, or cannot be read. :func:`read_verified` does the same and
returns the rows it hashed: a reader reads the file once, and reads what was checked. A
renamed unit, a deleted row, an emptied table or flipped bytes in table content all change a
digest. :func:`content` is one digest of
a verified file's content (of its checksums): what is derived from the file may be kept under
it, with no need to hash the content again. The small JSON files kept beside the cache
(:mod:`geo.memo`, :mod:`geo.digests`) carry a checksum of their own: :func:`write_sealed`,
:func:`read_sealed`.

SQLite and GDAL have no content checksum of their own that survives a plain file copy
(SQLite's ``cksumvfs`` is a compile-time extension neither Python nor GDAL loads), hence
this small module.

>>> import sqlite3, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "example.gpkg"
>>> with sqlite3.connect(path) as db:
...     _ = db.execute("CREATE TABLE t (name TEXT)").execute("INSERT INTO t VALUES ('邻水县')")
>>> seal(path); verify(path)
>>> with sqlite3.connect(path) as db:
...     _ = db.execute("UPDATE t SET name = '伪造县'")
>>> verify(path)
Traceback (most recent call last):
...
geo.integrity.Damaged: table t does not match its checksum
"""

from __future__ import annotations

import json
import pickle
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

import xxhash

from geo.atomic import replacing

TABLE = "checksums"
_BLOB = "blob"  # (_BLOB, length) stands for a blob in a row's pickle: no SQLite value is a tuple
CHECKSUM = "checksum"  # the member of a sealed JSON document that holds its checksum
SCHEMA = "sqlite_master"  # the schema (tables, columns, triggers) is checked as one more table


class Damaged(Exception):
    """The file is not the one that was sealed; ``args[0]`` says what differs."""


def _tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != ? "
                      "AND name NOT LIKE 'sqlite_%' ORDER BY name", (TABLE,))
    return [name for (name,) in rows]


def _rows(db: sqlite3.Connection, table: str) -> sqlite3.Cursor:
    if table == SCHEMA:
        query = ("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name != ? "
                 "AND tbl_name != ? ORDER BY type, name")
        return db.execute(query, (TABLE, TABLE))
    quoted = table.replace('"', '""')
    return db.execute(f'SELECT * FROM "{quoted}"')


def _digest(rows) -> str:
    """XXH3-128 of the rows, in order: each row pickled (one canonical byte string for a row
    of str/int/float/None), its blobs standing there as their length, then the blobs (most
    of a file's bytes: hashed as they are, not copied into the pickle)."""
    digest = xxhash.xxh3_128()
    for row in rows:
        blobs = [value for value in row if type(value) is bytes]
        if blobs:
            row = tuple((_BLOB, len(v)) if type(v) is bytes else v for v in row)
        digest.update(pickle.dumps(row, protocol=5))
        for blob in blobs:
            digest.update(blob)
    return digest.hexdigest()


class Table(NamedTuple):
    """A table as read: its column names and rows (tuples, in storage order)."""

    columns: list[str]
    rows: list[tuple]


def digests(db: sqlite3.Connection) -> dict[str, str]:
    """The digest of every table's rows and of the schema, keyed by table name."""
    return {table: _digest(_rows(db, table)) for table in [SCHEMA, *_tables(db)]}


def seal(path: Path) -> None:
    """Record the checksum of every table of the (finished) database at ``path``."""
    with closing(sqlite3.connect(path)) as db, db:
        found = digests(db)
        db.execute(f"CREATE TABLE {TABLE} (name TEXT PRIMARY KEY, xxh3_128 TEXT NOT NULL)")
        db.executemany(f"INSERT INTO {TABLE} VALUES (?, ?)", found.items())


def verify(path: Path) -> None:
    """Raise :class:`Damaged` unless every table of ``path`` matches its recorded checksum."""
    read_verified(path)


def read_verified(path: Path) -> dict[str, Table]:
    """Every table of ``path`` (the schema excepted) by name, each checked against its
    recorded checksum, and the checksums (:data:`TABLE`: name, digest, by name);
    :class:`Damaged` if one differs."""
    uri = f"{Path(path).absolute().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as db:
            try:
                recorded = dict(db.execute(f"SELECT name, xxh3_128 FROM {TABLE}"))
            except sqlite3.OperationalError as error:
                if "no such column" in str(error):
                    raise Damaged("its checksums are of another format") from None
                if "no such table" not in str(error):
                    raise
                raise Damaged("it has no checksums") from None
            tables = {SCHEMA, *_tables(db)}
            if unexpected := sorted(tables ^ set(recorded)):
                table = unexpected[0]
                raise Damaged(f"table {table} is {'missing' if table in recorded else 'extra'}")
            read = {}
            for table in sorted(tables):
                cursor = _rows(db, table)
                rows = cursor.fetchall()
                if _digest(rows) != recorded[table]:
                    raise Damaged(f"table {table} does not match its checksum")
                read[table] = Table([column for column, *_ in cursor.description], rows)
    except sqlite3.Error as error:
        raise Damaged(f"it cannot be read ({error})") from None
    del read[SCHEMA]
    return {**read, TABLE: Table(["name", "xxh3_128"], sorted(recorded.items()))}


def content(tables: dict[str, Table]) -> str:
    """The digest of the checksums :func:`read_verified` returned: it changes with any
    table's content or the schema."""
    return _digest(tables[TABLE].rows)


def write_sealed(path: Path, document: dict) -> bool:
    """Write ``document`` (a JSON object) to ``path`` atomically, with a checksum of it;
    return whether it was written (not where the directory cannot be written).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "kept.json"
    >>> write_sealed(path, {"广安": ["guang", "an"]}), read_sealed(path)
    (True, {'广安': ['guang', 'an']})
    >>> _ = path.write_text(path.read_text().replace("guang", "kuang"))
    >>> read_sealed(path) is None  # changed without its checksum
    True
    """
    text = json.dumps({**document, CHECKSUM: _json_digest(document)}, ensure_ascii=False)
    try:
        with replacing(path) as temporary:
            temporary.write_text(text, encoding="utf-8")
    except OSError:
        return False
    return True


def read_sealed(path: Path) -> dict | None:
    """The document :func:`write_sealed` wrote to ``path``; None if there is none, or it
    cannot be read or does not match its checksum."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        checksum = document.pop(CHECKSUM)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return document if checksum == _json_digest(document) else None


def _json_digest(document: dict) -> str:
    text = json.dumps(document, ensure_ascii=False, sort_keys=True)
    return xxhash.xxh3_128(text.encode()).hexdigest()
