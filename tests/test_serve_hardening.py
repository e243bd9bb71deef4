"""The server under load and abuse (issue 16): pages never wait behind queries, abandoned
queries are cancelled, half-open connections cannot use up the file descriptors, files
answer conditional requests, answers chosen by ``Accept`` say ``Vary: Accept``, and a busy
port is one error line. Most tests run ``spacecoop serve`` as a second process."""

from __future__ import annotations

import asyncio
import http.client
import os
import resource
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest
import uvicorn

from checkout import SPACECOOP
from local_servers import descendants, free_port, stop
from spacecoop.serve import create_app, listen
from spacecoop.serve.connections import HEADER_TIMEOUT, Guard
from spacecoop.serve.sparql import Outcome

SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SPARQL_JSON = "application/sparql-results+json"
RESOURCE = "/id/event/first-symposium-2018"
PAGES = ["/index.html", RESOURCE, RESOURCE + ".html", "/static/style.css", "/queries.html"]


@contextmanager
def running_server(
    site: Path,
    *options: str,
    preexec_fn: Callable[[], None] | None = None,
    log: Path = Path(os.devnull),
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``spacecoop serve --dist SITE OPTIONS`` on a free port: the process and its base URL.

    Its standard error goes to ``log`` (a file, not a pipe that could fill and stall it).
    """
    port = free_port()
    command = [SPACECOOP, "serve", "--dist", site, "--port", str(port), *options]
    with log.open("wb") as stderr:
        server = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stderr=stderr, preexec_fn=preexec_fn
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/index.html", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, "spacecoop serve exited"
            assert time.monotonic() < deadline, "spacecoop serve did not answer within 60 s"
            time.sleep(0.2)
        yield server, base
    finally:
        workers = descendants(server.pid)
        stop(server, timeout=20)
        for pid in workers:  # never leave a query worker behind, whatever happened
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _address(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _timed_get(base: str, path: str, accept: str = "text/html") -> tuple[int, float]:
    """Status and seconds of one GET on a fresh connection (a redirect is not followed)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(*_address(base), timeout=30)
    try:
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status, time.monotonic() - started


def _abandon(base: str, paths: list[str]) -> None:
    """Send each GET and close its socket at once, without waiting for the answer."""
    for path in paths:
        with socket.create_connection(_address(base), timeout=10) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: {SPARQL_JSON}\r\n\r\n".encode()
            )


# --- 1. pages never starve behind queries ------------------------------------------------


def test_pages_answer_at_once_while_abandoned_slow_queries_run(site: Path) -> None:
    """Reproduction: 120 slow queries sent and abandoned held every thread of the shared pool
    (a static page took 30 s), and were never cancelled."""
    with running_server(site, "--timeout", "60", "--workers", "2") as (_, base):
        abandoned_at = time.monotonic()
        _abandon(base, [f"/sparql?query={quote(SLOW_QUERY)}"] * 120)
        slowest = 0.0
        while time.monotonic() < abandoned_at + 4:
            for path in PAGES:
                status, seconds = _timed_get(base, path)
                assert status in (200, 303), path
                slowest = max(slowest, seconds)
        assert slowest < 1.0, f"a page took {slowest:.2f} s behind the abandoned queries"
        # Their workers are freed: a new query runs long before the 60 s timeout.
        while True:
            status, _ = _timed_get(base, f"/sparql?query={quote(COUNT_QUERY)}", SPARQL_JSON)
            if status == 200:
                break
            assert status == 503
            assert time.monotonic() < abandoned_at + 25, "the abandoned queries still hold it"
            time.sleep(0.5)


class BlockingService:
    """A stand-in for QueryService whose queries run until their client goes away."""

    capacity = 2

    def __init__(self) -> None:
        self.threads: list[str] = []
        self.cancelled: list[threading.Event] = []
        self.started = threading.Semaphore(0)

    def run(
        self,
        text: str,
        accept: str | None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        *,
        cancelled: threading.Event | None = None,
    ) -> Outcome:
        assert cancelled is not None
        self.threads.append(threading.current_thread().name)
        self.cancelled.append(cancelled)
        self.started.release()
        cancelled.wait(timeout=30)
        return Outcome(503, "text/plain", b"cancelled\n")

    def close(self) -> None:
        pass


