"""Plain-language spatial questions, in Chinese or English."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request

from api.params import ANSWER_OUTPUT, AS_OF, QUESTION, Query
from api.resources import get_questions, get_worker
from api.responses import Cached, html
from api.work import Worker
from formats.geojson import dumps
from layers.questions import Questions, csv_text, hits_geojson, html_context

router = APIRouter()
PARAMETERS = Query(QUESTION, AS_OF, ANSWER_OUTPUT)


@router.get("/query", summary="Ask a spatial question in Chinese or English")
async def query(request: Request, given: Annotated[dict, Depends(PARAMETERS)],
                questions: Annotated[Questions, Depends(get_questions)],
                worker: Annotated[Worker, Depends(get_worker)]):
    """The answer as JSON, a readable page, CSV rows or GeoJSON features."""
    # in a worker thread: a question may do seconds of geometry (distances, outlines of a date)
    return await worker.run(_answer, request, given["q"], given["datetime"], given["f"],
                            questions)


def _answer(request: Request, q: str, as_of: dt.date | None, f: str, questions: Questions):
    answer = questions.ask(q, as_of)
    if f == "html":
        return html(request, "answer.html", query_json=urlencode(
            {**request.query_params, "f": "json"}), **html_context(answer, questions.atlas))
    if f == "csv":
        return Cached(csv_text(answer).encode(), request, "text/csv; charset=utf-8")
    if f == "geojson":
        return Cached(hits_geojson(answer, questions.atlas), request, "application/geo+json")
    return Cached(dumps(answer), request, "application/json")
