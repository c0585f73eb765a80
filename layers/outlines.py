"""Entity outlines: one feature per entity, dissolved from its member units.

The outline is the union of all member units (a coverage union, exact because the units
share edges); ``whole_geometry`` and ``partial_geometry`` split it so a map can draw members
that belong only in part (or are named without extent, or uncertain) dashed rather than solid.
An entity without members in force has no outline.
"""

from __future__ import annotations

import geopandas as gpd
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
    rows = []
    for entity_id, group in members.groupby("entity", sort=True):
        entity = registry.entities[entity_id]
        whole = _union(unit_geometry.loc[group.adcode[group.kind == "whole"]].values)
        partial = _union(unit_geometry.loc[group.adcode[group.kind != "whole"]].values)
        counts = group.kind.value_counts()
        rows.append({
            "id": entity.id, "name_zh": entity.name_zh, "name_en": entity.name_en,
            "aliases": list(entity.aliases), "kind": entity.kind, "family": entity.family,
            "parent": entity.parent, "units": len(group),
            "whole": int(counts.get("whole", 0)), "part": int(counts.get("part", 0)),
            "named": int(counts.get("named", 0)),
            "uncertain": int(counts.get("uncertain", 0)),
            "provinces": sorted(units.loc[group.adcode, "province"].unique()),
            "member_area_km2": round(float(units.loc[group.adcode, "area_km2"].sum()), 1),
            "stated_area_km2": entity.area_km2.value if entity.area_km2 else None,
            "document": group.document.iloc[0], "document_title": group.document_title.iloc[0],
            "in_force_from": group.in_force_from.iloc[0],
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
