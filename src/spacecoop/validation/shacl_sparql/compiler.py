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
from enum import Enum

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ...namespaces import RDF, SH
from ...repository.store import to_rdflib
from .discovery import has_implicit_class_target, refusal_of_the_whole_graph, targeted_shapes
from .expressions import VALUE_TESTS, Expressions
from .generic_messages import generic_message
from .paths import ShaclPath
from .sparql_constraints import (
    SparqlConstraint,
    merge_prefixes,
    prologue,
    read_constraint,
    target_pattern,
)
from .vocabulary import COMPONENT_OF, UnsupportedShapeError, component, count, describe, sparql_term

__all__ = ["Check", "CompiledShapes", "Refusal", "ValueColumn", "compile_all", "compile_shapes"]


class ValueColumn(Enum):
    """Where a check's result value comes from."""

    VALUE = "value"
    """The query's ``?value``: the value node that failed."""
    FOCUS = "focus"
    """The focus node itself (a node shape's own constraint)."""
    NONE = "none"
    """No value (counts, and others that judge the value nodes together)."""


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
                iri = sparql_term(_iri(self.shape, predicate, target))
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
            _iri(self.shape, SH.targetClass, t)
            for t in self.shapes.objects(self.shape, SH.targetClass)
        ]
        if has_implicit_class_target(self.shapes, self.shape):
            targets.append(_iri(self.shape, RDF.type, self.shape))
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

        def check(
            body: str, parameter: URIRef, value: ValueColumn, sparql: SparqlConstraint | None = None
        ) -> Check:
            texts = messages
            if not messages and sparql is None:
                texts = (generic_message(self.shapes, shape, parameter, where),)
            elif not messages and not sparql.messages:
                raise UnsupportedShapeError(
                    where, COMPONENT_OF[parameter], "without a sh:message is not supported"
                )
            prefixes = merge_prefixes(
                focus.prefixes, sparql.prefixes if sparql else {}, where=where
            )
            return Check(
                prologue(prefixes) + body,
                shape,
                component(parameter),
                severity,
                texts,
                path,
                value,
                sparql,
            )

        for parameter in self.expressions.parameters(shape, self._owner(shape)):
            if parameter in _READ_WITH_ANOTHER:
                continue  # compiled with sh:pattern or sh:qualifiedValueShape, or refused there
            for argument in sorted(self.shapes.objects(shape, parameter), key=str):
                if parameter == SH.sparql:
                    constraint = read_constraint(self.shapes, shape, argument, path)
                    if constraint is not None:
                        body = constraint.query(focus.pattern)
                        yield check(body, parameter, ValueColumn.VALUE, constraint)
                    continue
                compiled = self._core(shape, path, focus.pattern, parameter, argument)
                if compiled is not None:
                    body, value = compiled
                    yield check(body, parameter, value)

    def _core(
        self, shape: Node, path: ShaclPath | None, focus: str, parameter: URIRef, argument: Node
    ) -> tuple[str, ValueColumn] | None:
        """A SHACL Core constraint as a query body, and where its result value comes from;
        None for a constraint that cannot fail (``sh:minCount 0``, ``sh:uniqueLang false``)."""
        where = self._describe(shape)
        if path is None:
            if parameter == SH.hasValue:
                test = f"sameTerm(?this, {sparql_term(argument)})"
                return (
                    f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER(!{test}) }}",
                    ValueColumn.NONE,
                )
            if parameter in VALUE_TESTS:
                test = self.expressions.value_test(shape, parameter, argument, "?this")
                body = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER(!COALESCE({test}, false)) }}"
                return body, ValueColumn.FOCUS
            if parameter in (SH.equals, SH.disjoint):
                return _node_pair(focus, parameter, _iri(shape, parameter, argument))
            raise UnsupportedShapeError(
                where, COMPONENT_OF[parameter], "on a node shape is not supported"
            )
        values = f"?this {path.sparql} ?value"
        if parameter in VALUE_TESTS:
            test = self.expressions.value_test(shape, parameter, argument, "?value")
            failing = f"SELECT ?this ?value WHERE {{ {values} FILTER(!COALESCE({test}, false)) }}"
            return _of_focus_nodes(failing, focus, "?this ?value"), ValueColumn.VALUE
        if parameter == SH.minCount:
            body = _at_least(focus, values, "true", count(where, parameter, argument))
            return None if body is None else (body, ValueColumn.NONE)
        if parameter == SH.maxCount:
            most = count(where, parameter, argument)
            too_many = (
                f"SELECT ?this WHERE {{ {values} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {most})"
            )
            return _of_focus_nodes(too_many, focus, "?this"), ValueColumn.NONE
        if parameter == SH.uniqueLang:
            if argument != Literal(True):
                return None
            # One result per language that more than one value carries, as pySHACL gives.
            repeated = (
                f"SELECT ?this ?language WHERE {{ {values} "
                f'FILTER(isLiteral(?value) && LANG(?value) != "") }} '
                f"GROUP BY ?this (LCASE(LANG(?value)) AS ?language) "
                f"HAVING (COUNT(DISTINCT ?value) > 1)"
            )
            return _of_focus_nodes(repeated, focus, "?this ?language"), ValueColumn.NONE
        if parameter == SH.hasValue:
            wanted = f"?this {path.sparql} {sparql_term(argument)}"
            body = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {wanted} }} }}"
            return body, ValueColumn.NONE
        if parameter == SH.qualifiedValueShape:
            body = self._qualified(shape, focus, values, argument)
            return None if body is None else (body, ValueColumn.NONE)
        if parameter in (SH.equals, SH.disjoint):
            other = f"?this {sparql_term(_iri(shape, parameter, argument))} ?value"
            if parameter == SH.equals:  # a value on one side only
                failing = (
                    f"SELECT ?this ?value WHERE {{ {{ {values} FILTER NOT EXISTS {{ {other} }} }}"
                    f" UNION {{ {other} FILTER NOT EXISTS {{ {values} }} }} }}"
                )
            else:  # a value on both sides
                failing = f"SELECT ?this ?value WHERE {{ {values} . {other} }}"
            return _of_focus_nodes(failing, focus, "?this ?value"), ValueColumn.VALUE
        raise UnsupportedShapeError(where, COMPONENT_OF[parameter])

    def _qualified(self, shape: Node, focus: str, values: str, value_shape: Node) -> str | None:
        where = self._describe(shape)
        for refused in (SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint):
            if (shape, refused, None) in self.shapes:
                raise UnsupportedShapeError(where, f"{COMPONENT_OF[refused]} ({refused})")
        minimum = self.shapes.value(shape, SH.qualifiedMinCount)
        if (
            len(set(self.shapes.objects(shape, SH.qualifiedValueShape))) > 1
            or len(set(self.shapes.objects(shape, SH.qualifiedMinCount))) > 1
        ):
            raise UnsupportedShapeError(where, "more than one qualified value shape or minimum")
        if minimum is None:
            raise UnsupportedShapeError(
                where, "sh:qualifiedValueShape without sh:qualifiedMinCount"
            )
        test = self.expressions.conforms(value_shape, "?value", shape)
        return _at_least(focus, values, test, count(where, SH.qualifiedMinCount, minimum))

    def _owner(self, shape: Node) -> Node | None:
        """The targeted shape that holds ``shape``, for error messages; None for itself."""
        return None if shape == self.shape else self.shape

    def _describe(self, shape: Node) -> str:
        return describe(shape, self._owner(shape))

    def _deactivated(self, shape: Node) -> bool:
        return self.shapes.value(shape, SH.deactivated) == Literal(True)


