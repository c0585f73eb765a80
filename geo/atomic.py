"""Files replaced whole: a reader finds the old file or the new one, never a part of one; what
a writer killed half-way leaves is removed by the next :func:`remove_leftovers`.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "example.txt"
>>> with replacing(path) as temporary:
...     _ = temporary.write_text("new")
>>> path.read_text(), sorted(p.name for p in path.parent.iterdir() if p.name != LOCK)
('new', ['example.txt'])
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

PARTIAL = ".partial-"  # how a temporary file's name (and its SQLite -journal's) starts
LOCK = ".partial.lock"  # writers hold it shared; removing leftovers takes it alone


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` (not yet created) for the block to write. When the
    block ends, the file is made readable by all (as a cache is), synced and renamed onto
    ``path``; whatever happens, what is left of the temporary file (and of its SQLite
    ``-journal``) is removed. A writer killed meanwhile leaves it to :func:`remove_leftovers`."""
    with _lock(path.parent, fcntl.LOCK_SH):
        descriptor, name = tempfile.mkstemp(prefix=f"{PARTIAL}{path.stem}-",
                                            suffix=path.suffix, dir=path.parent)
        os.close(descriptor)
        os.unlink(name)  # the writer creates it (GDAL and SQLite create their own files)
        temporary = Path(name)
        try:
            yield temporary
            temporary.chmod(0o644)
            with open(temporary, "rb+") as written:
                os.fsync(written.fileno())
            os.replace(temporary, path)
        finally:
            for leftover in path.parent.glob(temporary.name + "*"):
                leftover.unlink(missing_ok=True)


def remove_leftovers(directory: Path) -> list[Path]:
    """Remove the temporary files that writers killed half-way left in ``directory``, unless
    a writer works there now; return them (none where the directory cannot be written).

    >>> import tempfile, pathlib
    >>> directory = pathlib.Path(tempfile.mkdtemp())
    >>> with replacing(directory / "a.txt") as temporary:
    ...     _ = temporary.write_text("half")
    ...     remove_leftovers(directory)  # a writer works: nothing is removed
    []
    >>> killed = directory / (PARTIAL + "b-x1y2z3.txt")  # as a writer killed half-way left it
    >>> _ = killed.write_text("half")
    >>> remove_leftovers(directory) == [killed], killed.exists()
    (True, False)
    """
    removed = []
    try:
        with _lock(directory, fcntl.LOCK_EX | fcntl.LOCK_NB, create=False):
            for leftover in sorted(directory.glob(PARTIAL + "*")):
                leftover.unlink()
                removed.append(leftover)
    except OSError:
        pass  # no writer ever worked here, one works now, or the directory is read-only
    return removed


@contextmanager
def _lock(directory: Path, operation: int, create: bool = True) -> Iterator[None]:
    lock = os.open(directory / LOCK, os.O_RDONLY | (os.O_CREAT if create else 0), 0o644)
    try:
        fcntl.flock(lock, operation)
        yield
    finally:
        os.close(lock)  # closing releases the lock
