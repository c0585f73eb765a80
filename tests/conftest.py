"""Shared fixtures: one boundary build per test session, in a private cache directory."""

import pytest
from playwright.sync_api import sync_playwright

import geo
from support import loopback


@pytest.fixture(scope="session")
def cache_directory(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def boundaries(cache_directory):
    return geo.load(cache_directory)


@pytest.fixture(scope="session")
def names(boundaries):
    """Map a unit's name (unique ones) to its adcode."""
    units = boundaries.units
    return {n: a for n, a in zip(units.name, units.adcode)
            if (units.name == n).sum() == 1}


@pytest.fixture(scope="session")
def atlas(boundaries):
    import layers

    return layers.load(boundaries)


@pytest.fixture(scope="session")
def app(cache_directory):
    """The API app over the session's boundaries (built once)."""
    from api import Settings, create_app

    return create_app(Settings(cache_dir=cache_directory))


@pytest.fixture
def overrides(app):
    """The session app's ``dependency_overrides`` for one test, cleared after it; the response
    cache is emptied before and after, since its responses come from other data."""
    responses = app.state.budget.region("responses")
    responses.clear()
    yield app.dependency_overrides
    app.dependency_overrides.clear()
    responses.clear()


@pytest.fixture(scope="session")
def client(app):
    """An in-process HTTP client of the app."""
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (Debian's), for the tests of a page in a browser."""
    with sync_playwright() as playwright:
        launched = loopback.launch_browser(playwright)
        yield launched
        launched.close()
