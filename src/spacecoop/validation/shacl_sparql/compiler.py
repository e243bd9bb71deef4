"""Compile a shapes graph into SPARQL SELECT queries whose solutions are the validation results.

Each shape with targets (:func:`.discovery.targeted_shapes`), node shape or
property shape, gets a focus pattern, a sub-query binding ``?this`` to each
focus node once: the union of its ``sh:targetNode`` values, the subjects of its
``sh:targetSubjectsOf`` and objects of its ``sh:targetObjectsOf`` predicates,
its ``sh:SPARQLTarget`` s, and the instances of its ``sh:targetClass`` es (and of
the shape itself, when it is a class) and of their subclasses (listed once per
class), looked up in the data graph plus the ontology, as pySHACL does with the
ontology as its ``ont_graph``. Each constraint of the shape and of its
``sh:property`` shapes then becomes one query over all focus nodes: value tests
as a ``FILTER`` over the value nodes, counts as ``GROUP BY``/``HAVING`` or
``FILTER NOT EXISTS``, SHACL-SPARQL constraints as their own text with the focus
pattern joined in. (Storing each shape's focus nodes once in a temporary graph
was measured: no faster.)

A targeted shape is compiled whole or not at all: :func:`compile_all` lists the
checks of the shapes it compiled and, for each other one, why it refused it, so
that the caller can check exactly those with pySHACL.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ...namespaces import RDF, SH
from ...repository.store import to_rdflib
from .components import COMPONENTS, Component, Use
from .discovery import has_implicit_class_target, refusal_of_the_whole_graph, targeted_shapes
from .expressions import Expressions
from .focus_checks import CheckBody, ValueColumn, of_focus_nodes
from .generic_messages import generic_message
from .paths import ShaclPath
from .sparql_constraints import SparqlConstraint, merge_prefixes, prologue, target_pattern
from .vocabulary import UnsupportedShapeError, describe, iri_value, sparql_term

__all__ = ["Check", "CompiledShapes", "Refusal", "ValueColumn", "compile_all", "compile_shapes"]


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a query and what to say about each solution."""

    query: str
    shape: Node
    """The source shape: the node shape, or the property shape that holds the constraint."""
    component: URIRef
    severity: URIRef
    messages: tuple[str, ...]
    """The source shape's ``sh:message`` texts, or pySHACL's default message if it has none."""
    path: ShaclPath | None
    value: ValueColumn
    """Where a Core result's value comes from (SHACL-SPARQL results: from the solution)."""
    sparql: SparqlConstraint | None = None


@dataclass(frozen=True)
class _Focus:
    """A group pattern that binds ``?this`` to each focus node of one shape, once."""

    pattern: str
    prefixes: dict[str, str]


@dataclass(frozen=True)
class Refusal:
    """A targeted shape the engine cannot check, and why."""

    shape: Node | None
    """The targeted shape, to be checked by another engine; None: every shape is."""
    error: UnsupportedShapeError


@dataclass(frozen=True)
class CompiledShapes:
    """What the engine makes of a shapes graph: every targeted shape is in exactly one part."""

    checks: tuple[Check, ...]
    """The checks of the shapes it compiled, in a stable order."""
    refused: tuple[Refusal, ...]


def compile_all(
    shapes: Graph, subclasses: Callable[[URIRef], Collection[URIRef]]
) -> CompiledShapes:
    """The checks of every targeted shape the engine can check, and a :class:`Refusal`
    for each other one (one Refusal for the whole graph when no shape can be checked apart)."""
    whole = refusal_of_the_whole_graph(shapes)
    if whole is not None:
        return CompiledShapes((), (Refusal(None, whole),))
    expressions = Expressions(shapes, subclasses)
    checks: list[Check] = []
    refused: list[Refusal] = []
    for shape in targeted_shapes(shapes):
        try:
            checks.extend(_ShapeCompiler(shapes, expressions, shape).checks())
        except UnsupportedShapeError as error:
            refused.append(Refusal(shape, error))
    return CompiledShapes(tuple(checks), tuple(refused))


