"""Leaflet, vendored from the PyPI package ``xstatic-leaflet`` and served by the app."""

from pathlib import Path

import xstatic.pkg.leaflet
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

VENDOR_URL = f"/vendor/leaflet/{xstatic.pkg.leaflet.VERSION}"  # a new release, a new address
LEAFLET_DIRECTORY = Path(xstatic.pkg.leaflet.BASE_DIR)


def mount(app: FastAPI) -> None:
    """Serve the vendored Leaflet files under :data:`VENDOR_URL`."""
    app.mount(VENDOR_URL, StaticFiles(directory=LEAFLET_DIRECTORY), name="vendor-leaflet")
