"""Benchmark of the boundary data set: build, load, payload sizes and the naive peer.

Measures, in one run:

1. cold build (``geo.load`` on a fresh temporary cache directory, so the user's cache is
   untouched), warm load (second ``geo.load`` of that directory, median of 5) and the size
   of the cache file; the part of a load spent checking the cache's table checksums
   (``geo.integrity.verify``, timed again after the load) is shown next to it. Each load runs in its own subprocess; its peak memory is that
   process's peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), imports included,
   shown next to the RSS after the imports alone;
2. for every resolution and for two unit sets (the 142 units of the circle, the members of
   ``planning-extent``, and all 221): vertices, and the bytes, raw and gzip (level 6), of
   the compact GeoJSON FeatureCollection the API serves (geometry by
   ``shapely.to_geojson``, properties ``adcode`` and ``name`` by orjson); adjacency is
   intact when the set is a valid coverage and the units touching 广安市 are those found
   at full resolution;
3. the naive peer: the raw package units (GCJ-02, unsimplified) in a GeoDataFrame,
   ``explore()``, HTML saved; and the ratio ours (overview) / naive;
4. the goal: the 142-unit overview is at most 300 kB of GeoJSON and 80 kB gzipped, with
   adjacency intact (PASS/FAIL).

Sizes are in kB = 1000 bytes, memory in MB = 10^6 bytes.

Run: ``pip install -e '.[bench]' && python bench/boundaries.py``
"""

from __future__ import annotations

import gzip
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import orjson
import shapely

import geo
import layers
from geo import source
from geo.build import FULL, RESOLUTIONS
from geo.cache import FILENAME

GUANG_AN = "511600"  # 广安市: its neighbours test adjacency at each resolution
OVERVIEW = "overview"
GOAL_RAW, GOAL_GZIP = 300_000, 80_000
WARM_RUNS = 5

_MEASURE_LOAD = """
import json, pathlib, resource, sys, time
import geo
from geo import cache, integrity
imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
geo.load(sys.argv[1])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
integrity.verify(pathlib.Path(sys.argv[1]) / cache.FILENAME)
print(json.dumps({"seconds": seconds, "checksums": time.perf_counter() - started,
                  "imports_kib": imports, "peak_kib": peak}))
"""


def measure_load(directory: Path) -> dict:
    """Run ``geo.load(directory)`` in a fresh process: seconds and RSS (KiB) figures."""
    run = subprocess.run([sys.executable, "-c", _MEASURE_LOAD, str(directory)],
                         capture_output=True, text=True)
    if run.returncode:
        sys.exit(run.stderr)
    return json.loads(run.stdout)


def feature_collection(adcodes, names, geometries) -> bytes:
    """Compact GeoJSON FeatureCollection, serialised as the API serves it."""
    features = [b'{"type":"Feature","geometry":%s,"properties":%s}'
                % (geometry.encode(), orjson.dumps({"adcode": adcode, "name": name}))
                for adcode, name, geometry in zip(adcodes, names, shapely.to_geojson(geometries))]
    return b'{"type":"FeatureCollection","features":[%s]}' % b",".join(features)


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def payload(boundaries: geo.Boundaries, resolution: str, adcodes: list[str]) -> dict:
    """Vertices, GeoJSON bytes and adjacency facts of ``adcodes`` at ``resolution``."""
    geometries = boundaries.geometry("units", resolution).loc[adcodes]
    body = feature_collection(adcodes, boundaries.units.name.loc[adcodes], geometries.values)
    region = shapely.coverage_union_all(geometries.loc[boundaries.members(GUANG_AN)].values)
    return {"vertices": int(shapely.get_num_coordinates(geometries.values).sum()),
            "raw": len(body), "gzip": gzipped(body),
            "valid": bool(shapely.coverage_is_valid(geometries.values)),
            "neighbours": set(geometries.index[shapely.touches(geometries.values, region)])}


def naive_html(adcodes: list[str], directory: Path) -> tuple[int, bytes]:
    """The peer by hand: raw package units -> GeoDataFrame -> ``explore()`` -> HTML file."""
    wanted = set(adcodes)
    records = [r for r in source.records() if r.level == "区县" and r.adcode in wanted]
    frame = gpd.GeoDataFrame({"adcode": [r.adcode for r in records],
                              "name": [r.name for r in records]},
                             geometry=[source.read_geometry(r) for r in records], crs="EPSG:4326")
    path = directory / f"naive-{len(records)}.html"
    frame.explore().save(path)
    return int(shapely.get_num_coordinates(frame.geometry.values).sum()), path.read_bytes()