async def _get(app: Callable, path: str, gone: asyncio.Event) -> tuple[int, dict[str, str]]:
    """One GET to the ASGI app; the client stays until ``gone`` is set, then disconnects."""
    raw, _, query = path.encode().partition(b"?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw.decode(),
        "raw_path": raw,
        "query_string": query,
        "root_path": "",
        "headers": [(b"accept", SPARQL_JSON.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    delivered = False
    started: dict = {}

    async def receive() -> dict:
        nonlocal delivered
        if delivered:
            await gone.wait()
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            started.update(message)

    await app(scope, receive, send)
    headers = {k.decode().lower(): v.decode() for k, v in started["headers"]}
    return started["status"], headers


def test_queries_run_on_their_own_threads_are_refused_when_full_and_cancelled_when_left(
    site: Path,
) -> None:
    service = BlockingService()
    app = create_app(site, service)  # type: ignore[arg-type]
    path = f"/sparql?query={quote(COUNT_QUERY)}"

    async def scenario() -> None:
        first, second = asyncio.Event(), asyncio.Event()
        running = [asyncio.ensure_future(_get(app, path, gone)) for gone in (first, second)]
        for _ in running:
            assert await asyncio.to_thread(service.started.acquire, timeout=10)
        # Full: the next query is refused at once, and told when to come back.
        status, headers = await asyncio.wait_for(_get(app, path, asyncio.Event()), 5)
        assert status == 503 and headers["retry-after"].isdigit()
        assert headers["vary"] == "Accept"
        assert "default-src 'self'" in headers["content-security-policy"]
        # The first client goes away: its query is cancelled and its slot freed.
        first.set()
        await asyncio.wait_for(running[0], 5)
        assert service.cancelled[0].is_set() and not service.cancelled[1].is_set()
        third = asyncio.Event()
        again = asyncio.ensure_future(_get(app, path, third))
        assert await asyncio.to_thread(service.started.acquire, timeout=10)
        second.set()
        third.set()
        await asyncio.wait_for(asyncio.gather(running[1], again), 5)

    asyncio.run(scenario())
    assert len(service.threads) == 3
    # Not the shared pool that file responses need (anyio's worker threads).
    assert all(name.startswith("sparql") for name in service.threads), service.threads


# --- 2. header-read timeout and a connection cap -------------------------------------------


def _half_open(base: str, count: int) -> list[socket.socket]:
    """``count`` connections that each send part of a request's headers, then nothing."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(_address(base), timeout=30)
        sock.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n")
        sockets.append(sock)
    return sockets


def _open_files(limit: int) -> Callable[[], None]:
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


def test_pages_answer_despite_300_half_open_connections_with_256_file_descriptors(
    site: Path, tmp_path: Path
) -> None:
    """Reproduction: with 256 file descriptors, 300 half-open requests made every page time
    out ("Too many open files")."""
    log = tmp_path / "stderr.log"
    with ExitStack() as stack:
        _, base = stack.enter_context(running_server(site, preexec_fn=_open_files(256), log=log))
        for sock in _half_open(base, 300):
            stack.enter_context(sock)
        for path in PAGES:
            status, seconds = _timed_get(base, path)
            assert status in (200, 303), path
            # Well within the header timeout: room was made by closing the oldest half-open.
            assert seconds < HEADER_TIMEOUT - 1, f"{path} took {seconds:.2f} s"
    # The cap kept the server below its limit: it never ran out of descriptors.
    assert "Too many open files" not in log.read_text(errors="replace")


def test_a_request_whose_headers_do_not_arrive_in_time_is_closed(site: Path) -> None:
    with running_server(site) as (_, base):
        (silent,) = _half_open(base, 1)
        with silent:
            silent.settimeout(HEADER_TIMEOUT + 15)
            assert silent.recv(4096) == b""  # closed by the server, not timed out here
        # A client that sends its request in time is served on the same server.
        assert _timed_get(base, "/index.html")[0] == 200


def test_serve_raises_its_soft_open_file_limit_to_the_hard_one(site: Path, tmp_path: Path) -> None:
    def low_soft_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 4096))

    log = tmp_path / "stderr.log"
    with running_server(site, preexec_fn=low_soft_limit, log=log) as (server, base):
        assert resource.prlimit(server.pid, resource.RLIMIT_NOFILE) == (4096, 4096)
    # And it said where it serves once the port was its own.
    assert log.read_text().splitlines()[0] == f"serving on {base}/ (Ctrl-C stops)"


# --- 3 and 4. conditional requests, Vary ----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        RESOURCE + ".ttl",
        RESOURCE + ".html",
        RESOURCE + ".jsonld",
        "/def.ttl",
        "/.well-known/void",
        "/.well-known/sparql-examples/",
        "/index.html",
        "/static/style.css",
        "/spacecoop.trig",
    ],
)
def test_files_answer_304_when_the_clients_copy_is_current(server: str, path: str) -> None:
    """Reproduction: /id/*.ttl sent an ETag but ignored If-None-Match."""
    with httpx.Client(base_url=server, timeout=30) as client:
        first = client.get(path)
        assert first.status_code == 200 and first.content
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        for condition in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
            again = client.get(path, headers=condition)
            assert again.status_code == 304, condition
            assert again.content == b"" and again.headers["etag"] == etag
            assert again.headers["x-content-type-options"] == "nosniff"
        changed = client.get(path, headers={"If-None-Match": '"another-version"'})
        assert changed.status_code == 200 and changed.content == first.content


@pytest.mark.parametrize(
    ("path", "accept", "status"),
    [
        (f"/sparql?query={quote(COUNT_QUERY)}", SPARQL_JSON, 200),
        (f"/sparql?query={quote(COUNT_QUERY)}", "text/csv", 200),
        (f"/sparql?query={quote(COUNT_QUERY)}", "image/png", 406),
        ("/queries/events-timeline", SPARQL_JSON, 200),
        ("/queries/events-timeline", "text/html", 200),
        ("/queries/events-timeline", "image/png", 406),
        (RESOURCE, "text/turtle", 303),
        (RESOURCE, "image/png", 406),
    ],
)
def test_answers_chosen_by_accept_say_vary_accept(
    server: str, path: str, accept: str, status: int
) -> None:
    """Reproduction: /sparql and /queries/NAME varied by Accept without saying so."""
    response = httpx.get(server + path, headers={"Accept": accept}, timeout=30)
    assert response.status_code == status
    assert "accept" in response.headers["vary"].lower()


def test_a_posted_query_says_vary_accept(server: str) -> None:
    response = httpx.post(
        server + "/sparql",
        content=COUNT_QUERY,
        headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON},
        timeout=30,
    )
    assert response.status_code == 200 and response.headers["vary"] == "Accept"


# --- 5. a busy port -------------------------------------------------------------------------


def test_serve_on_a_busy_port_is_one_error_line_and_exit_4(site: Path) -> None:
    """Reproduction: serve printed "serving on …" and exited 3."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = subprocess.run(
            [SPACECOOP, "serve", "--dist", site, "--port", str(port)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert finished.returncode == 4, finished.stderr
    (line,) = finished.stderr.splitlines()
    assert line.startswith("error: ") and f"127.0.0.1:{port}" in line
    assert "in use" in line.lower()


# --- the connection guard itself, on a small uvicorn server in a thread ----------------------


@contextmanager
def guarded_server(
    guard: Guard, release: threading.Event, arrived: threading.Semaphore | None = None
) -> Iterator[tuple[str, int]]:
    """uvicorn with ``guard``'s protocol; ``/hold`` releases ``arrived`` on arrival and
    answers only once ``release`` is set."""

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        if scope["path"] == "/hold":
            if arrived is not None:
                arrived.release()
            await asyncio.to_thread(release.wait, 30)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    sock = listen("127.0.0.1", 0)
    config = uvicorn.Config(app, http=guard.protocol, lifespan="off", log_level="critical")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        yield sock.getsockname()
    finally:
        release.set()
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def _connect(address: tuple[str, int], data: bytes) -> socket.socket:
    sock = socket.create_connection(address, timeout=10)
    sock.sendall(data)
    return sock


def _closed(sock: socket.socket, within: float) -> bool:
    """True if the server closes ``sock`` within ``within`` seconds (anything it sent is read)."""
    sock.settimeout(within)
    try:
        while chunk := sock.recv(4096):
            if b"HTTP/1.1 200" in chunk:
                return False
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def _wait_until(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


PARTIAL = b"GET / HTTP/1.1\r\nHost: x\r\n"
COMPLETE = PARTIAL + b"\r\n"


def test_the_connection_waiting_longest_for_its_headers_makes_room_for_a_newcomer() -> None:
    guard = Guard(max_connections=3, header_timeout=60)
    with guarded_server(guard, threading.Event()) as address, ExitStack() as stack:
        waiting = []
        for count in (1, 2, 3):
            waiting.append(stack.enter_context(_connect(address, PARTIAL)))
            _wait_until(lambda count=count: len(guard.waiting) == count)
        newcomer = stack.enter_context(_connect(address, COMPLETE))
        assert b"200" in newcomer.recv(4096).split(b"\r\n")[0]
        assert _closed(waiting[0], within=5)
        assert not any(_closed(sock, within=0.3) for sock in waiting[1:])


def test_a_connection_with_a_request_in_hand_is_never_closed_for_room() -> None:
    guard, release = Guard(max_connections=2, header_timeout=60), threading.Event()
    arrived = threading.Semaphore(0)
    with guarded_server(guard, release, arrived) as address, ExitStack() as stack:
        held = [stack.enter_context(_connect(address, COMPLETE.replace(b"/", b"/hold", 1)))]
        held.append(stack.enter_context(_connect(address, COMPLETE.replace(b"/", b"/hold", 1))))
        for _ in held:  # both requests are in the application now
            assert arrived.acquire(timeout=10)
        refused = stack.enter_context(_connect(address, COMPLETE))
        assert _closed(refused, within=5)  # no room and no one to close: the newcomer goes
        release.set()
        for sock in held:
            sock.settimeout(10)
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")


SLOW_BODY = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\nS"


def test_connections_still_sending_their_body_make_room_for_a_newcomer() -> None:
    """Red team of issue 16: with every connection trickling a POST body (headers in,
    body due within 30 s), a newcomer was refused: 150 of them shut out every page of a
    server with 256 file descriptors, for as long as the attacker kept reconnecting."""
    guard = Guard(max_connections=3, header_timeout=60, body_timeout=60)
    with guarded_server(guard, threading.Event()) as address, ExitStack() as stack:
        slow = []
        for count in (1, 2, 3):
            slow.append(stack.enter_context(_connect(address, SLOW_BODY)))
            _wait_until(lambda count=count: len(guard.sending) == count)
        assert not guard.waiting
        newcomer = stack.enter_context(_connect(address, COMPLETE))
        newcomer.settimeout(10)
        assert newcomer.recv(4096).startswith(b"HTTP/1.1 200")
        assert _closed(slow[0], within=5)  # the one sending longest made room
        assert not any(_closed(sock, within=0.3) for sock in slow[1:])


def test_each_request_has_a_deadline_for_its_headers_and_its_body() -> None:
    guard = Guard(header_timeout=0.5, body_timeout=0.5)
    with guarded_server(guard, threading.Event()) as address, ExitStack() as stack:
        silent = stack.enter_context(_connect(address, b""))
        partial = stack.enter_context(_connect(address, PARTIAL))
        body = stack.enter_context(
            _connect(address, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12")
        )
        # A keep-alive connection: the second request's headers get the same deadline.
        again = stack.enter_context(_connect(address, COMPLETE))
        again.settimeout(10)
        assert again.recv(4096).startswith(b"HTTP/1.1 200")
        again.sendall(PARTIAL)
        for sock in (silent, partial, body, again):
            assert _closed(sock, within=10)
        assert not guard.waiting
        on_time = stack.enter_context(_connect(address, COMPLETE))
        on_time.settimeout(10)
        assert on_time.recv(4096).startswith(b"HTTP/1.1 200")
