"""Remote answers bounded in time and size: endpoints on 127.0.0.1 that trickle an answer one
byte at a time, or stream 1 GiB (generated, never stored). ``--timeout`` bounds a whole
attempt, ``--max-bytes`` a whole answer, on every remote operation, and the client's memory
stays bounded by the cap."""

from __future__ import annotations

import os
import socket
import socketserver
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

from checkout import ROOT
from local_servers import servers_in_threads
from spacecoop.cli import main
from spacecoop.queries import endpoint
from spacecoop.queries.endpoint import Backoff, EndpointError
from spacecoop.queries.results import QueryKind

ONCE = Backoff(retries=0)
THRICE = Backoff(retries=2, base_delay=0.01)

GIB = 1024**3
MIB = 1024**2
TRICKLE_SECONDS = 20.0
"""How long a trickling endpoint keeps going: a client that is not bounded waits all of it."""
HANG_GUARD = 10.0
"""A generous bound for an attempt of 2 s on a busy machine, far below TRICKLE_SECONDS."""

_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
ASK_TRUE = b'{"head": {}, "boolean": true}'


@dataclass
class Behaviour:
    """What the endpoint sends after reading a request: ``head`` then ``body`` chunks, each
    after a ``pause``; it stops early when the client hangs up."""

    head: bytes
    body: Callable[[], Iterator[bytes]]
    pause: float = 0.0


def _trickle(data: bytes) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        for index in range(len(data)):
            yield data[index : index + 1]

    return chunks


