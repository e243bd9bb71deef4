"""Running independent pieces of pyoxigraph work side by side.

pyoxigraph releases the GIL while it evaluates a query or writes a dump, so
plain threads use every core for that work without the cost of processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def usable_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # platforms without affinity (macOS, Windows)
        return os.cpu_count() or 1


def run_all(jobs: Iterable[Callable[[], T]], *, workers: int | None = None) -> list[T]:
    """Run every job, up to ``workers`` (default: the usable cores) at a time.

    Results come back in the order of ``jobs``; the first job to fail raises
    its exception here, after every job has finished (none is left running).
    """
    with ThreadPoolExecutor(max_workers=workers or usable_cores()) as pool:
        futures = [pool.submit(job) for job in jobs]
    return [future.result() for future in futures]
