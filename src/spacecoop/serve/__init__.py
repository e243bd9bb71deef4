"""``spacecoop serve``: the built site and a SPARQL endpoint over HTTP, on 127.0.0.1 by default."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from ..namespaces import GRAPH_DATA, GRAPH_ONTOLOGY
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


__all__ = ["DEFAULT_GRAPHS", "Limits", "QueryService", "create_app", "query_service"]
