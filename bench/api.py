"""Benchmark of the HTTP API under load, beside pygeoapi serving the same units.

Both servers run on 127.0.0.1 with a single worker: ours as ``uvicorn server:app``,
pygeoapi 0.21 (the newest release for Python 3.11) with its GeoJSON provider under
gunicorn, installed into a private virtual environment under the bench work directory on
first use. Debian's ``wrk`` drives each request for a fixed time with a few connections and
reports latency percentiles and throughput. Requests:

* a bbox page (10 features), at display and at full resolution — on both servers;
* all units at display resolution (ours: ``resolution=overview``; pygeoapi serves the same
  overview file as a second collection) — on both;
* a CQL2 ``S_TOUCHES`` filter (pygeoapi's GeoJSON provider has no CQL2: ours only);
* the question "platforms touching 广安" (ours only).

Goals: p50 <= 5 ms for the bbox page and for the question; our throughput >= 50x
pygeoapi's on the same request.

Run: ``apt-get install -y wrk && python bench/api.py [--seconds 5] [--connections 4]``
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import shapely
import yaml

import geo
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test harness
from support import loopback  # noqa: E402
from formats.geojson import collection, features

PYGEOAPI = "pygeoapi==0.21.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
BBOX = "106.4,29.4,106.8,29.8"  # central 重庆
TOUCHING = "S_TOUCHES(geometry, {wkt})"  # with 渝中区's full geometry: its 4 neighbours
QUESTION = "platforms touching 广安"


def pygeoapi_python(workdir: Path) -> Path:
    """A virtual environment with pygeoapi and gunicorn, made once."""
    venv = workdir / "pygeoapi-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"installing {PYGEOAPI} into {venv} (once) …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PYGEOAPI, "gunicorn"],
                       check=True)
    return python


def write_units(boundaries, resolution: str, path: Path) -> None:
    units = boundaries.units
    shown = boundaries.geometry("units", resolution)
    frame = units.assign(id=units.adcode)
    path.write_bytes(collection(features(frame, "id", shown, ["adcode", "name", "city"])))


def pygeoapi_config(workdir: Path, port: int) -> Path:
    """A minimal pygeoapi configuration: the two unit files as GeoJSON collections."""
    none = "none"
    contact = dict.fromkeys(["name", "position", "address", "city", "stateorprovince",
                             "postalcode", "country", "phone", "fax", "email", "url",
                             "hours", "instructions", "role"], none)

    def resource(name, title):
        return {"type": "collection", "title": title, "description": title,
                "keywords": ["units"],
                "extents": {"spatial": {"bbox": [97.3, 26.0, 110.2, 34.4], "crs": CRS84}},
                "providers": [{"type": "feature", "name": "GeoJSON", "id_field": "adcode",
                               "data": str(workdir / f"{name}.geojson")}]}

    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": port},
                   "url": f"http://127.0.0.1:{port}", "mimetype": "application/json",
                   "encoding": "utf-8", "language": "en-US", "cors": False,
                   "pretty_print": False,
                   "limits": {"default_items": 10, "max_items": 10000},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                           "attribution": "OpenStreetMap"}},
        "logging": {"level": "ERROR"},
        "metadata": {"identification": {"title": "units", "description": "units",
                                        "keywords": ["units"], "keywords_type": "theme",
                                        "terms_of_service": none, "url": none},
                     "license": {"name": none, "url": none},
                     "provider": {"name": none, "url": none}, "contact": contact},
        "resources": {"units": resource("units", "County-level units"),
                      "units_overview": resource("units_overview", "Units, overview")},
    }
    path = workdir / "pygeoapi.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def start_pygeoapi(workdir: Path, boundaries) -> tuple[subprocess.Popen, str]:
    python = pygeoapi_python(workdir)
    write_units(boundaries, "full", workdir / "units.geojson")
    write_units(boundaries, "overview", workdir / "units_overview.geojson")
    port = loopback.free_port()
    config = pygeoapi_config(workdir, port)
    openapi = workdir / "openapi.yml"
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    subprocess.run([str(python.parent / "pygeoapi"), "openapi", "generate", str(config),
                    "--output-file", str(openapi)], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    process = subprocess.Popen([str(python), "-m", "gunicorn", "-w", "1", "-b",
                                f"127.0.0.1:{port}", "pygeoapi.flask_app:APP"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    loopback.wait_until_up(f"{base}/collections/units/items?f=json&limit=1", process)
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


def wrk(url: str, seconds: int, connections: int) -> dict:
    """Load one URL with wrk (1 thread, gzip accepted)."""
    return wrk_summary(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                        "--timeout", "30s", "-H", "Accept-Encoding: gzip", url])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir())
                        / "chengyu-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    boundaries = geo.load()
    yuzhong = shapely.to_wkt(boundaries.units.geometry["500103"], rounding_precision=6,
                             trim=True)
    quote = urllib.parse.quote
    requests = [
        ("bbox page (10), overview",
         f"/collections/units/items?f=json&limit=10&bbox={BBOX}&resolution=overview",
         f"/collections/units_overview/items?f=json&limit=10&bbox={BBOX}"),
        ("bbox page (10), full", f"/collections/units/items?f=json&limit=10&bbox={BBOX}",
         f"/collections/units/items?f=json&limit=10&bbox={BBOX}"),
        ("all units, overview", "/collections/units/items?f=json&limit=1000&resolution=overview",
         "/collections/units_overview/items?f=json&limit=1000"),
        ("CQL2 S_TOUCHES", "/collections/units/items?f=json&filter="
         + quote(TOUCHING.format(wkt=yuzhong)), None),
        (f"question: {QUESTION}", f"/query?q={quote(QUESTION)}", None),
    ]
    servers, rows = [], []
    try:
        ours, ours_base = loopback.start()
        servers.append(ours)
        peer, peer_base = start_pygeoapi(args.workdir, boundaries)
        servers.append(peer)
        for name, mine, theirs in requests:
            a = wrk(ours_base + mine, args.seconds, args.connections)
            b = wrk(peer_base + theirs, args.seconds, args.connections) if theirs else None
            rows.append((name, a, b))
    finally:
        for process in servers:
            loopback.stop(process)
    print(f"wrk: 1 thread, {args.connections} connections, {args.seconds} s per request; "
          "single worker each; 127.0.0.1; gzip accepted")
    print(f"{'request':<36}{'server':<10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
          f"{'req/s':>10}{'errors':>8}{'ratio':>9}")
    for name, a, b in rows:
        for label, r in (("ours", a), ("pygeoapi", b)):
            if r is None:
                print(f"{name:<36}{label:<10}{'(no CQL2 / no questions)':>45}")
                continue
            ratio = f"{a['rps'] / b['rps']:.0f}x" if b and b["rps"] and label == "ours" else ""
            print(f"{name:<36}{label:<10}{r['p50']:9.2f}{r['p90']:9.2f}{r['p99']:9.2f}"
                  f"{r['rps']:10.0f}{r['errors']:8d}{ratio:>9}")
    bbox, question = rows[0][1], rows[-1][1]
    ratio = rows[0][1]["rps"] / rows[0][2]["rps"]
    verdict = bbox["p50"] <= 5 and question["p50"] <= 5 and ratio >= 50
    print(f"\nGoal: p50 <= 5 ms for the bbox page ({bbox['p50']:.2f}) and the question "
          f"({question['p50']:.2f}); >= 50x pygeoapi on the bbox page ({ratio:.0f}x): "
          f"{'PASS' if verdict else 'FAIL'}")


if __name__ == "__main__":
    main()
