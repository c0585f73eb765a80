"""A static edition: the map page and everything its scripts fetch, written as files that
any static host or CDN serves with no Python (``chengyu publish DIR``).

The page is :func:`webmap.page` with a static :class:`webmap.Edition`: its scripts read
files at the paths of :data:`webmap.STATIC_PATHS` instead of the API's queries, and ask
questions of ``api_url`` if one is given. Everything is built in this process from the
data (no server runs), with the app's own builders (the catalogue's views, its GeoJSON,
the exports, the page templates)::

    index.html                                       the map page
    static/{hash}/, vendor/leaflet/{version}/        its scripts and styles, Leaflet
    data/{datum}/{collection}.{resolution}.geojson   units, cities, provinces, platforms at
                                                     every display resolution, WGS-84 and GCJ-02
    data/memberships/{adcode}.geojson                a unit's memberships (its popup)
    pages/{platforms,memberships}/{id}.html          entity pages (with their history) and
                                                     the evidence of each membership
    search.json                                      the search index (also inside the page)
    downloads/{collection}.{extension}               every collection in every format chosen
    manifest.json                                    data version, files and their sizes

Memberships are those in force when the edition is published (a static host cannot work
out another date). The edition is built in a directory beside ``DIR`` and renamed into
place; ``DIR`` must be new, empty or a previous edition (it has this manifest).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import webmap
from api.responses import GCJ02_LABEL, TEMPLATES
from formats.exports import FORMATS, export
from formats.geojson import collection, dumps
from layers import Layers
from layers.catalogue import COLLECTIONS, Catalogue
from layers.history import readable, summary, versions
from webmap.config import STATIC_PATHS, Edition
from webmap.assets import STATIC, STATIC_URL

MANIFEST = "manifest.json"
KIND = "chengyu-atlas static edition"  # the manifest's ``edition``: what may be replaced
LAYERS = ("units", "cities", "provinces", "platforms")  # what the map draws
DATUMS = ("wgs84", "gcj02")  # the base maps' (webmap.config.BASE_MAPS)
PAGES = ("platforms", "memberships")  # entity pages, and the evidence pages popups link to
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images")


class PublishError(Exception):
    """The edition cannot be written where asked; ``args[0]`` says why."""


@dataclass(frozen=True)
class Published:
    """What :func:`publish` wrote: the manifest, and how long it took (s)."""

    manifest: dict
    seconds: float


def publish(atlas: Layers, directory: Path, *, api_url: str | None = None,
            formats: tuple[str, ...] = tuple(FORMATS)) -> Published:
    """Write the static edition of ``atlas`` to ``directory`` (replacing a previous one)."""
    started = time.perf_counter()
    directory = Path(directory).absolute()
    check(directory)
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(directory)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".partial",
                                        dir=directory.parent))
    except OSError as error:
        raise PublishError(f"cannot write beside {directory}: {error.strerror}") from None
    try:
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the site from the web server
        edition = Edition(static=True, api_url=api_url, formats=tuple(formats))
        _write_site(atlas, staging, edition)
        manifest = _write_manifest(staging, atlas, edition)
        _swap(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Published(manifest, time.perf_counter() - started)


def check(directory: Path) -> None:
    """Refuse a target that is a file, or a non-empty directory that is not an edition."""
    if directory.exists() and not directory.is_dir():
        raise PublishError(f"{directory} is not a directory")
    if not directory.exists() or not any(directory.iterdir()):
        return
    try:
        kind = json.loads((directory / MANIFEST).read_text(encoding="utf-8")).get("edition")
    except (OSError, ValueError, AttributeError):
        kind = None
    if kind != KIND:
        raise PublishError(f"{directory} is not empty and is not a previous edition (no "
                           f"{MANIFEST} written by 'chengyu publish'); give a new or empty "
                           "directory")


def _remove_leftovers(directory: Path) -> None:
    """The working directories of an interrupted publication of ``directory``."""
    for pattern in (f".{directory.name}.*.partial", f".{directory.name}.*.old"):
        for leftover in directory.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def _swap(staging: Path, directory: Path) -> None:
    """Put the finished edition at ``directory``; the previous one goes once it is there."""
    previous = None
    if directory.exists():
        previous = staging.with_name(staging.name.removesuffix(".partial") + ".old")
        directory.rename(previous)
    staging.rename(directory)
    if previous:
        shutil.rmtree(previous)


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)


def _path(template: str, **values) -> str:
    return STATIC_PATHS[template].format(**values)


def _write_site(atlas: Layers, root: Path, edition: Edition) -> None:
    catalogue = Catalogue(atlas)
    _write(root / "index.html", webmap.page(atlas, edition=edition))
    shutil.copytree(STATIC, root / STATIC_URL.lstrip("/"))  # content-addressed, as served
    vendor = root / webmap.VENDOR_URL.lstrip("/")
    vendor.mkdir(parents=True)
    for name in LEAFLET_FILES:
        source = webmap.LEAFLET_DIRECTORY / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, vendor / name)
    _write_layers(catalogue, root)
    _write_memberships(catalogue, root)
    _write_pages(catalogue, root)
    _write(root / "search.json", dumps(webmap.search_index(atlas)))
    for name in COLLECTIONS:  # every collection of the API, whole
        frame = catalogue.frame(name).reset_index(drop=True)
        for fmt in edition.formats:
            extension = FORMATS[fmt].extension
            _write(root / _path("download", collection=name, extension=extension),
                   export(frame, fmt, name).data)


def _write_layers(catalogue: Catalogue, root: Path) -> None:
    """What the map draws, as the API answers ``/collections/{id}/items?resolution=…``."""
    for datum in DATUMS:
        label = {"datum": GCJ02_LABEL} if datum == "gcj02" else {}
        for name in LAYERS:
            for resolution in webmap.DISPLAY_ZOOMS:
                page = catalogue.select(name, resolution=resolution, datum=datum)
                features = page.features()
                _write(root / _path("layer", datum=datum, collection=name,
                                    resolution=resolution),
                       collection(features, numberMatched=page.matched,
                                  numberReturned=len(features), **label))


def _write_memberships(catalogue: Catalogue, root: Path) -> None:
    """Each unit's memberships, as its popup asks the API for them."""
    for adcode in catalogue.frame("units").index:
        page = catalogue.select("memberships", properties={"adcode": adcode},
                                resolution="overview")
        features = page.features()
        _write(root / _path("memberships", adcode=adcode),
               collection(features, numberMatched=page.matched, numberReturned=len(features)))


