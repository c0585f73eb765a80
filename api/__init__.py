"""The HTTP API: OGC API – Features (Part 1 Core, Part 2 CRS84, Part 3 filtering), exports and
plain-language questions, as a FastAPI app.

>>> from api import Settings
>>> Settings().page_limit
10000
"""

from api.app import create_app
from api.settings import Settings

__all__ = ["Settings", "create_app"]
