"""Talk to remote SPARQL 1.1 services: query an endpoint, fill a Graph Store.

Queries go through SPARQLWrapper, with only standard protocol parameters so
that any endpoint answers: the dataset is chosen with ``default-graph-uri``
(our data and ontology graphs, wherever ``spacecoop load`` put them) and the
result format by the ``Accept`` header. Graphs are loaded with the SPARQL 1.1
Graph Store HTTP Protocol (``PUT``, then ``POST`` for further batches). Every
failure becomes an :class:`EndpointError` with a one-line message.

Requests that are safe to repeat are repeated after a transient failure (no
connection, no answer in time, a cut-off answer, HTTP 5xx), a bounded number
of times with exponential backoff (:class:`Backoff`); an HTTP 4xx or a
malformed answer is final.

Every attempt is bounded (:mod:`spacecoop.queries.bounded_http`): ``timeout`` is a
deadline for all of it (connecting, sending, and receiving the whole answer,
however slowly it trickles in), and an answer of more than ``max_bytes`` is
refused as it arrives, or before if it announces its size. SPARQLWrapper
builds the query requests; it would read answers with neither bound, so it
does not send them.
"""

from __future__ import annotations

import http.client
import io
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.query import Result
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from ..namespaces import DEFAULT_GRAPH, GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES, bind_prefixes
from .bounded_http import DEFAULT_MAX_BYTES, AnswerTooLarge, fetch
from .results import QueryKind, QueryResult

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_MAX_BYTES",
    "Backoff",
    "STORED_GRAPHS",
    "EndpointError",
    "LoadedGraph",
    "count_triples",
    "load_graphs",
    "query",
    "verify",
]

STORED_GRAPHS: tuple[URIRef, ...] = (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_SHAPES)
"""The named graphs ``spacecoop load`` puts into a Graph Store."""

_RESULT_TYPES = ("application/sparql-results+json", "application/json")
_GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
_QUERY_REFUSALS: dict[int, type[SPARQLWrapperException]] = {
    400: QueryBadFormed,
    401: Unauthorized,
    404: EndPointNotFound,
    414: URITooLong,
    500: EndPointInternalError,
}
"""The HTTP statuses SPARQLWrapper names for a query, and the names it gives them."""


T = TypeVar("T")


class EndpointError(Exception):
    """A remote service that could not be reached, timed out, or answered badly.

    ``transient`` marks failures that may pass if the request is repeated.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Backoff:
    """How often, and after what pauses, to repeat a request that failed transiently.

    Retry ``n`` (from 0) waits ``base_delay * 2**n`` seconds, capped at
    ``max_delay`` and shortened by a random factor between 0.5 and 1 so that
    clients that failed together do not all come back at the same moment.
    """

    retries: int = 2
    """Attempts after the first; 0 sends every request once."""
    base_delay: float = 0.5
    max_delay: float = 8.0

    def __post_init__(self) -> None:
        if self.retries < 0 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError(f"retries and delays cannot be negative: {self}")

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first retry)."""
        return min(self.max_delay, self.base_delay * 2**retry) * random.uniform(0.5, 1.0)


DEFAULT_BACKOFF = Backoff()


@dataclass(frozen=True)
class LoadedGraph:
    """One named graph put into a Graph Store."""

    graph: URIRef
    triples: int
    requests: int


