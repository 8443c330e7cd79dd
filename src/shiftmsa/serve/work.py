"""Model work off the event loop: worker threads behind a bounded queue."""

from __future__ import annotations

import asyncio
import math
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from shiftmsa.serve.problems import RequestProblem

T = TypeVar("T")
SMOOTHING = 0.2  # weight of the newest request in the running mean of service times


class WorkQueue:
    """Runs blocking functions on ``workers`` threads; at most ``workers + queue`` are admitted
    at once, and one more is refused with 503 and a ``Retry-After`` of the expected wait. A
    request counts until its work ends, even when its client has gone.

    The counters change on the event loop's thread only, so they need no lock.

    Args:
        workers: threads.
        queue: admitted requests beyond those being worked on.
    """

    def __init__(self, workers: int, queue: int):
        self.workers = workers
        self.capacity = workers + queue
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="shiftmsa-serve")
        self.admitted = 0
        self.completed = 0
        self.refused = 0
        self.mean_seconds = 0.0

    def retry_after(self) -> int:
        """Seconds until a place is likely free: the queue ahead, worked off ``workers`` at a time."""
        return max(1, math.ceil(self.mean_seconds * (self.admitted - self.workers + 1) / self.workers))

    async def run(self, function: Callable[..., T], *args) -> T:
        """``function(*args)`` on a worker thread, or ``RequestProblem`` 503 when the queue is full."""
        if self.admitted >= self.capacity:
            self.refused += 1
            raise RequestProblem(503, f"the service is busy: {self.admitted} requests are being worked on or "
                                      f"waiting (at most {self.capacity}); retry later",
                                 headers={"Retry-After": str(self.retry_after())})
        spent: list[float] = []

        def timed() -> T:
            began = time.perf_counter()
            try:
                return function(*args)
            finally:
                spent.append(time.perf_counter() - began)

        loop = asyncio.get_running_loop()
        future = self.executor.submit(timed)
        self.admitted += 1  # until the work ends, even when the client has gone
        future.add_done_callback(lambda _: loop.call_soon_threadsafe(self._finished, spent))
        return await asyncio.wrap_future(future)

    def _finished(self, spent: list[float]) -> None:
        self.admitted -= 1
        if spent:  # it ran (it was not cancelled while waiting)
            self._observe(spent[0])

    def _observe(self, seconds: float) -> None:
        """Count a finished request and fold its working time into the running mean."""
        self.completed += 1
        self.mean_seconds = seconds if self.completed == 1 else (
            (1 - SMOOTHING) * self.mean_seconds + SMOOTHING * seconds)

    def state(self) -> dict:
        return {"workers": self.workers, "capacity": self.capacity, "admitted": self.admitted,
                "completed": self.completed, "refused": self.refused}

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
