"""A read-only SPARQL 1.1 query service on pyoxigraph, with hard limits.

Queries run in separate worker processes, each holding its own in-memory copy
of the dataset. pyoxigraph cannot cancel a running query, so a query that
overruns its time (or whose client went away) is stopped by killing its worker,
which is then replaced; the server itself never blocks on a runaway query.

Two walls stand between a query and the network: the text is read token by token
(:mod:`spacecoop.queries.sparql_text`) and federated queries are refused before any
worker sees them; and the workers themselves cannot open network connections
(``sandbox``). Each worker also has an address-space limit, answers are cut at a byte
cap while being written, and at most ``capacity`` queries are admitted at a time.
"""

from __future__ import annotations

import io
import multiprocessing
import queue
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

import pyoxigraph as ox

from ..queries.sparql_text import QueryShape, QuerySyntaxError, analyse
from . import sandbox
from .negotiation import choose

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class Outcome:
    """What the endpoint answers: an HTTP status, a media type and a body."""

    status: int
    media_type: str
    body: bytes


@dataclass(frozen=True)
class Limits:
    """What one query may cost, and how many may wait for a worker."""

    timeout: float = 10.0
    max_result_bytes: int = 5_000_000
    max_query_chars: int = 20_000
    # Queries admitted beyond those running; more are refused at once with 503.
    # Large enough that a burst from a few dozen clients waits rather than fails.
    queue: int = 32
    # Deeper bracket nesting is refused before a worker sees it: pyoxigraph's parser
    # recurses per bracket, and 9,000 nested "{" overflow a worker's stack.
    max_nesting: int = 128
    # Address space of each worker process, dataset included.
    worker_memory: int = 1 << 30


BUSY = "all query workers are busy; try again shortly"
CANCELLED = "the query was cancelled"
# A worker's first message: its dataset is loaded.
_READY = "ready"


