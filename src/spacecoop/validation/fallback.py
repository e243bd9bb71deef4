"""The shapes the fast engine refuses, checked with pySHACL: those shapes and nothing else.

:func:`.shacl_sparql.compile_all` refuses a targeted shape as a whole. pySHACL then
gets a shapes graph holding the refused shapes and everything they use (every
node reachable from them: property shapes, lists, nested shapes, SPARQL
constraints and their prefix declarations) plus the constraint components
declared in the shapes graph, which shapes use through predicates rather than
links. The targets of every other shape in it are removed, so pySHACL checks a
shared property shape for the refused shape's focus nodes only, and the fast
engine's results are not found twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from ..namespaces import RDF
from .report import Note
from .shacl_sparql.compiler import Refusal
from .shacl_sparql.discovery import class_kinds, constraint_components, shape_nodes
from .shacl_sparql.vocabulary import TARGETS, describe

__all__ = ["notes", "shapes_for"]


def shapes_for(shapes: Graph, refused: Sequence[Refusal]) -> Graph:
    """The part of ``shapes`` that pySHACL needs to check the ``refused`` shapes alone."""
    if any(refusal.shape is None for refusal in refused):
        return shapes
    roots = {refusal.shape for refusal in refused}
    starts = [*roots, *constraint_components(shapes)]
    subset = Graph(namespace_manager=shapes.namespace_manager)
    for triple in _reachable(shapes, starts):
        subset.add(triple)
    kinds = class_kinds(subset)
    for shape in shape_nodes(subset) - roots:
        for target in TARGETS:
            subset.remove((shape, target, None))
        for kind in kinds:
            subset.remove((shape, RDF.type, kind))
    return subset


def notes(refused: Iterable[Refusal]) -> tuple[Note, ...]:
    """What the report says about each refused shape: which shape pySHACL checked, and why."""
    found = []
    for refusal in refused:
        about = "every shape" if refusal.shape is None else describe(refusal.shape)
        message = (
            f"{about} was checked with pySHACL, as the fast SHACL engine refused it "
            f"({refusal.error.detail})"
        )
        found.append(Note(about, message))
    return tuple(found)


def _reachable(shapes: Graph, starts: Iterable[Node]) -> Iterable[tuple[Node, Node, Node]]:
    """Every triple of ``shapes`` whose subject can be reached from ``starts``."""
    seen: set[Node] = set()
    pending = list(starts)
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, value in shapes.predicate_objects(node):
            yield node, predicate, value
            if isinstance(value, BNode | URIRef) and value not in seen:
                pending.append(value)
