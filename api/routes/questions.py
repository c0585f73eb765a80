"""Plain-language spatial questions, in Chinese or English."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from api.params import as_of_query, question_query, refuse_unknown
from api.resources import get_questions
from api.responses import Cached
from formats.geojson import dumps
from layers.questions import Questions

router = APIRouter(dependencies=[Depends(refuse_unknown)])


@router.get("/query", summary="Ask a spatial question in Chinese or English")
async def query(request: Request, q: Annotated[str, Depends(question_query)],
                as_of: Annotated[dt.date | None, Depends(as_of_query)],
                questions: Annotated[Questions, Depends(get_questions)]):
    # off the event loop: a question may do seconds of geometry (buffers, outlines of a date)
    answer = await run_in_threadpool(questions.ask, q, as_of)
    return Cached(dumps(answer), request, "application/json")
