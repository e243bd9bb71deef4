"""Memory limits of the query workers, measured from /proc: a query that balloons loses its
worker (503, replaced) without the worker passing its address-space bound, an answer
over the byte cap stops being written at the cap (413), and the service keeps answering."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from spacecoop.serve import Limits, query_service
from spacecoop.serve.sparql import QueryService

JSON = "application/sparql-results+json"
MIB = 1 << 20
# 27 doublings of an 8-character string: a 1 GiB string, and as much again before it.
CONCAT_BOMB = (
    'SELECT (STRLEN(?s27) AS ?n) WHERE { BIND("abcdefgh" AS ?s0) '
    + " ".join(f"BIND(CONCAT(?s{i},?s{i}) AS ?s{i + 1})" for i in range(27))
    + " }"
)
CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def service(site: Path) -> Iterator[QueryService]:
    service = query_service(site, workers=1, limits=Limits(timeout=60))
    try:
        yield service
    finally:
        service.close()


class PeakMemory:
    """Polls /proc/PID/status of every worker of ``service``; keeps the largest figures."""

    def __init__(self, service: QueryService) -> None:
        self.service = service
        self.peak: dict[str, int] = {"VmPeak": 0, "VmHWM": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.is_set():
            for process in list(self.service._all):
                try:
                    with open(f"/proc/{process.pid}/status") as status:
                        for line in status:
                            key, _, value = line.partition(":")
                            if key in self.peak:
                                kib = int(value.split()[0])
                                self.peak[key] = max(self.peak[key], kib * 1024)
                except (OSError, ValueError):
                    pass  # the worker died between listing and reading
            time.sleep(0.005)


def test_concat_doubling_loses_its_worker_under_the_bound(service: QueryService) -> None:
    assert len(CONCAT_BOMB) == 896
    with PeakMemory(service) as memory:
        outcome = service.run(CONCAT_BOMB, JSON)
    assert outcome.status == 503, outcome.body
    assert 0 < memory.peak["VmPeak"] <= Limits().worker_memory
    assert memory.peak["VmHWM"] <= Limits().worker_memory
    assert service.run("ASK { }", JSON).status == 200


def test_a_huge_answer_stops_at_the_byte_cap(service: QueryService) -> None:
    with PeakMemory(service) as memory:
        outcome = service.run(CARTESIAN, JSON)
    assert outcome.status == 413, outcome.body[:200]
    # Before the answer was streamed into a capped writer this reached 878 MB.
    assert 0 < memory.peak["VmHWM"] < 256 * MIB, memory.peak
    assert service.run("ASK { }", JSON).status == 200


def test_serve_options_default_to_the_limits() -> None:
    from spacecoop.cli import build_parser

    defaults = build_parser().parse_args(["serve"])
    assert (defaults.queue, defaults.worker_memory * MIB) == (
        Limits().queue,
        Limits().worker_memory,
    )
    given = build_parser().parse_args(["serve", "--queue", "3", "--worker-memory", "512"])
    assert (given.queue, given.worker_memory) == (3, 512)
