"""Run compiled checks on a pyoxigraph store and turn their solutions into report Results.

Queries see the data graph and the ontology graph as one default graph, as
pySHACL sees the data with the ontology mixed in; the store is not modified.
Each solution becomes the same :class:`~spacecoop.validation.report.Result` that pySHACL's
result would (:func:`..report.make_result`), messages included: for SHACL-SPARQL
constraints ``{?var}`` and ``{$var}`` are filled in from the solution as pySHACL
fills them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from ...namespaces import GRAPH_SHAPES, RDFS
from ...repository.store import default_graph, to_rdflib, to_rdflib_graph
from ...runtime.gc_pause import gc_paused
from ...runtime.parallel import run_all
from ..report import Result, make_result
from .compiler import Check, ValueColumn, compile_shapes

__all__ = ["run_checks", "subclass_lookup", "validate_store"]

_DEFAULT_GRAPH = default_graph()


def validate_store(
    store: ox.Store, shapes: Graph | None = None, *, workers: int | None = None
) -> list[Result]:
    """Validate the data graph of ``store`` (with its ontology graph) against ``shapes``.

    ``shapes`` defaults to the store's shapes graph. Gives the Results that
    :func:`spacecoop.validation.pyshacl_engine.validate_shapes` gives for the same graphs, in the
    same order whatever the number of ``workers``; raises
    :class:`~spacecoop.validation.shacl_sparql.UnsupportedShapeError` for a shape it cannot check.

    Checks run on ``workers`` threads (default: one per usable core): Oxigraph
    evaluates queries without holding the GIL, so the checks, which only read
    the store, really do run side by side.
    """
    if shapes is None:
        shapes = to_rdflib_graph(store, GRAPH_SHAPES)
    return run_checks(store, compile_shapes(shapes, subclass_lookup(store)), workers=workers)


def run_checks(
    store: ox.Store, checks: Sequence[Check], *, workers: int | None = None
) -> list[Result]:
    """The Results of compiled ``checks`` on ``store``, in the order of the checks."""
    with gc_paused():
        jobs = [lambda check=check: list(_results(store, check)) for check in checks]
        per_check = run_all(jobs, workers=workers)
    return [result for results in per_check for result in results]


def subclass_lookup(store: ox.Store) -> Callable[[URIRef], frozenset[URIRef]]:
    """A function giving a class and its subclasses in the store, each class asked once."""
    cache: dict[URIRef, frozenset[URIRef]] = {}

    def subclasses(cls: URIRef) -> frozenset[URIRef]:
        if cls not in cache:
            query = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}"
            found = store.query(query, default_graph=_DEFAULT_GRAPH)
            cache[cls] = frozenset(
                URIRef(row["c"].value) for row in found if isinstance(row["c"], ox.NamedNode)
            )
        return cache[cls]

    return subclasses


def _results(store: ox.Store, check: Check) -> Iterator[Result]:
    solutions = store.query(check.query, default_graph=_DEFAULT_GRAPH)
    variables = [v.value for v in solutions.variables]
    seen: set[tuple[Node | None, ...]] = set()
    for solution in solutions:
        row = tuple(to_rdflib(solution[v]) for v in variables)
        if row in seen:
            continue
        seen.add(row)
        bound = {v: term for v, term in zip(variables, row, strict=True) if term is not None}
        if check.sparql is None:
            yield _core_result(check, bound)
        else:
            result = _sparql_result(check, bound)
            if result is not None:
                yield result


def _core_result(check: Check, bound: dict[str, Node]) -> Result:
    focus = bound["this"]
    value = {
        ValueColumn.VALUE: bound.get("value"),
        ValueColumn.FOCUS: focus,
        ValueColumn.NONE: None,
    }[check.value]
    return make_result(
        severity=check.severity,
        focus=focus,
        path=check.path.text if check.path else None,
        value=value,
        shape=check.shape,
        component=check.component,
        sparql_constraint=None,
        messages=check.messages,
        shape_messages=check.messages,
    )


def _sparql_result(check: Check, bound: dict[str, Node]) -> Result | None:
    """A SHACL-SPARQL solution as pySHACL reports it (see its ``SPARQLBasedConstraint``)."""
    assert check.sparql is not None
    focus = bound.pop("this")
    path, value = bound.pop("path", None), bound.pop("value", None)
    if not check.sparql.this_projected and path is None and value is None:
        return None  # pySHACL reports nothing for a solution without $this, ?path or ?value
    if value is None and check.path is None:
        value = focus  # a node shape's constraint: the focus node is the value
    fill = dict(bound)
    if check.sparql.this_projected:
        fill["this"] = focus
    if path is not None:
        fill["path"] = path
    if value is not None:
        fill["value"] = value
    messages = [_fill(m, fill) for m in (*check.sparql.messages, *check.messages)]
    if path is not None:
        path_text = str(path) if isinstance(path, URIRef) else path.n3()
    else:
        path_text = check.path.text if check.path else None
    return make_result(
        severity=check.severity,
        focus=focus,
        path=path_text,
        value=value,
        shape=check.shape,
        component=check.component,
        sparql_constraint=check.sparql.node,
        messages=messages,
        shape_messages=check.messages,
    )


def _fill(message: str, bound: dict[str, Node]) -> str:
    """``{?name}`` / ``{$name}`` in ``message`` replaced by the text of each bound term."""
    for name, term in bound.items():
        for placeholder in (f"{{?{name}}}", f"{{${name}}}"):
            message = message.replace(placeholder, str(term))
    return message
