"""The boundary data set in memory: units, prefectures, provinces, adjacency and index.

Examples
--------
>>> from geo import load
>>> b = load()
>>> len(b.units), b.units.loc["511623", "name"]
(221, '邻水县')
>>> sorted(b.units.loc[b.neighbours(b.members("511600")), "name"])[:3]
['合川区', '嘉陵区', '垫江县']
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.build import FULL, RESOLUTIONS
from geo.derived import Derived
from geo.gazetteer import Gazetteer, Place

LAYERS = ("units", "cities", "provinces")
RESOLUTION_NAMES = (FULL, *RESOLUTIONS)


class Boundaries:
    """County-level units of 重庆 and 四川 with their prefectures and provinces.

    Attributes
    ----------
    units, cities, provinces : GeoDataFrame indexed by adcode, full resolution, WGS-84
    adjacency : DataFrame of touching unit pairs (``a``, ``b``, ``contact``, ``shared_km``)
    meta : dict of build facts (package version, coverage report, fingerprint …; ``content``:
        the digest of the cache they were read from)
    derived : :class:`~geo.derived.Derived`, where data derived from these is kept (in
        ``directory``, if given), on the basis of their ``content``
    """

    def __init__(self, layers: Mapping[str, pd.DataFrame], directory=None):
        self._layers = layers  # those at a display resolution may be read when first asked for
        self._indexed: dict[str, pd.DataFrame] = {}
        self.units: gpd.GeoDataFrame = self._layer("units")
        self.cities: gpd.GeoDataFrame = self._layer("cities")
        self.provinces: gpd.GeoDataFrame = self._layer("provinces")
        self.adjacency: pd.DataFrame = self._layer("adjacency")
        self.meta = dict(zip(layers["meta"]["key"], layers["meta"]["value"]))
        self.derived = Derived(directory, self.meta["content"]) if directory is not None \
            else Derived(None)

    def geometry(self, layer: str = "units", resolution: str = FULL) -> gpd.GeoSeries:
        """Geometries of ``layer`` at ``resolution`` (``full`` or a display resolution)."""
        if layer not in LAYERS or resolution not in RESOLUTION_NAMES:
            raise KeyError(f"no layer {layer!r} at resolution {resolution!r}; layers: "
                           f"{', '.join(LAYERS)}; resolutions: {', '.join(RESOLUTION_NAMES)}")
        name = layer if resolution == FULL else f"{layer}_{resolution}"
        return self._layer(name).geometry

    def _layer(self, name: str) -> pd.DataFrame:
        """A layer, indexed by adcode if it has one."""
        if name not in self._indexed:
            frame = self._layers[name]
            self._indexed[name] = frame.set_index("adcode", drop=False) \
                if "adcode" in frame else frame
        return self._indexed[name]

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """Names of every unit, prefecture and province (see :class:`Gazetteer`)."""
        places = [Place(a, n, "province") for a, n in
                  zip(self.provinces.adcode, self.provinces.name)]
        places += [Place(a, n, "city") for a, n in zip(self.cities.adcode, self.cities.name)]
        places += [Place(a, n, "unit", c) for a, n, c in
                   zip(self.units.adcode, self.units.name, self.units.city_adcode)]
        return Gazetteer(places)

    def members(self, adcode: str) -> list[str]:
        """County-level adcodes inside a unit, prefecture or province adcode."""
        try:
            return list(self._members[adcode])
        except KeyError:
            raise KeyError(f"unknown adcode {adcode!r}") from None

    @cached_property
    def _members(self) -> dict[str, list[str]]:
        """Adcode → the units inside it (a unit: itself; a prefecture before a province)."""
        found = {}
        for column in ("province_adcode", "city_adcode"):  # the prefecture's wins
            found.update(self.units.groupby(column, sort=False).adcode.agg(list))
        return {**found, **{adcode: [adcode] for adcode in self.units.index}}

    def neighbours(self, adcodes, contact: str = "edge") -> list[str]:
        """Units outside ``adcodes`` that share a border with one of them.

        ``contact='edge'`` counts shared borders only (rook); ``'any'`` also counts
        meetings at a single point (queen).
        """
        inside = set(adcodes)
        pairs = self.adjacency if contact == "any" else \
            self.adjacency[self.adjacency.contact == "edge"]
        found = set(pairs.b[pairs.a.isin(inside)]) | set(pairs.a[pairs.b.isin(inside)])
        return sorted(found - inside)

    @cached_property
    def _tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.units.geometry.values)

    def query(self, geometry, predicate: str = "intersects") -> list[str]:
        """Adcodes of units whose full-resolution geometry satisfies ``predicate``.

        ``predicate`` is a ``shapely.STRtree`` predicate read as ``predicate(unit,
        geometry)``: ``'touches'``, ``'within'`` (unit inside geometry), ``'contains'``,
        ``'intersects'`` …; ``geometry`` is in WGS-84 degrees.
        """
        hits = self._tree.query(geometry, predicate=_CONVERSE.get(predicate, predicate))
        return list(self.units.index[np.sort(hits)])


# STRtree.query(g, predicate=p) tests p(g, tree_item); we want p(tree_item, g).
_CONVERSE = {"within": "contains", "contains": "within",
             "covered_by": "covers", "covers": "covered_by"}
