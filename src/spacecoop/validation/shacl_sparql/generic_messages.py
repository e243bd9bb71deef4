"""pySHACL's default message for a constraint whose shape has no ``sh:message``.

pySHACL writes one per constraint component (its ``make_generic_messages``); the
fast engine must give the same Results, messages included. It can where the
message names only the constraint's parameters, which live in the shapes graph:
those texts are made once, at compile time, with pySHACL's own ``stringify_node``
on the same shapes graph, so they are the very same strings. Messages that name a
focus or value node are written by pySHACL from the data graph (its prefixes, a
blank node's whole description): those components are refused without a message.
The writers here are the ``message`` of the entries of :data:`~.components.COMPONENTS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pyshacl.rdfutil import stringify_node
from rdflib import Graph, Literal
from rdflib.term import Node

from ...namespaces import SH
from .vocabulary import UnsupportedShapeError

if TYPE_CHECKING:
    from .components import Use

__all__ = ["MessageWriter", "fixed", "generic_message", "length", "pattern", "qualified", "shaped"]

MessageWriter = Callable[[Graph, Node, Node], str]
"""pySHACL's message for a constraint (shapes graph, shape, argument), as
:data:`~.components.COMPONENTS` gives one for each component that has it."""


def generic_message(use: Use, write: MessageWriter | None) -> str:
    """pySHACL's message for the constraint of ``use``, written by its component's ``write``.

    Raises :class:`UnsupportedShapeError` where the message cannot be the same.
    """
    if write is None:
        raise UnsupportedShapeError(
            use.where,
            f"{use.name} without a sh:message",
            "is not supported (pySHACL's message names a focus or value node "
            "as it writes it from the data graph)",
        )
    arguments = sorted(use.shapes.objects(use.shape, use.parameter), key=str)
    if len(arguments) != 1:
        # pySHACL joins them all in one message, in the order rdflib gives them.
        raise UnsupportedShapeError(
            use.where, f"{use.name} with {len(arguments)} values and no sh:message"
        )
    return write(use.shapes, use.shape, arguments[0])


def shaped(template: str) -> MessageWriter:
    """A message naming the argument as pySHACL writes a node of the shapes graph."""
    return lambda shapes, _shape, argument: template.format(stringify_node(shapes, argument))


def length(template: str) -> MessageWriter:
    """pySHACL writes a length with the data graph's prefixes: only xsd's matter for a
    literal's datatype, bound in every rdflib graph, as in a new one."""
    return lambda _shapes, _shape, argument: template.format(stringify_node(Graph(), argument))


def fixed(text: str) -> MessageWriter:
    """A message that names nothing."""
    return lambda _shapes, _shape, _argument: text


def pattern(_shapes: Graph, _shape: Node, argument: Node) -> str:
    text = argument.value if isinstance(argument, Literal) else argument
    return f"Value does not match pattern '{text}'"


def qualified(shapes: Graph, shape: Node, argument: Node) -> str:
    # The compiler accepts a qualified value shape with one minimum and no maximum only.
    minimum = shapes.value(shape, SH.qualifiedMinCount)
    count = minimum.value if isinstance(minimum, Literal) else minimum
    written = stringify_node(shapes, argument)
    return f"Focus node does not conform to shape MinCount {count}: {written}"
