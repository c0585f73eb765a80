"""Heavy work off the event loop: a bounded pool of threads and a time limit per request.

Work that grows with its input (filtering, exports, questions, building a view for a new
date, large bodies and their gzip) runs here, so the loop keeps answering cheap requests.
Python threads cannot be stopped, so a request over its time limit is answered 503 at once
while its thread runs on; the pool's size still bounds the threads that work, and work still
queued when its request gives up is dropped.

>>> import asyncio
>>> worker = Worker(threads=1, time_limit=5)
>>> asyncio.run(worker.run(sum, [1, 2, 3]))
6
>>> worker.close()
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor


class TooSlow(Exception):
    """Work that did not finish within the request's time limit (answered 503)."""


class Worker:
    """``threads`` threads for heavy work; each call waits at most ``time_limit`` seconds
    (queueing included, so an overloaded server sheds work instead of piling it up)."""

    def __init__(self, threads: int, time_limit: float):
        self.time_limit = time_limit
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="chengyu-work")

    async def run(self, function, /, *args, **kwargs):
        """``function(*args, **kwargs)`` in the pool; :class:`TooSlow` after the time limit."""
        call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
        future = self.executor.submit(call)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.time_limit)
        except TimeoutError:
            future.cancel()  # dropped if it has not started; a running thread finishes alone
            raise TooSlow(f"the request needed more than {self.time_limit:g} s of work; "
                          "ask for less (a smaller limit, a simpler filter) or retry "
                          "later") from None

    def close(self) -> None:
        """Stop taking work; drop what is queued."""
        self.executor.shutdown(wait=False, cancel_futures=True)
