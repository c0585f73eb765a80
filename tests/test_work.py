"""The worker: heavy work in a bounded pool, each call within a time limit."""

import asyncio
import threading

import pytest

from api.work import TooSlow, Worker


def test_work_runs_off_the_calling_thread():
    worker = Worker(threads=2, time_limit=10)
    try:
        name = asyncio.run(worker.run(lambda: threading.current_thread().name))
    finally:
        worker.close()
    assert name.startswith("chengyu-work")


def test_work_over_the_time_limit_is_too_slow_and_queued_work_is_dropped():
    release, ran = threading.Event(), []
    worker = Worker(threads=1, time_limit=0.2)

    async def both():
        held = asyncio.ensure_future(worker.run(release.wait, 30))  # holds the one thread
        await asyncio.sleep(0.05)  # let it start
        with pytest.raises(TooSlow, match="more than 0.2 s"):
            await worker.run(ran.append, "queued")  # waits for the thread past the limit
        with pytest.raises(TooSlow):
            await held
    try:
        asyncio.run(both())
    finally:
        release.set()
        worker.close()
    assert ran == []  # the queued call never ran


def test_errors_of_the_work_reach_the_caller():
    worker = Worker(threads=1, time_limit=10)
    try:
        with pytest.raises(ZeroDivisionError):
            asyncio.run(worker.run(divmod, 1, 0))
    finally:
        worker.close()
