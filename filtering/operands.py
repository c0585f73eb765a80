"""The values a filter compares: properties of a frame and literals, typed.

Every operand is a :class:`Operand`: a kind (``text``, ``number``, ``boolean``, ``instant``,
``geometry``, ``list``, ``null``) and its values for each row of the frame — a
:class:`pandas.Series` aligned with the frame, or, for geometries, an array or one geometry.
Instants are UTC timestamps; a date is its midnight UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import orjson
import pandas as pd
import shapely

from filtering.errors import FilterError



@dataclass(frozen=True)
class Operand:
    kind: str
    values: object  # pd.Series aligned with the frame; geometries: ndarray or one geometry
    label: str  # how the filter wrote it, for messages

    def describe(self) -> str:
        return f"{self.label} ({self.kind})"


def property_operand(frame: pd.DataFrame, name: str) -> Operand:
    """The column ``name`` of ``frame``, typed; an unknown name is a :class:`FilterError`."""
    if name not in frame.columns:
        raise FilterError(f"unknown property {name!r}; queryables: "
                          f"{', '.join(sorted(map(str, frame.columns)))}")
    column = frame[name]
    kind = column_kind(column)
    if kind == "geometry":
        return Operand(kind, np.asarray(column.array, dtype=object), name)
    if kind == "instant":
        column = to_instants(column, name)
    if kind == "object":
        raise FilterError(f"property {name!r} holds structured values; it cannot be filtered")
    return Operand(kind, column, name)


def column_kind(column: pd.Series) -> str:
    """The kind of a column: from its dtype, or from its first value when it holds objects."""
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and \
            column.dtype.name == "geometry":
        return "geometry"
    if pd.api.types.is_bool_dtype(column):
        return "boolean"
    if pd.api.types.is_numeric_dtype(column):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(column):
        return "instant"
    present = column.dropna()
    first = present.iloc[0] if len(present) else ""
    if isinstance(first, str):
        return "text"
    if isinstance(first, (list, tuple, np.ndarray)):
        return "list"
    if isinstance(first, (dt.date, pd.Timestamp)):
        return "instant"
    return "object"


def to_instants(values: pd.Series, label: str) -> pd.Series:
    try:
        return pd.to_datetime(values, utc=True)
    except (ValueError, TypeError) as error:
        raise FilterError(f"{label}: not a date or timestamp ({error})") from None


def instant(text: str, label: str) -> pd.Timestamp:
    """A date or timestamp literal as a UTC timestamp.

    >>> instant("2023-01-01", "DATE")
    Timestamp('2023-01-01 00:00:00+0000', tz='UTC')
    """
    try:
        value = pd.Timestamp(text)
    except (ValueError, TypeError) as error:
        raise FilterError(f"invalid {label} literal {text!r}: {error}") from None
    return value.tz_localize("UTC") if value.tzinfo is None else value.tz_convert("UTC")


def boolean(frame: pd.DataFrame, result, unknown, label: str) -> Operand:
    """A condition from a boolean array (or one value) and where it is unknown (NULL)."""
    flags = [_flags(x, len(frame)) for x in (result, unknown)]
    return Operand("boolean", pd.Series(pd.arrays.BooleanArray(*flags), index=frame.index),
                   label)


def _flags(values, length: int) -> np.ndarray:
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=bool, na_value=False)
    return np.broadcast_to(np.asarray(values, dtype=bool), (length,)).copy()


def literal_operand(frame: pd.DataFrame, value) -> Operand:
    """A literal of the filter (string, number, boolean, date, timestamp, geometry, bbox)."""
    index = frame.index
    if value is None:
        return Operand("null", pd.Series(pd.NA, index=index, dtype=object), "NULL")
    if isinstance(value, bool):
        return Operand("boolean", pd.Series(value, index=index, dtype="boolean"), str(value))
    if isinstance(value, (int, float)):
        return Operand("number", pd.Series(float(value), index=index), repr(value))
    if isinstance(value, str):
        return Operand("text", pd.Series(value, index=index, dtype=object), repr(value))
    if isinstance(value, dict) and len(value) == 1 and ("date" in value or "timestamp" in value):
        (label, text), = value.items()
        return Operand("instant", pd.Series(instant(text, label.upper()), index=index),
                       f"{label.upper()}({text!r})")
    if isinstance(value, dict) and ("bbox" in value or "type" in value):
        return Operand("geometry", geometry(value), _short(value))
    raise FilterError(f"unexpected value {_short(value)}")


def geometry(value: dict):
    """A GeoJSON geometry (GeometryCollection included) or a CQL2 ``bbox`` as shapely.

    >>> geometry({"bbox": [106.0, 29.0, 106.6, 29.6]}).bounds
    (106.0, 29.0, 106.6, 29.6)
    """
    try:
        if "bbox" in value:
            box = [float(v) for v in value["bbox"]]
            if len(box) not in (4, 6):
                raise ValueError("a bbox has 4 or 6 numbers")
            west, south, east, north = box[:2] + box[-3:-1] if len(box) == 6 else box
            return shapely.box(west, south, east, north)
        return shapely.from_geojson(orjson.dumps(value))  # GEOS reads it in C
    except (ValueError, TypeError, KeyError, AttributeError, orjson.JSONEncodeError,
            shapely.errors.GEOSException) as error:
        raise FilterError(f"invalid geometry literal {_short(value)}: {error}") from None


def _short(value, length: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= length else text[:length] + "…"
