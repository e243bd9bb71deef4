"""Running independent pieces of pyoxigraph work side by side.

pyoxigraph releases the GIL while it evaluates a query or writes a dump, so
plain threads use every core for that work without the cost of processes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
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

    Results come back in the order of ``jobs``; if jobs fail, the first of them
    (in that order) raises here once all have run. Nothing is left running when
    this returns or raises, even on Ctrl-C: jobs not yet started are dropped and
    the running ones are waited for, so a caller that then cleans up (removes a
    half-written directory, say) does not race with a job still writing into it.
    ``concurrent.futures`` cannot promise that: a Ctrl-C that lands while it
    starts a thread leaves that thread running unseen.
    """
    pending = list(jobs)
    results: list[T | None] = [None] * len(pending)
    failures: list[BaseException | None] = [None] * len(pending)
    state = threading.Condition()
    claimed = active = 0
    stopping = False

    def work() -> None:
        nonlocal claimed, active
        with state:
            if stopping:
                return
            active += 1
        try:
            while True:
                with state:
                    if stopping or claimed == len(pending):
                        return
                    index, claimed = claimed, claimed + 1
                try:
                    results[index] = pending[index]()
                except BaseException as exc:  # re-raised in the caller's thread below
                    failures[index] = exc
        finally:
            with state:
                active -= 1
                state.notify_all()

    count = min(workers or usable_cores(), len(pending))
    threads = [threading.Thread(target=work, name=f"run_all-{n}") for n in range(count)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    except BaseException:
        with state:
            stopping = True
            while active:
                state.wait()
        raise
    for failure in failures:
        if failure is not None:
            raise failure
    return results  # type: ignore[return-value]
