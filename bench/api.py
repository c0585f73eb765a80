"""Benchmark of the HTTP API under load: ours beside pygeoapi and beside the physical limit.

Every server runs on 127.0.0.1, started from :mod:`bench.targets`; Debian's ``wrk`` (1
thread, a few connections, gzip accepted) drives each request for a fixed time, on the three
servers of a stack in turn, a few rounds, the median shown.

* **the limit**: a bare Starlette endpoint on the same server stack returning, for each URL,
  the very gzipped bytes our API gave for it; every row is printed as "% of limit";
* **ours**: the API as users run it; a repeated request is answered by its response cache
  (:mod:`api.response_cache`): the *cached* figure;
* the bbox page with a new box on every request (no cache can answer it: every request
  reaches the routes): the *first-time* figure;
* **pygeoapi** 0.21 under gunicorn with its GeoJSON provider, on the requests it can serve;
* server stacks: uvicorn with h11 and uvloop (what ``chengyu serve`` runs: h11 takes the
  longest URLs, see chengyu/serving.py), plain uvicorn (asyncio, h11), uvicorn[standard]
  (uvloop, httptools), granian;
* 1 vs 2 worker processes of ``chengyu serve --workers N`` as users run it (the data loaded
  once, the workers forked), on the bbox page with a new box each time (``--workers-only``:
  this comparison alone);
* ``--baseline DIR``, alone: the first-time page of this checkout beside another's (``DIR``,
  e.g. ``git worktree add /tmp/base 175b78d``, the revision issue 15 measured; its app as
  ``uvicorn server:app`` serves it, on a cache of its own), both on plain uvicorn.

Goals (issue 15): the repeated page >= 50 % of the limit; >= 100x pygeoapi; 2 workers >=
1.6x one; the first-time page >= 3x 175b78d's. (This file shadows the ``api`` package when
run as a script: it imports none of it; the servers import it from the repository root.)

Run: ``apt-get install -y wrk && python bench/api.py [--seconds 5] [--connections 4]``
"""

import argparse
import itertools
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import shapely

import geo
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test harness
from support import loopback  # noqa: E402
from pygeoapi_peer import start_pygeoapi  # noqa: E402  (sibling benchmark module)

BBOX = "106.4,29.4,106.8,29.8"  # central 重庆
TOUCHING = "S_TOUCHES(geometry, {wkt})"  # with 渝中区's full geometry: its 4 neighbours
QUESTION = "platforms touching 广安"
PAGE = f"/collections/units/items?f=json&limit=10&bbox={BBOX}&resolution=overview"
DISTINCT = """local i = {start}
request = function()
  i = i + 1  -- a new box on every request, and in every run (each starts elsewhere)
  local path = string.format("/collections/units/items?f=json&limit=10&resolution=overview"
    .. "&bbox=%.9f,29.4,106.8,29.8", 106.4 + i / 1e9)
  return wrk.format("GET", path, {{["Accept-Encoding"] = "gzip"}})
end
"""
RUNS = itertools.count()  # wrk runs with the distinct script so far
STACKS = {
    "chengyu serve": ["-m", "uvicorn", "--loop", "uvloop", "--http", "h11"],
    "uvicorn": ["-m", "uvicorn", "--loop", "asyncio", "--http", "h11"],
    "uvicorn[standard]": ["-m", "uvicorn", "--loop", "uvloop", "--http", "httptools"],
    "granian": ["-m", "granian", "--interface", "asgi", "--loop", "uvloop", "--no-ws"],
}
DEFAULT_STACK = "chengyu serve"  # the stack users run