def query(
    endpoint: str,
    text: str,
    kind: QueryKind,
    *,
    timeout: float,
    default_graphs: Sequence[URIRef] = DEFAULT_GRAPH,
    backoff: Backoff = DEFAULT_BACKOFF,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> QueryResult:
    """Run ``text`` (already bound, see :func:`.params.inject_values`) on ``endpoint``.

    Each attempt must end within ``timeout`` seconds and its answer take at most
    ``max_bytes``. A query only reads, so it is repeated after a transient
    failure (see :class:`Backoff`).
    """
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(text)
    sparql.setMethod(POST)
    sparql.setOnlyConneg(True)  # no engine-specific "format=" parameters
    sparql.setReturnFormat(TURTLE if kind.returns_graph else JSON)
    for graph in default_graphs:
        sparql.addDefaultGraph(str(graph))

    def attempt() -> tuple[str, bytes]:
        # The request SPARQLWrapper would send (parameters, Accept, agent), sent bounded:
        # it has no public way to build a request without sending it.
        request = sparql._createRequest()
        try:
            answer = fetch(request, timeout=timeout, max_bytes=max_bytes)
        except urllib.error.HTTPError as error:
            refusal = _QUERY_REFUSALS.get(error.code)
            if refusal is None:
                raise
            raise refusal() from None
        return _media_type(answer.content_type), answer.body

    content_type, body = _retrying(endpoint, timeout, backoff, attempt)
    return _parse_answer(endpoint, kind, content_type, body)


def load_graphs(
    store: str,
    dataset: Dataset,
    *,
    batch_size: int,
    timeout: float,
    graphs: Sequence[URIRef] = STORED_GRAPHS,
    backoff: Backoff = DEFAULT_BACKOFF,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[LoadedGraph]:
    """Replace each named graph in the Graph Store at ``store`` with the dataset's copy.

    The first batch of at most ``batch_size`` triples is sent with ``PUT``
    (which replaces the graph), the rest with ``POST`` (which adds to it).
    Triples that share a blank node always travel in the same batch, since a
    blank node means a different node in every request.

    A ``POST`` is not safe to repeat on its own (its blank nodes would be added
    twice), but the whole sequence is, since its ``PUT`` starts the graph
    afresh: after a transient failure the graph is sent again from its ``PUT``.
    Each request, its batch sent and its answer read, must end within
    ``timeout`` seconds, and that answer take at most ``max_bytes``.
    """
    if batch_size < 1:
        raise EndpointError(f"batch size must be at least 1, not {batch_size}")
    loaded = []
    for graph_iri in graphs:
        graph = dataset.graph(graph_iri)
        batches = [_ntriples(batch) for batch in _batches(graph, batch_size)] or [_ntriples([])]
        url = _graph_url(store, graph_iri)

        def send_graph(url: str = url, batches: list[bytes] = batches) -> None:
            for number, body in enumerate(batches):
                _send(url, "PUT" if number == 0 else "POST", body, timeout, max_bytes)

        _retrying(url, timeout, backoff, send_graph)
        loaded.append(LoadedGraph(graph_iri, len(graph), len(batches)))
    return loaded


def verify(
    endpoint: str,
    loaded: Sequence[LoadedGraph],
    *,
    timeout: float,
    backoff: Backoff = DEFAULT_BACKOFF,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> None:
    """Check through the query endpoint that every loaded graph holds all its triples."""
    for item in loaded:
        found = count_triples(
            endpoint, item.graph, timeout=timeout, backoff=backoff, max_bytes=max_bytes
        )
        if found != item.triples:
            raise EndpointError(
                f"{endpoint}: holds {found} triples in {item.graph}, not the {item.triples} sent"
            )


def count_triples(
    endpoint: str,
    graph: URIRef,
    *,
    timeout: float,
    backoff: Backoff = DEFAULT_BACKOFF,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> int:
    """How many triples the endpoint holds in the named graph ``graph``."""
    text = f"SELECT (COUNT(*) AS ?triples) WHERE {{ GRAPH {graph.n3()} {{ ?s ?p ?o }} }}"
    result = query(
        endpoint,
        text,
        QueryKind.SELECT,
        timeout=timeout,
        default_graphs=(),
        backoff=backoff,
        max_bytes=max_bytes,
    )
    if len(result.rows) != 1 or result.rows[0][0] is None:
        raise EndpointError(f"{endpoint}: no triple count for {graph} in the answer")
    return int(result.rows[0][0].toPython())  # type: ignore[union-attr]


def _parse_answer(endpoint: str, kind: QueryKind, content_type: str, body: bytes) -> QueryResult:
    """Parse an endpoint's answer, refusing content that is not what SPARQL promises."""
    if kind.returns_graph:
        rdf_format = _GRAPH_TYPES.get(content_type)
        if rdf_format is None:
            answered = content_type or "no content type"
            raise EndpointError(f"{endpoint}: answered {answered}, not RDF")
        try:
            graph = Graph().parse(data=body, format=rdf_format)
        except Exception as exc:  # rdflib parsers raise many types
            raise EndpointError(f"{endpoint}: answered malformed {content_type}: {exc}") from None
        return QueryResult(kind, graph=bind_prefixes(graph))
    if content_type not in _RESULT_TYPES:
        raise EndpointError(
            f"{endpoint}: answered {content_type or 'no content type'}, not SPARQL results JSON"
        )
    try:
        parsed = Result.parse(io.BytesIO(body), format="json")
    except Exception as exc:  # malformed JSON or a JSON document that is no result
        raise EndpointError(f"{endpoint}: answered malformed SPARQL results JSON: {exc}") from None
    if parsed.type != kind.name:
        raise EndpointError(f"{endpoint}: answered {parsed.type} results to a {kind.name} query")
    return QueryResult.from_rdflib(kind, parsed)


def _retrying(url: str, timeout: float, backoff: Backoff, attempt: Callable[[], T]) -> T:
    """Return ``attempt()``, which must be safe to repeat, repeating it after transient
    failures as ``backoff`` allows; the last failure says how many attempts were made."""
    retry = 0
    while True:
        try:
            with _errors(url, timeout):
                return attempt()
        except EndpointError as error:
            if not error.transient or retry == backoff.retries:
                if retry:
                    raise EndpointError(f"{error} (after {retry + 1} attempts)") from None
                raise
        time.sleep(backoff.delay(retry))
        retry += 1


@contextmanager
def _errors(url: str, timeout: float) -> Iterator[None]:
    """Turn network and protocol failures inside the block into EndpointErrors."""
    try:
        yield
    except Exception as exc:
        described = _describe(exc, timeout)
        if described is None:
            raise
        message, transient = described
        raise EndpointError(f"{url}: {message}", transient=transient) from None


def _describe(exc: BaseException, timeout: float) -> tuple[str, bool] | None:
    """A one-line reason for a failed request and whether repeating it may help,
    or None if ``exc`` is not a network failure."""
    if isinstance(exc, TimeoutError) or (
        isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, TimeoutError)
    ):
        return f"no answer within {timeout:g} s (timeout)", True
    if isinstance(exc, AnswerTooLarge):
        return str(exc), False
    if isinstance(exc, urllib.error.HTTPError):
        return f"answered HTTP {exc.code} {exc.reason}", exc.code >= 500
    if isinstance(exc, SPARQLWrapperException):
        first_line = str(exc).strip().splitlines()[0]
        return f"refused the query: {first_line}", isinstance(exc, EndPointInternalError)
    if isinstance(exc, http.client.IncompleteRead):
        return "cut the answer short", True
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        return f"cannot connect ({reason})", isinstance(reason, ConnectionError)
    if isinstance(exc, http.client.HTTPException | ConnectionError):
        return f"connection failed ({exc})", True
    if isinstance(exc, OSError):
        return f"connection failed ({exc})", False
    return None


def _media_type(header: str | None) -> str:
    return (header or "").split(";")[0].strip().lower()


def _graph_url(store: str, graph: URIRef) -> str:
    separator = "&" if "?" in store else "?"
    return f"{store}{separator}{urlencode({'graph': str(graph)})}"


def _send(url: str, method: str, body: bytes, timeout: float, max_bytes: int) -> None:
    request = urllib.request.Request(
        url, data=body, method=method, headers={"Content-Type": "application/n-triples"}
    )
    fetch(request, timeout=timeout, max_bytes=max_bytes)


def _ntriples(triples: Iterable[tuple]) -> bytes:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph.serialize(format="nt", encoding="utf-8")


def _batches(graph: Graph, size: int) -> Iterator[list[tuple]]:
    """Split ``graph`` into batches of about ``size`` triples, keeping blank nodes whole."""
    batch: list[tuple] = []
    for unit in _units(graph):
        if batch and len(batch) + len(unit) > size:
            yield batch
            batch = []
        batch.extend(unit)
    if batch:
        yield batch


def _units(graph: Graph) -> Iterator[list[tuple]]:
    """Triples without blank nodes one by one; triples linked by blank nodes as one group each."""
    parent: dict[BNode, BNode] = {}

    def root(node: BNode) -> BNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    grouped: list[tuple] = []
    for triple in graph:
        blanks = [term for term in triple if isinstance(term, BNode)]
        if not blanks:
            yield [triple]
            continue
        grouped.append(triple)
        first = root(blanks[0])
        for other in blanks[1:]:
            parent[root(other)] = first
    groups: dict[BNode, list[tuple]] = {}
    for triple in grouped:
        blank = next(term for term in triple if isinstance(term, BNode))
        groups.setdefault(root(blank), []).append(triple)
    yield from groups.values()
