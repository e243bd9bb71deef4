"""SPARQL queries on threads of their own, refused at once when full, cancelled when abandoned.

A query blocks its thread until a worker process answers, for up to the query
timeout. On the shared pool that Starlette's file responses also use, a burst
of slow queries would leave pages waiting for a thread; here queries get a
dedicated executor, exactly as large as the query service can hold (workers
plus queue), so no query ever waits for a thread, and one more is refused
with 503 instead of queueing where nobody bounds it. While a query runs, the
client's connection is watched: when it goes away, the query is cancelled and
its worker freed for the next client.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from starlette.types import Receive

from .sparql import Outcome

RETRY_AFTER_SECONDS = 1
"""What a refused client is told to wait (``Retry-After``): most queries take milliseconds."""

BUSY = Outcome(503, "text/plain; charset=utf-8", b"too many queries at once; try again shortly\n")

Query = Callable[[threading.Event], Outcome]
"""A query to run: it gets the event that is set when its client has gone away."""


class QueryThreads:
    """At most ``capacity`` queries at once, each on a thread of this executor."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._slots = threading.BoundedSemaphore(capacity)
        self._executor = ThreadPoolExecutor(max_workers=capacity, thread_name_prefix="sparql")

    async def run(self, query: Query, receive: Receive) -> Outcome:
        """Run ``query`` on a free thread, cancelling it if ``receive`` says the client left.

        Returns :data:`BUSY` at once when ``capacity`` queries are already running.
        """
        if not self._slots.acquire(blocking=False):
            return BUSY
        cancelled = threading.Event()
        try:
            future = self._executor.submit(query, cancelled)
        except BaseException:
            self._slots.release()
            raise
        # The slot is free when the thread is, not when the client stops waiting.
        future.add_done_callback(lambda _: self._slots.release())
        answer = asyncio.wrap_future(future)
        watcher = asyncio.ensure_future(_disconnected(receive))
        try:
            await asyncio.wait({answer, watcher}, return_when=asyncio.FIRST_COMPLETED)
            if watcher.done():
                cancelled.set()
            return await answer
        finally:
            # Also reached when this request itself is cancelled (server shutdown).
            cancelled.set()
            watcher.cancel()

    def close(self) -> None:
        """Stop taking queries; the running ones finish (the service kills their workers)."""
        self._executor.shutdown(wait=False, cancel_futures=True)


async def _disconnected(receive: Receive) -> None:
    """Return once the client has gone away (the request body, if any, was read already)."""
    while (await receive())["type"] != "http.disconnect":
        pass
