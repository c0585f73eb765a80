"""Errors: typed exceptions mapped to an HTTP status once (:data:`DEFAULT_STATUS_CODES`, as
tipg does), and one shape for every error response: RFC 9457 problem details plus OGC's
``code`` and ``description``.

>>> DEFAULT_STATUS_CODES[NotFound], DEFAULT_STATUS_CODES[InvalidParameter]
(404, 400)
>>> str(InvalidParameter("bbox", "expected 4 numbers"))
'bbox: expected 4 numbers'
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.work import TooSlow
from filtering import FilterError
from formats.fonts import CJKFontMissing
from formats.geojson import dumps
from formats.pictures import PictureError
from formats.render import RenderError
from layers.catalogue import SelectionError
from layers.panel import PanelError
from layers.questions import QuestionError

PROBLEM = "application/problem+json"
TITLES = {400: "Invalid parameter", 404: "Not found", 405: "Method not allowed",
          406: "Not acceptable", 414: "URI too long", 500: "Server error",
          503: "Service unavailable"}
CODES = {400: "InvalidParameterValue", 404: "NotFound", 405: "MethodNotAllowed",
         406: "NotAcceptable", 414: "URITooLong", 500: "ServerError",
         503: "ServiceUnavailable"}


class InvalidParameter(ValueError):
    """A query parameter that is unknown or has a value that is not accepted."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


class NotFound(LookupError):
    """No such collection, feature or path."""


DEFAULT_STATUS_CODES: dict[type[Exception], int] = {
    InvalidParameter: 400,
    SelectionError: 400,  # from the catalogue: a property filter or a filter it cannot apply
    FilterError: 400,  # a CQL2 filter that does not parse
    QuestionError: 400,
    PanelError: 400,  # a panel's range, step, entities or size (the message names which)
    RenderError: 400,  # a rendered map's format or size out of range
    RequestValidationError: 400,  # FastAPI's own checks (types, bounds): 400, never 422
    NotFound: 404,
    PictureError: 404,  # a map of nothing: an unknown entity, no members then, no features
    CJKFontMissing: 503,  # the server cannot draw Chinese names until a font is installed
    TooSlow: 503,  # over the request's time limit (api.work)
}


def detail(error: Exception) -> str:
    """What the response says: the message, naming the bad part and what is accepted."""
    if isinstance(error, FilterError):
        return f"filter: {error}"
    if isinstance(error, QuestionError):
        return f"q: {error}"
    if isinstance(error, RequestValidationError):
        parts = []
        for item in error.errors():
            name = item["loc"][-1] if item["loc"] else "request"
            shown = f" (got {item['input']!r})" if item.get("input") is not None else ""
            parts.append(f"{name}: {item['msg']}{shown}")
        return "; ".join(parts)
    return str(error)


def problem(status: int, message: str, instance: str, headers: dict | None = None) -> Response:
    """The error document: RFC 9457 problem details plus OGC ``code``/``description``."""
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "detail": message, "instance": instance, "code": CODES.get(status, "Error"),
            "description": message}
    return Response(dumps(body), status_code=status, media_type=PROBLEM, headers=headers)


async def _http(request: Request, error: StarletteHTTPException) -> Response:
    message = (f"no such resource: {request.url.path}" if error.status_code == 404
               else str(error.detail))
    return problem(error.status_code, message, request.url.path, error.headers)  # e.g. Allow


async def _unexpected(request: Request, error: Exception) -> Response:
    return problem(500, "internal error; the server log has the details", request.url.path)


def add_exception_handlers(app: FastAPI,
                           status_codes: dict[type[Exception], int] = DEFAULT_STATUS_CODES):
    """Answer every error with a problem document: the typed ones with their status, routing
    errors (404, 405) with theirs, anything else as a 500 that shows no internals."""
    async def mapped(request: Request, error: Exception) -> Response:
        status = next(code for kind, code in status_codes.items() if isinstance(error, kind))
        retry = {"Retry-After": "10"} if status == 503 else None
        return problem(status, detail(error), request.url.path, retry)

    for kind in status_codes:
        app.add_exception_handler(kind, mapped)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
