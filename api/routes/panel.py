"""The research panel: the membership kind of every unit in every period, as a table.

The rows are :func:`layers.panel.panel`'s; this route parses the request (through its
parameters' dependency) and writes the table as JSON, CSV or Parquet.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.params import END, ENTITIES, EVERY, PANEL_OUTPUT, START, WIDE, Query
from api.resources import get_atlas, get_worker
from api.responses import Cached
from api.work import Worker
from layers import Layers
from layers.panel import panel, to_csv_bytes, to_json_bytes, to_parquet_bytes

router = APIRouter()
PARAMETERS = Query(START, END, EVERY, ENTITIES, WIDE, PANEL_OUTPUT)
WRITERS = {"json": (to_json_bytes, "application/json"),
           "csv": (to_csv_bytes, "text/csv; charset=utf-8"),
           "parquet": (to_parquet_bytes, "application/vnd.apache.parquet")}


def _table(atlas: Layers, start, end, every, entities, wide, f) -> bytes:
    return WRITERS[f][0](panel(atlas, start, end, every, entities, wide))


@router.get("/panel", summary="Research panel: each unit's membership, period by period")
async def research_panel(request: Request, given: Annotated[dict, Depends(PARAMETERS)],
                         atlas: Annotated[Layers, Depends(get_atlas)],
                         worker: Annotated[Worker, Depends(get_worker)]):
    """One row per unit × period × entity (or, wide, per unit × period with a column per
    entity): the membership kind in force at the period's end, its document and since when."""
    # in a worker thread, time-limited: a panel of every entity by month is seconds of work
    start, end, every, wide, f = (given[name] for name in ("start", "end", "every", "wide", "f"))
    body = await worker.run(_table, atlas, start, end, every, given["entities"], wide, f)
    name = f"chengyu-panel-{every}-{start}-{end}{'-wide' if wide else ''}.{f}"
    headers = {} if f == "json" else {"Content-Disposition": f'attachment; filename="{name}"'}
    return Cached(body, request, WRITERS[f][1], headers=headers)