def _error(status: int, message: str) -> Outcome:
    return Outcome(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


class _CappedWriter:
    """A file for ``serialize`` that keeps at most ``limit`` bytes, then refuses more.

    The answer is measured while it is written, so a huge result stops at the cap
    instead of being built whole in memory first.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buffer = io.BytesIO()
        self.overflowed = False

    def write(self, data: bytes) -> int:
        if self.buffer.tell() + len(data) > self.limit:
            self.overflowed = True
            raise OSError("result too large")
        return self.buffer.write(data)

    def flush(self) -> None:
        pass


def execute(
    store: ox.Store,
    text: str,
    accept: str | None,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    max_bytes: int,
) -> Outcome:
    """Run one query on ``store`` and serialise the answer as the client asked.

    ``default_graphs`` and ``named_graphs`` replace the query's own dataset; None leaves
    it (or, without FROM / FROM NAMED, the store's default graph and all named graphs).
    """
    try:
        results = store.query(
            text,
            default_graph=None
            if default_graphs is None
            else [ox.NamedNode(g) for g in default_graphs],
            named_graphs=None if named_graphs is None else [ox.NamedNode(g) for g in named_graphs],
        )
    except SyntaxError as exc:
        return _error(400, f"malformed query: {exc}")
    except (ValueError, OSError) as exc:
        return _error(400, f"query failed: {exc}")
    writer = _CappedWriter(max_bytes)
    try:
        if isinstance(results, ox.QueryTriples):
            media_type = choose(accept, list(GRAPH_TYPES))
            if media_type is None:
                return _error(406, "graph results are available as: " + ", ".join(GRAPH_TYPES))
            results.serialize(writer, GRAPH_TYPES[media_type])
        else:
            media_type = choose(accept, list(RESULT_TYPES))
            if media_type is None:
                return _error(406, "query results are available as: " + ", ".join(RESULT_TYPES))
            results.serialize(writer, RESULT_TYPES[media_type])
    except (ValueError, OSError) as exc:
        if not writer.overflowed:
            return _error(400, f"query failed: {exc}")
    if writer.overflowed:
        return _error(413, f"the result is larger than {max_bytes} bytes; add a LIMIT to the query")
    charset = "" if media_type.endswith("+xml") else "; charset=utf-8"
    return Outcome(200, media_type + charset, writer.buffer.getvalue())


# pyoxigraph recurses once per link of an operator chain (``1+1+…``) or of a MINUS
# sequence, which the nesting bound does not see: 9,000 "+" (18,000 characters) overflowed
# a worker's 8 MiB main-thread stack and killed it. Queries run on a thread with this
# stack, which holds chains as long as Limits.max_query_chars allows six times over.
QUERY_STACK_BYTES = 64 << 20


def _worker(conn: Connection, trig: bytes, max_bytes: int, memory: int) -> None:
    """Worker process: wall itself off, then answer queries on a thread with a deep stack."""
    wall = sandbox.wall_off_network()  # first: unshare() needs a single-threaded process
    sandbox.limit_memory(memory)
    threading.stack_size(QUERY_STACK_BYTES)
    answering = threading.Thread(target=_answer_queries, args=(conn, trig, max_bytes, wall))
    answering.start()
    answering.join()


def _answer_queries(conn: Connection, trig: bytes, max_bytes: int, wall: str | None) -> None:
    """Load the dataset once, then answer queries until the pipe closes. The first message
    names the network wall the worker stands behind."""
    store = ox.Store()
    store.load(trig, format=ox.RdfFormat.TRIG)
    conn.send((_READY, wall))
    while True:
        try:
            text, accept, default_graphs, named_graphs = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(execute(store, text, accept, default_graphs, named_graphs, max_bytes))


class WorkerStartError(RuntimeError):
    """A query worker could not be started at all (the service cannot open)."""


# How often a waiting or running query looks at its ``cancelled`` event.
_TICK = 0.05
# Longest a new worker may take to load the dataset before it is given up.
_STARTUP_TIMEOUT = 300.0


class QueryService:
    """A pool of query workers, a bounded queue in front of it, and a per-query time limit.

    ``capacity`` queries (``workers`` running plus ``limits.queue`` waiting) are admitted
    at a time; ``run`` refuses the next at once with 503 rather than letting requests
    pile up behind a slow query.
    """

    def __init__(
        self,
        trig: bytes,
        default_graphs: list[str],
        *,
        workers: int = 2,
        limits: Limits | None = None,
    ) -> None:
        self.trig = trig
        self.default_graphs = default_graphs
        self.limits = limits or Limits()
        self.capacity = workers + self.limits.queue
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[tuple[BaseProcess, Connection]] = queue.Queue()
        self._lock = threading.Lock()
        self._admitted = 0
        self._closed = False
        self._all: list[BaseProcess] = []
        # What stops the workers' own network access (sandbox.NAMESPACE or SECCOMP), or
        # None when nothing could be set up, as the latest worker reported it.
        self.network_wall: str | None = None
        self._warned_no_wall = False
        starting = [self._start() for _ in range(workers)]
        for process, conn in starting:
            if not self._ready(process, conn):
                self.close()
                raise WorkerStartError(
                    f"a query worker died or hung loading the dataset (is a worker memory of"
                    f" {self.limits.worker_memory >> 20} MiB too small?)"
                )
            self._idle.put((process, conn))

    def _start(self) -> tuple[BaseProcess, Connection]:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker,
            args=(child, self.trig, self.limits.max_result_bytes, self.limits.worker_memory),
            daemon=True,
        )
        process.start()
        child.close()
        with self._lock:
            self._all.append(process)
        return process, parent

    def _ready(self, process: BaseProcess, conn: Connection) -> bool:
        """Wait for a new worker's first message, sent once its dataset is loaded."""
        try:
            if conn.poll(_STARTUP_TIMEOUT):
                ready, wall = conn.recv()
                if ready == _READY:
                    self._report_wall(wall)
                    return True
        except (EOFError, OSError):
            pass
        self._retire(process, conn)
        return False

    def _report_wall(self, wall: str | None) -> None:
        """Record the worker's wall; without one, serve anyway (the SERVICE filter still
        holds) but say so on stderr, once."""
        self.network_wall = wall
        if wall is None and not self._warned_no_wall:
            self._warned_no_wall = True
            print(
                "warning: query workers run WITHOUT a network wall (no network namespace, no"
                " seccomp on this system); only the SERVICE filter stops outgoing requests",
                file=sys.stderr,
            )

    def _replace(self) -> None:
        """Start a worker in the background; it joins the pool once its dataset is loaded,
        so the time it takes to load never counts against a query's time limit."""

        def replace() -> None:
            while not self._closed:
                process, conn = self._start()
                if self._ready(process, conn):
                    self._idle.put((process, conn))
                    if self._closed:  # close() ran while this worker was loading
                        self._retire(process, conn)
                    return
                time.sleep(1)

        threading.Thread(target=replace, name="query-worker-replacement", daemon=True).start()

    def run(
        self,
        text: str,
        accept: str | None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        *,
        cancelled: threading.Event | None = None,
    ) -> Outcome:
        """Answer one query (blocking). Call from a thread, not the event loop.

        ``default_graphs`` and ``named_graphs`` are the protocol's ``default-graph-uri``
        and ``named-graph-uri`` (None when the request gave none). When ``cancelled`` is
        set, a waiting query is dropped and a running one's worker killed and replaced;
        ``run`` then returns promptly with a 503 nobody needs to send.
        """
        if len(text) > self.limits.max_query_chars:
            return _error(413, f"the query is longer than {self.limits.max_query_chars} characters")
        try:
            shape = analyse(text)
        except QuerySyntaxError as exc:
            return _error(400, f"malformed query: {exc}")
        if shape.is_update:
            return _error(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if shape.uses_service:
            return _error(403, "federated queries (SERVICE) are not run by this endpoint")
        if shape.depth > self.limits.max_nesting:
            return _error(
                400,
                f"the query nests deeper than {self.limits.max_nesting} levels"
                " (brackets and unary operators)",
            )
        with self._lock:
            if self._admitted >= self.capacity:
                return _error(503, BUSY)
            self._admitted += 1
        try:
            return self._dispatch(
                (text, accept, *self._dataset(shape, default_graphs, named_graphs)),
                cancelled or threading.Event(),
            )
        finally:
            with self._lock:
                self._admitted -= 1

    def _dataset(
        self, shape: QueryShape, default_graphs: list[str] | None, named_graphs: list[str] | None
    ) -> tuple[list[str] | None, list[str] | None]:
        """The RDF dataset, per SPARQL 1.1 Protocol §2.1.4: the request's graphs if it names
        any (a side it leaves out is empty), else the query's FROM / FROM NAMED, else the
        service's default graphs with every named graph available."""
        if default_graphs is not None or named_graphs is not None:
            return default_graphs or [], named_graphs or []
        if shape.has_dataset:
            return None, None
        return self.default_graphs, None

    def _dispatch(self, request: tuple[object, ...], cancelled: threading.Event) -> Outcome:
        deadline = time.monotonic() + self.limits.timeout
        while True:
            if cancelled.is_set():
                return _error(503, CANCELLED)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _error(503, BUSY)
            try:
                process, conn = self._idle.get(timeout=min(_TICK, remaining))
                break
            except queue.Empty:
                continue
        deadline = time.monotonic() + self.limits.timeout
        try:
            conn.send(request)
            while not conn.poll(min(_TICK, max(deadline - time.monotonic(), 0))):
                if cancelled.is_set():
                    message = CANCELLED
                    break
                if time.monotonic() >= deadline:
                    message = f"the query did not finish within {self.limits.timeout:g} s"
                    break
            else:
                outcome: Outcome = conn.recv()
                self._idle.put((process, conn))
                return outcome
        except (EOFError, OSError):
            message = "the query worker stopped unexpectedly"
        self._retire(process, conn)
        self._replace()
        return _error(503, message)

    def _retire(self, process: BaseProcess, conn: Connection) -> None:
        process.kill()
        process.join(timeout=5)
        conn.close()
        with self._lock:
            if process in self._all:
                self._all.remove(process)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        while True:
            try:
                process, conn = self._idle.get_nowait()
            except queue.Empty:
                break
            conn.close()
        with self._lock:
            for process in self._all:
                process.kill()
                process.join(timeout=5)
            self._all.clear()
