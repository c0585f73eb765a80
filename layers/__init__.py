"""The planning layers: the registry read from the policy texts, met with the boundaries.

>>> import geo, layers
>>> atlas = layers.load(geo.load())
>>> sorted(atlas.entities_of("511623", kind="cooperation_platform").entity)
['chuanyu-gaozhu', 'heguangchang', 'mingyueshan']
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache, partial

import geopandas as gpd
import pandas as pd

from geo import CacheError, SourceError
from layers.memberships import in_force, membership_table
from layers.outlines import entity_outlines
from layers.registry import (DEFAULT_DIRECTORY, Registry, RegistryError, load_registry,
                             registry_dir)


class Layers:
    """The registry, its memberships (all dates) and the outlines built from them."""

    def __init__(self, registry: Registry, boundaries, memoize=lru_cache(maxsize=32)):
        """``memoize`` keeps the outlines per date and resolution (the app gives one bounded
        by bytes)."""
        self.registry = registry
        self.boundaries = boundaries
        self.memberships = membership_table(registry, boundaries)
        self.outlines = memoize(self._outlines)

    def members(self, entity: str, as_of: dt.date | None = None) -> pd.DataFrame:
        """Member units of one entity in force on ``as_of`` (default: latest)."""
        rows = in_force(self.memberships, as_of)
        return rows[rows.entity == entity]

    def entities_of(self, adcode: str, as_of: dt.date | None = None,
                    kind: str | None = None) -> pd.DataFrame:
        """Every entity (of ``kind``, if given) a unit belongs to on ``as_of``: the reverse
        index."""
        rows = in_force(self.memberships, as_of)
        rows = rows[rows.adcode == adcode]
        return rows if kind is None else rows[rows.entity_kind == kind]

    def _outlines(self, as_of: dt.date | None = None, resolution: str = "full") -> gpd.GeoDataFrame:
        """Dissolved outlines of every entity in force on ``as_of`` at ``resolution`` (the
        latest ones, which every start needs, kept on disk: :mod:`geo.derived`)."""
        store = None if as_of is not None else \
            partial(self.boundaries.derived.columns, f"outlines-{resolution}")
        return entity_outlines(self.registry, in_force(self.memberships, as_of),
                               self.boundaries.geometry("units", resolution),
                               self.boundaries.units, store)


# What stops loading the data: the boundary package or cache, or the registry.
DATA_ERRORS = (CacheError, SourceError, RegistryError)


def load(boundaries, directory=None, memoize=lru_cache(maxsize=32)) -> Layers:
    """Load and validate the registry (default: :func:`registry_dir`), build its layers."""
    return Layers(load_registry(boundaries, directory), boundaries, memoize)


__all__ = ["DATA_ERRORS", "DEFAULT_DIRECTORY", "Layers", "Registry", "RegistryError", "load",
           "load_registry", "registry_dir"]
