"""``chengyu serve --workers N``: N forked processes answering on one listening socket.

The parent listens and loads the data once, then forks: each worker inherits the socket and
the loaded data (copy-on-write; the ``gc.freeze`` done before keeps the collector from
writing to, and so copying, the shared objects) and runs its own uvicorn on the socket; the
kernel hands each new connection to one of them. No Python thread may run at the fork (the
pool of :mod:`api.work` starts its threads at its first task, in each worker).

The parent only supervises. SIGTERM or SIGINT is forwarded to every worker as SIGTERM: each
stops accepting and lets its open requests finish for the shutdown timeout; a worker still
running :data:`GRACE` seconds later is killed, and a second signal forwards SIGINT, which
makes uvicorn close at once. A worker that dies while no stop was asked is replaced, unless
workers keep dying at start (:data:`CRASH_LIMIT` in a row, each within
:data:`CRASH_SECONDS`): then every worker is stopped and the command exits 1. A worker whose
parent is gone (killed with SIGKILL) stops by itself within a second.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
import traceback

import uvicorn

from chengyu.serving import WorkersFailed

GRACE = 5.0  # seconds past the shutdown timeout before a worker still running is killed
CRASH_SECONDS = 10.0  # a worker dying this soon after its start counts as a crash at start
CRASH_LIMIT = 3  # crashes at start in a row before the supervisor gives up
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class WorkerServer(uvicorn.Server):
    """uvicorn's server for a forked worker: it stops when its supervisor is gone."""

    def __init__(self, config: uvicorn.Config, supervisor: int):
        super().__init__(config)
        self.supervisor = supervisor

    async def on_tick(self, counter: int) -> bool:
        if counter % 10 == 0 and os.getppid() != self.supervisor:  # every second
            self.should_exit = True
        return await super().on_tick(counter)


def describe(status: int) -> str:
    """How a child process ended, from its wait status."""
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with code {os.waitstatus_to_exitcode(status)}"


class Supervisor:
    """Fork ``workers`` processes running ``serve()`` and keep them running until a stop
    signal (see the module's description)."""

    def __init__(self, serve, workers: int, shutdown_timeout: float):
        self.serve, self.count, self.shutdown_timeout = serve, workers, shutdown_timeout
        self.workers: dict[int, float] = {}  # pid -> when it started (monotonic)
        self.stopping = False

    def run(self) -> None:
        """Serve until a stop signal and every worker has ended; :class:`WorkersFailed` if
        the workers kept dying at start."""
        handlers = {sig: signal.signal(sig, self.stop) for sig in STOP_SIGNALS}
        handlers[signal.SIGALRM] = signal.signal(signal.SIGALRM, self.kill)
        failed = None
        try:
            for _ in range(self.count):
                if not self.stopping:
                    self.start()
            crashes = 0
            while self.workers:
                pid, status = os.wait()
                started = self.workers.pop(pid, None)
                if started is None or self.stopping:
                    continue
                crashes = crashes + 1 if time.monotonic() - started < CRASH_SECONDS else 0
                if crashes >= CRASH_LIMIT:
                    failed = f"{crashes} workers in a row died at start (the last {describe(status)})"
                    self.stop(signal.SIGTERM, None)
                    continue
                print(f"chengyu serve: worker {pid} {describe(status)}; starting another",
                      file=sys.stderr)
                self.start()
        finally:
            signal.alarm(0)
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        if failed:
            raise WorkersFailed(failed)

    def start(self) -> None:
        """Fork one worker (stop signals blocked meanwhile, so that none reaches the child
        before it drops the supervisor's handlers)."""
        if threading.active_count() > 1:
            raise RuntimeError(f"cannot fork workers: threads are running "
                               f"({', '.join(t.name for t in threading.enumerate())})")
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                self.work()
            self.workers[pid] = time.monotonic()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def work(self) -> None:
        """In the child: serve, then end the process (never return into the parent's code)."""
        code = 1
        try:
            for sig in (*STOP_SIGNALS, signal.SIGALRM):
                signal.signal(sig, signal.SIG_DFL)  # uvicorn sets its own while it serves
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            self.serve()
            code = 0
        except SystemExit as error:
            code = error.code if isinstance(error.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def stop(self, sig: int, frame) -> None:
        """A stop signal: forward it (SIGTERM the first time, SIGINT after) to every worker,
        and kill those still running after the shutdown timeout and :data:`GRACE`."""
        forward = signal.SIGINT if self.stopping else signal.SIGTERM
        if not self.stopping:
            signal.alarm(math.ceil(self.shutdown_timeout + GRACE))
        self.stopping = True
        for pid in self.workers:
            os.kill(pid, forward)

    def kill(self, sig: int, frame) -> None:
        """The grace is over: kill the workers still running."""
        for pid in self.workers:
            os.kill(pid, signal.SIGKILL)
