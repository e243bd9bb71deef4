"""The bounded query queue of ``QueryService``: admission up to ``capacity``, an immediate
503 beyond it, and cancellation of a waiting or a running query (its worker is killed and
replaced). Real worker processes over a small generated dataset."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from spacecoop.serve.sparql import BUSY, CANCELLED, Limits, Outcome, QueryService

GRAPH = "http://example.org/g"
# 300 triples: a four-way cartesian product is 8 billion rows, far beyond any time limit.
TRIG = (
    f"<{GRAPH}> {{ "
    + " ".join(f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(300))
    + " }"
).encode()
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
FAST = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = "application/sparql-results+json"


@pytest.fixture
def service() -> Iterator[QueryService]:
    service = QueryService(TRIG, [GRAPH], workers=1, limits=Limits(timeout=60, queue=1))
    try:
        yield service
    finally:
        service.close()


def _in_thread(service: QueryService, text: str, cancelled: threading.Event) -> list[Outcome]:
    """Start ``service.run`` in a thread; the list receives its outcome."""
    outcomes: list[Outcome] = []
    thread = threading.Thread(
        target=lambda: outcomes.append(service.run(text, JSON, cancelled=cancelled)), daemon=True
    )
    thread.start()
    return outcomes


def _wait_for(condition: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_capacity_is_workers_plus_queue(service: QueryService) -> None:
    assert service.capacity == 2


def test_over_capacity_is_refused_at_once_and_cancellation_frees_it(
    service: QueryService,
) -> None:
    stop_running, stop_waiting = threading.Event(), threading.Event()
    running = _in_thread(service, SLOW, stop_running)
    _wait_for(lambda: service._idle.qsize() == 0)
    waiting = _in_thread(service, SLOW, stop_waiting)
    _wait_for(lambda: service._admitted == 2)

    started = time.monotonic()
    refused = service.run(FAST, JSON)
    assert (refused.status, refused.body.decode().strip()) == (503, BUSY)
    assert time.monotonic() - started < 5

    stop_waiting.set()
    _wait_for(lambda: waiting)
    assert waiting[0].body.decode().strip() == CANCELLED
    (process,) = service._all
    stop_running.set()
    _wait_for(lambda: running, seconds=10)
    assert running[0].body.decode().strip() == CANCELLED
    assert not process.is_alive(), "the cancelled query's worker was not killed"

    answer = service.run(FAST, JSON)
    assert answer.status == 200, answer.body
    assert b'"300"' in answer.body


def test_no_network_wall_is_said_once_on_stderr(
    service: QueryService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert service.network_wall in ("network namespace", "seccomp filter")
    service._report_wall(None)
    service._report_wall(None)
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 1
    assert "WITHOUT a network wall" in warnings[0]
    assert service.network_wall is None
