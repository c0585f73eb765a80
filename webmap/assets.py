"""The page's own files (``static/``), served under an address naming a hash of their content.

``/static/<hash>/atlas/main.js``: a changed file gives every file a new address, so shared
caches and browsers may keep them for good (:mod:`api.freshness`), and the scripts' relative
imports (``./api.js``) stay under the same address. ``/static/…`` serves the same files,
revalidated.
"""

import hashlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parents[1] / "static"


def _digest(directory: Path) -> str:
    """12 hex digits of a hash of every file under ``directory``, with its name."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


STATIC_URL = f"/static/{_digest(STATIC)}"


def mount(app: FastAPI) -> None:
    """Serve ``static/`` under :data:`STATIC_URL` (before the plain ``/static`` mount)."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="static-versioned")
