"""What a Shapefile needs beyond GDAL's defaults: text that fits dBase without loss, and a zip.

A dBase text field holds at most 254 bytes. Rather than let GDAL cut values silently, the
cells that do not fit are clipped visibly (ending in ``…``, at a character boundary) and every
column holding such a cell is written whole to a side table, ``<layer>_full_values.csv``
(UTF-8 with BOM, one row per feature, joined on ``id``, with the full column names that
dBase also cuts to 10 characters). A side table rather than a related table of list items:
the long values are not only lists (texts such as ``outside_knowledge`` and ``quote`` are
long too), and a CSV joined on ``id`` is one step in QGIS or ArcGIS for either.

>>> clip("甲" * 100, 10)
'甲甲…'
>>> clip("short", 10)
'short'
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

DBF_TEXT_BYTES = 254
ELLIPSIS = "…"


def clip(text: str, limit: int = DBF_TEXT_BYTES) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes at a character boundary, ending in ``…`` when cut."""
    data = text.encode()
    if len(data) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode())
    return data[:room].decode(errors="ignore") + ELLIPSIS


def _too_long(values: pd.Series) -> pd.Series:
    return values.map(lambda v: isinstance(v, str) and len(v.encode()) > DBF_TEXT_BYTES)


def fit_dbf(frame: pd.DataFrame, layer: str) -> tuple[pd.DataFrame, dict[str, bytes], list]:
    """``frame`` with the text that does not fit dBase clipped; the side table of the full
    values of those columns ({file name: bytes}, empty when all fits); the columns clipped."""
    long = [c for c in frame.columns if _too_long(frame[c]).any()]
    if not long:
        return frame, {}, []
    side = frame[["id", *long]] if "id" in frame.columns else frame[long]
    table = side.to_csv(index=False).encode("utf-8-sig")  # BOM: Excel reads it as UTF-8
    frame = frame.copy()
    for column in long:
        frame[column] = frame[column].map(lambda v: clip(v) if isinstance(v, str) else v)
    return frame, {f"{layer}_full_values.csv": table}, long


def zipped(directory: Path, extra: dict[str, bytes]) -> bytes:
    """The files of ``directory`` and the ``extra`` ones, as a zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(directory.iterdir()):
            archive.write(part, part.name)
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()
