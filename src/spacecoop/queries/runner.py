"""One runner for saved queries: ``run(saved, params, target)``, wherever the data is.

Parameters are bound one way for every target (:func:`bound`): checked RDF terms, never
pasted text, put in a ``VALUES`` block at the start of the query's WHERE group
(pyoxigraph's own substitution binds only projected variables); only rdflib gets the
same terms as its pre-bindings, for speed (see :func:`_query_rdflib`). The target is

- a :class:`Repository`: queried in its store (fast plan) or with rdflib over a copy
  (reference plan), the default graph being :data:`namespaces.DEFAULT_GRAPH`, and with
  ``infer`` the inferred graph too (:mod:`..reasoning.reasoner` says what it holds);
- an :class:`Endpoint`: any SPARQL 1.1 endpoint holding our graphs, with the same
  default graph.

``spacecoop serve`` runs :func:`bound` queries on its sandboxed workers, which answer in
the client's format rather than as a :class:`QueryResult`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Variable
from rdflib.term import Identifier

from ..namespaces import DEFAULT_GRAPH, GRAPH_INFERRED, bind_prefixes
from ..reasoning.reasoner import reason
from ..repository.load import Plan, Repository
from ..repository.store import default_graph, to_rdflib
from ..runtime.gc_pause import gc_paused
from . import endpoint as remote
from .catalogue import QueryError, SavedQuery
from .params import ParameterError, bind, inject_values
from .results import QueryKind, QueryResult

__all__ = ["BoundQuery", "Endpoint", "Target", "bound", "query_store", "run"]


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL 1.1 endpoint and the bounds on each request to it."""

    url: str
    timeout: float = 30.0
    """Seconds for each attempt, all of it: connecting, sending, receiving."""
    backoff: remote.Backoff = remote.DEFAULT_BACKOFF
    max_bytes: int = remote.DEFAULT_MAX_BYTES


Target = Repository | Endpoint


@dataclass(frozen=True)
class BoundQuery:
    """A saved query with its parameters bound: the text to run, and the terms bound."""

    text: str
    bindings: Mapping[str, Identifier]
    """Parameter variable -> the checked term (defaults included)."""


def bound(saved: SavedQuery, params: Mapping[str, str] | None = None) -> BoundQuery:
    """``saved`` with ``params`` (name -> text) bound as checked terms in a VALUES block.

    Raises :class:`QueryError` naming the query and the parameter at fault.
    """
    try:
        bindings = bind(saved.parameters, params or {})
    except ParameterError as error:
        raise QueryError(f"{saved.name}: {error}") from None
    return BoundQuery(inject_values(saved.body, bindings), bindings)


def run(
    saved: SavedQuery,
    params: Mapping[str, str] | None,
    target: Target,
    *,
    infer: bool = False,
) -> QueryResult:
    """Answer ``saved`` with ``params`` on ``target``.

    Raises QueryError for bad parameters or options, EndpointError for a failing endpoint
    (or a ``SERVICE`` call that cannot reach its endpoint).
    """
    query = bound(saved, params)
    text = query.text
    if isinstance(target, Endpoint):
        if infer:
            raise QueryError("--infer adds the local inferred graph; it cannot apply to --endpoint")
        return remote.query(
            target.url,
            text,
            saved.kind,
            timeout=target.timeout,
            backoff=target.backoff,
            max_bytes=target.max_bytes,
        )
    if infer:
        reason(target)  # fills the inferred graph, once per repository
    try:
        if target.plan is Plan.FAST:
            return query_store(target.store, text, saved.kind, infer=infer)
        return _query_rdflib(target, saved, query.bindings, infer=infer)
    except OSError as error:  # a SERVICE call that could not reach its endpoint
        services = ", ".join(saved.services) or "a remote service"
        raise remote.EndpointError(f"{saved.name}: cannot reach {services} ({error})") from None
    except TypeError:  # an RDF 1.2 term in an answer, which rdflib terms cannot hold
        target.refuse_rdf_12()  # says which file; else it was something else
        raise


def _query_rdflib(
    repository: Repository, saved: SavedQuery, bindings: Mapping[str, Identifier], *, infer: bool
) -> QueryResult:
    """``saved`` on an rdflib copy of the default graph, its checked terms handed over as
    rdflib's own pre-bindings.

    The same terms as the VALUES block, delivered differently for one reason: rdflib
    evaluates a leading VALUES block after the patterns, and a pattern such as
    ``?agent sco:represents? ?_party_iri`` with both ends open took 479 s on our
    15 kB of data (party-activities with its default), against 0.1 s pre-bound.
    """
    graph = _default_graph_copy(repository, infer=infer)
    initial = {Variable(name): term for name, term in bindings.items()}
    return QueryResult.from_rdflib(saved.kind, graph.query(saved.body, initBindings=initial))


def _default_graph_copy(repository: Repository, *, infer: bool) -> Graph:
    """The default graph (and the inferred graph with ``infer``) in one rdflib Graph,
    merged once per repository: rdflib queries one graph faster than a union view."""
    key = f"rdflib default graph, infer={infer}"
    merged = repository.memo.get(key)
    if not isinstance(merged, Graph):
        merged = repository.memo[key] = bind_prefixes(Graph())
        for graph_iri in (*DEFAULT_GRAPH, GRAPH_INFERRED) if infer else DEFAULT_GRAPH:
            for triple in repository.graph(graph_iri):
                merged.add(triple)
    return merged


def query_store(store: ox.Store, text: str, kind: QueryKind, *, infer: bool = False) -> QueryResult:
    """Run ``text`` on ``store`` over the default graph (and the inferred graph with
    ``infer``), as a :class:`QueryResult` of rdflib terms."""
    answer = store.query(text, default_graph=default_graph(infer=infer))
    if kind is QueryKind.ASK:
        return QueryResult(kind, boolean=bool(answer))
    # A fresh cache per answer: rows repeat the same terms (events, labels, classes),
    # and building an rdflib Literal costs far more than a dictionary lookup.
    convert = functools.cache(to_rdflib)
    with gc_paused():
        if kind.returns_graph:
            # SimpleMemory: a graph without contexts takes triples in half the time.
            graph = bind_prefixes(Graph(store="SimpleMemory"))
            graph.addN(
                (convert(found.subject), convert(found.predicate), convert(found.object), graph)
                for found in answer
            )
            return QueryResult(kind, graph=graph)
        variables = tuple(v.value for v in answer.variables)
        rows = tuple(tuple(convert(solution[v]) for v in variables) for solution in answer)
        return QueryResult(kind, variables=variables, rows=rows)
