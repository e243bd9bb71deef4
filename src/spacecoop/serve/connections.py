"""Connections that cannot hold the server: a deadline for each request, a cap on their number.

uvicorn times out only idle keep-alive connections: one that sends half a
request, or nothing, is kept for ever, and a few hundred of them use up the
process's file descriptors, after which no one else gets in. Its HTTP
protocol is the place to fix that (``uvicorn.Config(http=...)`` takes any
callable that makes one): :class:`GuardedH11Protocol` gives each request
:attr:`Guard.header_timeout` seconds for its request line and headers and
:attr:`Guard.body_timeout` for its body, and keeps at most
:attr:`Guard.max_connections` open, making room for a newcomer by closing the
connection that has waited longest for its headers (an idle keep-alive
connection, or a slow or hostile client), else the one sending its body longest,
rather than one with a whole request in hand.
"""

from __future__ import annotations

import asyncio
import resource
from dataclasses import dataclass, field
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 5.0
"""Seconds from connecting (or from the first byte of the next request) to the end of headers."""
BODY_TIMEOUT = 30.0
"""Seconds from the end of headers to the end of the body (bodies are at most 64 kB)."""
MAX_CONNECTIONS = 1000
"""Most connections open at once, however many file descriptors there are."""
RESERVED_FILES = 64
"""File descriptors kept for the rest of the server: listener, event loop, worker pipes, logs."""


@dataclass
class Guard:
    """Limits shared by every connection of one server, and who is waiting for headers."""

    max_connections: int = MAX_CONNECTIONS
    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    # Connections waiting for a request's headers, longest-waiting first (dicts keep order).
    waiting: dict[GuardedH11Protocol, None] = field(default_factory=dict)
    # Connections whose headers are in but whose body is not, longest-sending first: a
    # client trickling a body must not hold its place against newcomers for the whole
    # body deadline either.
    sending: dict[GuardedH11Protocol, None] = field(default_factory=dict)

    @property
    def backlog(self) -> int:
        """Connections the kernel may queue, and the event loop accept in one go."""
        return max(4, self.max_connections // 2)

    def protocol(self, **uvicorn_arguments: Any) -> GuardedH11Protocol:
        """A protocol for one connection; pass this method as ``uvicorn.Config(http=...)``."""
        return GuardedH11Protocol(guard=self, **uvicorn_arguments)


def max_connections_for(open_files: int) -> int:
    """The connection cap for a file-descriptor limit: half of what :data:`RESERVED_FILES` leaves.

    Half, because the event loop accepts up to :attr:`Guard.backlog` connections at a
    time before this cap can close any, and those it closes let go of their
    descriptors only on the loop's next turn: at worst twice the backlog (the cap
    again) beyond the cap.
    """
    return max(8, min(MAX_CONNECTIONS, (open_files - RESERVED_FILES) // 2))


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard one; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft == hard:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):  # a system that caps it lower than it says: keep ours
        return soft
    return hard


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request and a cap on connections."""

    def __init__(self, guard: Guard, **uvicorn_arguments: Any) -> None:
        super().__init__(**uvicorn_arguments)
        self.guard = guard
        self.deadline: asyncio.TimerHandle | None = None
        self.reading: object = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[arg-type]
        self._make_room()
        self._follow_request()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.waiting.pop(self, None)
        self.guard.sending.pop(self, None)
        self._disarm()
        super().connection_lost(exc)

    def _make_room(self) -> None:
        """Close the longest-waiting connections (for headers, then for a body) until this
        one fits under the cap."""
        # Those closed a moment ago are still listed until the event loop lets them go.
        still_open = sum(1 for c in self.connections if not c.transport.is_closing())
        excess = still_open - self.guard.max_connections
        while excess > 0:
            queue = self.guard.waiting or self.guard.sending
            oldest = next(iter(queue), None)
            if oldest is None:  # every other connection has a request in hand: refuse this one
                self.transport.close()
                return
            del queue[oldest]
            oldest.transport.close()
            excess -= 1

    def _follow_request(self) -> None:
        """Keep the deadline and the waiting list in step with what h11 is reading now."""
        if self.transport.is_closing():
            return
        state = self.conn.their_state
        if state is h11.IDLE:  # no request yet, or between two requests
            self.guard.waiting.setdefault(self, None)
            # Between requests uvicorn's keep-alive timeout runs; the next request's
            # clock starts at its first byte, or at connecting for the first one.
            started = self.conn.trailing_data[0] or self.cycle is None
            if started and self.reading is not h11.IDLE:
                self._arm(h11.IDLE, self.guard.header_timeout)
        else:
            self.guard.waiting.pop(self, None)
            if state is h11.SEND_BODY:
                self.guard.sending.setdefault(self, None)
            else:
                self.guard.sending.pop(self, None)
            if state is h11.SEND_BODY and self.reading is not h11.SEND_BODY:
                self._arm(h11.SEND_BODY, self.guard.body_timeout)
            elif state is not h11.SEND_BODY:
                self._disarm()

    def _arm(self, state: object, seconds: float) -> None:
        self._disarm()
        self.reading = state
        self.deadline = self.loop.call_later(seconds, self._too_slow, state)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
        self.deadline, self.reading = None, None

    def _too_slow(self, state: object) -> None:
        """The request has not arrived in time: close the connection (as nginx does)."""
        self.deadline = None
        if self.conn.their_state is state and not self.transport.is_closing():
            self.guard.waiting.pop(self, None)
            self.guard.sending.pop(self, None)
            self.transport.close()
