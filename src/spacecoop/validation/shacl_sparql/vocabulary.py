"""What the SPARQL engine knows of SHACL besides constraints, and a loud error for the rest.

Every predicate in the SHACL namespace on a shape is either bookkeeping (a path,
a message, a severity, targets, ``sh:property``, the non-validating ones), listed
here, or a parameter of a constraint component, listed in
:data:`~.components.COMPONENTS`. Any other SHACL predicate, and a parameter of a
component the engine cannot compile, raises :class:`UnsupportedShapeError`
naming the shape and the construct, so that a new rule in the shapes can never be
skipped in silence (``tests/test_shacl_never_silent.py`` walks the whole SHACL
vocabulary).
"""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ...namespaces import RDF, SH

__all__ = [
    "BOOKKEEPING",
    "TARGETS",
    "UnsupportedShapeError",
    "describe",
    "iri_value",
    "sparql_term",
]

TARGETS = frozenset(
    SH[name]
    for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target")
)
"""The predicates that give a shape its focus nodes (besides an implicit class target)."""

BOOKKEEPING = frozenset(
    SH[name]
    for name in (
        "path",
        "message",
        "severity",
        "deactivated",
        "name",
        "description",
        "order",
        "group",
        "defaultValue",
        "property",
        *(target.removeprefix(str(SH)) for target in TARGETS),
    )
)
"""SHACL predicates on shapes that are not constraint parameters: targets (read when a
shape is compiled as a targeted shape, ignored where a shape is used inside another, as
SHACL says), ``sh:property`` (compiled shape by shape) and the non-validating ones."""


class UnsupportedShapeError(ValueError):
    """A shape uses SHACL that the SPARQL engine cannot check exactly as pySHACL does."""

    def __init__(self, shape: str, what: str, reason: str = "is not supported") -> None:
        self.detail = f"{shape}: {what} {reason}"
        """The shape and the construct, without the advice (for a report's note)."""
        super().__init__(
            f"{self.detail} by the fast SHACL engine; validate with "
            "SPACECOOP_PLAN=reference, or teach spacecoop.validation.shacl_sparql this construct"
        )
        self.shape = shape
        self.what = what


def describe(shape: Node, owner: Node | None = None) -> str:
    """A shape as an error message names it: its IRI, or where a blank-node shape sits."""
    if isinstance(shape, BNode):
        return f"a blank-node shape inside {owner}" if owner is not None else "a blank-node shape"
    return str(shape)


def sparql_term(term: Node) -> str:
    """An rdflib IRI or literal in SPARQL syntax (full IRIs, escaped strings)."""
    if isinstance(term, URIRef | Literal):
        return term.n3()
    raise TypeError(f"cannot write {term!r} into a SPARQL query")


def iri_value(shape: Node, predicate: URIRef, value: Node) -> URIRef:
    """``value``, the value of ``predicate`` on ``shape``, which must be an IRI."""
    if not isinstance(value, URIRef):
        name = "an implicit class target" if predicate == RDF.type else str(predicate)
        raise UnsupportedShapeError(
            describe(shape), f"{name} {value.n3()}", "(not an IRI) is not supported"
        )
    return value
