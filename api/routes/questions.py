"""Plain-language spatial questions, in Chinese or English."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from api.params import answer_output_query, as_of_query, question_query, refuse_unknown
from api.resources import get_questions
from api.responses import Cached, html
from formats.geojson import dumps
from layers.questions import Questions, csv_text, hits_geojson, html_context

router = APIRouter(dependencies=[Depends(refuse_unknown)])


@router.get("/query", summary="Ask a spatial question in Chinese or English")
async def query(request: Request, q: Annotated[str, Depends(question_query)],
                as_of: Annotated[dt.date | None, Depends(as_of_query)],
                f: Annotated[str, Depends(answer_output_query)],
                questions: Annotated[Questions, Depends(get_questions)]):
    """The answer as JSON, a readable page, CSV rows or GeoJSON features."""
    # off the event loop: a question may do seconds of geometry (distances, outlines of a date)
    answer = await run_in_threadpool(questions.ask, q, as_of)
    if f == "html":
        context = await run_in_threadpool(html_context, answer, questions.atlas)
        return html(request, "answer.html", query_json=urlencode(
            {**request.query_params, "f": "json"}), **context)
    if f == "csv":
        return Cached(csv_text(answer).encode(), request, "text/csv; charset=utf-8")
    if f == "geojson":
        features = await run_in_threadpool(hits_geojson, answer, questions.atlas)
        return Cached(dumps(features), request, "application/geo+json")
    return Cached(dumps(answer), request, "application/json")
