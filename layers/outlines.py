"""Entity outlines: one feature per entity, dissolved from its member units.

The outline is the union of all member units (a coverage union, exact because the units
share edges); ``whole_geometry`` and ``partial_geometry`` split it so a map can draw members
that belong only in part (or are named without extent, or uncertain) dashed rather than solid.
An entity without members in force has no outline.
"""

from __future__ import annotations

import collections

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.registry import Registry


def _union(geometries):
    return shapely.coverage_union_all(list(geometries)) if len(geometries) else None


def _joined(whole, partial):
    """The union of the two parts (a coverage too: half the work of all the members again)."""
    parts = [g for g in (whole, partial) if g is not None]
    return _union(parts) if len(parts) == 2 else next(iter(parts), None)


def entity_outlines(registry: Registry, members: pd.DataFrame, unit_geometry: gpd.GeoSeries,
                    units: pd.DataFrame) -> gpd.GeoDataFrame:
    """Dissolve the member units of each entity in ``members`` (rows in force).

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
    geometry = np.asarray(unit_geometry.reindex(units.index).values, dtype=object)[at]
    province, area = units.province.to_numpy()[at], units.area_km2.to_numpy()[at]
    kind, document, title, since = (members[c].to_numpy() for c in
                                    ("kind", "document", "document_title", "in_force_from"))
    rows = []
    for entity_id, positions in sorted(members.groupby("entity").indices.items()):
        entity = registry.entities[entity_id]
        whole = _union(geometry[positions[kind[positions] == "whole"]])
        partial = _union(geometry[positions[kind[positions] != "whole"]])
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
            "geometry": _joined(whole, partial),
            "whole_geometry": whole, "partial_geometry": partial,
        })
    columns = ["id", "name_zh", "name_en", "aliases", "kind", "family", "parent", "units",
               "whole", "part", "named", "uncertain", "provinces", "member_area_km2",
               "stated_area_km2", "document", "document_title", "in_force_from", "geometry",
               "whole_geometry", "partial_geometry"]  # also when no entity has members
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry",
                             crs="OGC:CRS84")
    return frame.set_index("id", drop=False)
