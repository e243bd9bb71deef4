"""Nested shapes as SPARQL boolean expressions, mirroring pySHACL's semantics.

A value test (:mod:`.value_tests`) says whether one node conforms to one
constraint. :class:`Expressions` writes whole nested shapes (the members of
``sh:not``, ``sh:and``, ``sh:or`` and ``sh:xone``, a ``sh:qualifiedValueShape``,
with their property shapes) the same way, each constraint as its component in
:data:`~.components.COMPONENTS` writes it inside a nested shape, so that a
violation query is one ``FILTER(!…)`` over the value nodes instead of one query
per node. It also says which constraint parameters a shape uses, refusing the
SHACL it does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ...namespaces import RDF, SH
from .components import COMPONENTS, Use
from .discovery import custom_parameters
from .paths import ShaclPath
from .vocabulary import BOOKKEEPING, UnsupportedShapeError, describe, sparql_term

__all__ = ["Expressions"]


class Expressions:
    """Writes value tests and nested shapes as SPARQL boolean expressions.

    ``subclasses(C)`` is the class and all its subclasses, asked of the data once
    per class, so ``sh:class`` becomes a lookup of ``rdf:type`` in a fixed list.
    """

    def __init__(self, shapes: Graph, subclasses: Callable[[URIRef], Collection[URIRef]]) -> None:
        self.shapes = shapes
        self.subclasses = subclasses
        self._custom = custom_parameters(shapes)
        self._variables = 0
        self._within: list[Node] = []
        """The nested shapes being written, innermost last (a shape that uses itself raises)."""

    def parameters(self, shape: Node, owner: Node | None) -> Iterator[URIRef]:
        """The constraint parameters used on ``shape``; SHACL predicates the engine does
        not know, and parameters of components declared in the shapes graph, raise."""
        for predicate in sorted(set(self.shapes.predicates(shape))):
            if not isinstance(predicate, URIRef):
                continue
            if predicate in self._custom:
                raise UnsupportedShapeError(
                    describe(shape, owner),
                    f"the constraint component {self._custom[predicate]} "
                    f"(its parameter {predicate})",
                )
            if not predicate.startswith(str(SH)):
                continue  # an annotation: rdfs:comment, skos:note …
            if predicate in COMPONENTS:
                yield predicate
            elif predicate not in BOOKKEEPING:
                raise UnsupportedShapeError(describe(shape, owner), f"the SHACL term {predicate}")

    def fresh(self) -> str:
        """A variable name no shape uses (SHACL-SPARQL text never sees it)."""
        self._variables += 1
        return f"?_sh{self._variables}"

    def instance_of(self, var: str, cls: URIRef) -> str:
        """``var`` is an instance of ``cls`` or of a subclass (SHACL's class semantics)."""
        kind = self.fresh()
        classes = ", ".join(sparql_term(c) for c in sorted(self.subclasses(cls)))
        return f"EXISTS {{ {var} <{RDF.type}> {kind} . FILTER({kind} IN ({classes})) }}"

    def conforms(self, shape: Node, var: str, owner: Node | None) -> str:
        """Whether the node in ``var`` conforms to ``shape`` (a member of a logical
        constraint or a qualified value shape), never an error."""
        if self.shapes.value(shape, SH.deactivated) == Literal(True):
            return "true"
        if shape in self._within:
            # SHACL leaves the meaning of a shape that uses itself undefined.
            raise UnsupportedShapeError(describe(shape, owner), "a shape that uses itself")
        path = ShaclPath.of(self.shapes, shape, owner)
        self._within.append(shape)
        try:
            tests = [
                self._member_test(Use(self, shape, parameter, argument, owner), path, var)
                for parameter in self.parameters(shape, owner)
                for argument in self.shapes.objects(shape, parameter)
            ]
            # The node conforms to each of the shape's property shapes, as their focus node.
            properties = sorted(self.shapes.objects(shape, SH.property), key=str)
            if properties and path is not None:
                raise UnsupportedShapeError(describe(shape, owner), "nested sh:property")
            for prop in properties:
                if (prop, SH.path, None) not in self.shapes:
                    raise UnsupportedShapeError(describe(prop, owner), "sh:property without a path")
            tests += [self.conforms(p, var, owner) for p in properties]
        finally:
            self._within.pop()
        return f"COALESCE({' && '.join(tests) or 'true'}, false)"

    def _member_test(self, use: Use, path: ShaclPath | None, var: str) -> str:
        """Whether the node in ``var`` passes the constraint ``use`` of a nested shape."""
        component = COMPONENTS[use.parameter]
        if component.value_test is not None:
            if path is None:
                return component.value_test(use, var)
            value = self.fresh()
            test = component.value_test(use, value)
            return (
                f"NOT EXISTS {{ {var} {path.sparql} {value} . FILTER(!COALESCE({test}, false)) }}"
            )
        if path is None:
            tested = component.in_node(use, var) if component.in_node else None
        else:
            tested = component.in_property(use, path, var) if component.in_property else None
        if tested is None:
            raise UnsupportedShapeError(
                use.where, component.label, "inside a nested shape is not supported"
            )
        return tested
