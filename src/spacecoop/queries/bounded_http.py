"""HTTP requests bounded in time and size: one deadline for the whole exchange, one byte cap.

urllib (and SPARQLWrapper above it) only bound each socket operation: a server
that sends one byte just before every timeout keeps a request alive forever,
and ``response.read()`` takes whatever size it is given. Here every attempt
gets a :class:`Budget`: each connect, send and receive on the connection
(redirects included) is given only the time left before the deadline. The
answer's body may take ``max_bytes``; everything else received (status line,
headers, chunk framing, a redirect's body) gets a fixed allowance on top, so
reading stops there and memory stays bounded by the cap.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from functools import partial
from typing import Any

__all__ = ["DEFAULT_MAX_BYTES", "Answer", "AnswerTooLarge", "Budget", "fetch"]

DEFAULT_MAX_BYTES = 100_000_000
"""Bytes an answer may take (100 MB): far above our whole dataset, far below a machine's memory."""

_CHUNK = 64 * 1024
_ALLOWANCE = 1024 * 1024
"""Bytes received beyond the body's cap for headers and framing: real ones take a few KB."""


class AnswerTooLarge(Exception):
    """The server sent, or announced, more bytes than the cap allows."""


@dataclass
class Budget:
    """What one attempt may still spend: time until ``deadline`` and bytes up to ``max_bytes``."""

    timeout: float
    max_bytes: int
    deadline: float = field(init=False)
    received: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.timeout

    def remaining(self) -> float:
        """Seconds left; TimeoutError once the deadline has passed."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"deadline of {self.timeout:g} s passed")
        return left

    def spend(self, received: int) -> None:
        """Count ``received`` bytes off the socket; AnswerTooLarge past the cap and allowance."""
        self.received += received
        if self.received > self.max_bytes + _ALLOWANCE:
            raise self.too_large()

    def too_large(self) -> AnswerTooLarge:
        return AnswerTooLarge(
            f"answer larger than the max-bytes cap of {self.max_bytes} bytes, refused"
        )


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer with a success status."""

    content_type: str | None
    body: bytes


def fetch(request: urllib.request.Request, *, timeout: float, max_bytes: int) -> Answer:
    """Send ``request`` and read its whole answer within ``timeout`` seconds and ``max_bytes``.

    Raises TimeoutError (also inside urllib.error.URLError) at the deadline,
    AnswerTooLarge at the cap, urllib.error.HTTPError for an error status
    (its body unread), and the usual urllib and http.client errors.
    """
    budget = Budget(timeout, max_bytes)
    opener = _opener(budget)
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()  # its body may be as large as any other: never read it
        raise
    with response:
        return Answer(response.headers.get("Content-Type"), _read_body(response, budget))


def _opener(budget: Budget) -> urllib.request.OpenerDirector:
    """urllib's usual opener for HTTP and HTTPS (proxies, redirects, error statuses), but with
    bounded connections and nothing else: no ftp: or file: URL, not even by a redirect."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _HTTPHandler(budget),
        _HTTPSHandler(budget),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _read_body(response: http.client.HTTPResponse, budget: Budget) -> bytes:
    if response.length is not None and response.length > budget.max_bytes:
        raise AnswerTooLarge(
            f"announced an answer of {response.length} bytes, over the max-bytes cap of "
            f"{budget.max_bytes} bytes, refused"
        )
    body = bytearray()
    # Chunked or not, never ask for more than one byte past the cap: enough to know it is passed.
    while chunk := response.read(min(_CHUNK, budget.max_bytes + 1 - len(body))):
        body += chunk
        if len(body) > budget.max_bytes:
            raise budget.too_large()
    if response.length:  # read(amt), unlike read(), ends quietly when the server closes early
        raise http.client.IncompleteRead(body, response.length)
    return bytes(body)


class _MeteredReader(io.RawIOBase):
    """The connection's socket as http.client reads it: each read gets the time left and
    counts against the cap and allowance. Status line, headers, chunk framing and body all
    pass here."""

    def __init__(self, sock: socket.socket, budget: Budget) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open while we read
        self._budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._budget.remaining())
        received = self._raw.readinto(buffer) or 0
        self._budget.spend(received)
        return received

    def close(self) -> None:
        self._raw.close()
        super().close()


class _MeteredSocket:
    """What an HTTPResponse is given as its socket: it only calls ``makefile``."""

    def __init__(self, sock: socket.socket, budget: Budget) -> None:
        self._sock = sock
        self._budget = budget

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_MeteredReader(self._sock, self._budget))


def _metered_response(
    sock: socket.socket, budget: Budget, **kwargs: Any
) -> http.client.HTTPResponse:
    return http.client.HTTPResponse(_MeteredSocket(sock, budget), **kwargs)  # type: ignore[arg-type]


class _BoundedConnection(http.client.HTTPConnection):
    """A connection whose connect and sends get only the time left, and whose answer is metered."""

    def __init__(self, *args: Any, budget: Budget, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.response_class = partial(_metered_response, budget=budget)  # type: ignore[assignment]

    def connect(self) -> None:
        self.timeout = self.budget.remaining()  # also bounds the whole TLS handshake
        super().connect()

    def send(self, data: Any) -> None:
        if self.sock is not None:
            self.sock.settimeout(self.budget.remaining())
        super().send(data)


class _BoundedHTTPSConnection(_BoundedConnection, http.client.HTTPSConnection):
    pass


_BOUNDED = {
    http.client.HTTPConnection: _BoundedConnection,
    http.client.HTTPSConnection: _BoundedHTTPSConnection,
}


class _BoundedOpening:
    """Makes a urllib handler open its connections as the bounded kind, with one budget."""

    def __init__(self, budget: Budget) -> None:
        super().__init__()
        self.budget = budget

    def do_open(self, http_class: type, req: urllib.request.Request, **kwargs: Any) -> Any:
        bounded = partial(_BOUNDED[http_class], budget=self.budget)
        return super().do_open(bounded, req, **kwargs)  # type: ignore[misc]


class _HTTPHandler(_BoundedOpening, urllib.request.HTTPHandler):
    pass


class _HTTPSHandler(_BoundedOpening, urllib.request.HTTPSHandler):
    pass
