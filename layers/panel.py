"""The research panel: which entity each county-level unit belongs to, period by period.

One row per unit × period × entity, with the membership kind in force at the period's end
(``absent`` when the unit is not a member), the document it comes from and the date that
membership came into force — the treatment timing researchers need. The wide form has one
row per unit × period and one column per entity (``0``, ``1`` for whole, or the kind).

>>> import geo, layers
>>> atlas = layers.load(geo.load())
>>> frame = panel(atlas, "2022-01-01", "2023-12-31", every="year", entities=["chuannan-yuxi"])
>>> qijiang = frame[frame.adcode == "500110"]
>>> dict(zip(qijiang.period, qijiang.kind))
{'2022': 'absent', '2023': 'whole'}
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd

from layers.memberships import in_force

MAX_ROWS = 5_000_000
DATES = "datetime64[ms]"  # the finest unit Parquet keeps; spans any year
STEPS = {"year": "Y", "quarter": "Q", "month": "M"}
KINDS = pd.CategoricalDtype(["absent", "whole", "part", "named", "uncertain"])
WIDE_VALUES = pd.CategoricalDtype(["0", "1", "part", "named", "uncertain"])


class PanelError(ValueError):
    """A panel request that cannot be met; the message names the bad part."""


def _date(value, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PanelError(f"{name}: expected a date as YYYY-MM-DD, got {value!r}") from None


def periods(start, end, every: str = "year") -> pd.DataFrame:
    """The periods from ``start`` to ``end``: label and the date a membership is read on.

    The last period ends on ``end`` if ``end`` falls inside it.

    >>> periods("2021-02-01", "2021-08-15", "quarter").period_end.dt.date.map(str).tolist()
    ['2021-03-31', '2021-06-30', '2021-08-15']
    """
    first, last = _date(start, "start"), _date(end, "end")
    if first > last:
        raise PanelError(f"start {first} is after end {last}: expected start <= end")
    if every not in STEPS:
        raise PanelError(f"every: expected one of {', '.join(STEPS)}, got {every!r}")
    spans = pd.period_range(first, last, freq=STEPS[every])
    ends = [min(p.end_time.date(), last) for p in spans]
    return pd.DataFrame({"period": spans.astype(str),
                         "period_end": pd.Series(np.array(ends, dtype=DATES))})


def _entities(atlas, entities) -> list[str]:
    known = list(atlas.registry.entities)
    if entities is None:
        return known
    asked = [entities] if isinstance(entities, str) else list(entities)
    unknown = [e for e in asked if e not in atlas.registry.entities]
    if unknown or not asked:
        raise PanelError(f"entities: unknown {', '.join(map(repr, unknown)) or '(none given)'}: "
                         f"expected ids of the registry, e.g. {', '.join(known[:3])}")
    return list(dict.fromkeys(asked))


def _in_force(atlas, spans: pd.DataFrame, entities: list[str]) -> pd.DataFrame:
    """The memberships in force at each period's end, with the period's position."""
    table = atlas.memberships[atlas.memberships.entity.isin(entities)]
    found = [in_force(table, end.date()).assign(period_at=p)
             for p, end in enumerate(spans.period_end)]
    return pd.concat(found, ignore_index=True)


def _axis(sizes: tuple[int, int, int], axis: int) -> np.ndarray:
    """The position along ``axis`` of every cell of a period × unit × entity grid."""
    codes = np.repeat(np.arange(sizes[axis]), int(np.prod(sizes[axis + 1:])))
    return np.tile(codes, int(np.prod(sizes[:axis])))


def _labels(values, positions: np.ndarray) -> pd.Categorical:
    """``values[positions]`` as a categorical of strings, without repeating the strings."""
    codes, uniques = pd.factorize(pd.Index(values, dtype="str"))
    return pd.Categorical.from_codes(codes[positions], categories=uniques)


def panel(atlas, start, end, every: str = "year", entities=None,
          wide: bool = False) -> pd.DataFrame:
    """The panel of ``entities`` (default: all) over all units, from ``start`` to ``end``.

    Columns: ``period`` (label), ``period_end`` (the date read), the unit (``adcode``,
    ``unit_name``, ``province``), ``entity``, ``kind`` (``absent`` or the membership kind),
    ``document``, ``in_force_from`` and ``in_force_inferred`` (the start date is inferred
    for an undated text). Repeated labels are categorical.

    Raises
    ------
    PanelError
        for a bad date or range, an unknown step or entity, or more than
        :data:`MAX_ROWS` rows.
    """
    spans, chosen = periods(start, end, every), _entities(atlas, entities)
    units = atlas.boundaries.units
    sizes = (len(spans), len(units), len(chosen))
    total = int(np.prod(sizes[:2] if wide else sizes))
    if total > MAX_ROWS:
        raise PanelError(f"every: {len(spans)} {every}s × {len(units)} units"
                         f"{'' if wide else f' × {len(chosen)} entities'} = {total:,} rows, more "
                         f"than {MAX_ROWS:,}: choose a coarser step, a shorter range or fewer "
                         "entities")
    found = _in_force(atlas, spans, chosen)
    at = (found.period_at.to_numpy() * sizes[1]
          + units.index.get_indexer(found.adcode)) * sizes[2] \
        + pd.Index(chosen).get_indexer(found.entity)
    size = int(np.prod(sizes))
    kind = np.zeros(size, dtype=np.int8)
    kind[at] = KINDS.categories.get_indexer(found.kind)
    unit = _axis(sizes, 1)
    frame = pd.DataFrame({
        "period": _labels(spans.period, _axis(sizes, 0)),
        "period_end": np.repeat(spans.period_end.to_numpy(), sizes[1] * sizes[2]),
        "adcode": _labels(units.index, unit),
        "unit_name": _labels(units.name, unit),
        "province": _labels(units.province, unit),
        "entity": _labels(chosen, _axis(sizes, 2)),
        "kind": pd.Categorical.from_codes(kind, dtype=KINDS),
        "document": _scatter(size, at, found.document, "str"),
        "in_force_from": _scatter(size, at, pd.to_datetime(found.in_force_from)
                                  .astype(DATES), DATES),
        "in_force_inferred": _scatter(size, at, found.in_force_inferred, "boolean"),
    })
    return _widen(frame, chosen) if wide else frame


def _scatter(size: int, at: np.ndarray, values: pd.Series, dtype: str) -> pd.Series:
    """A column of ``size`` missing values with ``values`` placed at positions ``at``."""
    column = pd.Series(pd.NA, index=range(size), dtype=dtype)
    column.iloc[at] = values.to_numpy()
    return column


def _widen(frame: pd.DataFrame, entities: list[str]) -> pd.DataFrame:
    """One column per entity: ``0`` absent, ``1`` whole, else the kind."""
    values = frame.kind.astype(str).replace({"absent": "0", "whole": "1"})
    wide = frame.assign(value=values).pivot(
        index=["period", "period_end", "adcode", "unit_name", "province"],
        columns="entity", values="value")
    wide = wide[entities].astype(WIDE_VALUES).reset_index()
    wide.columns.name = None
    return wide


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The panel as UTF-8 CSV, dates as YYYY-MM-DD."""
    return frame.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8")


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """The panel as Parquet (pyarrow), keeping its dtypes."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False)
    return buffer.getvalue()


def to_json_bytes(frame: pd.DataFrame) -> bytes:
    """The panel as a JSON array of row objects, dates as YYYY-MM-DD, missing as null.

    >>> to_json_bytes(pd.DataFrame({"on": pd.to_datetime(["2023-03-02", None]), "n": [1, 2]}))
    b'[{"on":"2023-03-02","n":1},{"on":null,"n":2}]'
    """
    dates = frame.select_dtypes("datetime").columns
    shown = frame.assign(**{name: frame[name].dt.strftime("%Y-%m-%d") for name in dates})
    return shown.to_json(orient="records", force_ascii=False).encode("utf-8")
