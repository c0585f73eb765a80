"""Maps to publish as responses: the picture of a selection or of one feature, rendered
(PNG, SVG, PDF) by :func:`formats.render.render`. Called in a worker thread (drawing takes
a second or more)."""

from __future__ import annotations

import functools

from fastapi import Request

from api.responses import Cached
from formats.pictures import entity_picture, selection_picture
from formats.render import MEDIA_TYPES, render
from layers import Layers
from layers.catalogue import COLLECTIONS, Page, Period


def _picture_date(as_of):
    """The date a map is drawn as of: an interval's end (the latest if open)."""
    return as_of.end if isinstance(as_of, Period) else as_of


def _rendered(request: Request, atlas: Layers, make_picture, f: str, size: dict,
              name: str) -> Cached:
    data = render(atlas, make_picture(), f, **size)
    return Cached(data, request, MEDIA_TYPES[f], headers={
        "Content-Disposition": f'inline; filename="chengyu-{name}.{f}"'})


def selection_map(request: Request, atlas: Layers, page: Page, cid: str, as_of, f: str,
                  size: dict) -> Cached:
    """The map of a page of features, titled with the collection and the selection."""
    asked = [f"{k}={v}" for k, v in request.query_params.items()
             if k not in ("f", "width", "height", "dpi")]
    subtitle = " · ".join([f"{len(page.rows)} / {page.matched} features", *asked])
    make = functools.partial(selection_picture, atlas, page.frame(), cid,
                             COLLECTIONS[cid].title, _picture_date(as_of), subtitle)
    return _rendered(request, atlas, make, f, size, cid)


def feature_map(request: Request, atlas: Layers, page: Page, cid: str, feature_id: str,
                as_of, f: str, size: dict) -> Cached:
    """The map of one feature: an entity with its member units, or the feature alone."""
    if cid == "platforms":
        make = functools.partial(entity_picture, atlas, feature_id, _picture_date(as_of))
    else:
        frame = page.frame()
        title = str(frame["name"].iloc[0]) if "name" in frame else feature_id
        make = functools.partial(selection_picture, atlas, frame, cid, title,
                                 _picture_date(as_of))
    return _rendered(request, atlas, make, f, size, f"{cid}-{feature_id}")
