"""``spacecoop serve``: the built site and a SPARQL endpoint over HTTP, on 127.0.0.1 by default."""

from __future__ import annotations

import mimetypes
import socket
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import uvicorn

from ..namespaces import DEFAULT_GRAPH
from ..queries.catalogue import SavedQuery
from .app import create_app
from .connections import Guard, max_connections_for, raise_open_file_limit
from .sparql import Limits, QueryService

for _extension, _media_type in (
    (".ttl", "text/turtle"),
    (".jsonld", "application/ld+json"),
    (".nt", "application/n-triples"),
    (".trig", "application/trig"),
    (".rdf", "application/rdf+xml"),
):
    mimetypes.add_type(_media_type, _extension)

DEFAULT_GRAPHS = [str(graph) for graph in DEFAULT_GRAPH]
"""The default graph of every query, as the workers take it."""


def query_service(site: Path, *, workers: int = 2, limits: Limits | None = None) -> QueryService:
    """Query workers over the site's TriG dump: every named graph, ontology + data by default."""
    return QueryService(
        (site / "spacecoop.trig").read_bytes(), DEFAULT_GRAPHS, workers=workers, limits=limits
    )


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening; OSError naming ``host:port`` if refused.

    Binding before anything else is started turns a busy port (or a host name
    that does not resolve) into one error line instead of a half-started server.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn binds
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()
    except OSError as error:
        sock.close()
        message = f"cannot listen there: {error.strerror or error}"
        raise OSError(error.errno, message, _authority(host, port)) from None
    return sock


def serve(
    site: Path | Callable[[Path], Path],
    catalogue: Mapping[str, SavedQuery],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    limits: Limits | None = None,
    on_listening: Callable[[str], None] = lambda url: None,
) -> None:
    """Serve ``site`` (a built ``dist/``, or a function that builds one in the folder it
    is given, which is removed afterwards) until stopped.

    The port is bound first, so a busy one fails at once (OSError naming it), before
    anything is built; ``on_listening`` gets the server's URL once it is about to answer.
    """
    open_files = raise_open_file_limit()
    with listen(host, port) as sock, tempfile.TemporaryDirectory(prefix="spacecoop-site-") as tmp:
        if callable(site):
            site = site(Path(tmp))
        guard = Guard(max_connections=max_connections_for(open_files))
        service = query_service(site, workers=workers, limits=limits)
        try:
            config = uvicorn.Config(
                create_app(site, service, catalogue),
                http=guard.protocol,  # type: ignore[arg-type]  # a factory, as uvicorn calls it
                backlog=guard.backlog,
                log_level="warning",
            )
            server = uvicorn.Server(config)
            on_listening(f"http://{_authority(host, sock.getsockname()[1])}/")
            try:
                server.run(sockets=[sock])
            except KeyboardInterrupt:  # Ctrl-C stops the server; that is no error
                return
            if not server.started:
                raise RuntimeError("the server did not start (see the messages above)")
        finally:
            service.close()


__all__ = [
    "DEFAULT_GRAPHS",
    "Limits",
    "QueryService",
    "create_app",
    "listen",
    "query_service",
    "serve",
]
