"""The data version: what the API's answers are made of, as a short hash.

It changes when the boundaries (their cache's fingerprint), a registry file, the code that
writes answers or a page's template changes, so an address naming it (``v=…``, which the map
page adds to every request) always gets the same bytes and may be cached for good
(:mod:`api.freshness`).
"""

from __future__ import annotations

from pathlib import Path

from geo import derived

ROOT = Path(__file__).resolve().parents[1]
CODE = ("api", "filtering", "formats", "geo", "layers", "webmap")  # what shapes the answers
TEMPLATES = ("api/templates", "webmap/templates")  # the pages' HTML


def data_version(fingerprint: str, registry: Path) -> str:
    """12 hex digits of a hash of the boundaries' ``fingerprint``, every file under the
    ``registry`` directory, the answering code and the templates."""
    return derived.key(fingerprint, *derived.files(registry),
                       *(part for name in CODE for part in derived.files(ROOT / name, "*.py")),
                       *(part for name in TEMPLATES for part in derived.files(ROOT / name)))[:12]
