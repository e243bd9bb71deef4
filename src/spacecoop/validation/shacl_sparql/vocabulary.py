"""What the SPARQL engine knows of SHACL: the constraint components, and a loud error for the rest.

Every predicate in the SHACL namespace on a shape is either bookkeeping (a path,
a message, a severity, targets, ``sh:property``, the non-validating ones) or a
parameter of a constraint component. Any other SHACL predicate, and a parameter
of a component the engine cannot compile, raises :class:`UnsupportedShapeError`
naming the shape and the construct, so that a new rule in the shapes can never be
skipped in silence (``tests/test_shacl_never_silent.py`` walks the whole SHACL
vocabulary).
"""

from __future__ import annotations

from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Node

from ...namespaces import SH

__all__ = [
    "BOOKKEEPING",
    "COMPONENT_OF",
    "TARGETS",
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
}

COMPONENT_OF: dict[URIRef, str] = {
    SH[parameter]: f"sh:{name}ConstraintComponent" for parameter, name in _PARAMETERS.items()
}
"""Each SHACL Core and SHACL-SPARQL parameter -> the constraint component it belongs to."""

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
            "engine='pyshacl', or teach spacecoop.validation.shacl_sparql this construct"
        )
        self.shape = shape
        self.what = what


def count(where: str, parameter: URIRef, argument: Node) -> int:
    """A count parameter (``sh:minCount``, ``sh:maxCount``, ``sh:qualifiedMinCount``) as an int.

    SHACL wants a non-negative ``xsd:integer``; anything else is an ill-formed shape,
    refused here so that pySHACL, which checks shapes as it loads them, names the fault.
    """
    value = argument.toPython() if isinstance(argument, Literal) else None
    if (
        not isinstance(argument, Literal)
        or argument.datatype != XSD.integer
        or not isinstance(value, int)
        or value < 0
    ):
        raise UnsupportedShapeError(
            where, f"{COMPONENT_OF[parameter]} {argument}", "is not a non-negative xsd:integer and"
        )
    return value


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
