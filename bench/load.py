"""Load test: sustained concurrency on a mixed request set against one uvicorn worker.

Debian's ``wrk`` keeps 64 connections busy for 30 s (by default) on 127.0.0.1, each request
drawn in turn from a mixed set: bbox pages, whole layers, CQL2 filters, questions, exports
and the map page. It reports throughput, latency percentiles and errors (non-2xx/3xx and
socket errors; goal 0), and the server's resident memory after a warm-up pass and at the
end (goal: growth < 10 %).

Run: ``apt-get install -y wrk && python bench/load.py [--seconds 30] [--connections 64]``
"""

import argparse
import re
import tempfile
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from api import wrk_summary  # sibling benchmark module

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test harness
from support import loopback  # noqa: E402

QUOTE = urllib.parse.quote
REQUESTS = [
    "/collections/units/items?f=json&limit=10&bbox=106.4,29.4,106.8,29.8&resolution=overview",
    "/collections/units/items?f=json&limit=20&bbox=104.0,30.5,104.3,30.8",
    "/collections/units/items?f=json&limit=1000&resolution=overview",
    "/collections/platforms/items?f=json&limit=100&resolution=overview",
    "/collections/cities/items?f=json&limit=100&resolution=regional",
    "/collections/memberships/items?f=json&limit=50&entity=wandakai",
    "/collections/units/items?f=json&filter=" + QUOTE("city = '广安市' AND area_km2 > 1000"),
    "/collections/units/items?f=json&filter=" + QUOTE("S_INTERSECTS(geometry, POINT(106.577 29.557))"),
    "/query?q=" + QUOTE("platforms touching 广安"),
    "/query?q=" + QUOTE("units of 万达开"),
    "/query?q=" + QUOTE("与荣昌接壤的区县"),
    "/collections/platforms/items/zida?f=gpkg&resolution=overview",
    "/collections/units/items?f=csv&limit=50&resolution=overview",
    "/?f=html",
    "/collections?f=json",
]


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def lua_script(paths: list[str]) -> str:
    """A wrk script that cycles through ``paths``, one per request."""
    listed = ",\n".join(f'  "{p}"' for p in paths)
    return f"""local paths = {{
{listed}
}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {{["Accept-Encoding"] = "gzip"}})
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    server, base = loopback.start()
    try:
        for path in REQUESTS:  # warm-up: every request once, and each must succeed
            with urllib.request.urlopen(base + path, timeout=60) as response:
                assert response.status == 200, (path, response.status)
        time.sleep(1)
        before = rss_kib(server.pid)
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(lua_script(REQUESTS))
            script.flush()
            result = wrk_summary(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s",
                                  "--latency", "--timeout", "10s", "-s", script.name, base])
        after = rss_kib(server.pid)
    finally:
        loopback.stop(server)
    growth = (after - before) / before * 100
    print(f"wrk: 2 threads, {args.connections} connections, {args.seconds} s, "
          f"{len(REQUESTS)} request kinds in turn; one uvicorn worker on 127.0.0.1")
    print(f"throughput {result['rps']:.0f} req/s; latency p50 {result['p50']:.1f} ms, "
          f"p90 {result['p90']:.1f} ms, p99 {result['p99']:.1f} ms")
    print(f"errors: {result['errors']} non-2xx/3xx; socket errors: {result['socket'] or 'none'}")
    print(f"server RSS after warm-up {before / 1024:.0f} MiB, after the run "
          f"{after / 1024:.0f} MiB: growth {growth:+.1f} %")
    ok = result["errors"] == 0 and not result["socket"] and growth < 10
    print(f"Goal: 0 errors and memory growth < 10 %: {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
