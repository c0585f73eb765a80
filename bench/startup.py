"""Start-up and memory: warm and cold start of ``chengyu serve``, ``chengyu query`` time, the
server's resident memory fresh and after a request mix; beside the interpreter's own start
(``python -c pass``, the floor of any command) in the same run.

* warm start: ``chengyu serve`` on a built cache, from launch to the first 200;
* cold build: the same on an empty cache directory (the boundaries are built first);
* ``chengyu query``: wall time of a question, several runs (the median), and the imports'
  share of it (``python -X importtime``: the ten costliest top-level imports);
* RSS: after the first 200, and after every request of :data:`REQUESTS`, twice (the kinds of
  bench/load.py's mix, plus the map page and a rendered map).

Goals (issue 15): warm start <= 2 s, ``chengyu query`` <= 1 s warm, fresh server <= 350 MB.
Beside each wall time, the CPU seconds (user + system) the process used: on a machine shared
with other work the wall time grows with the load, the CPU time much less.

Run: ``PYTHONPATH=. python bench/startup.py [--runs 5]``
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from load import rss_kib  # sibling benchmark module

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test harness
from support import loopback  # noqa: E402

QUESTION = "platforms touching 广安"
# one request of each kind a server meets: the map page, views of another date and
# resolution, a filter, an export, a question, a rendered map
REQUESTS = ["/?f=html",
            "/collections/units/items?limit=10000&resolution=regional",
            "/collections/memberships/items?limit=10000&datetime=2022-01-01",
            "/collections/units/items?limit=10000&filter=area_km2%20%3E%201",
            "/collections/platforms/items/wandakai?f=gpkg&datetime=2022-01-01",
            "/query?q=units%20within%2010%20km%20of%20%E6%88%90%E9%83%BD",
            "/collections/platforms/items/wandakai?f=png&width=800&height=600&dpi=100"]


def command_line() -> list[str]:
    """How to run ``chengyu`` from this checkout (the package, or the older module)."""
    package = (loopback.ROOT / "chengyu" / "__main__.py").exists()
    return [sys.executable, "-m", "chengyu" if package else "cli"]


def environment(cache: Path | None = None) -> dict:
    extra = {"PYTHONPATH": str(loopback.ROOT)}
    if cache is not None:
        extra["CHENGYU_CACHE_DIR"] = str(cache)
    return {**os.environ, **extra}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_until_up(cache: Path | None) -> tuple[float, subprocess.Popen, str]:
    """Launch ``chengyu serve``; seconds to its first 200, the process and its base URL."""
    port = loopback.free_port()
    began = time.perf_counter()
    process = subprocess.Popen([*command_line(), "serve", "--port", str(port)],
                               cwd=loopback.ROOT, env=environment(cache),
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        loopback.wait_until_up(f"{base}/conformance", process, timeout=600, interval=0.02)
    except (RuntimeError, TimeoutError):
        loopback.stop(process)
        raise
    return time.perf_counter() - began, process, base


def server_figures(cache: Path | None) -> dict:
    """Warm start, RSS fresh and after the request mix, twice through."""
    seconds, process, base = serve_until_up(cache)
    try:
        cpu = cpu_seconds(process.pid)
        fresh = rss_kib(process.pid)
        for _ in range(2):
            for path in REQUESTS:
                with urllib.request.urlopen(base + path, timeout=120) as response:
                    response.read()
        loaded = rss_kib(process.pid)
    finally:
        loopback.stop(process)
    return {"start": seconds, "cpu": cpu, "fresh": fresh / 1024, "loaded": loaded / 1024}


def cold_start() -> float:
    """``chengyu serve`` on an empty cache directory: seconds to the first 200."""
    with tempfile.TemporaryDirectory(prefix="chengyu-cold-") as empty:
        seconds, process, _ = serve_until_up(Path(empty))
        loopback.stop(process)
    return seconds


def wall(command: list[str], runs: int, cache: Path | None) -> tuple[float, float]:
    """Median wall time and CPU time of ``command`` over ``runs`` runs (after one
    unmeasured run)."""
    times, cpus = [], []
    for run in range(runs + 1):
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run(command, cwd=loopback.ROOT, env=environment(cache), check=True,
                       stdout=subprocess.DEVNULL)
        if run:
            times.append(time.perf_counter() - began)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
    return statistics.median(times), statistics.median(cpus)


def import_costs(cache: Path | None, shown: int = 10) -> tuple[float, list[tuple[float, str]]]:
    """Total import time of ``chengyu query`` (s) and, per package, its outermost import's
    cumulative time, costliest first (a package's time includes what it imports)."""
    result = subprocess.run([sys.executable, "-X", "importtime", *command_line()[1:], "query",
                             QUESTION], cwd=loopback.ROOT, env=environment(cache),
                            capture_output=True, text=True, check=True)
    rows = re.findall(r"^import time:\s+(\d+) \|\s+(\d+) \| *(\S+)$", result.stderr, re.M)
    packages: dict[str, float] = {}
    for _, cumulative, name in rows:
        root = name.split(".")[0]
        packages[root] = max(packages.get(root, 0.0), int(cumulative) / 1e6)
    costliest = sorted(((t, name) for name, t in packages.items()), reverse=True)
    return sum(int(own) for own, _, _ in rows) / 1e6, costliest[:shown]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="a built boundary cache (default: $CHENGYU_CACHE_DIR)")
    args = parser.parse_args()
    floor = wall([sys.executable, "-c", "pass"], args.runs, args.cache_dir)
    query = wall([*command_line(), "query", QUESTION], args.runs, args.cache_dir)
    imports, costliest = import_costs(args.cache_dir)
    server = server_figures(args.cache_dir)
    cold = cold_start()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"python -c pass (the floor)       {floor[0]:6.2f} s  (CPU {floor[1]:.2f} s)")
    print(f"chengyu query (median of {args.runs})     {query[0]:6.2f} s  (CPU {query[1]:.2f} s; "
          f"goal <= 1 s); imports {imports:.2f} s of it")
    for seconds, name in costliest:
        print(f"    import {name:<32}{seconds:6.2f} s")
    print(f"chengyu serve, warm, first 200   {server['start']:6.2f} s  (CPU {server['cpu']:.2f} s;"
          " goal <= 2 s)")
    print(f"chengyu serve, cold build        {cold:6.2f} s")
    print(f"RSS fresh                        {server['fresh']:6.0f} MiB (goal <= 350 MB)")
    print(f"RSS after the request mix (x2)   {server['loaded']:6.0f} MiB "
          f"({server['loaded'] / server['fresh']:.2f}x fresh)")
    ok = query[0] <= 1 and server["start"] <= 2 and server["fresh"] * 1.048576 <= 350
    print(f"Goals: {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
