"""Remote faults: a fault-injecting HTTP server on 127.0.0.1 that is down, slow, failing,
cut off or answering nonsense. Idempotent requests are retried a bounded number of times
on transient faults only; every fault ends in a one-line error."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest
from rdflib import Dataset, Literal, URIRef

from checkout import ROOT
from local_servers import free_port, servers_in_threads
from spacecoop.cli import main
from spacecoop.queries import endpoint
from spacecoop.queries.endpoint import Backoff, EndpointError
from spacecoop.queries.results import QueryKind

FAST = Backoff(retries=2, base_delay=0.01)
"""Three attempts in all, with pauses short enough for a test."""

SPARQL_JSON = "application/sparql-results+json"
ASK_TRUE = b'{"head": {}, "boolean": true}'


@dataclass(frozen=True)
class Reply:
    """One scripted answer of the fault server."""

    status: int = 200
    content_type: str = SPARQL_JSON
    body: bytes = ASK_TRUE
    delay: float = 0.0
    """Seconds to wait before answering (past the client's timeout: a slow server)."""
    cut: bool = False
    """Announce more bytes than are sent, then close: an answer cut off midway."""


OK = Reply()


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers each request with the next scripted reply; the last one repeats."""

    server: FaultServer

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reply = self.server.next_reply(self.command)
        time.sleep(reply.delay)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        length = len(reply.body) * 2 if reply.cut else len(reply.body)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            self.wfile.write(reply.body)
        except OSError:  # the client gave up waiting (the slow replies)
            pass
        if reply.cut:
            self.close_connection = True

    do_POST = do_PUT = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        """Keep the test output clean."""


class FaultServer(http.server.ThreadingHTTPServer):
    """A local HTTP server that plays a script of replies and records the requests' methods."""

    daemon_threads = True

    def __init__(self, replies: Sequence[Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies = list(replies)
        self.methods: list[str] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"

    def next_reply(self, method: str) -> Reply:
        with self._lock:
            self.methods.append(method)
            return self.replies[min(len(self.methods), len(self.replies)) - 1]


@pytest.fixture
def fault_server() -> Iterator[Callable[..., FaultServer]]:
    """Factory: ``fault_server(reply, ...)`` starts a server playing those replies."""
    with servers_in_threads() as start:
        yield lambda *replies: start(FaultServer(replies))


def _ask(url: str, *, timeout: float = 5, backoff: Backoff = FAST) -> bool | None:
    return endpoint.query(url, "ASK {}", QueryKind.ASK, timeout=timeout, backoff=backoff).boolean


# --- transient faults are retried, then reported with the number of attempts ---------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_then_success_is_recovered_by_one_retry(
    status: int, fault_server: Callable[..., FaultServer]
) -> None:
    server = fault_server(Reply(status, "text/plain", b"busy"), OK)
    assert _ask(server.url) is True
    assert len(server.methods) == 2


def test_an_answer_cut_off_midway_is_retried(fault_server: Callable[..., FaultServer]) -> None:
    server = fault_server(Reply(cut=True), OK)
    assert _ask(server.url) is True
    assert len(server.methods) == 2


def test_a_server_that_always_fails_is_tried_a_bounded_number_of_times(
    fault_server: Callable[..., FaultServer],
) -> None:
    server = fault_server(Reply(503, "text/plain", b"overloaded"))
    with pytest.raises(EndpointError) as caught:
        _ask(server.url, backoff=Backoff(retries=3, base_delay=0.01))
    assert str(caught.value) == (
        f"{server.url}: answered HTTP 503 Service Unavailable (after 4 attempts)"
    )
    assert len(server.methods) == 4


def test_a_slow_server_times_out_on_every_attempt(
    fault_server: Callable[..., FaultServer],
) -> None:
    server = fault_server(Reply(delay=1.5))
    started = time.monotonic()
    with pytest.raises(EndpointError, match=r"no answer within 0\.2 s \(timeout\) \(after 2"):
        _ask(server.url, timeout=0.2, backoff=Backoff(retries=1, base_delay=0.01))
    assert time.monotonic() - started < 1.2  # two attempts of 0.2 s, not the server's 1.5 s
    assert len(server.methods) == 2


def test_an_endpoint_that_is_down_is_a_one_line_error_after_bounded_attempts() -> None:
    down = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    with pytest.raises(EndpointError) as caught:
        _ask(down)
    message = str(caught.value)
    assert message.startswith(f"{down}: cannot connect (")
    assert message.endswith("(after 3 attempts)") and "\n" not in message


# --- final faults are reported at once --------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "refused the query: QueryBadFormed"),
        (401, "refused the query: Unauthorized"),
        (403, "answered HTTP 403 Forbidden"),
        (404, "refused the query: EndPointNotFound"),
        (414, "refused the query: URITooLong"),
        (429, "answered HTTP 429 Too Many Requests"),
    ],
)
def test_a_client_error_is_not_retried(
    status: int, message: str, fault_server: Callable[..., FaultServer]
) -> None:
    server = fault_server(Reply(status, "text/plain", b"no"), OK)
    with pytest.raises(EndpointError) as caught:
        _ask(server.url)
    assert str(caught.value).startswith(f"{server.url}: {message}")
    assert "attempts" not in str(caught.value)
    assert len(server.methods) == 1


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(200, "text/html", b"<html>Welcome</html>"), "answered text/html, not SPARQL"),
        (Reply(200, SPARQL_JSON, b'{"head": {}, "boo'), "answered malformed SPARQL results"),
        (Reply(200, SPARQL_JSON, b""), "answered malformed SPARQL results JSON"),
        (Reply(200, "text/plain", ASK_TRUE), "answered text/plain, not SPARQL results JSON"),
        (Reply(200, "", ASK_TRUE), "answered no content type, not SPARQL results JSON"),
        (
            Reply(200, SPARQL_JSON, b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'),
            "answered SELECT results to a ASK query",
        ),
    ],
    ids=["html", "truncated-json", "empty", "wrong-type", "no-type", "wrong-form"],
)
def test_a_malformed_answer_is_a_clear_error_and_not_retried(
    reply: Reply, message: str, fault_server: Callable[..., FaultServer]
) -> None:
    server = fault_server(reply, OK)
    with pytest.raises(EndpointError, match=message):
        _ask(server.url)
    assert len(server.methods) == 1


