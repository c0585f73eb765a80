"""``chengyu serve``: listen first, then load the data, then hand the socket to uvicorn (in
this process, or in ``workers`` processes forked from it: :mod:`chengyu.workers`).

Listening first makes a port in use (or an address not of this machine) one line and exit 1
at once, not after seconds of loading. The server ignores SIGPIPE (Python's default): a
client that hangs up mid-body is that connection's end, never the server's. On SIGTERM it
stops accepting, lets open requests finish for ``shutdown_timeout`` seconds, then closes them.
Every connection is set TCP_NODELAY (asyncio does it for each one accepted), so a small
response on a kept-alive connection is not held back waiting for an acknowledgement.
"""

from __future__ import annotations

import gc
import os
import socket
import sys

# h11, not httptools, though httptools answers small requests faster (bench/api.py): uvicorn
# splits the URL with httptools.parse_url, whose offsets are 16-bit, so a URL over 64 KB (a
# filter holding an outline) is a plain-text 400 with no setting. h11's buffer holds twice
# the longest URL plus this much of headers, so a URL up to twice ``max_url_bytes`` reaches
# the app's 414 problem document (beyond, h11's 400)
HEADER_BYTES = 1 << 16


class ListenError(OSError):
    """The address cannot be listened on (port in use, not an address of this machine)."""


class WorkersFailed(RuntimeError):
    """The worker processes kept dying at start."""


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` and listening, or :class:`ListenError`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise ListenError(f"cannot listen on {host}:{port}: "
                          f"{error.strerror or error}") from None
    return sock


def serve(settings) -> None:
    """Listen, load the data (its errors propagate), serve until SIGINT or SIGTERM, with
    :class:`api.Settings` (imported here: the other commands need no web stack)."""
    import uvicorn

    from api import create_app
    from chengyu import allocator

    allocator.tune()  # large bodies mapped alone, returned when freed
    sock = listen(settings.host, settings.port)
    try:
        app = create_app(settings)
        gc.collect()  # the loaded data lives as long as the server: keep it out of the
        gc.freeze()  # collector's full passes, which stop every thread (~0.1 s each)
        config = uvicorn.Config(app, log_level="warning", http="h11",
                                timeout_graceful_shutdown=settings.shutdown_timeout,
                                h11_max_incomplete_event_size=(2 * settings.max_url_bytes
                                                               + HEADER_BYTES))
        host, port = sock.getsockname()[:2]
        workers = settings.workers
        print(f"serving on http://{host}:{port}/"
              + (f" with {workers} worker processes" if workers > 1 else ""), file=sys.stderr)
        if workers == 1:
            uvicorn.Server(config).run(sockets=[sock])
            return
        from chengyu.workers import Supervisor, WorkerServer

        app.state.map_page()  # made once, before the fork, not once in every worker

        parent = os.getpid()
        Supervisor(lambda: WorkerServer(config, parent).run(sockets=[sock]), workers,
                   settings.shutdown_timeout).run()
    finally:
        sock.close()
