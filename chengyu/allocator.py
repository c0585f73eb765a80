"""glibc's allocator set for a server of large, short-lived bodies (``chengyu serve``).

By default glibc raises its mmap threshold (up to 32 MB) each time a large block is freed, so
later bodies of tens of MB (GeoJSON pages, their gzip) come from the heaps of up to 8 arenas
per core, where what the caches keep between them pins the freed pages. A fixed threshold
sends every block over 1 MiB to its own mapping, returned on free, and two arenas serve the
worker threads. Measured with bench/load.py's requests under wrk (25 s, 128 MiB budget):
RSS after warm-up 619 → 804 MiB with the defaults, 613 → 722 MiB with these.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # mallopt's parameters (malloc.h)
MMAP_THRESHOLD = 2**20  # bytes: larger blocks are mapped alone and unmapped when freed
ARENA_MAX = 2


def tune() -> bool:
    """Set the threshold and the arenas; False where the C library is not glibc."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(M_ARENA_MAX, ARENA_MAX))