def requests(boundaries) -> list[tuple[str, str, str | None]]:
    """(name, our path, pygeoapi's path or None) of each request measured."""
    yuzhong = shapely.to_wkt(boundaries.units.geometry["500103"], rounding_precision=6,
                             trim=True)
    quote = urllib.parse.quote
    return [
        ("bbox page (10), overview", PAGE,
         f"/collections/units_overview/items?f=json&limit=10&bbox={BBOX}"),
        ("bbox page (10), full", f"/collections/units/items?f=json&limit=10&bbox={BBOX}",
         f"/collections/units/items?f=json&limit=10&bbox={BBOX}"),
        ("all units, overview", "/collections/units/items?f=json&limit=1000&resolution=overview",
         "/collections/units_overview/items?f=json&limit=1000"),
        ("CQL2 S_TOUCHES", "/collections/units/items?f=json&filter="
         + quote(TOUCHING.format(wkt=yuzhong)), None),
        (f"question: {QUESTION}", f"/query?q={quote(QUESTION)}", None),
    ]


def start(target: str, stack: str, bodies: Path | None = None, root: Path = loopback.ROOT,
          environment: dict | None = None):
    """Serve ``bench.targets:<target>``'s app (or a ``module:app`` named with its colon) from
    the checkout at ``root`` with ``stack``; return the process and base URL."""
    port = loopback.free_port()
    app = ["--factory", f"bench.targets:{target}"] if ":" not in target else [target]
    command = [sys.executable, *STACKS[stack], "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", *app]
    environment = {"PYTHONPATH": str(root), **(environment or {})}
    if bodies is not None:
        environment["CHENGYU_BENCH_BODIES"] = str(bodies)
    process = subprocess.Popen(command, cwd=root, env={**os.environ, **environment},
                               stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        loopback.wait_until_up(f"{base}/conformance", process, timeout=900)  # N loads at once
    except BaseException:
        loopback.stop(process)
        raise
    return process, base


def wrk_summary(command: list[str]) -> dict:
    """Run a wrk command; return p50/p90/p99 in ms, requests/s and errors."""
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def ms(label):
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    return {"p50": ms(50), "p90": ms(90), "p99": ms(99),
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
            "errors": int(errors.group(1)) if errors else 0,
            "socket": socket_errors.group(1) if socket_errors else ""}


def wrk(url: str, seconds: int, connections: int, script: str | None = None) -> dict:
    """Load one URL with wrk (1 thread, gzip accepted), or the requests of a Lua script."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout",
               "30s", "-H", "Accept-Encoding: gzip", url]
    if script is None:
        return wrk_summary(command)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        return wrk_summary(command + ["-s", file.name])


def gzipped_bodies(base: str, paths: list[str], path: Path) -> Path:
    """Save what ``base`` answers to each path (gzipped) for the bare endpoint."""
    bodies = {}
    for url in paths:
        request = urllib.request.Request(base + url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") != "gzip":
                raise RuntimeError(f"{url}: the API did not gzip its answer")
            bodies[url] = (response.headers["Content-Type"], body)
    path.write_bytes(pickle.dumps(bodies))
    return path


TARGETS = (("ours", "ours"), ("limit (bare)", "bare"))


def compare(stack, paths, args, bodies, distinct=False) -> list[tuple]:
    """Serve the :data:`TARGETS` side by side on ``stack`` and load each path on each
    in turn, ``args.rounds`` times (interleaved, so that a busy moment of the machine falls
    on all alike); rows of (path or "distinct", label, stack, workers (1), the median
    round)."""
    servers = {}
    try:
        for label, target in TARGETS:
            servers[label] = start(target, stack, bodies)
        jobs = [(path, None) for path in paths] + ([("distinct", DISTINCT)] if distinct else [])
        runs = {}
        for _ in range(args.rounds):
            for path, script in jobs:
                for label, (_, base) in servers.items():
                    if script and label == "limit (bare)":
                        continue  # its limit is the fixed page's
                    url = base if script else base + path  # a script names its own paths
                    first = next(RUNS) * 10**6  # no run repeats another's boxes
                    runs.setdefault((path, label), []).append(
                        wrk(url, args.seconds, args.connections,
                            script and script.format(start=first)))
    finally:
        for process, _ in servers.values():
            loopback.stop(process)
    rows = []
    for (path, label), figures in runs.items():
        median = sorted(figures, key=lambda r: r["rps"])[len(figures) // 2]
        rows.append((path, label, stack, 1, median))
        print(path[:40], label, stack, f"{median['rps']:.0f} req/s", file=sys.stderr)
    return rows


def first_time(servers: dict, args) -> dict:
    """Load each of ``servers`` (key -> (process, base URL)) in turn with a new bbox on every
    request, ``args.rounds`` times, then stop them; the median round of each, by key."""
    runs = {}
    try:
        for _ in range(args.rounds):
            for key, (_, base) in servers.items():
                runs.setdefault(key, []).append(wrk(
                    base, args.seconds, args.connections,
                    DISTINCT.format(start=next(RUNS) * 10**6)))
    finally:
        for process, _ in servers.values():
            loopback.stop(process)
    return {key: sorted(figures, key=lambda r: r["rps"])[len(figures) // 2]
            for key, figures in runs.items()}


def workers_rows(args) -> list[tuple]:
    """``chengyu serve --workers 1`` and ``--workers 2`` side by side (:func:`first_time`);
    rows as :func:`compare` makes them."""
    servers = {}
    try:
        for workers in (1, 2):
            servers[workers] = loopback.start(timeout=900, workers=workers)
    except BaseException:
        for process, _ in servers.values():
            loopback.stop(process)
        raise
    rows = []
    for workers, median in first_time(servers, args).items():
        rows.append(("distinct", "chengyu serve", "chengyu serve", workers, median))
        print(f"chengyu serve --workers {workers}: {median['rps']:.0f} req/s", file=sys.stderr)
    return rows


def against_baseline(args) -> float:
    """The first-time page of this checkout over that of ``args.baseline`` (another
    checkout, served as ``uvicorn server:app`` on a cache of its own), both on plain uvicorn
    (:func:`first_time`); prints both."""
    servers = {"this checkout": start("ours", "uvicorn")}
    try:
        servers[f"baseline {args.baseline}"] = start(
            "server:app", "uvicorn", root=args.baseline,
            environment={"CHENGYU_CACHE_DIR": str(args.workdir / "baseline-cache")})
    except BaseException:
        loopback.stop(servers["this checkout"][0])
        raise
    medians = first_time(servers, args)
    for key, median in medians.items():
        print(f"{key}: {median['rps']:.0f} req/s (p50 {median['p50']:.1f} ms)")
    ours, theirs = (median["rps"] for median in medians.values())
    return ours / theirs


def workers_ratio(rows) -> float:
    """Requests per second of 2 workers over 1, from :func:`workers_rows`' rows."""
    rps = {w: r["rps"] for p, label, _, w, r in rows if label == "chengyu serve"}
    return rps[2] / rps[1]


def run(args, listed) -> tuple[list, dict]:
    """Every measurement of the run: (rows, pygeoapi's figures by path)."""
    ours_paths = [mine for _, mine, _ in listed]
    process, base = start("ours", DEFAULT_STACK)
    try:
        bodies = gzipped_bodies(base, ours_paths, args.workdir / "bodies.pickle")
    finally:
        loopback.stop(process)
    rows = compare(DEFAULT_STACK, ours_paths, args, bodies, distinct=True)
    for stack in STACKS:
        if stack != DEFAULT_STACK:
            rows += compare(stack, [PAGE], args, bodies, distinct=True)
    rows += workers_rows(args)
    peer, peer_base = start_pygeoapi(args.workdir, geo.load())
    try:
        theirs = {mine: wrk(peer_base + path, args.seconds, args.connections)
                  for _, mine, path in listed if path}
    finally:
        loopback.stop(peer)
    return rows, theirs


def report(rows, theirs, listed, args) -> None:
    """The table, each row as % of the limit (same request, stack and workers)."""
    names = {mine: name for name, mine, _ in listed} | {"distinct": "bbox page, new box each"}
    limits = {(path if path != "distinct" else PAGE, stack, workers): r["rps"]
              for path, label, stack, workers, r in rows if label == "limit (bare)"}
    print(f"wrk: 1 thread, {args.connections} connections, {args.seconds} s per row; "
          "127.0.0.1; gzip accepted")
    print(f"{'request':<28}{'server':<18}{'stack':<19}{'w':>2}{'p50 ms':>8}{'p99 ms':>8}"
          f"{'req/s':>8}{'errors':>7}{'% limit':>8}{'x pygeoapi':>11}")
    for path, label, stack, workers, r in rows:
        limit = limits.get((path if path != "distinct" else PAGE, stack, workers))
        share = f"{100 * r['rps'] / limit:.0f} %" if limit else ""
        peer = theirs.get(path)
        ratio = "" if not peer or label == "limit (bare)" else \
            f"{r['rps'] / peer['rps']:.0f}x" if peer["rps"] else "none done"
        print(f"{names[path]:<28}{label:<18}{stack:<19}{workers:>2}{r['p50']:8.2f}"
              f"{r['p99']:8.2f}{r['rps']:8.0f}{r['errors'] + bool(r['socket']):7d}"
              f"{share:>8}{ratio:>11}")
    for path, r in theirs.items():
        print(f"{names[path]:<28}{'pygeoapi':<18}{'gunicorn':<19}{1:>2}{r['p50']:8.2f}"
              f"{r['p99']:8.2f}{r['rps']:8.0f}{r['errors'] + bool(r['socket']):7d}")
    verdict(rows, theirs, limits)


def verdict(rows, theirs, limits) -> None:
    """Issue 15's goals, from the rows of the bbox page."""
    def rps(stack=DEFAULT_STACK, path=PAGE):
        return next(r["rps"] for p, label, s, w, r in rows
                    if (p, label, s, w) == (path, "ours", stack, 1))
    cached, first = rps(), rps(path="distinct")
    share = cached / limits[(PAGE, DEFAULT_STACK, 1)]
    peer = cached / max(theirs[PAGE]["rps"], 0.1)
    workers = workers_ratio(rows)
    stacks = ", ".join(f"{rps(stack, 'distinct'):.0f} on {stack}" for stack in STACKS)
    print(f"\nrepeated page: {100 * share:.0f} % of the limit (goal >= 50 %); "
          f"{peer:.0f}x pygeoapi (goal >= 100x); chengyu serve --workers 2 {workers:.2f}x one "
          f"on a new bbox each request (goal >= 1.6x); first-time page {first:.0f} req/s "
          f"({stacks}): {'PASS' if share >= 0.5 and peer >= 100 and workers >= 1.6 else 'FAIL'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds per row; the median is shown")
    parser.add_argument("--workers-only", action="store_true",
                        help="only chengyu serve --workers 1 vs 2")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="only the first-time page, beside another checkout's")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir())
                        / "chengyu-bench")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/api.py needs wrk: apt-get install -y wrk")
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.workers_only:
        ratio = workers_ratio(workers_rows(args))
        print(f"chengyu serve --workers 2: {ratio:.2f}x one on a new bbox each request "
              f"(goal >= 1.6x): {'PASS' if ratio >= 1.6 else 'FAIL'}; load {os.getloadavg()}")
        return
    if args.baseline:
        ratio = against_baseline(args)
        print(f"first-time page: {ratio:.2f}x the baseline's on plain uvicorn (goal >= 3x "
              f"175b78d's): {'PASS' if ratio >= 3 else 'FAIL'}; load {os.getloadavg()}")
        return
    listed = requests(geo.load())
    rows, theirs = run(args, listed)
    (args.workdir / "api-results.pickle").write_bytes(pickle.dumps((rows, theirs)))
    report(rows, theirs, listed, args)


if __name__ == "__main__":
    main()
