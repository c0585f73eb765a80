"""Derived data on disk: read back when its inputs are the same, made again otherwise, a
damaged file never used; the outlines and views read back equal those computed."""

import datetime as dt
import sqlite3

import shapely

import geo
import layers
from geo.atomic import LOCK
from geo.derived import DIRECTORY, Derived, key
from layers.catalogue import Catalogue


def made(log, value):
    def make():
        log.append(value)
        return value
    return make


def test_a_result_is_made_once_and_read_back(tmp_path):
    store, log = Derived(tmp_path), []
    columns = [[b"a", None, b"\x00" * 1000], []]
    assert store.columns("thing", key("v1"), made(log, columns)) == columns
    assert Derived(tmp_path).columns("thing", key("v1"), made(log, None)) == columns
    assert log == [columns]
    assert sorted(p.name for p in (tmp_path / DIRECTORY).iterdir()) == [LOCK, "thing.sqlite"]


def test_other_inputs_make_it_again_in_place(tmp_path):
    store, log = Derived(tmp_path), []
    store.columns("thing", key("v1"), made(log, [[b"old"]]))
    assert store.columns("thing", key("v2"), made(log, [[b"new"]])) == [[b"new"]]
    assert store.columns("thing", key("v2"), made(log, None)) == [[b"new"]]
    assert log == [[[b"old"]], [[b"new"]]]
    assert sorted(p.name for p in (tmp_path / DIRECTORY).iterdir()) == [LOCK, "thing.sqlite"]


def test_a_store_of_other_boundaries_makes_it_again(tmp_path):
    log = []
    Derived(tmp_path, "content-1").columns("thing", key("v1"), made(log, [[b"old"]]))
    assert Derived(tmp_path, "content-2").columns("thing", key("v1"), made(log, [[b"new"]])) \
        == [[b"new"]]
    assert log == [[[b"old"]], [[b"new"]]]


def test_a_damaged_file_is_never_used(tmp_path):
    store, log = Derived(tmp_path), []
    store.columns("thing", key("v1"), made(log, [[b"right"]]))
    with sqlite3.connect(tmp_path / DIRECTORY / "thing.sqlite") as db:
        db.execute("UPDATE items SET value = x'00'")
    assert store.columns("thing", key("v1"), made(log, [[b"right"]])) == [[b"right"]]
    (tmp_path / DIRECTORY / "thing.sqlite").write_bytes(b"not a database")
    assert store.columns("thing", key("v1"), made(log, [[b"right"]])) == [[b"right"]]
    assert len(log) == 3
    assert store.columns("thing", key("v1"), made(log, None)) == [[b"right"]]  # rewritten


def test_a_place_that_cannot_be_written_only_costs_time(tmp_path):
    blocker = tmp_path / "a-file"  # a file where the cache directory should be
    blocker.write_text("")
    log = []
    assert Derived(blocker).columns("thing", key("v1"), made(log, [[b"x"]])) == [[b"x"]]
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"] and log == [[[b"x"]]]


def test_keys_tell_their_parts_apart():
    assert key(b"ab", b"c") != key(b"a", b"bc")
    assert key("v1") == key(b"v1") != key("v2")


def test_outlines_and_views_read_back_equal_those_computed(cache_directory, boundaries, atlas):
    """The boundaries of the session (built in ``cache_directory``) keep derived data there:
    a second load reads the latest outlines and views' GeoJSON; they equal a computation
    without any store."""
    kept = layers.load(geo.load(cache_directory))
    Catalogue(kept).prebuild()  # made and written (or read, if an earlier test wrote them)
    again = layers.load(geo.load(cache_directory))
    names = {p.stem for p in (cache_directory / DIRECTORY).iterdir()}
    assert {"outlines-full", "outlines-overview", "geojson-memberships-full"} <= names
    plain = layers.Layers(atlas.registry, geo.Boundaries(boundaries._layers))  # stores nothing
    for resolution in ("full", "overview"):
        read, computed = again.outlines(None, resolution), plain.outlines(None, resolution)
        assert list(read.index) == list(computed.index)
        for column in ("geometry", "whole_geometry", "partial_geometry"):
            assert all(a is None and b is None or shapely.equals_exact(a, b, 0)
                       for a, b in zip(read[column], computed[column])), column
    assert again.outlines(dt.date(2021, 6, 1), "full").equals(
        plain.outlines(dt.date(2021, 6, 1), "full"))  # other dates: computed, never stored
    read, computed = Catalogue(again), Catalogue(plain)
    read.prebuild()
    computed.prebuild()
    for view in ("units", "platforms", "memberships"):
        for resolution in Catalogue.PREBUILT:
            a, b = read.features(view, None, resolution), computed.features(view, None, resolution)
            every = list(range(len(a.frame)))
            assert [b"".join(parts) for parts in a.parts(every)] == \
                [b"".join(parts) for parts in b.parts(every)], (view, resolution)