_READ_WITH_ANOTHER = (
    SH.flags,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
)


def _of_focus_nodes(failing: str, focus: str, projection: str) -> str:
    """The solutions of ``failing`` (a sub-query that judges each subject by its own
    values) whose ``?this`` is a focus node.

    Failures are found first and only they are matched against the focus nodes:
    on big data that is several times faster than listing every focus node and
    then its values, since the focus set is the expensive part and failures are few.
    """
    return f"SELECT DISTINCT {projection} WHERE {{ {{ {failing} }} FILTER EXISTS {focus} }}"


def _node_pair(focus: str, parameter: URIRef, predicate: URIRef) -> tuple[str, ValueColumn]:
    """``sh:equals`` / ``sh:disjoint`` on a node shape, whose only value node is the focus
    node: each value that breaks it (the focus node, or another value of ``predicate``)."""
    p = sparql_term(predicate)
    if parameter == SH.disjoint:
        return f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {p} ?this }}", ValueColumn.FOCUS
    # Two sub-queries, each binding ?this itself: the focus node without itself as a value,
    # and the values other than the focus node.
    missing = (
        f"SELECT ?this ?value WHERE {{ {focus} "
        f"FILTER NOT EXISTS {{ ?this {p} ?this }} BIND(?this AS ?value) }}"
    )
    others = (
        f"SELECT ?this ?value WHERE {{ {focus} ?this {p} ?value FILTER(!sameTerm(?value, ?this)) }}"
    )
    body = f"SELECT DISTINCT ?this ?value WHERE {{ {{ {missing} }} UNION {{ {others} }} }}"
    return body, ValueColumn.VALUE


def _at_least(focus: str, values: str, test: str, minimum: int) -> str | None:
    """Focus nodes with fewer than ``minimum`` distinct values that pass ``test``."""
    if minimum <= 0:
        return None
    if minimum == 1:
        passing = f"{values} FILTER({test})"
        return f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {passing} }} }}"
    return (
        f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {values} FILTER({test}) }} }} "
        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {minimum})"
    )


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


def _iri(shape: Node, predicate: URIRef, target: Node) -> URIRef:
    """``target``, the value of ``predicate`` on ``shape``, which must be an IRI."""
    if not isinstance(target, URIRef):
        name = "an implicit class target" if predicate == RDF.type else str(predicate)
        raise UnsupportedShapeError(
            describe(shape), f"{name} {target.n3()}", "(not an IRI) is not supported"
        )
    return target