def _repeat(total: int, chunked: bool) -> Callable[[], Iterator[bytes]]:
    block = b"x" * MIB

    def chunks() -> Iterator[bytes]:
        for _ in range(total // MIB):
            yield b"%x\r\n%s\r\n" % (len(block), block) if chunked else block
        if chunked:
            yield b"0\r\n\r\n"

    return chunks


TRICKLING_BODY = Behaviour(
    f"{_HEAD}Content-Length: 1000\r\n\r\n".encode(),
    _trickle(b" " * int(TRICKLE_SECONDS / 0.5)),
    pause=0.5,
)
TRICKLING_HEADERS = Behaviour(
    b"HTTP/1.1 200 OK\r\n", _trickle(b"X-Slow: " + b"y" * int(TRICKLE_SECONDS / 0.5)), pause=0.5
)
HUGE_CHUNKED = Behaviour(f"{_HEAD}Transfer-Encoding: chunked\r\n\r\n".encode(), _repeat(GIB, True))
HUGE_UNSIZED = Behaviour(f"{_HEAD}Connection: close\r\n\r\n".encode(), _repeat(GIB, False))
HUGE_ANNOUNCED = Behaviour(f"{_HEAD}Content-Length: {GIB}\r\n\r\n".encode(), _repeat(GIB, False))


class _Handler(socketserver.StreamRequestHandler):
    server: StreamingServer

    def handle(self) -> None:
        length = 0
        while (line := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        self.rfile.read(length)
        self.server.requests += 1
        behaviour = self.server.behaviour
        try:
            self._send(behaviour.head)
            for chunk in behaviour.body():
                time.sleep(behaviour.pause)
                self._send(chunk)
        except OSError:  # the client hung up: what these tests expect of it
            pass

    def _send(self, data: bytes) -> None:
        self.connection.sendall(data)
        self.server.sent += len(data)


class StreamingServer(socketserver.ThreadingTCPServer):
    """An HTTP endpoint on 127.0.0.1 that answers every request as ``behaviour`` says."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, behaviour: Behaviour) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = behaviour
        self.requests = 0
        self.sent = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"


@pytest.fixture
def serving() -> Iterator[Callable[[Behaviour], StreamingServer]]:
    """Factory: ``serving(behaviour)`` starts an endpoint that answers so."""
    with servers_in_threads() as start:
        yield lambda behaviour: start(StreamingServer(behaviour))


@dataclass(frozen=True)
class Timed:
    """A command line run: its exit status, its stderr and how long it took."""

    status: int
    err: str
    seconds: float


def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> Timed:
    started = time.monotonic()
    status = main(args)
    return Timed(status, capsys.readouterr().err, time.monotonic() - started)


# --- a deadline per attempt -------------------------------------------------------------------


@pytest.mark.parametrize("behaviour", [TRICKLING_BODY, TRICKLING_HEADERS], ids=["body", "headers"])
def test_a_trickling_endpoint_is_given_up_at_the_deadline_not_when_it_stops(
    behaviour: Behaviour,
    serving: Callable[[Behaviour], StreamingServer],
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = serving(behaviour)
    args = ["query", "topics", "--endpoint", server.url, "--timeout", "2", "--retries", "0"]
    run = _run_cli([*args, "--root", str(ROOT)], capsys)
    assert run.seconds < HANG_GUARD  # 2 s and a margin, not the endpoint's 20 s
    assert run.status == 1
    assert run.err == f"error: {server.url}: no answer within 2 s (timeout)\n"
    assert server.requests == 1


def test_a_missed_deadline_is_retried_and_each_attempt_is_bounded(
    serving: Callable[[Behaviour], StreamingServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server = serving(TRICKLING_BODY)
    args = ["query", "topics", "--endpoint", server.url, "--timeout", "1", "--retries", "1"]
    run = _run_cli([*args, "--root", str(ROOT)], capsys)
    assert run.seconds < HANG_GUARD  # two attempts of 1 s and one backoff pause
    assert run.status == 1
    assert run.err.endswith("no answer within 1 s (timeout) (after 2 attempts)\n")
    assert server.requests == 2


def test_validate_endpoint_download_is_bounded_by_the_deadline(
    serving: Callable[[Behaviour], StreamingServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server = serving(TRICKLING_BODY)
    args = ["validate", "--endpoint", server.url, "--timeout", "2", "--retries", "0"]
    run = _run_cli([*args, "--root", str(ROOT)], capsys)
    assert run.seconds < HANG_GUARD
    assert (run.status, run.err) == (
        1,
        f"error: {server.url}: no answer within 2 s (timeout)\n",
    )


GRAPH = URIRef("https://w3id.org/spacecoop/graph/test")


def _one_triple() -> Dataset:
    ds = Dataset()
    ds.graph(GRAPH).add(
        (URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal(1))
    )
    return ds


def test_a_graph_store_that_trickles_its_answer_to_a_put_is_given_up_at_the_deadline(
    serving: Callable[[Behaviour], StreamingServer],
) -> None:
    server = serving(TRICKLING_BODY)
    started = time.monotonic()
    with pytest.raises(EndpointError, match=r"no answer within 2 s \(timeout\)$"):
        endpoint.load_graphs(
            server.url, _one_triple(), batch_size=10, timeout=2, graphs=(GRAPH,), backoff=ONCE
        )
    assert time.monotonic() - started < HANG_GUARD
    assert server.requests == 1


def test_counting_triples_after_a_load_is_bounded_by_the_deadline(
    serving: Callable[[Behaviour], StreamingServer],
) -> None:
    server = serving(TRICKLING_HEADERS)
    loaded = [endpoint.LoadedGraph(GRAPH, 1, 1)]
    started = time.monotonic()
    with pytest.raises(EndpointError, match=r"no answer within 2 s \(timeout\)$"):
        endpoint.verify(server.url, loaded, timeout=2, backoff=ONCE)
    assert time.monotonic() - started < HANG_GUARD


def test_the_load_command_is_bounded_by_the_deadline(
    serving: Callable[[Behaviour], StreamingServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server = serving(TRICKLING_BODY)
    args = ["load", "--endpoint", server.url, "--timeout", "2", "--retries", "0"]
    run = _run_cli([*args, "--root", str(ROOT)], capsys)
    assert run.seconds < HANG_GUARD + 10  # loading the repository's graphs comes first
    assert run.status == 1
    assert run.err.startswith(f"error: {server.url}?graph=")
    assert run.err.endswith(": no answer within 2 s (timeout)\n")


# --- a byte cap per answer --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "kind", "text"),
    [
        (HUGE_CHUNKED, QueryKind.ASK, "ASK {}"),
        (HUGE_UNSIZED, QueryKind.CONSTRUCT, "CONSTRUCT WHERE { ?s ?p ?o }"),
    ],
    ids=["chunked", "unsized"],
)
def test_an_answer_past_the_cap_is_refused_once_and_reading_stops_there(
    behaviour: Behaviour,
    kind: QueryKind,
    text: str,
    serving: Callable[[Behaviour], StreamingServer],
) -> None:
    server = serving(behaviour)
    with pytest.raises(EndpointError) as caught:
        endpoint.query(server.url, text, kind, timeout=30, backoff=THRICE, max_bytes=5 * MIB)
    assert str(caught.value) == (
        f"{server.url}: answer larger than the max-bytes cap of {5 * MIB} bytes, refused"
    )
    assert server.requests == 1  # final: a larger answer will not come smaller next time
    time.sleep(0.5)  # let the endpoint notice the hang-up
    assert server.sent < 5 * MIB + 64 * MIB  # the cap and what socket buffers hold, not 1 GiB


def test_an_announced_length_past_the_cap_is_refused_before_reading(
    serving: Callable[[Behaviour], StreamingServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server = serving(HUGE_ANNOUNCED)
    args = ["query", "topics", "--endpoint", server.url, "--max-bytes", "1000"]
    run = _run_cli([*args, "--root", str(ROOT)], capsys)
    assert run.status == 1
    assert run.err == (
        f"error: {server.url}: announced an answer of {GIB} bytes, "
        "over the max-bytes cap of 1000 bytes, refused\n"
    )
    assert server.requests == 1


def test_a_chunked_answer_within_the_cap_is_read_whole(
    serving: Callable[[Behaviour], StreamingServer],
) -> None:
    chunks = [ASK_TRUE[:10], ASK_TRUE[10:], b""]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
    head = f"{_HEAD}Transfer-Encoding: chunked\r\n\r\n".encode()
    server = serving(Behaviour(head, lambda: iter([framed])))
    answer = endpoint.query(server.url, "ASK {}", QueryKind.ASK, timeout=5, max_bytes=1000)
    assert answer.boolean is True


@pytest.mark.parametrize("announced", [False, True], ids=["unsized", "sized"])
def test_an_answer_of_exactly_the_cap_is_taken_and_one_byte_more_is_not(
    announced: bool, serving: Callable[[Behaviour], StreamingServer]
) -> None:
    cap = 100_000

    def answering(size: int) -> Behaviour:
        length = f"Content-Length: {size}" if announced else "Connection: close"
        body = ASK_TRUE.ljust(size)  # JSON allows the trailing spaces
        return Behaviour(f"{_HEAD}{length}\r\n\r\n".encode(), lambda: iter([body]))

    exact = serving(answering(cap))
    answer = endpoint.query(exact.url, "ASK {}", QueryKind.ASK, timeout=5, max_bytes=cap)
    assert answer.boolean is True
    over = serving(answering(cap + 1))
    with pytest.raises(EndpointError) as caught:
        endpoint.query(over.url, "ASK {}", QueryKind.ASK, timeout=5, max_bytes=cap)
    refusal = f"announced an answer of {cap + 1} bytes, over" if announced else "answer larger than"
    assert str(caught.value) == f"{over.url}: {refusal} the max-bytes cap of {cap} bytes, refused"


def test_a_graph_store_answer_past_the_cap_is_refused(
    serving: Callable[[Behaviour], StreamingServer],
) -> None:
    server = serving(HUGE_CHUNKED)
    with pytest.raises(
        EndpointError, match=f"answer larger than the max-bytes cap of {MIB} bytes, refused$"
    ):
        endpoint.load_graphs(
            server.url,
            _one_triple(),
            batch_size=10,
            timeout=30,
            graphs=(GRAPH,),
            backoff=THRICE,
            max_bytes=MIB,
        )
    assert server.requests == 1


def test_max_bytes_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["query", "topics", "--endpoint", "http://127.0.0.1:9/", "--max-bytes", "0"])
    assert caught.value.code == 2
    assert "--max-bytes: must be at least 1, not 0" in capsys.readouterr().err


def test_the_byte_cap_is_documented_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("query", "load", "validate"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "--max-bytes N" in capsys.readouterr().out


# --- memory stays bounded by the cap ----------------------------------------------------------


def test_a_1_gib_answer_leaves_the_client_well_below_the_answer_size(
    serving: Callable[[Behaviour], StreamingServer], tmp_path: Path
) -> None:
    """The default cap (100 MB) against 1 GiB streamed: the client process's peak RSS,
    read from the kernel's accounting of that one child, stays under cap + 200 MB."""
    server = serving(HUGE_CHUNKED)
    command = "import sys; from spacecoop.cli import main; sys.exit(main(sys.argv[1:]))"
    args = ["query", "topics", "--endpoint", server.url, "--retries", "0", "--root", str(ROOT)]
    err = tmp_path / "stderr"
    with err.open("wb") as err_file:
        child = subprocess.Popen(
            [sys.executable, "-c", command, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err_file,
        )
        _, wait_status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(wait_status)  # reaped here, not by Popen
    peak_bytes = usage.ru_maxrss * 1024  # kilobytes on Linux
    cap = endpoint.DEFAULT_MAX_BYTES
    assert child.returncode == 1
    assert err.read_text() == (
        f"error: {server.url}: answer larger than the max-bytes cap of {cap} bytes, refused\n"
    )
    assert peak_bytes < cap + 200 * MIB, f"peak RSS {peak_bytes / MIB:.0f} MiB"
    print(f"peak RSS of the client against 1 GiB: {peak_bytes / MIB:.0f} MiB")


# --- only http: and https: ------------------------------------------------------------------


def test_a_redirect_to_ftp_is_not_followed(serving: Callable[[Behaviour], StreamingServer]) -> None:
    """urllib follows redirects to ftp:, with neither bound; the client opens http(s) only."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        target = f"ftp://127.0.0.1:{listener.getsockname()[1]}/data"
        head = f"HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\n\r\n"
        server = serving(Behaviour(head.encode(), lambda: iter([])))
        with pytest.raises(EndpointError) as caught:
            endpoint.query(server.url, "ASK {}", QueryKind.ASK, timeout=2, backoff=ONCE)
        assert str(caught.value) == f"{server.url}: cannot connect (unknown url type: ftp)"
        listener.settimeout(0.5)
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody came
