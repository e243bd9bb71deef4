"""pySHACL's default message for a constraint whose shape has no ``sh:message``.

pySHACL writes one per constraint component (its ``make_generic_messages``); the
fast engine must give the same Results, messages included. It can where the
message names only the constraint's parameters, which live in the shapes graph:
those texts are made once, at compile time, with pySHACL's own ``stringify_node``
on the same shapes graph, so they are the very same strings. Messages that name a
focus or value node are written by pySHACL from the data graph (its prefixes, a
blank node's whole description): those components are refused without a message.
"""

from __future__ import annotations

from collections.abc import Callable

from pyshacl.rdfutil import stringify_node
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ...namespaces import SH
from .vocabulary import COMPONENT_OF, UnsupportedShapeError

__all__ = ["generic_message"]


def generic_message(shapes: Graph, shape: Node, parameter: URIRef, where: str) -> str:
    """pySHACL's message for the constraint of ``parameter`` on ``shape``.

    Raises :class:`UnsupportedShapeError` where the message cannot be the same.
    """
    name = COMPONENT_OF[parameter]
    write = _FROM_SHAPES.get(parameter)
    if write is None:
        raise UnsupportedShapeError(
            where,
            f"{name} without a sh:message",
            "is not supported (pySHACL's message names a focus or value node "
            "as it writes it from the data graph)",
        )
    arguments = sorted(shapes.objects(shape, parameter), key=str)
    if len(arguments) != 1:
        # pySHACL joins them all in one message, in the order rdflib gives them.
        raise UnsupportedShapeError(where, f"{name} with {len(arguments)} values and no sh:message")
    return write(shapes, shape, arguments[0])


def _shaped(template: str) -> Callable[[Graph, Node, Node], str]:
    """A message naming the argument as pySHACL writes a node of the shapes graph."""
    return lambda shapes, _shape, argument: template.format(stringify_node(shapes, argument))


def _length(template: str) -> Callable[[Graph, Node, Node], str]:
    """pySHACL writes a length with the data graph's prefixes: only xsd's matter for a
    literal's datatype, bound in every rdflib graph, as in a new one."""
    return lambda _shapes, _shape, argument: template.format(stringify_node(Graph(), argument))


def _pattern(_shapes: Graph, _shape: Node, argument: Node) -> str:
    text = argument.value if isinstance(argument, Literal) else argument
    return f"Value does not match pattern '{text}'"


def _qualified(shapes: Graph, shape: Node, argument: Node) -> str:
    # The compiler accepts a qualified value shape with one minimum and no maximum only.
    minimum = shapes.value(shape, SH.qualifiedMinCount)
    count = minimum.value if isinstance(minimum, Literal) else minimum
    written = stringify_node(shapes, argument)
    return f"Focus node does not conform to shape MinCount {count}: {written}"


_FROM_SHAPES: dict[URIRef, Callable[[Graph, Node, Node], str]] = {
    SH["class"]: _shaped("Value does not have class {}"),
    SH.datatype: _shaped("Value is not Literal with datatype {}"),
    SH.nodeKind: _shaped("Value is not of Node Kind {}"),
    SH.minExclusive: _shaped("Value is not > {}"),
    SH.minInclusive: _shaped("Value is not >= {}"),
    SH.maxExclusive: _shaped("Value is not < {}"),
    SH.maxInclusive: _shaped("Value is not <= {}"),
    SH.minLength: _length("String length not >= {}"),
    SH.maxLength: _length("String length not <= {}"),
    SH.pattern: _pattern,
    SH.languageIn: _shaped("String language is not in {}"),
    SH.uniqueLang: lambda *_: "More than one String shares the same Language",
    SH.qualifiedValueShape: _qualified,
}
"""The components whose message names only their parameters, as pySHACL writes each."""
