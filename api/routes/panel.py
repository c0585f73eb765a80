"""The research panel: the membership kind of every unit in every period, as a table.

The rows are :func:`layers.panel.panel`'s; this route parses the request (through its
dependencies) and writes the table as JSON, CSV or Parquet.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.params import (end_query, entities_query, every_query, panel_output_query,
                        refuse_unknown, start_query, wide_query)
from api.resources import get_atlas, get_worker
from api.responses import Cached
from api.work import Worker
from layers import Layers
from layers.panel import panel, to_csv_bytes, to_json_bytes, to_parquet_bytes

router = APIRouter(dependencies=[Depends(refuse_unknown)])
WRITERS = {"json": (to_json_bytes, "application/json"),
           "csv": (to_csv_bytes, "text/csv; charset=utf-8"),
           "parquet": (to_parquet_bytes, "application/vnd.apache.parquet")}


def _table(atlas: Layers, start, end, every, entities, wide, f) -> bytes:
    return WRITERS[f][0](panel(atlas, start, end, every, entities, wide))


@router.get("/panel", summary="Research panel: each unit's membership, period by period")
async def research_panel(request: Request, start: Annotated[dt.date, Depends(start_query)],
                         end: Annotated[dt.date, Depends(end_query)],
                         every: Annotated[str, Depends(every_query)],
                         entities: Annotated[list[str] | None, Depends(entities_query)],
                         wide: Annotated[bool, Depends(wide_query)],
                         f: Annotated[str, Depends(panel_output_query)],
                         atlas: Annotated[Layers, Depends(get_atlas)],
                         worker: Annotated[Worker, Depends(get_worker)]):
    """One row per unit × period × entity (or, wide, per unit × period with a column per
    entity): the membership kind in force at the period's end, its document and since when."""
    # in a worker thread, time-limited: a panel of every entity by month is seconds of work
    body = await worker.run(_table, atlas, start, end, every, entities, wide, f)
    name = f"chengyu-panel-{every}-{start}-{end}{'-wide' if wide else ''}.{f}"
    headers = {} if f == "json" else {"Content-Disposition": f'attachment; filename="{name}"'}
    return Cached(body, request, WRITERS[f][1], headers=headers)
