"""The app and a browser on the loopback interface, as the tests and the benchmarks run them.

:func:`serve` runs the app as users run it, ``python -m chengyu serve`` (uvicorn inside), on
a free port of 127.0.0.1 (:func:`start` when the caller needs the process itself, e.g. to
read its memory or signal it; :func:`serve_app` an app object made by the caller, in a
thread); :func:`launch_browser`
is Debian's headless Chromium with no background traffic (the machine is offline).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project: where server.py is
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A TCP port free on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 120.0,
                  interval: float = 0.2) -> None:
    """Return once ``url`` answers, asking every ``interval`` s; fail if ``process`` exits
    first or ``timeout`` s pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2):
                return
        time.sleep(interval)
    raise TimeoutError(f"no answer from {url} within {timeout:g} s")


def start(cache_directory=None, timeout: float = 120.0, environment: dict | None = None,
          workers: int = 1, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``python -m chengyu serve`` (the README's command) on a free loopback port (or
    ``port``), with ``workers`` processes, on the boundary cache in ``cache_directory``
    (default: the usual one) with ``environment`` added (``CHENGYU_*`` settings); return the
    process and the base URL once it answers."""
    port = port or free_port()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(environment or {})}
    if cache_directory is not None:
        environment["CHENGYU_CACHE_DIR"] = str(cache_directory)
    process = subprocess.Popen(
        [sys.executable, "-m", "chengyu", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)],
        cwd=ROOT, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/conformance", process, timeout)
    except BaseException:
        stop(process)
        raise
    return process, base


def stop(process: subprocess.Popen) -> None:
    """Terminate ``process``; kill it if it has not exited within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def serve(cache_directory=None, timeout: float = 120.0, environment: dict | None = None,
          workers: int = 1, port: int | None = None):
    """``chengyu serve`` on a free loopback port (or ``port``), for a ``with`` block; yields
    its base URL and stops it after."""
    process, base = start(cache_directory, timeout, environment, workers, port)
    try:
        yield base
    finally:
        stop(process)


@contextlib.contextmanager
def serve_app(app, timeout: float = 30.0):
    """An ASGI ``app`` object in a real uvicorn on a free loopback port, in a thread of this
    process (for apps made by the caller); yields its base URL and stops it after."""
    import threading

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def launch_browser(playwright):
    """Debian's Chromium, headless, with no background traffic (the machine is offline)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
