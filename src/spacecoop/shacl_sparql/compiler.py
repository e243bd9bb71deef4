"""Compile a shapes graph into SPARQL SELECT queries whose solutions are the validation results.

A shape with targets (``sh:targetClass``, a ``sh:SPARQLTarget``) gets a focus
pattern, a sub-query binding ``?this`` to each focus node once; ``sh:targetClass``
matches instances of the class and of its subclasses (listed once per class),
looked up in the data graph plus the ontology, as pySHACL does with the ontology
as its ``ont_graph``. Each constraint of the shape and of its ``sh:property``
shapes then becomes one query over all focus nodes: value tests as a ``FILTER``
over the value nodes, counts as ``GROUP BY``/``HAVING`` or ``FILTER NOT EXISTS``,
SHACL-SPARQL constraints as their own text with the focus pattern joined in.
(Storing each shape's focus nodes once in a temporary graph was measured: no faster.)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from enum import Enum

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import RDF, RDFS, SH
from .expressions import VALUE_TESTS, Expressions, ShaclPath, constraint_parameters
from .sparql_constraints import (
    SparqlConstraint,
    merge_prefixes,
    prologue,
    read_constraint,
    target_pattern,
)
from .vocabulary import COMPONENT_OF, UnsupportedShapeError, component, describe, sparql_term

__all__ = ["Check", "ValueColumn", "compile_shapes"]


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
    """The source shape's ``sh:message`` texts."""
    path: ShaclPath | None
    value: ValueColumn
    """Where a Core result's value comes from (SHACL-SPARQL results: from the solution)."""
    sparql: SparqlConstraint | None = None


@dataclass(frozen=True)
class _Focus:
    """A group pattern that binds ``?this`` to each focus node of one shape, once."""

    pattern: str
    prefixes: dict[str, str]


def compile_shapes(
    shapes: Graph, subclasses: Callable[[URIRef], Collection[URIRef]]
) -> list[Check]:
    """Every check of every shape that has targets, in a stable order.

    Raises :class:`UnsupportedShapeError` for any construct the engine cannot check.
    """
    expressions = Expressions(shapes, subclasses)
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if (shape, RDF.type, RDFS.Class) in shapes:
                raise UnsupportedShapeError(describe(shape), "an implicit class target")
    targeted = {s for p in (SH.targetClass, SH.target) for s in shapes.subjects(p, None)}
    checks: list[Check] = []
    for shape in sorted(targeted, key=str):
        checks.extend(_ShapeCompiler(shapes, expressions, shape).checks())
    return checks


class _ShapeCompiler:
    """The checks of one targeted node shape and of its property shapes."""

    def __init__(self, shapes: Graph, expressions: Expressions, shape: Node) -> None:
        self.shapes, self.expressions, self.shape = shapes, expressions, shape

    def checks(self) -> Iterator[Check]:
        if self._deactivated(self.shape):
            return
        if self.shapes.value(self.shape, SH.path) is not None:
            raise UnsupportedShapeError(describe(self.shape), "a target on a property shape")
        focus = self._focus()
        yield from self._shape_checks(self.shape, None, focus)
        for property_shape in sorted(self.shapes.objects(self.shape, SH.property), key=str):
            if not self._deactivated(property_shape):
                path = ShaclPath.of(self.shapes, property_shape, self.shape)
                if path is None:
                    raise UnsupportedShapeError(
                        describe(property_shape), "sh:property without sh:path"
                    )
                if (property_shape, SH.property, None) in self.shapes:
                    raise UnsupportedShapeError(describe(property_shape), "nested sh:property")
                yield from self._shape_checks(property_shape, path, focus)

    def _focus(self) -> _Focus:
        branches, prefixes = [], {}
        classes = sorted(
            {
                c
                for t in self.shapes.objects(self.shape, SH.targetClass)
                for c in self.expressions.subclasses(_iri(self.shape, t))
            },
            key=str,
        )
        if classes:
            kind = self.expressions.fresh()
            values = " ".join(sparql_term(c) for c in classes)
            branches.append(f"{{ VALUES {kind} {{ {values} }} ?this <{RDF.type}> {kind} }}")
        for target in sorted(self.shapes.objects(self.shape, SH.target), key=str):
            pattern, declared = target_pattern(self.shapes, self.shape, target)
            branches.append(pattern)
            prefixes = merge_prefixes(prefixes, declared, where=describe(self.shape))
        union = " UNION ".join(branches)
        return _Focus(f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}", prefixes)

    def _shape_checks(self, shape: Node, path: ShaclPath | None, focus: _Focus) -> Iterator[Check]:
        """The checks of ``shape`` itself: the node shape (``path`` None) or one property shape."""
        where = describe(shape)
        messages = tuple(sorted(str(m) for m in self.shapes.objects(shape, SH.message)))
        severity = self.shapes.value(shape, SH.severity) or SH.Violation
        if not isinstance(severity, URIRef):
            raise UnsupportedShapeError(where, f"sh:severity {severity!r}")

        def check(
            body: str, parameter: URIRef, value: ValueColumn, sparql: SparqlConstraint | None = None
        ) -> Check:
            if not messages and not (sparql and sparql.messages):
                # pySHACL's generic messages are its own wording; ours are all written out.
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
                messages,
                path,
                value,
                sparql,
            )

        for parameter in constraint_parameters(self.shapes, shape, self.shape):
            if parameter in _WITH_QUALIFIED_VALUE_SHAPE:
                continue  # compiled with sh:qualifiedValueShape, or refused there
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
        where = describe(shape)
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
            raise UnsupportedShapeError(
                where, COMPONENT_OF[parameter], "on a node shape is not supported"
            )
        values = f"?this {path.sparql} ?value"
        if parameter in VALUE_TESTS:
            test = self.expressions.value_test(shape, parameter, argument, "?value")
            failing = f"SELECT ?this ?value WHERE {{ {values} FILTER(!COALESCE({test}, false)) }}"
            return _of_focus_nodes(failing, focus, "?this ?value"), ValueColumn.VALUE
        if parameter == SH.minCount:
            body = _at_least(focus, values, "true", int(argument))
            return None if body is None else (body, ValueColumn.NONE)
        if parameter == SH.maxCount:
            too_many = (
                f"SELECT ?this WHERE {{ {values} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(argument)})"
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
        raise UnsupportedShapeError(where, COMPONENT_OF[parameter])

    def _qualified(self, shape: Node, focus: str, values: str, value_shape: Node) -> str | None:
        where = describe(shape)
        for refused in (SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint):
            if (shape, refused, None) in self.shapes:
                raise UnsupportedShapeError(where, f"{COMPONENT_OF[refused]} ({refused})")
        minimum = self.shapes.value(shape, SH.qualifiedMinCount)
        if minimum is None:
            raise UnsupportedShapeError(
                where, "sh:qualifiedValueShape without sh:qualifiedMinCount"
            )
        test = self.expressions.conforms(value_shape, "?value", shape)
        return _at_least(focus, values, test, int(minimum))

    def _deactivated(self, shape: Node) -> bool:
        return self.shapes.value(shape, SH.deactivated) == Literal(True)


_WITH_QUALIFIED_VALUE_SHAPE = (
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


def _iri(shape: Node, target: Node) -> URIRef:
    if not isinstance(target, URIRef):
        raise UnsupportedShapeError(describe(shape), f"sh:targetClass {target!r}")
    return target
