"""The map page's Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from webmap.config import BASE_MAPS


def _sha256(script: str) -> str:
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def content_security_policy(html: str) -> str:
    """The page's Content-Security-Policy: scripts (classic and modules) from the app and
    folium's inline ones by hash, the API for data, images from the app and the base-map
    tile hosts.

    >>> script_src = content_security_policy("<script>var map;</script>").split("; ")[1]
    >>> script_src.startswith("script-src 'self' 'sha256-") and "unsafe" not in script_src
    True
    """
    inline = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    tiles = " ".join(sorted({"{0.scheme}://{0.netloc}".format(urlsplit(provider.url))
                             for provider, _ in BASE_MAPS.values()}))
    return (f"default-src 'self'; script-src 'self' {' '.join(map(_sha256, inline))}; "
            "style-src 'self' 'unsafe-inline'; "  # folium's <style> blocks, Leaflet's styles
            f"img-src 'self' data: {tiles}; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'none'")
