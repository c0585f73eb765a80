"""Entity outlines: one feature per entity, dissolved from its member units.

The outline is the union of all member units (a coverage union, exact because the units
share edges); ``whole_geometry`` and ``partial_geometry`` split it so a map can draw members
that belong only in part (or are named without extent, or uncertain) dashed rather than solid.
An entity without members in force has no outline. The unions may be kept on disk
(:mod:`geo.derived`, under a key of the members and this code, in a store that stands for
the unit geometries: one of the boundaries, named after the resolution).
"""

from __future__ import annotations

import collections
import sys
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import derived
from geo.topology import counter_clockwise
from layers.registry import Registry

Store = Callable[[str, Callable[[], derived.Columns]], derived.Columns]  # inputs, make


def _union(geometries):
    return counter_clockwise(shapely.coverage_union_all(list(geometries))) \
        if len(geometries) else None


def _unions(geometry: np.ndarray, at: np.ndarray, whole: np.ndarray, groups: list,
            store: Store | None) -> list[tuple]:
    """Each group's union of its whole members, of its other members (None: none) and of
    all; ``geometry`` by unit, ``at`` the unit of each member row."""
    def make():
        sides = [[_union(geometry[at[rows[whole[rows] == side]]]) for _, rows in groups]
                 for side in (True, False)]
        return [*sides, [_union([w, p]) if w is not None and p is not None else None
                         for w, p in zip(*sides)]]  # a coverage too: half the work again

    if store is None:
        made = make()
    else:
        inputs = derived.key(derived.code(sys.modules[__name__]), shapely.geos_version_string,
                             len(geometry), *(part for entity, rows in groups for part in
                                              (entity, at[rows].tobytes(),
                                               whole[rows].tobytes())))
        kept = store(inputs, lambda: [list(shapely.to_wkb(column)) for column in make()])
        made = [shapely.from_wkb(column) for column in kept]
    # the union of all is the one part there is, unless there are two (kept once, not twice)
    return [(w, p, both if both is not None else w if w is not None else p)
            for w, p, both in zip(*made)]


def entity_outlines(registry: Registry, members: pd.DataFrame, unit_geometry: gpd.GeoSeries,
                    units: pd.DataFrame, store: Store | None = None) -> gpd.GeoDataFrame:
    """Dissolve the member units of each entity in ``members`` (rows in force); ``store``
    keeps the unions under the members and this code: it stands for ``unit_geometry`` (e.g.
    :meth:`geo.derived.Derived.columns` of the boundaries' store, of a name saying which
    resolution).

    Returns
    -------
    GeoDataFrame indexed by entity id with names, kind, family, parent, member counts by
    kind (``whole``, ``part``, ``named``, ``uncertain``), ``provinces`` spanned,
    ``member_area_km2`` (sum of member units), ``stated_area_km2`` (what the text says, if
    anything), the in-force document, and the geometries ``geometry`` (all members),
    ``whole_geometry`` and ``partial_geometry``.
    """
    at = units.index.get_indexer(members.adcode)  # one look-up, then plain arrays
    if (at < 0).any():
        raise KeyError(f"unknown units {sorted(set(members.adcode[at < 0]))}")
    geometry = np.asarray(unit_geometry.reindex(units.index).values, dtype=object)
    province, area = units.province.to_numpy()[at], units.area_km2.to_numpy()[at]
    kind, document, title, since = (members[c].to_numpy() for c in
                                    ("kind", "document", "document_title", "in_force_from"))
    groups = sorted(members.groupby("entity").indices.items())
    unions = _unions(geometry, at, kind == "whole", groups, store)
    rows = []
    for (entity_id, positions), (whole, partial, joined) in zip(groups, unions):
        entity = registry.entities[entity_id]
        counts = collections.Counter(kind[positions])
        first = positions[0]
        rows.append({
            "id": entity.id, "name_zh": entity.name_zh, "name_en": entity.name_en,
            "aliases": list(entity.aliases), "kind": entity.kind, "family": entity.family,
            "parent": entity.parent, "units": len(positions),
            "whole": counts["whole"], "part": counts["part"], "named": counts["named"],
            "uncertain": counts["uncertain"],
            "provinces": sorted(set(province[positions])),
            "member_area_km2": round(float(area[positions].sum()), 1),
            "stated_area_km2": entity.area_km2.value if entity.area_km2 else None,
            "document": document[first], "document_title": title[first],
            "in_force_from": since[first],
            "geometry": joined,
            "whole_geometry": whole, "partial_geometry": partial,
        })
    columns = ["id", "name_zh", "name_en", "aliases", "kind", "family", "parent", "units",
               "whole", "part", "named", "uncertain", "provinces", "member_area_km2",
               "stated_area_km2", "document", "document_title", "in_force_from", "geometry",
               "whole_geometry", "partial_geometry"]  # also when no entity has members
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry",
                             crs="OGC:CRS84")
    return frame.set_index("id", drop=False)
