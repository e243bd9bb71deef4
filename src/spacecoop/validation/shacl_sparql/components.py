"""The SHACL constraint components the SPARQL engine knows: one entry per parameter.

As pySHACL gives each constraint component one class, :data:`COMPONENTS` gives
each SHACL Core and SHACL-SPARQL parameter one :class:`Component`: the component
it belongs to, how it compiles in each place a constraint can stand, and the
default message pySHACL gives when the shape has no ``sh:message``. A place with
no way to compile it is refused there, with an :class:`UnsupportedShapeError`
naming the component; a component with none (``sh:lessThan``, ``sh:node``,
``sh:closed`` …) is refused everywhere. Adding a component is adding its entry.

A parameter that is read with another one of its component (``sh:flags`` with
``sh:pattern``, ``sh:qualifiedMinCount`` with ``sh:qualifiedValueShape``) is
compiled, or refused, by that one's entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.term import Node

from ...namespaces import SH
from . import focus_checks as check
from . import generic_messages as message
from . import value_tests as test
from .vocabulary import describe

if TYPE_CHECKING:
    from .expressions import Expressions

__all__ = ["COMPONENTS", "Component", "Use"]


@dataclass(frozen=True)
class Component:
    """A SHACL constraint component, as one of its parameters activates it.

    ``value_test`` is compiled alike everywhere (the compiler and
    :class:`~.expressions.Expressions` place it); the other constraints have
    one way to compile for each place they can stand, and are refused elsewhere.
    """

    name: str
    """Its local name without ``ConstraintComponent``: ``MinCount``."""
    value_test: test.ValueTest | None = None
    """Whether one value node passes, for constraints that judge each on its own."""
    on_node: check.NodeCheck | None = None
    """As a check of a targeted node shape."""
    on_property: check.PropertyCheck | None = None
    """As a check of a targeted property shape."""
    in_node: check.NodeMemberTest | None = None
    """As a test inside a nested node shape (a member of ``sh:or`` …)."""
    in_property: check.PropertyMemberTest | None = None
    """As a test inside a nested property shape."""
    message: message.MessageWriter | None = None
    """pySHACL's default message, where it names only the constraint's parameters."""
    read_with: URIRef | None = None
    """The parameter whose entry compiles this one with it (then this one has no other)."""

    @property
    def label(self) -> str:
        """As messages name it: ``sh:MinCountConstraintComponent``."""
        return f"sh:{self.name}ConstraintComponent"

    @property
    def iri(self) -> URIRef:
        return SH[f"{self.name}ConstraintComponent"]


@dataclass(frozen=True)
class Use:
    """One use of a parameter: ``parameter`` = ``argument`` on ``shape``, what each way
    to compile a :class:`Component` is given."""

    expressions: Expressions
    shape: Node
    parameter: URIRef
    argument: Node
    owner: Node | None = None
    """The targeted shape that holds ``shape``, for error messages; None for itself."""

    @property
    def shapes(self) -> Graph:
        return self.expressions.shapes

    @property
    def where(self) -> str:
        """The shape as an error message names it."""
        return describe(self.shape, self.owner)

    @property
    def name(self) -> str:
        """The component of ``parameter`` as messages name it."""
        return self.name_of(self.parameter)

    def name_of(self, parameter: URIRef) -> str:
        """The component of another ``parameter`` as messages name it."""
        return COMPONENTS[parameter].label


_QUALIFIED = SH.qualifiedValueShape

COMPONENTS: dict[URIRef, Component] = {
    # Value type
    SH["class"]: Component(
        "Class", test.instance_of, message=message.shaped("Value does not have class {}")
    ),
    SH.datatype: Component(
        "Datatype", test.datatype, message=message.shaped("Value is not Literal with datatype {}")
    ),
    SH.nodeKind: Component(
        "NodeKind", test.node_kind, message=message.shaped("Value is not of Node Kind {}")
    ),
    # Cardinality
    SH.minCount: Component(
        "MinCount", on_property=check.min_count, in_property=check.min_count_in_property
    ),
    SH.maxCount: Component("MaxCount", on_property=check.max_count),
    # Value range
    SH.minExclusive: Component(
        "MinExclusive", test.compare(">"), message=message.shaped("Value is not > {}")
    ),
    SH.minInclusive: Component(
        "MinInclusive", test.compare(">="), message=message.shaped("Value is not >= {}")
    ),
    SH.maxExclusive: Component(
        "MaxExclusive", test.compare("<"), message=message.shaped("Value is not < {}")
    ),
    SH.maxInclusive: Component(
        "MaxInclusive", test.compare("<="), message=message.shaped("Value is not <= {}")
    ),
    # String based
    SH.minLength: Component(
        "MinLength", test.min_length, message=message.length("String length not >= {}")
    ),
    SH.maxLength: Component(
        "MaxLength", test.max_length, message=message.length("String length not <= {}")
    ),
    SH.pattern: Component("Pattern", test.pattern, message=message.pattern),
    SH.flags: Component("Pattern", read_with=SH.pattern),
    SH.languageIn: Component(
        "LanguageIn", test.language_in, message=message.shaped("String language is not in {}")
    ),
    SH.uniqueLang: Component(
        "UniqueLang",
        on_property=check.unique_lang,
        message=message.fixed("More than one String shares the same Language"),
    ),
    # Property pair; sh:lessThan and sh:lessThanOrEquals are not compiled.
    SH.equals: Component(
        "Equals", on_node=check.equals_on_node, on_property=check.equals_on_property
    ),
    SH.disjoint: Component(
        "Disjoint", on_node=check.disjoint_on_node, on_property=check.disjoint_on_property
    ),
    SH.lessThan: Component("LessThan"),
    SH.lessThanOrEquals: Component("LessThanOrEquals"),
    # Logical
    SH["not"]: Component("Not", test.none_of),
    SH["and"]: Component("And", test.all_of),
    SH["or"]: Component("Or", test.some_of),
    SH.xone: Component("Xone", test.exactly_one_of),
    # Shape based. pySHACL reports the results inside a sh:node as sh:detail, which
    # pyshacl_engine reads as results of their own: the fast engine would have to give them.
    SH.node: Component("Node"),
    _QUALIFIED: Component(
        "QualifiedMinCount", on_property=check.qualified_min_count, message=message.qualified
    ),
    SH.qualifiedMinCount: Component("QualifiedMinCount", read_with=_QUALIFIED),
    SH.qualifiedMaxCount: Component("QualifiedMaxCount", read_with=_QUALIFIED),
    SH.qualifiedValueShapesDisjoint: Component("QualifiedMinCount", read_with=_QUALIFIED),
    # Other; sh:closed is not compiled.
    SH.closed: Component("Closed"),
    SH.ignoredProperties: Component("Closed"),
    SH.hasValue: Component(
        "HasValue",
        on_node=check.has_value_on_node,
        on_property=check.has_value_on_property,
        in_node=check.has_value_in_node,
        in_property=check.has_value_in_property,
    ),
    SH["in"]: Component("In", test.one_of_terms),
    # SHACL-SPARQL
    SH.sparql: Component(
        "SPARQL", on_node=check.sparql_on_node, on_property=check.sparql_on_property
    ),
}
"""Each SHACL Core and SHACL-SPARQL parameter -> its constraint component (SHACL §4, §5)."""
