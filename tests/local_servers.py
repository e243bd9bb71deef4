"""Helpers for tests that run servers on 127.0.0.1: a free port, a process's
descendants, and socketserver servers run in threads and stopped afterwards."""

from __future__ import annotations

import socket
import socketserver
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

Server = TypeVar("Server", bound=socketserver.BaseServer)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Ask ``process`` to stop (SIGTERM); kill it if it has not stopped within ``timeout`` s."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def descendants(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (Linux ``/proc``): a server's query workers."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                found.add(child)
                todo.append(child)
    return found


@contextmanager
def servers_in_threads() -> Iterator[Callable[[Server], Server]]:
    """``start(server)`` serves ``server`` on a daemon thread and returns it; every server
    started is shut down and closed when the block ends."""
    started: list[socketserver.BaseServer] = []

    def start(server: Server) -> Server:
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.shutdown()
            server.server_close()
