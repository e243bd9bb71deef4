"""Constraints that judge a focus node by its value nodes together, as SPARQL.

Counts (``sh:minCount``, ``sh:maxCount``, ``sh:qualifiedValueShape``),
``sh:hasValue``, ``sh:uniqueLang``, the property pairs ``sh:equals`` and
``sh:disjoint``, and ``sh:sparql`` constraints hold or fail for a focus node as a
whole, not for each value node on its own (those are :mod:`.value_tests`). Each
is written here once for each place it can stand: on a targeted node shape
(:data:`NodeCheck`) or property shape (:data:`PropertyCheck`), a query body over
all focus nodes; in a node shape or property shape nested in another
(:data:`NodeMemberTest`, :data:`PropertyMemberTest`), a boolean expression over one node.
:data:`~.components.COMPONENTS` says which component uses which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from rdflib import XSD, Literal
from rdflib.term import Node

from ...namespaces import SH
from .paths import ShaclPath
from .sparql_constraints import SparqlConstraint, read_constraint
from .vocabulary import UnsupportedShapeError, iri_value, sparql_term

if TYPE_CHECKING:
    from .components import Use

__all__ = [
    "CheckBody",
    "NodeCheck",
    "NodeMemberTest",
    "PropertyCheck",
    "PropertyMemberTest",
    "ValueColumn",
    "count",
    "disjoint_on_node",
    "disjoint_on_property",
    "equals_on_node",
    "equals_on_property",
    "has_value_in_node",
    "has_value_in_property",
    "has_value_on_node",
    "has_value_on_property",
    "max_count",
    "min_count",
    "min_count_in_property",
    "of_focus_nodes",
    "qualified_min_count",
    "sparql_on_node",
    "sparql_on_property",
    "unique_lang",
]


class ValueColumn(Enum):
    """Where a check's result value comes from."""

    VALUE = "value"
    """The query's ``?value``: the value node that failed."""
    FOCUS = "focus"
    """The focus node itself (a node shape's own constraint)."""
    NONE = "none"
    """No value (counts, and others that judge the value nodes together)."""


@dataclass(frozen=True)
class CheckBody:
    """A check's query (without its prologue), and where its result value comes from."""

    body: str
    value: ValueColumn
    sparql: SparqlConstraint | None = None
    """The ``sh:sparql`` constraint the query was written from, if any."""


NodeCheck = Callable[["Use", str], CheckBody | None]
"""A constraint of a targeted node shape as a check over the focus nodes that a group
pattern binds to ``?this``; None if it cannot fail."""

PropertyCheck = Callable[["Use", ShaclPath, str], CheckBody | None]
"""A constraint of a targeted property shape (with its path), as :data:`NodeCheck`."""

NodeMemberTest = Callable[["Use", str], str | None]
"""A constraint of a nested node shape as whether the node in a variable conforms to it;
None where it cannot be written (it is then refused)."""

PropertyMemberTest = Callable[["Use", ShaclPath, str], str | None]
"""A constraint of a nested property shape (with its path), as :data:`NodeMemberTest`."""


def count(where: str, component: str, argument: Node) -> int:
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
            where, f"{component} {argument}", "is not a non-negative xsd:integer and"
        )
    return value


def of_focus_nodes(failing: str, focus: str, projection: str) -> str:
    """The solutions of ``failing`` (a sub-query that judges each subject by its own
    values) whose ``?this`` is a focus node.

    Failures are found first and only they are matched against the focus nodes:
    on big data that is several times faster than listing every focus node and
    then its values, since the focus set is the expensive part and failures are few.
    """
    return f"SELECT DISTINCT {projection} WHERE {{ {{ {failing} }} FILTER EXISTS {focus} }}"


def _values(path: ShaclPath) -> str:
    """The pattern binding ``?value`` to each value node of the focus node ``?this``."""
    return f"?this {path.sparql} ?value"


# --- sh:minCount, sh:maxCount, sh:qualifiedValueShape ------------------------------------


def min_count(use: Use, path: ShaclPath, focus: str) -> CheckBody | None:
    body = _at_least(focus, _values(path), "true", count(use.where, use.name, use.argument))
    return None if body is None else CheckBody(body, ValueColumn.NONE)


def min_count_in_property(use: Use, path: ShaclPath, var: str) -> str | None:
    """At least one value, or none asked for; a higher minimum is not written nested."""
    minimum = count(use.where, use.name, use.argument)
    if minimum > 1:
        return None
    return "true" if minimum == 0 else f"EXISTS {{ {var} {path.sparql} [] }}"


def max_count(use: Use, path: ShaclPath, focus: str) -> CheckBody:
    most = count(use.where, use.name, use.argument)
    too_many = (
        f"SELECT ?this WHERE {{ {_values(path)} }} "
        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {most})"
    )
    return CheckBody(of_focus_nodes(too_many, focus, "?this"), ValueColumn.NONE)


