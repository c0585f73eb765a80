"""Where a page's time goes inside the app: the ASGI app called directly (no server, no
network), per request, for the bbox page of bench/api.py.

Rows, in the same run: the app as served for a first-time page (a new box on every
request: routing, the route's one parameter dependency, the route, the middlewares, storing
in the response cache), the same page repeated (a response-cache hit), FastAPI returning the
same bytes with the route's parameter dependency and with none, and a bare Starlette
endpoint returning the same bytes (the floor). Then a profile of the first-time requests
split into FastAPI's dependency solving (parameter parsing and validation), the route's own
work, and the rest (middlewares, routing, gzip, sending).

Run from the repository root: ``python -m bench.page_cost [--requests 3000]`` (as a module:
run as a script, bench/api.py would shadow the ``api`` package)
"""

import argparse
import asyncio
import cProfile
import itertools
import pstats
import time

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from api import Settings, create_app

PATH, QUERY = "/collections/units/items", b"f=json&limit=10&bbox=106.4,29.4,106.8,29.8" \
                                          b"&resolution=overview"
BOXES = itertools.count()  # the first-time requests so far: each asks for a new box
PARTS = {"dependency solving": "solve_dependencies", "the route": "run_endpoint_function"}


def scope(first_time: bool = False) -> dict:
    """The page's request; ``first_time``: its box moved by a nanodegree more than the last's
    (the same units, a response no cache holds)."""
    query = QUERY.replace(b"106.4,", f"{106.4 + next(BOXES) / 1e9:.9f},".encode()) \
        if first_time else QUERY
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": PATH, "raw_path": PATH.encode(),
            "root_path": "", "query_string": query, "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000),
            "headers": [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"gzip")]}


async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}


async def call(app, first_time: bool = False) -> list[dict]:
    sent = []

    async def send(message):
        sent.append(message)

    await app(scope(first_time), receive, send)
    return sent


async def per_request(app, requests: int, first_time: bool = False) -> float:
    """Microseconds per request, after one unmeasured request."""
    await call(app, first_time)
    began = time.perf_counter()
    for _ in range(requests):
        await call(app, first_time)
    return (time.perf_counter() - began) / requests * 1e6


def bare(body: bytes, media_type: str):
    async def endpoint(request):
        return Response(body, media_type=media_type, headers={"Content-Encoding": "gzip"})
    return Starlette(routes=[Route(PATH, endpoint)])


def fastapi_only(body: bytes, media_type: str, served, dependency: bool):
    """FastAPI returning the same bytes, with the items route's parameter dependency (the
    very one of the API, with the one it has: the means) or none: what reading the
    parameters costs by itself."""
    from fastapi import Depends, FastAPI, Request

    from api.routes.items import ITEMS

    app = FastAPI()
    for name in ("settings", "catalogue", "worker"):  # the means, as ``served`` has them
        setattr(app.state, name, getattr(served.state, name))

    @app.get("/collections/{collection}/items",
             dependencies=[Depends(ITEMS)] if dependency else [])
    async def items(request: Request, collection: str):
        return Response(body, media_type=media_type, headers={"Content-Encoding": "gzip"})
    return app


async def shares(app, requests: int) -> dict[str, float]:
    """Shares of the app's time per part, from a profile of ``requests`` requests."""
    profile = cProfile.Profile()
    profile.enable()
    await per_request(app, requests, first_time=True)
    profile.disable()
    stats = pstats.Stats(profile).stats
    total = max(cumulative for (_, _, name), (_, _, _, cumulative, _) in stats.items()
                if name == "__call__")
    found = {part: max((cumulative for (_, _, name), (_, _, _, cumulative, _) in stats.items()
                        if name == function), default=0.0) / total
             for part, function in PARTS.items()}
    found["middlewares, routing, gzip, sending"] = 1 - sum(found.values())
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    app = create_app(Settings())
    start, body = await call(app)
    assert start["status"] == 200, start
    media_type = dict(start["headers"])[b"content-type"].decode()
    rows = {"ours, first-time (a new box)": await per_request(app, args.requests, True),
            "ours, repeated (response cache)": await per_request(app, args.requests),
            "FastAPI, the route's parameters": await per_request(
                fastapi_only(body["body"], media_type, app, True), args.requests),
            "FastAPI, no parameters": await per_request(
                fastapi_only(body["body"], media_type, app, False), args.requests),
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
