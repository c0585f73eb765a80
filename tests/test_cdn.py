"""The CDN contract through a real cache: Debian's nginx, configured by ``deploy/nginx.conf``,
in front of ``chengyu serve --workers 2``.

The requests replayed are those Debian's Chromium makes for the map page's first view, a
zoom onto 重庆 and a pan, recorded through nginx (nothing written here by hand). Replayed,
at least 95 % are cache hits with the very bodies the browser got; every answer carries an
ETag, the Cache-Control its address calls for and a Vary naming each header once and never
Origin. After a change to the registry and a restart of the workers, the page and its data
are the new ones, with nothing purged from the cache.
"""

import contextlib
import gzip
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from layers.registry import DEFAULT_DIRECTORY
from support import loopback

NGINX = "/usr/sbin/nginx"
TEMPLATE = loopback.ROOT / "deploy" / "nginx.conf"
LASTING = "public, max-age=31536000, immutable"
REPLAYED = ("accept", "accept-encoding", "accept-language", "origin")


@contextlib.contextmanager
def nginx(upstream: str):
    """nginx with the repository's configuration, in front of ``upstream`` (host:port);
    yields its base URL."""
    state = Path(tempfile.mkdtemp(prefix="chengyu-nginx-"))
    state.chmod(0o777)  # nginx's workers may run as another user
    port = loopback.free_port()
    config = state / "nginx.conf"
    config.write_text(TEMPLATE.read_text().replace("@LISTEN@", f"127.0.0.1:{port}")
                      .replace("@UPSTREAM@", upstream).replace("@STATE@", str(state)))
    process = subprocess.Popen([NGINX, "-e", str(state / "error.log"), "-p", str(state),
                                "-c", str(config), "-g", "daemon off;"
                                + (" user root;" if os.geteuid() == 0 else "")])
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (state / "error.log").read_text()
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(state, ignore_errors=True)


def settle(page, pending: set, quiet: float = 1.0, timeout: float = 60.0) -> None:
    """Wait until no request of the page has been in flight for ``quiet`` seconds."""
    deadline, last_busy = time.monotonic() + timeout, time.monotonic()
    while time.monotonic() - last_busy < quiet:
        assert time.monotonic() < deadline, f"requests still in flight: {pending}"
        page.wait_for_timeout(100)
        if pending:
            last_busy = time.monotonic()


def browse(base: str) -> list[tuple[str, dict, bytes]]:
    """The requests Chromium makes for the first view, a zoom onto 重庆 and a pan: (URL,
    request headers, body received), in order."""
    with sync_playwright() as playwright:
        browser = loopback.launch_browser(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        finished, pending = [], set()
        page.on("request", lambda r: pending.add(r.url))
        page.on("requestfinished", lambda r: (pending.discard(r.url), finished.append(r)))
        page.on("requestfailed", lambda r: pending.discard(r.url))
        page.goto(base + "/")
        page.wait_for_selector("html[data-atlas=ready]")
        settle(page, pending)
        page.evaluate("() => atlas.map.setView([29.56, 106.55], 9, {animate: false})")
        settle(page, pending)
        page.evaluate("() => atlas.map.panBy([400, 150], {animate: false})")
        settle(page, pending)
        recorded = [(r.url, r.all_headers(), r.response().body()) for r in finished
                    if r.url.startswith(base)]
        browser.close()
    return recorded


def replay(url: str, headers: dict) -> tuple[dict, bytes]:
    """GET ``url`` with the headers a cache keys on; the response headers and the body,
    decoded."""
    request = urllib.request.Request(url, headers={k: v for k, v in headers.items()
                                                   if k in REPLAYED})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        headers = {k.lower(): v for k, v in response.headers.items()}
    return headers, gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body


def check_headers(url: str, headers: dict) -> None:
    """The contract of one answer: ETag, Cache-Control fit for the address, Vary."""
    assert headers.get("etag"), url
    lasting = "v=" in url or "/static/" in url and "/atlas" in url or "/vendor/" in url
    expected = LASTING if lasting else "public, no-cache"
    assert headers.get("cache-control") == expected, url
    assert headers.get("access-control-allow-origin") == "*", url
    names = [name.strip().lower() for name in headers.get("vary", "").split(",")
             if name.strip()]
    assert len(names) == len(set(names)) and "origin" not in names, (url, names)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    copy = tmp_path_factory.mktemp("cdn") / "registry"
    shutil.copytree(DEFAULT_DIRECTORY, copy)
    return copy


def test_the_page_through_nginx_is_served_from_its_cache_and_fresh_after_a_change(
        cache_directory, registry):
    port = loopback.free_port()
    environment = {"CHENGYU_REGISTRY_DIR": str(registry)}
    with nginx(f"127.0.0.1:{port}") as cdn:
        with loopback.serve(cache_directory, environment=environment, workers=2, port=port):
            recorded = browse(cdn)
            answers = [(url, *replay(url, headers)) for url, headers, _ in recorded]
        assert len(recorded) >= 20 and any("/collections/" in url for url, _, _ in recorded)
        assert any("bbox=" in url for url, _, _ in recorded)  # the finer geometry of the view
        for url, headers, _ in answers:
            check_headers(url, headers)
        assert [body for _, _, body in answers] == [body for _, _, body in recorded]
        hits = [url for url, headers, _ in answers if headers["x-cache-status"] == "HIT"]
        assert len(hits) / len(answers) >= 0.95, \
            [(url, h["x-cache-status"]) for url, h, _ in answers if url not in hits]
        data = [url for url, _, _ in recorded if "/collections/" in url]

        entity = registry / "entities" / "planning-extent.yaml"
        text = entity.read_text(encoding="utf-8")
        entity.write_text(text.replace("(planning extent)", "(planning extent, renamed)"),
                          encoding="utf-8")
        with loopback.serve(cache_directory, environment=environment, workers=2, port=port):
            again = browse(cdn)
        fresh = [(url, body) for url, _, body in again if "/collections/" in url]
        assert fresh and not {url for url, _ in fresh} & set(data)  # a new version, new URLs
        assert any(b"(planning extent, renamed)" in body for _, body in fresh)
        page = next(body for url, _, body in again if url == cdn + "/")
        assert b"(planning extent, renamed)" in page
