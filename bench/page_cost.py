"""Where a page's time goes inside the app: the ASGI app called directly (no server, no
network), per request, for the bbox page of bench/api.py.

Rows, in the same run: the app as served (routing, eleven parameter dependencies, the
route, the middlewares), the same behind the response cache (a hit), FastAPI returning the
same bytes with the route's parameter dependencies and with none, and a bare Starlette
endpoint returning the same bytes (the floor). Then a profile of the app's requests split
into FastAPI's dependency solving (parameter parsing and validation), the route's own work,
and the rest (middlewares, routing, sending).

Run from the repository root: ``python -m bench.page_cost [--requests 3000]`` (as a module:
run as a script, bench/api.py would shadow the ``api`` package)
"""

import argparse
import asyncio
import cProfile
import pstats
import time

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from api.budget import Budget
from api.response_cache import ResponseCache
from api import Settings, create_app
from api.responses import negotiate

PATH, QUERY = "/collections/units/items", b"f=json&limit=10&bbox=106.4,29.4,106.8,29.8" \
                                          b"&resolution=overview"
PARTS = {"dependency solving": "solve_dependencies", "the route": "run_endpoint_function"}


def scope() -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": PATH, "raw_path": PATH.encode(),
            "root_path": "", "query_string": QUERY, "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000),
            "headers": [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"gzip")]}


async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}


async def call(app) -> list[dict]:
    sent = []

    async def send(message):
        sent.append(message)

    await app(scope(), receive, send)
    return sent


async def per_request(app, requests: int) -> float:
    """Microseconds per request, after one unmeasured request."""
    await call(app)
    began = time.perf_counter()
    for _ in range(requests):
        await call(app)
    return (time.perf_counter() - began) / requests * 1e6


def bare(body: bytes, media_type: str):
    async def endpoint(request):
        return Response(body, media_type=media_type, headers={"Content-Encoding": "gzip"})
    return Starlette(routes=[Route(PATH, endpoint)])


def fastapi_only(body: bytes, media_type: str, dependencies: bool):
    """FastAPI returning the same bytes, with the items route's parameter dependencies (the
    very functions of the API) or none: what the dependencies cost by themselves."""
    from fastapi import Depends, FastAPI, Request

    from api import params

    names = ["limit_query", "offset_query", "bbox_query", "datetime_query", "filter_query",
             "resolution_query", "datum_query", "output_query", "crs_query"]
    app = FastAPI()
    needs = [Depends(getattr(params, name)) for name in names] if dependencies else []

    @app.get("/collections/{collection}/items", dependencies=needs)
    async def items(request: Request, collection: str):
        return Response(body, media_type=media_type, headers={"Content-Encoding": "gzip"})
    return app


async def shares(app, requests: int) -> dict[str, float]:
    """Shares of the app's time per part, from a profile of ``requests`` requests."""
    profile = cProfile.Profile()
    profile.enable()
    await per_request(app, requests)
    profile.disable()
    stats = pstats.Stats(profile).stats
    total = max(cumulative for (_, _, name), (_, _, _, cumulative, _) in stats.items()
                if name == "__call__")
    found = {part: max((cumulative for (_, _, name), (_, _, _, cumulative, _) in stats.items()
                        if name == function), default=0.0) / total
             for part, function in PARTS.items()}
    found["middlewares, routing, sending"] = 1 - sum(found.values())
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    app = create_app(Settings())
    start, body = await call(app)
    assert start["status"] == 200, start
    media_type = dict(start["headers"])[b"content-type"].decode()
    cached = ResponseCache(app, Budget().region("responses"), version="bench",
                           negotiate=negotiate)
    rows = {"ours (first-time)": await per_request(app, args.requests),
            "ours behind the response cache": await per_request(cached, args.requests),
            "FastAPI, the 9 parameter dependencies": await per_request(
                fastapi_only(body["body"], media_type, True), args.requests),
            "FastAPI, no dependencies": await per_request(
                fastapi_only(body["body"], media_type, False), args.requests),
            "bare Starlette, same bytes": await per_request(bare(body["body"], media_type),
                                                            args.requests)}
    floor = rows["bare Starlette, same bytes"]
    print(f"bbox page, ASGI called directly, {args.requests} requests each")
    for name, micros in rows.items():
        print(f"{name:<34}{micros:8.0f} us/request  {micros / floor:5.1f}x the bare endpoint")
    print("profile of ours (first-time), share of its time:")
    for part, share in (await shares(app, args.requests // 3)).items():
        print(f"  {part:<32}{100 * share:5.0f} %")


if __name__ == "__main__":
    asyncio.run(main())
