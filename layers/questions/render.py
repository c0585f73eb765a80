"""An answer in other shapes: CSV rows, GeoJSON features, an HTML page's context (with a
small SVG map of the hits, drawn from the overview geometry)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import shapely

from formats.geojson import collection, feature_list

CSV_COLUMNS = ["id", "adcode", "name", "name_en", "kind", "level", "city", "province",
               "entity", "entity_name", "change", "kind_before", "kind_after", "added",
               "removed", "changed", "relation", "relation_zh", "part", "shared_km", "distance_km", "area_km2", "area_source",
               "provinces", "units", "certainty", "reason"]


def _flat(value):
    if isinstance(value, (list, tuple)):
        return "; ".join(v["name"] if isinstance(v, dict) else str(v) for v in value)
    return value


def csv_rows(answer: dict) -> tuple[list[str], list[dict]]:
    """The columns the hits use (in a fixed order) and one flat row per hit.

    >>> csv_rows({"hits": [{"adcode": "1", "name": "甲", "units": ["a", "b"]}]})
    (['adcode', 'name', 'units'], [{'adcode': '1', 'name': '甲', 'units': 'a; b'}])
    """
    hits = answer["hits"]
    columns = [c for c in CSV_COLUMNS if any(h.get(c) is not None for h in hits)]
    return columns, [{c: _flat(h.get(c)) for c in columns} for h in hits]


def csv_text(answer: dict) -> str:
    """The hits as CSV text with a header line."""
    columns, rows = csv_rows(answer)
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _geometries(answer: dict, atlas, resolution: str) -> list:
    """The geometry of each hit, in order."""
    collection = answer["cql2"]["collection"]
    if collection == "platforms":
        as_of = dt.date.fromisoformat(answer["as_of"]) if answer["as_of"] else None
        outlines = atlas.outlines(as_of, resolution)
        return [outlines.geometry.get(h["id"]) for h in answer["hits"]]
    series = atlas.boundaries.geometry(collection, resolution)
    return [series.get(h["adcode"]) for h in answer["hits"]]


def hits_geojson(answer: dict, atlas, resolution: str = "regional") -> bytes:
    """The hits as a GeoJSON FeatureCollection (WGS-84), properties as in the answer."""
    hits = answer["hits"]
    found = feature_list([h.get("id") or h.get("adcode") for h in hits],
                         _geometries(answer, atlas, resolution),
                         [{k: _flat(v) for k, v in h.items()} for h in hits])
    return collection(found, question=answer["question"], reading=answer["reading"]["en"])


def svg_map(geometries: list, subject=None, width: int = 360, height: int = 260) -> dict:
    """The hits' geometries and the subject's outline as SVG path data fitted to a box
    (north up, equirectangular): ``{"hits": [d, …], "subject": d or None}``."""
    shapes = [g for g in (*geometries, subject) if g is not None]
    if not shapes:
        return {"hits": [], "subject": None}
    x0, y0, x1, y1 = shapely.total_bounds(shapes)
    scale = min(width / max(x1 - x0, 1e-9), height / max(y1 - y0, 1e-9)) * 0.95

    def path(geometry) -> str:
        rings = [ring for polygon in getattr(geometry, "geoms", [geometry])
                 for ring in (polygon.exterior, *polygon.interiors)]
        return "".join("M" + " ".join(f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}"
                                      for x, y in ring.coords) + "Z" for ring in rings)

    return {"hits": [path(g) for g in geometries if g is not None],
            "subject": None if subject is None else path(subject)}


def _subject_geometry(answer: dict, atlas):
    """The outline of the place or entity asked about, at the overview resolution."""
    place, entity = answer.get("place"), answer.get("entity")
    if place:
        layer = {"unit": "units", "city": "cities", "province": "provinces"}[place["level"]]
        return atlas.boundaries.geometry(layer, "overview").get(place["adcode"])
    if entity:
        as_of = dt.date.fromisoformat(answer["as_of"]) if answer["as_of"] else None
        return atlas.outlines(as_of, "overview").geometry.get(entity["id"])
    return None


def html_context(answer: dict, atlas) -> dict:
    """What the answer page shows: the question, the reading, the notes, a table with
    Chinese names and a small map of the hits with the subject's outline."""
    columns, rows = csv_rows(answer)
    shown = [c for c in columns if c not in ("name_en", "relation")]
    drawn = svg_map(_geometries(answer, atlas, "overview"), _subject_geometry(answer, atlas))
    return {"answer": answer, "columns": shown, "rows": rows, "paths": drawn["hits"],
            "subject_path": drawn["subject"]}