def _write_pages(catalogue: Catalogue, root: Path) -> None:
    """The API's feature pages (``feature.html``) of every entity, with its history, and
    of every membership, linking within the edition."""
    template = TEMPLATES.env.get_template("feature.html")
    atlas = catalogue.atlas
    for name in PAGES:
        frame = catalogue.frame(name).drop(columns="geometry")
        for feature_id, properties in zip(frame.index, frame.to_dict("records")):
            path = _path("page", collection=name, id=feature_id)
            root_of_page = "../" * path.count("/")
            context = {"collection": name, "feature_id": feature_id, "properties": properties,
                       "edition_root": root_of_page,
                       "edition_static": f"{root_of_page}{STATIC_URL.lstrip('/')}/"}
            if name == "platforms":
                found = versions(atlas, feature_id)
                context.update(history=readable(atlas, found),
                               history_summary=summary(atlas, feature_id, found))
            _write(root / path, template.render(context))


def _write_manifest(root: Path, atlas: Layers, edition: Edition) -> dict:
    """``manifest.json``: what the edition is, its data version (a digest of the files
    under ``data/`` and the search index: the same data, the same version, whatever the
    download formats), the memberships' date, and every other file with its size."""
    files = sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: p.as_posix())
    digest = hashlib.sha256()
    listed = []
    for path in files:
        relative = path.relative_to(root).as_posix()
        if relative.startswith("data/") or relative == "search.json":  # not the formats chosen
            digest.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        listed.append({"path": relative, "bytes": path.stat().st_size})
    dates = [m["date"] for m in webmap.milestones(atlas)]
    manifest = {
        "edition": KIND, "app_version": importlib.metadata.version("chengyu-atlas"),
        "data_version": digest.hexdigest()[:16], "memberships_as_of": max(dates, default=None),
        "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "api_url": edition.api_url, "formats": list(edition.formats),
        "file_count": len(listed), "total_bytes": sum(f["bytes"] for f in listed),
        "files": listed,
    }
    _write(root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    return manifest
