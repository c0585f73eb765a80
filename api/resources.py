"""What the routes reach through dependencies: the settings and the data the app was built
with (``async``: a plain ``def`` would cost each request a hop to a worker thread). Tests
replace any of them with ``app.dependency_overrides[get_catalogue] = …``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from api.settings import Settings
from api.work import Worker
from layers.catalogue import Catalogue
from layers.questions import Questions


async def get_settings(request: Request) -> Settings:
    """The settings the app was made with."""
    return request.app.state.settings


async def get_catalogue(request: Request) -> Catalogue:
    """The feature collections (:meth:`Catalogue.select` is the query)."""
    return request.app.state.catalogue


async def get_questions(request: Request) -> Questions:
    """The plain-language questions (:meth:`Questions.ask`)."""
    return request.app.state.questions


@dataclass(frozen=True)
class MapPage:
    """The map page's HTML and the Content-Security-Policy that lets its scripts run."""

    html: str
    policy: str


async def get_map_page(request: Request) -> MapPage:
    """The map page: made at its first request in the worker's threads (a third of a second
    and folium's import, which the event loop must not wait for), then kept."""
    state = request.app.state
    return await state.worker.run(state.map_page)


async def get_atlas(request: Request):
    """The layers the catalogue is built on (:class:`layers.Layers`: registry, memberships)."""
    return request.app.state.catalogue.atlas


@dataclass(frozen=True)
class Means:
    """What the feature routes answer with: the settings, the features and the worker
    threads."""

    settings: Settings
    catalogue: Catalogue
    worker: Worker


async def get_means(request: Request) -> Means:
    """The feature routes' settings, catalogue and worker as one dependency: FastAPI's
    solving costs a request tens of microseconds a dependency, on the API's busiest routes
    (bench/page_cost.py)."""
    state = request.app.state
    return Means(state.settings, state.catalogue, state.worker)


async def get_worker(request: Request) -> Worker:
    """The threads for heavy work, with the per-request time limit (:class:`api.work.Worker`)."""
    return request.app.state.worker
