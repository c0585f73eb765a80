"""Load test: the heavy mix against ``chengyu serve`` (the README's command), with a probe.

Debian's ``wrk`` keeps 64 connections busy for 60 s (by default) on 127.0.0.1, each request
new in a way that defeats the caches: memberships at a distinct date, units under a distinct
large filter (limit 10,000), exports of platforms at distinct dates, and questions with
distinct distances. Meanwhile a cheap ``/conformance`` probe is sent once a second; its
latency is compared with the same probe on the idle server (the floor). Reported: errors
(non-2xx/3xx, socket errors; goal 0), whether the server is alive, its resident memory after
warm-up and at the end (goal: growth ≤ 1.3×) and the probe's p50/p99 (goal p99 ≤ 100 ms).

Run: ``apt-get install -y wrk && python bench/load.py [--seconds 60] [--connections 64]``
"""

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from api import wrk_summary  # sibling benchmark module

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test harness
from support import loopback  # noqa: E402

# wrk's Lua: request i is kind i % 4, made distinct by i (dates, thresholds, distances)
SCRIPT = r"""
local i = 0
local function day(n)  -- a date from 2022-01-01 on (every platform defined), n days later
  return os.date("!%Y-%m-%d", 1640995200 + (n % 1400) * 86400)
end
local function escape(s)
  return (s:gsub("[^%w%-_.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
request = function()
  i = i + 1
  local kind, path = i % 4
  if kind == 0 then
    path = "/collections/memberships/items?limit=10000&datetime=" .. day(i)
  elseif kind == 1 then
    path = "/collections/units/items?limit=10000&filter=" ..
      escape("area_km2 > " .. (i % 5000) / 10 .. " AND S_INTERSECTS(geometry, " ..
             "POLYGON((102 27, 111 27, 111 33, 102 33, 102 27)))")
  elseif kind == 2 then
    path = "/collections/platforms/items/wandakai?f=gpkg&datetime=" .. day(i)
  else
    path = "/query?q=" .. escape("units within " .. (i % 200 + 1) .. " km of 成都")
  end
  return wrk.format("GET", path, {["Accept-Encoding"] = "gzip"})
end
"""
WARM_UP = ["/collections/memberships/items?limit=10000&datetime=2022-01-01",
           "/collections/units/items?limit=10000&filter=area_km2%20%3E%201",
           "/collections/platforms/items/wandakai?f=gpkg&datetime=2022-01-01",
           "/query?q=units%20within%2010%20km%20of%20%E6%88%90%E9%83%BD"]


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def probe(url: str, stop: threading.Event, latencies: list, failures: list) -> None:
    """GET ``url`` once a second until ``stop``; record each latency (ms) or failure."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()
            latencies.append((time.perf_counter() - started) * 1000)
        except OSError as error:
            failures.append(str(error))
        stop.wait(max(0.0, 1 - (time.perf_counter() - started)))


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "no samples"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {statistics.median(values):.1f} ms, p99 {cuts[98]:.1f} ms (n={len(values)})"


def probed(url: str, seconds: float, during=None):
    """Probe ``url`` once a second while ``during()`` runs (or for ``seconds``)."""
    stop, latencies, failures = threading.Event(), [], []
    thread = threading.Thread(target=probe, args=(url, stop, latencies, failures))
    thread.start()
    result = during() if during else time.sleep(seconds)
    stop.set()
    thread.join()
    return result, latencies, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    server, base = loopback.start()
    try:
        for path in WARM_UP:  # every kind once, and each must succeed
            with urllib.request.urlopen(base + path, timeout=120) as response:
                assert response.status == 200, (path, response.status)
        _, idle, _ = probed(base + "/conformance", 10)
        before = rss_kib(server.pid)
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(SCRIPT)
            script.flush()
            command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s",
                       "--latency", "--timeout", "60s", "-s", script.name, base]
            result, busy, failures = probed(base + "/conformance", 0,
                                            lambda: wrk_summary(command))
        alive = server.poll() is None
        after = rss_kib(server.pid) if alive else 0
    finally:
        loopback.stop(server)
    report(args, result, idle, busy, failures, alive, before, after)


def report(args, result, idle, busy, failures, alive, before, after) -> None:
    growth = after / before
    print(f"wrk: 2 threads, {args.connections} connections, {args.seconds} s of the heavy mix "
          "(distinct dates, filters, exports, questions); `chengyu serve` on 127.0.0.1")
    print(f"throughput {result['rps']:.1f} req/s; latency p50 {result['p50']:.0f} ms, "
          f"p99 {result['p99']:.0f} ms")
    print(f"errors: {result['errors']} non-2xx/3xx; socket errors: {result['socket'] or 'none'}"
          f"; server {'alive' if alive else 'DEAD'}")
    print(f"/conformance probe, idle server (the floor): {percentiles(idle)}")
    print(f"/conformance probe, under load: {percentiles(busy)}; failures {len(failures)}")
    print(f"server RSS after warm-up {before / 1024:.0f} MiB, after the run "
          f"{after / 1024:.0f} MiB: {growth:.2f}×")
    p99 = statistics.quantiles(busy, n=100, method="inclusive")[98] if len(busy) > 1 else 1e9
    goals = {"0 errors": result["errors"] == 0 and not result["socket"] and not failures,
             "alive": alive, "RSS ≤ 1.3×": growth <= 1.3, "probe p99 ≤ 100 ms": p99 <= 100}
    print("Goals: " + "; ".join(f"{name} {'PASS' if ok else 'FAIL'}"
                                 for name, ok in goals.items()))


if __name__ == "__main__":
    main()