def kb(size: int) -> str:
    return f"{size / 1000:,.1f}"


def mb_from_kib(kib: int) -> str:
    return f"{kib * 1024 / 1e6:,.0f}"


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    rows = [header, *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    print(f"\n{title}")
    for row in rows:
        print("  " + "  ".join(cell.rjust(w) if i else cell.ljust(w)
                               for i, (cell, w) in enumerate(zip(row, widths))))


def report_loads(cold: dict, warm: list[dict], cache_bytes: int) -> None:
    def row(label, figures):
        return [label, f"{figures['seconds']:.2f}", f"{figures['checksums']:.3f}",
                mb_from_kib(figures["peak_kib"]), mb_from_kib(figures["imports_kib"])]
    median = {key: statistics.median(run[key] for run in warm) for key in warm[0]}
    print_table("Build and load (each in a fresh subprocess; peak RSS via getrusage ru_maxrss)",
                ["geo.load", "seconds", "of which checksums s", "peak RSS MB",
                 "RSS after imports MB"],
                [row("cold build (fresh temp dir)", cold),
                 row(f"warm load (median of {WARM_RUNS})", median)])
    print(f"  cache file {FILENAME}: {kb(cache_bytes)} kB")


def report_payloads(sets: dict[str, list[str]], payloads: dict) -> None:
    rows = []
    for (resolution, name), p in payloads.items():
        reference = payloads[FULL, name]["neighbours"]
        same = "same" if p["neighbours"] == reference else "DIFFER"
        rows.append([resolution, f"{name} ({len(sets[name])})", f"{p['vertices']:,}",
                     kb(p["raw"]), kb(p["gzip"]), "yes" if p["valid"] else "NO",
                     f"{len(p['neighbours'])} {same}"])
    print_table("Units as GeoJSON FeatureCollection (adcode, name; shapely.to_geojson + orjson, "
                "gzip level 6)",
                ["resolution", "units", "vertices", "kB", "gzip kB", "coverage valid",
                 "广安 neighbours vs full"], rows)


def report_naive(sets: dict[str, list[str]], naive: dict, payloads: dict) -> None:
    rows = []
    for name, (vertices, html) in naive.items():
        ours, html_gzip = payloads[OVERVIEW, name], gzipped(html)
        rows.append([f"{name} ({len(sets[name])})", f"{vertices:,}", kb(len(html)),
                     kb(html_gzip), f"{ours['raw'] / len(html):.1%}",
                     f"{ours['gzip'] / html_gzip:.1%}"])
    print_table("Naive peer: raw package units (GCJ-02, unsimplified) -> GeoDataFrame.explore() "
                "-> HTML",
                ["units", "vertices", "HTML kB", "gzip kB", f"ours {OVERVIEW}/naive",
                 "gzip ours/naive"], rows)


def report_goal(payloads: dict) -> None:
    ours, full = payloads[OVERVIEW, "circle"], payloads[FULL, "circle"]
    intact = ours["valid"] and ours["neighbours"] == full["neighbours"]
    passed = intact and ours["raw"] <= GOAL_RAW and ours["gzip"] <= GOAL_GZIP
    print(f"\nGoal: circle (142 units) {OVERVIEW} <= {kb(GOAL_RAW)} kB GeoJSON, "
          f"<= {kb(GOAL_GZIP)} kB gzip, adjacency intact: {'PASS' if passed else 'FAIL'} "
          f"({kb(ours['raw'])} kB, {kb(ours['gzip'])} kB gzip, adjacency "
          f"{'intact' if intact else 'BROKEN'})")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="chengyu-bench-") as temporary:
        directory = Path(temporary)
        cold = measure_load(directory)
        warm = [measure_load(directory) for _ in range(WARM_RUNS)]
        report_loads(cold, warm, (directory / FILENAME).stat().st_size)

        boundaries = geo.load(directory)
        circle = layers.load(boundaries).members("planning-extent").adcode
        sets = {"circle": sorted(circle), "all": list(boundaries.units.index)}
        payloads = {(resolution, name): payload(boundaries, resolution, adcodes)
                    for resolution in (FULL, *RESOLUTIONS) for name, adcodes in sets.items()}
        report_payloads(sets, payloads)

        naive = {name: naive_html(adcodes, directory) for name, adcodes in sets.items()}
        report_naive(sets, naive, payloads)
        report_goal(payloads)


if __name__ == "__main__":
    main()
