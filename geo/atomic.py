"""Files replaced whole: a reader finds the old file or the new one, never a part of one.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "example.txt"
>>> with replacing(path) as temporary:
...     _ = temporary.write_text("new")
>>> path.read_text(), sorted(p.name for p in path.parent.iterdir())
('new', ['example.txt'])
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def replacing(path: Path, prefix: str | None = None) -> Iterator[Path]:
    """A temporary path beside ``path`` (named ``prefix``…, not yet created) for the block to
    write. When the block ends, the file is made readable by all (as a cache is), synced and
    renamed onto ``path``; whatever happens, what is left of the temporary file (and of its
    SQLite ``-journal``) is removed."""
    descriptor, name = tempfile.mkstemp(prefix=prefix or f".{path.stem}-", suffix=path.suffix,
                                        dir=path.parent)
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
