"""The entry point: ``uvicorn server:app`` serves the map and the API.

The app is built from :class:`api.Settings` (environment variables ``CHENGYU_*``) on first
access of ``server.app``, so importing this module stays cheap; data that cannot be loaded
(boundary package, cache, registry) stops the start with a message, not a traceback.
"""

import sys

from api import create_app
from api.settings import SettingsError, read_settings
from layers import DATA_ERRORS


def __getattr__(name: str):
    """``server.app``: built on first access."""
    if name == "app":
        try:
            globals()["app"] = create_app(read_settings())
        except (*DATA_ERRORS, SettingsError) as error:
            print(f"chengyu: cannot start: {error}", file=sys.stderr)
            raise SystemExit(1) from None
        return globals()["app"]
    raise AttributeError(name)
