"""What the SPARQL engine knows of SHACL: the constraint components, and a loud error for the rest.

Every predicate in the SHACL namespace on a shape is either bookkeeping (a path,
a message, a severity, targets, ``sh:property``) or a parameter of a constraint
component. A parameter of a component the engine cannot compile raises
:class:`UnsupportedShapeError` naming the shape and the component, so that a new
rule in the shapes can never be skipped in silence.
"""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..namespaces import SH

__all__ = [
    "BOOKKEEPING",
    "COMPONENT_OF",
    "UnsupportedShapeError",
    "component",
    "describe",
    "sparql_term",
]

_PARAMETERS = {
    "class": "Class",
    "datatype": "Datatype",
    "nodeKind": "NodeKind",
    "minCount": "MinCount",
    "maxCount": "MaxCount",
    "minExclusive": "MinExclusive",
    "minInclusive": "MinInclusive",
    "maxExclusive": "MaxExclusive",
    "maxInclusive": "MaxInclusive",
    "minLength": "MinLength",
    "maxLength": "MaxLength",
    "pattern": "Pattern",
    "flags": "Pattern",
    "languageIn": "LanguageIn",
    "uniqueLang": "UniqueLang",
    "equals": "Equals",
    "disjoint": "Disjoint",
    "lessThan": "LessThan",
    "lessThanOrEquals": "LessThanOrEquals",
    "not": "Not",
    "and": "And",
    "or": "Or",
    "xone": "Xone",
    "node": "Node",
    "qualifiedValueShape": "QualifiedMinCount",
    "qualifiedMinCount": "QualifiedMinCount",
    "qualifiedMaxCount": "QualifiedMaxCount",
    "qualifiedValueShapesDisjoint": "QualifiedMinCount",
    "closed": "Closed",
    "ignoredProperties": "Closed",
    "hasValue": "HasValue",
    "in": "In",
    "sparql": "SPARQL",
    "targetNode": "target (sh:targetNode)",
    "targetSubjectsOf": "target (sh:targetSubjectsOf)",
    "targetObjectsOf": "target (sh:targetObjectsOf)",
}

COMPONENT_OF: dict[URIRef, str] = {
    SH[parameter]: name if name.startswith("target") else f"sh:{name}ConstraintComponent"
    for parameter, name in _PARAMETERS.items()
}
"""Each SHACL parameter (and non-class target) -> the component (or target kind) it belongs to."""

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
        "targetClass",
        "target",
        "property",
    )
)
"""SHACL predicates on shapes that are not constraint parameters (``sh:property`` is
compiled shape by shape)."""


class UnsupportedShapeError(ValueError):
    """A shape uses SHACL that the SPARQL engine cannot check exactly as pySHACL does."""

    def __init__(self, shape: str, what: str, reason: str = "is not supported") -> None:
        super().__init__(
            f"{shape}: {what} {reason} by the fast SHACL engine; validate with "
            "engine='pyshacl', or teach spacecoop.shacl_sparql this construct"
        )
        self.shape = shape
        self.what = what


def component(parameter: URIRef) -> URIRef:
    """The constraint component IRI that ``parameter`` (e.g. ``sh:minCount``) activates."""
    return URIRef(COMPONENT_OF[parameter].replace("sh:", str(SH)))


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
