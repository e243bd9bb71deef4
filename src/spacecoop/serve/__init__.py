"""``spacecoop serve``: the built site and a SPARQL endpoint over HTTP, on 127.0.0.1 by default."""

from __future__ import annotations

import mimetypes
import tempfile
from collections.abc import Mapping
from pathlib import Path

import uvicorn
from rdflib import Dataset

from ..namespaces import GRAPH_DATA, GRAPH_ONTOLOGY
from ..publish import build
from ..queries import SavedQuery
from .app import create_app
from .sparql import Limits, QueryService

for _extension, _media_type in (
    (".ttl", "text/turtle"),
    (".jsonld", "application/ld+json"),
    (".nt", "application/n-triples"),
    (".trig", "application/trig"),
    (".rdf", "application/rdf+xml"),
):
    mimetypes.add_type(_media_type, _extension)

DEFAULT_GRAPHS = [str(GRAPH_ONTOLOGY), str(GRAPH_DATA)]


def query_service(site: Path, *, workers: int = 2, limits: Limits | None = None) -> QueryService:
    """Query workers over the site's TriG dump: every named graph, ontology + data by default."""
    return QueryService(
        (site / "spacecoop.trig").read_bytes(), DEFAULT_GRAPHS, workers=workers, limits=limits
    )


def serve(
    ds: Dataset,
    catalogue: Mapping[str, SavedQuery],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    site: Path | None = None,
    workers: int = 2,
    limits: Limits | None = None,
) -> None:
    """Serve ``site`` (a built ``dist/``), or else a fresh build of ``ds``, until stopped."""
    with tempfile.TemporaryDirectory(prefix="spacecoop-site-") as scratch:
        if site is None:
            site = build(ds, Path(scratch) / "site", saved_queries=list(catalogue.values())).out
        service = query_service(site, workers=workers, limits=limits)
        try:
            uvicorn.run(
                create_app(site, service, catalogue), host=host, port=port, log_level="warning"
            )
        finally:
            service.close()


__all__ = ["DEFAULT_GRAPHS", "Limits", "QueryService", "create_app", "query_service", "serve"]
