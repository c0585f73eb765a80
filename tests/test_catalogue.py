"""The catalogue's views: a date's memberships picked from the view of every row."""

import datetime as dt

import numpy as np
import pytest
import shapely

from formats.geojson import features
from layers.catalogue import Catalogue
from layers.memberships import Period, in_force


@pytest.fixture(scope="module")
def catalogue(atlas):
    built = Catalogue(atlas)
    built.prebuild()
    return built


@pytest.mark.parametrize("as_of", [None, dt.date(2021, 6, 1), dt.date(2022, 3, 2),
                                   Period(dt.date(2021, 1, 1), dt.date(2023, 1, 1))])
@pytest.mark.parametrize("resolution", ["full", "overview", "local"])
def test_a_dates_memberships_are_the_rows_in_force_serialised_as_a_fresh_build(
        catalogue, atlas, as_of, resolution):
    view = catalogue.features("memberships", as_of, resolution)
    rows = in_force(atlas.memberships, as_of)
    expected = (rows.entity + ":" + rows.adcode + ":" + rows.extent.astype(str)).tolist()
    assert view.frame.index.tolist() == expected and len(expected) > 0
    properties = [c for c in view.frame.columns if c != view.frame.geometry.name]
    assert [b"".join(parts) for parts in view.parts(np.arange(len(expected)))] == \
        features(view.frame, "id", view.shown, properties)
    assert [view.positions[i] for i in expected] == list(range(len(expected)))
    last = shapely.box(*view.frame.geometry.values[-1].bounds)
    assert len(expected) - 1 in view.boxes.meeting(last)  # the subset's own positions


def test_the_rows_bytes_are_shared_across_dates_not_copied(catalogue):
    first = catalogue.features("memberships", dt.date(2022, 3, 2), "full")
    second = catalogue.features("memberships", dt.date(2022, 3, 3), "full")
    shared = set(first.frame.index) & set(second.frame.index)
    assert shared and all(a is b for i in shared
                          for a, b in zip(_parts(first, i), _parts(second, i)))


def _parts(view, feature_id: str) -> tuple[bytes, bytes, bytes]:
    """What a feature's GeoJSON is joined from: its head, its geometry's, its tail."""
    position = view.positions[feature_id]
    return view.heads[position], view.geometries[view.which[position]], view.tails[position]


@pytest.mark.parametrize("datum", ["wgs84", "gcj02"])
def test_a_pages_features_come_as_their_parts_the_views_own_bytes_in_wgs84(catalogue, datum):
    page = catalogue.select("memberships", as_of=dt.date(2022, 3, 2), limit=50, datum=datum)
    parts = page.feature_parts()
    assert len(parts) == 50 and [b"".join(p) for p in parts] == page.features()
    if datum == "wgs84":  # a large body is built from these: no copy per feature
        ids = page.view.frame.index[page.rows]
        assert all(a is b for p, i in zip(parts, ids) for a, b in zip(p, _parts(page.view, i)))
    else:
        assert all(len(p) == 1 for p in parts)
