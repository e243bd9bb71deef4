"""Which nodes of a shapes graph have focus nodes, and what the shapes graph holds beyond shapes.

A shape is validated on its own only through its targets: the target predicates
(:data:`~.vocabulary.TARGETS`) or an implicit class target (a shape that is
itself a class). A shape without targets matters only where a targeted shape
uses it (``sh:property``, ``sh:or`` …), and is compiled, or refused, there.
Shapes are found as pySHACL finds them, the reference the engine is held to.

Some SHACL changes what every shape sees, so no shape can be checked apart:
SHACL rules (``sh:rule``) add triples to the data before validation, and SHACL
functions can be called from any SPARQL text. A shapes graph with either is
refused as a whole. A constraint component declared in the shapes graph
(``sh:ConstraintComponent``) is activated by predicates outside the SHACL
namespace, which the compiler would otherwise take for annotations: its
parameters are listed so that a shape using one is refused (also when the
component's type is a subclass of ``sh:ConstraintComponent``).
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

from ...namespaces import OWL, RDF, RDFS, SH
from .vocabulary import TARGETS, UnsupportedShapeError, describe

__all__ = [
    "class_kinds",
    "constraint_components",
    "custom_parameters",
    "has_implicit_class_target",
    "refusal_of_the_whole_graph",
    "shape_nodes",
    "targeted_shapes",
]

_FUNCTIONS = (SH.Function, SH.SPARQLFunction, SH.JSFunction, URIRef(f"{SH}SHACLFunction"))
"""Kinds of SHACL function; pySHACL also takes ``sh:SHACLFunction``, outside the W3C vocabulary."""


def shape_nodes(shapes: Graph) -> set[Node]:
    """Every node pySHACL loads as a shape: declared, subject of a target, ``sh:property``
    or ``sh:node``, or a value of a shape-expecting parameter."""
    found: set[Node] = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        found.update(shapes.subjects(RDF.type, kind))
    for predicate in (*TARGETS, SH.property, SH.node):
        found.update(shapes.subjects(predicate, None))
    for predicate in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        found.update(shapes.objects(None, predicate))
    for predicate in (SH["and"], SH["or"], SH.xone):
        for head in shapes.objects(None, predicate):
            found.update(RdfList(shapes, head))
    return found


def class_kinds(shapes: Graph) -> set[Node]:
    """The types that make a shape a class: ``rdfs:Class``, ``owl:Class`` and the declared
    subclasses of ``rdfs:Class`` (one step, as pySHACL looks)."""
    return {RDFS.Class, OWL.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}


def has_implicit_class_target(shapes: Graph, shape: Node) -> bool:
    """Whether ``shape`` is also a class, whose instances are then its focus nodes."""
    kinds = class_kinds(shapes)
    return any(kind in kinds for kind in shapes.objects(shape, RDF.type))


def targeted_shapes(shapes: Graph) -> list[Node]:
    """The shapes that have focus nodes of their own, in a stable order."""
    targeted = {s for predicate in TARGETS for s in shapes.subjects(predicate, None)}
    targeted.update(s for s in shape_nodes(shapes) if has_implicit_class_target(shapes, s))
    return sorted(targeted, key=str)


def refusal_of_the_whole_graph(shapes: Graph) -> UnsupportedShapeError | None:
    """Why no shape of ``shapes`` can be checked on its own, or None."""
    for holder, rule in sorted(shapes.subject_objects(SH.rule), key=str):
        return UnsupportedShapeError(
            describe(holder),
            f"the SHACL rule {describe(rule, holder)} (sh:rule)",
            "changes the data every shape sees, and is not supported",
        )
    for kind in _FUNCTIONS:
        for function in sorted(shapes.subjects(RDF.type, kind), key=str):
            return UnsupportedShapeError(
                describe(function),
                f"a SHACL function ({kind})",
                "can be called from any SPARQL text, and is not supported",
            )
    return None


def constraint_components(shapes: Graph) -> set[Node]:
    """The constraint components declared in ``shapes``: instances of
    ``sh:ConstraintComponent`` or of a subclass of it (one step, as pySHACL looks)."""
    kinds = {SH.ConstraintComponent, *shapes.subjects(RDFS.subClassOf, SH.ConstraintComponent)}
    return {component for kind in kinds for component in shapes.subjects(RDF.type, kind)}


def custom_parameters(shapes: Graph) -> dict[URIRef, Node]:
    """Each parameter of a constraint component declared in ``shapes`` -> the component."""
    found: dict[URIRef, Node] = {}
    for component in sorted(constraint_components(shapes), key=str):
        for parameter in shapes.objects(component, SH.parameter):
            for path in shapes.objects(parameter, SH.path):
                if isinstance(path, URIRef):
                    found[path] = component
    return found
