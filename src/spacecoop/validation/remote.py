"""Validate data that lives in a SPARQL server: fetch it by CONSTRUCT into a store, then
validate as usual (no file is written or parsed).

This is the path past one machine: the data stays in Oxigraph, Fuseki or any
SPARQL 1.1 endpoint (put there by ``spacecoop load``), and the same shapes and
checks run on what the endpoint returns for our data graph.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from ..namespaces import GRAPH_DATA
from ..queries import endpoint as remote
from ..queries.results import QueryKind
from ..queries.runner import Endpoint
from ..repository.load import load_graph_as_data
from .report import Report
from .run import validate

FETCH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def fetch(
    url: str,
    *,
    graph: URIRef = GRAPH_DATA,
    timeout: float = 60.0,
    backoff: remote.Backoff = remote.DEFAULT_BACKOFF,
    max_bytes: int = remote.DEFAULT_MAX_BYTES,
) -> Graph:
    """Every triple of ``graph`` at the endpoint ``url`` (raises EndpointError).

    Each attempt must end within ``timeout`` seconds with at most ``max_bytes``.
    """
    answer = remote.query(
        url,
        FETCH,
        QueryKind.CONSTRUCT,
        timeout=timeout,
        default_graphs=(graph,),
        backoff=backoff,
        max_bytes=max_bytes,
    )
    assert answer.graph is not None  # a CONSTRUCT always answers with a graph
    return answer.graph


def validate_endpoint(
    endpoint: Endpoint, *, graph: URIRef = GRAPH_DATA, root: Path | None = None
) -> Report:
    """Validate ``graph`` (our data graph by default) held at ``endpoint`` against the
    ontology and shapes of ``root`` (default: ours).

    Results carry no file or line (the data has none); their focus node names
    the resource at fault, which the endpoint can be asked about.
    """
    data = fetch(
        endpoint.url,
        graph=graph,
        timeout=endpoint.timeout,
        backoff=endpoint.backoff,
        max_bytes=endpoint.max_bytes,
    )
    return validate(load_graph_as_data(data, schema=root))
