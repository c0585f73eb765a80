"""What a rendered map shows, as data: an entity with its members, or a question's answer.

A :class:`Picture` is the input of :func:`formats.render.render`; the builders here turn an
entity id or an answer of :class:`layers.questions.Questions` into one. Any other set of
features (a filtered collection) becomes a picture by giving its frame a ``group`` column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from layers import Layers
from layers.memberships import in_force

MEMBER_RESOLUTION = "local"  # member units are drawn at this display resolution


class PictureError(LookupError):
    """A picture of something the atlas does not hold (unknown entity, nothing in force)."""


@dataclass(frozen=True)
class Picture:
    """A map to draw.

    ``features``: GeoDataFrame (CRS set) with ``group`` (legend entry, one colour each)
    and optionally ``kind`` (``whole`` | ``part`` | ``named``: part and named are hatched),
    ``relation`` (a question's relation: the group's outline style) and ``adcode`` (units
    whose names are labelled first). ``place``: the place asked about, outlined in black.
    """

    features: gpd.GeoDataFrame
    title: str
    as_of: str
    subtitle: str = ""
    documents: tuple[str, ...] = ()
    place: gpd.GeoSeries | None = field(default=None)


def _citation(rows: pd.DataFrame) -> tuple[str, ...]:
    documents = rows.drop_duplicates("document")
    return tuple(f"《{t}》（{n + '，' if isinstance(n, str) and n else ''}{d}）"
                 for t, n, d in zip(documents.document_title, documents.document_number,
                                    documents.document_date))


def _as_of_text(as_of: dt.date | None, rows: pd.DataFrame) -> str:
    if as_of is not None:
        return as_of.isoformat()
    starts = [d for d in rows.in_force_from if d is not None]
    return f"最新 latest (in force since {max(starts).isoformat()})" if starts else \
        "最新 latest"


def _member_units(atlas: Layers, rows: pd.DataFrame, **columns) -> gpd.GeoDataFrame:
    geometry = atlas.boundaries.geometry("units", MEMBER_RESOLUTION).loc[rows.adcode]
    return gpd.GeoDataFrame({"adcode": rows.adcode.values, "kind": rows.kind.values,
                             **columns}, geometry=geometry.values, crs=geometry.crs)


def entity_picture(atlas: Layers, entity_id: str, as_of: dt.date | None = None) -> Picture:
    """An entity and its member units in force on ``as_of`` (default: the latest)."""
    entity = atlas.registry.entities.get(entity_id)
    if entity is None:
        raise PictureError(f"unknown entity {entity_id!r}; entities are the registry's ids, "
                           "e.g. " + ", ".join(sorted(atlas.registry.entities)[:3]))
    rows = atlas.members(entity_id, as_of)
    if rows.empty:
        raise PictureError(f"{entity.name_zh} ({entity_id}) has no members in force on "
                           f"{as_of}; its first extent is later")
    counts = rows.kind.value_counts()
    written = rows.via.where(rows.via.notna(), rows.adcode).nunique()
    subtitle = (f"{entity.name_en} · {written} 个成员 members as written · "
                f"{len(rows)} 个县级单位 county units") + "".join(
        f" · {word} {counts[kind]}" for kind, word in (("part", "部分 part"),
                                                      ("named", "点名 named")) if kind in counts)
    return Picture(_member_units(atlas, rows, group=entity.name_zh), entity.name_zh,
                   _as_of_text(as_of, rows), subtitle, _citation(rows))


def _answer_place(atlas: Layers, answer: dict, on) -> gpd.GeoSeries | None:
    subject = answer.get("place") or answer.get("entity")
    if subject is None:
        return None
    if "id" in subject:
        outline = atlas.outlines(on, MEMBER_RESOLUTION).geometry
        return outline.loc[[subject["id"]]].rename(subject["name"])
    layer = {"unit": "units", "city": "cities", "province": "provinces"}[subject["level"]]
    geometry = atlas.boundaries.geometry(layer, MEMBER_RESOLUTION)
    return geometry.loc[[subject["adcode"]]].rename(subject["name"])


def answer_picture(atlas: Layers, answer: dict) -> Picture:
    """The hits of a question's answer: entities (each with its members, its relation as
    outline style) or units, with the place asked about outlined."""
    on = dt.date.fromisoformat(answer["as_of"]) if answer.get("as_of") else None
    frames, cited = [], []
    for hit in answer["hits"]:
        if "id" in hit:  # an entity: draw its members
            rows = atlas.members(hit["id"], on)
            frames.append(_member_units(atlas, rows, group=hit["name"],
                                        relation=hit.get("relation")))
            cited.append(rows)
        else:  # a unit
            rows = pd.DataFrame({"adcode": [hit["adcode"]], "kind": [hit.get("kind", "whole")]})
            frames.append(_member_units(atlas, rows, group=(answer.get("entity") or {})
                                        .get("name", f"答案 answer ({answer['count']})")))
    if not frames:
        raise PictureError(f"the answer to {answer['question']!r} has no hits to draw")
    features = pd.concat(frames, ignore_index=True)
    rows = pd.concat(cited) if cited else atlas.memberships.iloc[:0]
    place = _answer_place(atlas, answer, on)
    subtitle = f"{answer['count']} 项结果 hits" + (f" · 地点 place: {place.name}"
                                                   if place is not None else "")
    return Picture(gpd.GeoDataFrame(features, crs=frames[0].crs), answer["question"],
                   _as_of_text(on, rows), subtitle, _citation(rows), place)


GROUPED_BY = {"platforms": "name", "memberships": "entity_name"}  # one legend entry each


def selection_picture(atlas: Layers, frame: gpd.GeoDataFrame, collection: str, title: str,
                      as_of: dt.date | None = None, subtitle: str = "") -> Picture:
    """The features of a selection from a collection (``frame``: its rows, WGS-84): one
    group per entity in ``platforms`` and ``memberships`` (members by kind), one group
    named ``title`` for units, cities and provinces."""
    if frame.empty:
        raise PictureError(f"nothing to draw: no feature of {collection} matches the selection")
    group = frame[GROUPED_BY[collection]].astype(str).to_numpy() \
        if collection in GROUPED_BY else title
    columns = {name: frame[name].to_numpy() for name in ("kind", "adcode")
               if name in frame and collection in ("units", "memberships")}
    features = gpd.GeoDataFrame({"group": group, **columns},
                                geometry=frame.geometry.to_numpy(), crs=frame.crs)
    entities = frame.entity if collection == "memberships" else \
        frame.id if collection == "platforms" else []
    rows = in_force(atlas.memberships[atlas.memberships.entity.isin(entities)], as_of)
    return Picture(features, title, _as_of_text(as_of, rows), subtitle, _citation(rows))
