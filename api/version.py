"""The data version: what the API's answers are made of, as a short hash.

It changes when the boundaries (their cache's fingerprint), a registry file or the code
that writes answers changes, so an address naming it (``v=…``, which the map page adds to
every request) always gets the same bytes and may be cached for good (:mod:`api.freshness`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("api", "filtering", "formats", "geo", "layers", "webmap")  # what shapes the answers


def _files(directory: Path, pattern: str) -> list[Path]:
    return sorted(path for path in directory.rglob(pattern) if path.is_file())


def data_version(fingerprint: str, registry: Path) -> str:
    """12 hex digits of a hash of the boundaries' ``fingerprint``, every file under the
    ``registry`` directory and the answering code."""
    digest = hashlib.blake2b(fingerprint.encode(), digest_size=6)
    for base, files in [(registry, _files(registry, "*")),
                        *((ROOT, _files(ROOT / name, "*.py")) for name in CODE)]:
        for path in files:
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()
