"""The ASGI apps the benchmarks serve, as factories for ``uvicorn --factory`` and ``granian
--factory`` (run from the repository root: ``bench.targets:ours``).

* :func:`ours`: the API as users run it (with its response cache, :mod:`api.response_cache`);
* :func:`bare`: the physical limit — a bare Starlette endpoint answering each URL with the
  bytes the API gave for it (read from the file named by ``CHENGYU_BENCH_BODIES``, a pickle
  of ``{path?query: (content type, gzipped body)}``; an unknown URL gets the first entry).
"""

import os
import pickle

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODIES = "CHENGYU_BENCH_BODIES"


def ours():
    """The API app, as ``uvicorn server:app`` serves it."""
    from server import create_app

    return create_app()


def bare():
    """One Starlette endpoint returning stored gzipped bodies: no routing beyond a
    catch-all, no parameters, no middleware."""
    with open(os.environ[BODIES], "rb") as file:
        bodies = pickle.load(file)
    fallback = next(iter(bodies.values()))

    async def endpoint(request):
        url = request.url.path + ("?" + request.url.query if request.url.query else "")
        media_type, body = bodies.get(url, fallback)
        return Response(body, media_type=media_type, headers={"Content-Encoding": "gzip"})

    return Starlette(routes=[Route("/{path:path}", endpoint)])
