"""SHACL validation with pySHACL: shapes over a data graph, each result as a report :class:`Result`.

The ontology is passed as pySHACL's ontology graph, so ``rdfs:subClassOf``
lets ``sh:targetClass sco:Event`` reach every symposium and ``sh:class
sco:Party`` accept a delegation, without running an inference step. Shapes use
SHACL-SPARQL constraints and a SPARQL-based target, hence ``advanced=True``.
"""

from __future__ import annotations

import logging
from typing import Any

import pyshacl
from pyshacl.errors import ReportableRuntimeError, ValidationFailure
from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result as QueryResult
from rdflib.term import Node

from ..namespaces import RDF, SH
from .report import Result, make_result, path_text

__all__ = ["ShapesError", "shape_checks", "validate_shapes"]


class ShapesError(ValueError):
    """The shapes graph is not valid SHACL (pySHACL cannot load one of its shapes)."""

    def __init__(self, message: str) -> None:
        # pySHACL's messages end with a "For reference, see <spec>" line: one line here.
        super().__init__("the SHACL shapes are ill-formed: " + " ".join(message.split()))


# pySHACL logs a shape it cannot load to stderr itself, then raises; the raised error
# becomes our one `error:` line, so its own copy would be a second, unformatted one.
logging.getLogger("pyshacl-validate").disabled = True


class _PreparedQueryGraph(Graph):
    """A Graph that parses each distinct SPARQL text once and reuses the prepared query.

    pySHACL sends the same constraint query text for every focus node (binding
    ``$this`` separately), and rdflib would parse it anew each time: some 45 ms
    a parse, which made parsing nine tenths of a validation run.
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, Query] = {}

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> QueryResult:
        if isinstance(query_object, str):
            if query_object not in self._prepared:
                self._prepared[query_object] = prepareQuery(query_object)
            query_object = self._prepared[query_object]
        return super().query(query_object, *args, **kwargs)


def validate_shapes(data: Graph, shapes: Graph, ontology: Graph) -> list[Result]:
    """Validate ``data`` against ``shapes``, using ``ontology`` for the class hierarchy.

    The inputs are not modified. Results carry no file or line yet: the caller knows
    which files the data came from.
    """
    target = _PreparedQueryGraph()
    target += data  # pySHACL adds the ontology to this private copy ("inplace").
    try:
        _, results_graph, _ = pyshacl.validate(
            target,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            advanced=True,
            inplace=True,
            allow_warnings=True,
        )
    except ReportableRuntimeError as error:  # an ill-formed shape, found as pySHACL loads it
        raise ShapesError(error.message) from None
    if isinstance(results_graph, ValidationFailure):  # pySHACL gives this one back, not raised
        raise ShapesError(results_graph.message)
    return [
        _result(results_graph, node, shapes)
        for node in results_graph.subjects(RDF.type, SH.ValidationResult)
    ]


def shape_checks(shapes: Graph) -> list[str]:
    """Every named rule in ``shapes``: node shapes, property shapes and SPARQL constraints.

    Each of our property shapes holds one constraint, so a shape is a check;
    a CI report lists them all, passing or failing.
    """
    rules: set[Node] = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        rules.update(shapes.subjects(RDF.type, kind))
    rules.update(shapes.objects(None, SH.sparql))
    return sorted(str(rule) for rule in rules if isinstance(rule, URIRef))


def _result(graph: Graph, node: Node, shapes: Graph) -> Result:
    """One ``sh:ValidationResult`` of pySHACL's results graph as a report Result."""
    shape = graph.value(node, SH.sourceShape)
    return make_result(
        severity=graph.value(node, SH.resultSeverity),
        focus=graph.value(node, SH.focusNode),
        path=path_text(graph, graph.value(node, SH.resultPath)),
        value=graph.value(node, SH.value),
        shape=shape,
        component=graph.value(node, SH.sourceConstraintComponent),
        sparql_constraint=graph.value(node, SH.sourceConstraint),
        messages=[str(m) for m in graph.objects(node, SH.resultMessage)],
        shape_messages={str(m) for m in shapes.objects(shape, SH.message)} if shape else set(),
    )
