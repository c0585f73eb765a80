"""Fast GeoJSON (RFC 7946) serialisation of GeoDataFrames: features as ready-made bytes.

Geometry goes through GEOS's own writer (``shapely.to_geojson``, compact, coordinates as
stored: at most 6 decimals), properties through orjson; a page of results is then a join
of precomputed feature strings, which is what keeps item requests at a few milliseconds.

Examples
--------
>>> import geopandas as gpd, shapely
>>> frame = gpd.GeoDataFrame({"adcode": ["1"], "name": ["甲"]},
...                          geometry=[shapely.Point(106.5, 29.5)])
>>> [feature] = features(frame, "adcode", frame.geometry, ["name"])
>>> feature
b'{"type":"Feature","id":"1","geometry":{"type":"Point","coordinates":[106.5,29.5]},"properties":{"name":"\\xe7\\x94\\xb2"}}'
>>> collection([feature], numberMatched=1)[:48]
b'{"type":"FeatureCollection","features":[{"type":'
"""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import shapely

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def dumps(value) -> bytes:
    """orjson with numpy values, dates, and NaN written as null."""
    return orjson.dumps(value, option=_OPTIONS, default=_fallback)


def _fallback(value):
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _clean(value):
    """Pandas missing values (None, NaN, NaT) become None."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    return value


def features(frame, id_column: str, geometry, properties: list[str]) -> list[bytes]:
    """Serialise each row of ``frame`` as a GeoJSON Feature (bytes), in order."""
    return feature_list(frame[id_column].tolist(), geometry, _records(frame, properties))


def wrappers(frame, id_column: str, properties: list[str]) -> tuple[list[bytes], list[bytes]]:
    """What comes before and after each row's geometry in its Feature (``head + geometry +
    tail``): features sharing a geometry can keep its GeoJSON once."""
    return _heads(frame[id_column].tolist()), _tails(_records(frame, properties))


def _records(frame, properties: list[str]) -> list[dict]:
    """Each row's ``properties``, cleaned for JSON (read column by column)."""
    columns = [[_clean(v) for v in frame[name].tolist()] for name in properties]
    return [dict(zip(properties, values)) for values in zip(*columns)] if properties \
        else [{} for _ in range(len(frame))]


def _heads(ids: list) -> list[bytes]:
    return [b'{"type":"Feature","id":' + dumps(i) + b',"geometry":' for i in ids]


def _tails(properties: list[dict]) -> list[bytes]:
    return [b',"properties":' + dumps(p) + b"}" for p in properties]


def geometry_list(geometry) -> list[bytes]:
    """Each geometry's GeoJSON (bytes; None: ``null``), in order."""
    return [g.encode() if g is not None else b"null"
            for g in shapely.to_geojson(np.asarray(geometry, dtype=object))]


def feature_list(ids: list, geometry, properties: list[dict]) -> list[bytes]:
    """GeoJSON Features (bytes) from ids, geometries (None: no geometry) and property
    dicts, in order.

    >>> feature_list(["a"], [None], [{"n": 1}])
    [b'{"type":"Feature","id":"a","geometry":null,"properties":{"n":1}}']
    """
    return [h + g + t for h, g, t in zip(_heads(ids), geometry_list(geometry), _tails(properties))]


def collection(feature_list: list[bytes], **members) -> bytes:
    """Join serialised features into a FeatureCollection with extra top-level members."""
    return b"".join(collection_parts(feature_list, **members))


def collection_parts(feature_list: list[bytes | tuple[bytes, ...]], **members) -> list[bytes]:
    """A FeatureCollection as the parts that joined make it, each feature given whole or as
    the parts that joined make it (the features not copied: a large body can be hashed and
    compressed piece by piece, never whole).

    >>> b"".join(collection_parts([b"1", (b"[", b"2", b"]")], n=2))
    b'{"type":"FeatureCollection","features":[1,[2]],"n":2}'
    """
    extra = b"".join(b"," + dumps(k) + b":" + dumps(v) for k, v in members.items())
    parts = [b'{"type":"FeatureCollection","features":[']
    for position, feature in enumerate(feature_list):
        if position:
            parts.append(b",")
        if isinstance(feature, bytes):
            parts.append(feature)
        else:
            parts.extend(feature)
    return [*parts, b"]" + extra + b"}"]
