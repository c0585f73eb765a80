"""Entity outlines: dissolved members, split into whole and partial."""

import numpy as np
import shapely


def test_one_outline_per_entity_with_members_in_force(atlas):
    outlines = atlas.outlines()
    assert set(outlines.index) == set(atlas.memberships[atlas.memberships.latest].entity)
    assert set(outlines.index) < set(atlas.registry.entities)  # some are never enumerated


def test_uncertain_members_are_counted_and_drawn_apart(atlas):
    belt = atlas.outlines().loc["chengyu-nongyedai"]
    assert (belt.whole, belt.uncertain, belt.units) == (140, 7, 147)
    assert shapely.equals(shapely.union(belt.whole_geometry, belt.partial_geometry),
                          belt.geometry)


def test_outline_is_the_union_of_members(atlas):
    outline = atlas.outlines().loc["heguangchang"]
    units = atlas.boundaries.units.geometry.loc[atlas.members("heguangchang").adcode]
    assert shapely.equals(outline.geometry, shapely.union_all(units.values))
    assert outline.provinces == ["四川省", "重庆市"] and outline.units == 8


def test_partial_members_are_kept_apart(atlas):
    gaozhu = atlas.outlines().loc["chuanyu-gaozhu"]
    assert gaozhu.whole_geometry is None and gaozhu.part == 2
    assert shapely.equals(gaozhu.partial_geometry, gaozhu.geometry)
    extent = atlas.outlines().loc["planning-extent"]
    assert shapely.equals(shapely.union(extent.whole_geometry, extent.partial_geometry),
                          extent.geometry)


def test_outline_rings_follow_the_right_hand_rule(atlas):
    for resolution in ("full", "overview"):
        outlines = atlas.outlines(resolution=resolution)
        parts = [outlines.geometry, outlines.whole_geometry.dropna(),
                 outlines.partial_geometry.dropna()]
        rings = shapely.get_exterior_ring(shapely.get_parts(np.concatenate(
            [part.values for part in parts])))
        assert shapely.is_ccw(rings).all(), resolution


def test_outlines_as_of_a_date_and_at_display_resolution(atlas):
    import datetime as dt

    early = atlas.outlines(dt.date(2020, 8, 1), "overview")
    assert "chuannan-yuxi" not in early.index and early.loc["mingyueshan"].units == 6
    assert shapely.get_num_coordinates(early.loc["mingyueshan"].geometry) < \
        shapely.get_num_coordinates(atlas.outlines().loc["mingyueshan"].geometry)


def test_no_outlines_before_any_text(atlas):
    import datetime as dt

    early = atlas.outlines(dt.date(2019, 1, 1))
    assert early.empty and "geometry" in early and early.crs == "OGC:CRS84"