def compile_shapes(
    shapes: Graph, subclasses: Callable[[URIRef], Collection[URIRef]]
) -> list[Check]:
    """Every check of every shape that has targets, in a stable order.

    Raises :class:`UnsupportedShapeError` for the first shape that uses a construct
    the engine cannot check.
    """
    compiled = compile_all(shapes, subclasses)
    if compiled.refused:
        raise compiled.refused[0].error
    return list(compiled.checks)


class _ShapeCompiler:
    """The checks of one targeted shape: a node shape and its property shapes, or a
    property shape with targets of its own."""

    def __init__(self, shapes: Graph, expressions: Expressions, shape: Node) -> None:
        self.shapes, self.expressions, self.shape = shapes, expressions, shape

    def checks(self) -> list[Check]:
        """All checks of the shape (a list, so that a refusal comes before any check is used)."""
        if self._deactivated(self.shape):
            return []
        focus = self._focus()
        if ShaclPath.of(self.shapes, self.shape, None) is not None:
            return list(self._property_checks(self.shape, None, focus))
        checks = list(self._shape_checks(self.shape, None, focus))
        for property_shape in sorted(self.shapes.objects(self.shape, SH.property), key=str):
            checks.extend(self._property_checks(property_shape, self.shape, focus))
        return checks

    def _property_checks(self, shape: Node, owner: Node | None, focus: _Focus) -> Iterator[Check]:
        if self._deactivated(shape):
            return
        path = ShaclPath.of(self.shapes, shape, owner)
        if path is None:
            raise UnsupportedShapeError(describe(shape, owner), "sh:property without sh:path")
        if (shape, SH.property, None) in self.shapes:
            raise UnsupportedShapeError(describe(shape, owner), "nested sh:property")
        yield from self._shape_checks(shape, path, focus)

    def _focus(self) -> _Focus:
        branches = [*self._class_targets(), *self._node_targets()]
        for predicate, pattern in (
            (SH.targetSubjectsOf, "?this {} {}"),
            (SH.targetObjectsOf, "{1} {0} ?this"),
        ):
            for target in sorted(self.shapes.objects(self.shape, predicate), key=str):
                iri = sparql_term(iri_value(self.shape, predicate, target))
                branches.append(f"{{ {pattern.format(iri, self.expressions.fresh())} }}")
        prefixes: dict[str, str] = {}
        for target in sorted(self.shapes.objects(self.shape, SH.target), key=str):
            pattern, declared = target_pattern(self.shapes, self.shape, target)
            branches.append(pattern)
            prefixes = merge_prefixes(prefixes, declared, where=describe(self.shape))
        union = " UNION ".join(branches)
        return _Focus(f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}", prefixes)

    def _class_targets(self) -> Iterator[str]:
        """The instances of the target classes and of their subclasses, as one branch."""
        targets = [
            iri_value(self.shape, SH.targetClass, t)
            for t in self.shapes.objects(self.shape, SH.targetClass)
        ]
        if has_implicit_class_target(self.shapes, self.shape):
            targets.append(iri_value(self.shape, RDF.type, self.shape))
        classes = sorted({c for t in targets for c in self.expressions.subclasses(t)}, key=str)
        if classes:
            kind = self.expressions.fresh()
            values = " ".join(sparql_term(c) for c in classes)
            yield f"{{ VALUES {kind} {{ {values} }} ?this <{RDF.type}> {kind} }}"

    def _node_targets(self) -> Iterator[str]:
        """The ``sh:targetNode`` values, as one branch, whether the data mentions them or not."""
        nodes = sorted(self.shapes.objects(self.shape, SH.targetNode), key=str)
        for node in nodes:
            if not isinstance(node, URIRef) and not (
                isinstance(node, Literal) and _kept_by_oxigraph(node)
            ):
                raise UnsupportedShapeError(
                    describe(self.shape),
                    f"sh:targetNode {node.n3()}",
                    "(a blank node, or a literal not in Oxigraph's canonical form) "
                    "is not supported",
                )
        if nodes:
            yield f"{{ VALUES ?this {{ {' '.join(sparql_term(n) for n in nodes)} }} }}"

    def _shape_checks(self, shape: Node, path: ShaclPath | None, focus: _Focus) -> Iterator[Check]:
        """The checks of ``shape`` itself: the node shape (``path`` None) or one property shape."""
        where = self._describe(shape)
        messages = tuple(sorted(str(m) for m in self.shapes.objects(shape, SH.message)))
        severities = list(self.shapes.objects(shape, SH.severity)) or [SH.Violation]
        severity = severities[0]
        if len(severities) > 1 or not isinstance(severity, URIRef):
            raise UnsupportedShapeError(
                where, f"sh:severity {' '.join(s.n3() for s in severities)}"
            )

        def check(use: Use, component: Component, compiled: CheckBody) -> Check:
            texts, sparql = messages, compiled.sparql
            if not messages and sparql is None:
                texts = (generic_message(use, component.message),)
            elif not messages and not sparql.messages:
                raise UnsupportedShapeError(
                    where, component.label, "without a sh:message is not supported"
                )
            prefixes = merge_prefixes(
                focus.prefixes, sparql.prefixes if sparql else {}, where=where
            )
            return Check(
                prologue(prefixes) + compiled.body,
                shape,
                component.iri,
                severity,
                texts,
                path,
                compiled.value,
                sparql,
            )

        for parameter in self.expressions.parameters(shape, self._owner(shape)):
            component = COMPONENTS[parameter]
            if component.read_with is not None:
                continue  # compiled with its read_with parameter, or refused there
            for argument in sorted(self.shapes.objects(shape, parameter), key=str):
                use = Use(self.expressions, shape, parameter, argument, self._owner(shape))
                compiled = self._compile(component, use, path, focus.pattern)
                if compiled is not None:
                    yield check(use, component, compiled)

    def _compile(
        self, component: Component, use: Use, path: ShaclPath | None, focus: str
    ) -> CheckBody | None:
        """A constraint as a query body, and where its result value comes from; None for a
        constraint that cannot fail (``sh:minCount 0``, ``sh:uniqueLang false``)."""
        if component.value_test is not None:
            # No owner: a value test's refusal names the shape alone, as it always has.
            tested = Use(use.expressions, use.shape, use.parameter, use.argument)
            if path is None:
                test = component.value_test(tested, "?this")
                body = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER(!COALESCE({test}, false)) }}"
                return CheckBody(body, ValueColumn.FOCUS)
            test = component.value_test(tested, "?value")
            failing = (
                f"SELECT ?this ?value WHERE {{ ?this {path.sparql} ?value "
                f"FILTER(!COALESCE({test}, false)) }}"
            )
            return CheckBody(of_focus_nodes(failing, focus, "?this ?value"), ValueColumn.VALUE)
        if path is None:
            if component.on_node is None:
                raise UnsupportedShapeError(
                    use.where, component.label, "on a node shape is not supported"
                )
            return component.on_node(use, focus)
        if component.on_property is None:
            raise UnsupportedShapeError(use.where, component.label)
        return component.on_property(use, path, focus)

    def _owner(self, shape: Node) -> Node | None:
        """The targeted shape that holds ``shape``, for error messages; None for itself."""
        return None if shape == self.shape else self.shape

    def _describe(self, shape: Node) -> str:
        return describe(shape, self._owner(shape))

    def _deactivated(self, shape: Node) -> bool:
        return self.shapes.value(shape, SH.deactivated) == Literal(True)


def _kept_by_oxigraph(literal: Literal) -> bool:
    """Whether Oxigraph gives ``literal`` back as written.

    It writes numbers, dates and booleans in canonical form (``"01"^^xsd:integer`` as
    ``1``), so for another form the focus node reported would not be the one the
    shape names; strings and literals of datatypes it does not know are kept as written.
    """
    query = f"SELECT ?node WHERE {{ VALUES ?node {{ {sparql_term(literal)} }} }}"
    (solution,) = ox.Store().query(query)
    back = to_rdflib(solution["node"])
    return (
        isinstance(back, Literal)
        and str(back) == str(literal)
        and back.datatype == literal.datatype
        and back.language == literal.language
    )
