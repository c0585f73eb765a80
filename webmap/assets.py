"""The page's own files (``static/``), served under an address naming a hash of their content.

``/static/<hash>/atlas/main.js``: a changed file gives every file a new address, so shared
caches and browsers may keep them for good (:mod:`api.freshness`), and the scripts' relative
imports (``./api.js``) stay under the same address. ``/static/…`` serves the same files,
revalidated.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from geo import derived

STATIC = Path(__file__).resolve().parents[1] / "static"
STATIC_URL = f"/static/{derived.key(*derived.files(STATIC))[:12]}"  # 12 hex digits


def mount(app: FastAPI) -> None:
    """Serve ``static/`` under :data:`STATIC_URL` (before the plain ``/static`` mount)."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="static-versioned")