def test_a_graph_answer_that_is_not_rdf_is_a_clear_error(
    fault_server: Callable[..., FaultServer],
) -> None:
    server = fault_server(Reply(200, "text/turtle", b"<a> <b> ."))
    with pytest.raises(EndpointError, match="answered malformed text/turtle"):
        endpoint.query(server.url, "CONSTRUCT {} WHERE {}", QueryKind.CONSTRUCT, timeout=5)


# --- the Graph Store: PUT is repeatable, a lone POST is not -------------------------------


GRAPH = URIRef("https://w3id.org/spacecoop/graph/test")


def _two_batch_dataset() -> Dataset:
    ds = Dataset()
    graph = ds.graph(GRAPH)
    for number in range(2):
        graph.add(
            (
                URIRef(f"https://example.org/s{number}"),
                URIRef("https://example.org/p"),
                Literal(number),
            )
        )
    return ds


def test_a_failed_post_sends_the_graph_again_from_its_put(
    fault_server: Callable[..., FaultServer],
) -> None:
    server = fault_server(OK, Reply(500, "text/plain", b"oops"), OK)
    loaded = endpoint.load_graphs(
        server.url, _two_batch_dataset(), batch_size=1, timeout=5, graphs=(GRAPH,), backoff=FAST
    )
    assert server.methods == ["PUT", "POST", "PUT", "POST"]
    assert [(item.triples, item.requests) for item in loaded] == [(2, 2)]


def test_a_refused_put_is_not_retried(fault_server: Callable[..., FaultServer]) -> None:
    server = fault_server(Reply(403, "text/plain", b"read-only"), OK)
    with pytest.raises(EndpointError, match="answered HTTP 403 Forbidden"):
        endpoint.load_graphs(
            server.url, _two_batch_dataset(), batch_size=1, timeout=5, graphs=(GRAPH,), backoff=FAST
        )
    assert server.methods == ["PUT"]


# --- the command line -------------------------------------------------------------------------


def test_retries_0_on_the_command_line_sends_one_request(
    fault_server: Callable[..., FaultServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server = fault_server(Reply(503, "text/plain", b"busy"))
    args = ["query", "topics", "--endpoint", server.url, "--retries", "0", "--root", str(ROOT)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err == f"error: {server.url}: answered HTTP 503 Service Unavailable\n"
    assert len(server.methods) == 1


def test_the_command_line_recovers_from_one_server_error(
    fault_server: Callable[..., FaultServer], capsys: pytest.CaptureFixture[str]
) -> None:
    results = b'{"head": {"vars": ["topic"]}, "results": {"bindings": []}}'
    server = fault_server(Reply(502, "text/plain", b"bad gateway"), Reply(body=results))
    args = ["query", "topics", "--endpoint", server.url, "--retries", "1", "--format", "csv"]
    assert main([*args, "--root", str(ROOT)]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("topic")
    assert len(server.methods) == 2


# --- the backoff itself -----------------------------------------------------------------------


def test_backoff_doubles_is_capped_and_jittered() -> None:
    backoff = Backoff(retries=6, base_delay=1.0, max_delay=5.0)
    for retry, ceiling in enumerate([1.0, 2.0, 4.0, 5.0, 5.0]):
        delays = [backoff.delay(retry) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered: clients that failed together spread out


def test_backoff_refuses_negative_settings() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        Backoff(retries=-1)