def qualified_min_count(use: Use, path: ShaclPath, focus: str) -> CheckBody | None:
    """``sh:qualifiedValueShape`` with its one ``sh:qualifiedMinCount``, read here with it;
    a maximum, or disjoint qualified value shapes, are refused."""
    shapes, shape = use.shapes, use.shape
    for refused in (SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint):
        if (shape, refused, None) in shapes:
            raise UnsupportedShapeError(use.where, f"{use.name_of(refused)} ({refused})")
    minimum = shapes.value(shape, SH.qualifiedMinCount)
    if (
        len(set(shapes.objects(shape, SH.qualifiedValueShape))) > 1
        or len(set(shapes.objects(shape, SH.qualifiedMinCount))) > 1
    ):
        raise UnsupportedShapeError(use.where, "more than one qualified value shape or minimum")
    if minimum is None:
        raise UnsupportedShapeError(
            use.where, "sh:qualifiedValueShape without sh:qualifiedMinCount"
        )
    test = use.expressions.conforms(use.argument, "?value", shape)
    at_least = count(use.where, use.name_of(SH.qualifiedMinCount), minimum)
    body = _at_least(focus, _values(path), test, at_least)
    return None if body is None else CheckBody(body, ValueColumn.NONE)


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


# --- sh:hasValue: a node shape's one value node is the focus node -------------------------


def has_value_on_node(use: Use, focus: str) -> CheckBody:
    test = f"sameTerm(?this, {sparql_term(use.argument)})"
    body = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER(!{test}) }}"
    return CheckBody(body, ValueColumn.NONE)


def has_value_on_property(use: Use, path: ShaclPath, focus: str) -> CheckBody:
    wanted = f"?this {path.sparql} {sparql_term(use.argument)}"
    body = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {wanted} }} }}"
    return CheckBody(body, ValueColumn.NONE)


def has_value_in_node(use: Use, var: str) -> str:
    return f"sameTerm({var}, {sparql_term(use.argument)})"


def has_value_in_property(use: Use, path: ShaclPath, var: str) -> str:
    return f"EXISTS {{ {var} {path.sparql} {sparql_term(use.argument)} }}"


# --- sh:uniqueLang -----------------------------------------------------------------------


def unique_lang(use: Use, path: ShaclPath, focus: str) -> CheckBody | None:
    if use.argument != Literal(True):
        return None
    # One result per language that more than one value carries, as pySHACL gives.
    repeated = (
        f"SELECT ?this ?language WHERE {{ {_values(path)} "
        f'FILTER(isLiteral(?value) && LANG(?value) != "") }} '
        f"GROUP BY ?this (LCASE(LANG(?value)) AS ?language) "
        f"HAVING (COUNT(DISTINCT ?value) > 1)"
    )
    return CheckBody(of_focus_nodes(repeated, focus, "?this ?language"), ValueColumn.NONE)


# --- sh:equals, sh:disjoint --------------------------------------------------------------


def equals_on_property(use: Use, path: ShaclPath, focus: str) -> CheckBody:
    """Each value on one side only."""
    values, other = _values(path), _other_values(use)
    failing = (
        f"SELECT ?this ?value WHERE {{ {{ {values} FILTER NOT EXISTS {{ {other} }} }}"
        f" UNION {{ {other} FILTER NOT EXISTS {{ {values} }} }} }}"
    )
    return CheckBody(of_focus_nodes(failing, focus, "?this ?value"), ValueColumn.VALUE)


def disjoint_on_property(use: Use, path: ShaclPath, focus: str) -> CheckBody:
    """Each value on both sides."""
    failing = f"SELECT ?this ?value WHERE {{ {_values(path)} . {_other_values(use)} }}"
    return CheckBody(of_focus_nodes(failing, focus, "?this ?value"), ValueColumn.VALUE)


def _other_values(use: Use) -> str:
    """The pattern binding ``?value`` to each value of the other property of the pair."""
    return f"?this {sparql_term(iri_value(use.shape, use.parameter, use.argument))} ?value"


# On a node shape the only value node is the focus node itself.


def equals_on_node(use: Use, focus: str) -> CheckBody:
    """The focus node without itself as a value, and the values other than the focus node."""
    p = sparql_term(iri_value(use.shape, use.parameter, use.argument))
    # Two sub-queries, each binding ?this itself.
    missing = (
        f"SELECT ?this ?value WHERE {{ {focus} "
        f"FILTER NOT EXISTS {{ ?this {p} ?this }} BIND(?this AS ?value) }}"
    )
    others = (
        f"SELECT ?this ?value WHERE {{ {focus} ?this {p} ?value FILTER(!sameTerm(?value, ?this)) }}"
    )
    body = f"SELECT DISTINCT ?this ?value WHERE {{ {{ {missing} }} UNION {{ {others} }} }}"
    return CheckBody(body, ValueColumn.VALUE)


def disjoint_on_node(use: Use, focus: str) -> CheckBody:
    """The focus node, where it is a value of the other property."""
    p = sparql_term(iri_value(use.shape, use.parameter, use.argument))
    body = f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {p} ?this }}"
    return CheckBody(body, ValueColumn.FOCUS)


# --- sh:sparql ---------------------------------------------------------------------------


def sparql_on_node(use: Use, focus: str) -> CheckBody | None:
    return _sparql(use, None, focus)


def sparql_on_property(use: Use, path: ShaclPath, focus: str) -> CheckBody | None:
    return _sparql(use, path, focus)


def _sparql(use: Use, path: ShaclPath | None, focus: str) -> CheckBody | None:
    """A SHACL-SPARQL constraint's own text with the focus pattern joined in; None if it
    is deactivated."""
    constraint = read_constraint(use.shapes, use.shape, use.argument, path)
    if constraint is None:
        return None
    return CheckBody(constraint.query(focus), ValueColumn.VALUE, constraint)
