"""Constraints that each value node passes or fails on its own, as SPARQL boolean expressions.

A value test (``sh:class``, ``sh:datatype``, ``sh:pattern``, ``sh:or`` …) says
whether the node in a variable conforms; the compiler and
:class:`~.expressions.Expressions` write it into every place a constraint can
stand (a ``FILTER(!…)`` over the value nodes of all focus nodes, or a test inside
a nested shape), so each is written here once. The logical ones (``sh:not``,
``sh:and``, ``sh:or``, ``sh:xone``) write their member shapes whole with
:meth:`~.expressions.Expressions.conforms`.

Where pySHACL (on rdflib) and SPARQL (on Oxigraph) could disagree, the expression
follows pySHACL: language tags match by whole tag or first subtag, ``sh:in``
compares terms (``sameTerm``) rather than values, ``sh:datatype`` checks
well-formedness only for the datatypes rdflib parses.

Two differences come from the store, not from the engine: Oxigraph keeps numbers,
dates and booleans in canonical form, and stores every XSD integer type
(``xsd:positiveInteger`` …) as ``xsd:integer``. So ``sh:datatype
xsd:positiveInteger`` is checked as "an integer ≥ 1", and a result's value shows
the canonical literal (``"1.5"^^xsd:decimal`` for ``"1.50"``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

from ...namespaces import RDF, SH, XSD
from .vocabulary import UnsupportedShapeError, sparql_term

if TYPE_CHECKING:
    from .components import Use

__all__ = [
    "ValueTest",
    "all_of",
    "compare",
    "datatype",
    "exactly_one_of",
    "instance_of",
    "language_in",
    "max_length",
    "min_length",
    "none_of",
    "node_kind",
    "one_of_terms",
    "pattern",
    "some_of",
]

ValueTest = Callable[["Use", str], str]
"""Whether the node in a variable passes a constraint: a SPARQL boolean expression."""

_NODE_KINDS = {
    SH.IRI: "isIRI({})",
    SH.BlankNode: "isBlank({})",
    SH.Literal: "isLiteral({})",
    SH.BlankNodeOrIRI: "!isLiteral({})",
    SH.BlankNodeOrLiteral: "!isIRI({})",
    SH.IRIOrLiteral: "!isBlank({})",
}

_CAST_CHECKED = frozenset(
    XSD[name] for name in ("boolean", "integer", "decimal", "float", "double", "date", "dateTime")
)
"""Datatypes whose well-formedness both rdflib and Oxigraph check: a literal is well-formed
when casting it to its own datatype gives it back."""

_INTEGER_RANGES = {XSD.positiveInteger: 1, XSD.nonNegativeInteger: 0}
"""Integer types Oxigraph stores as xsd:integer, with the least value each allows."""

_UNPARSED = frozenset((XSD.gYear, XSD.gYearMonth))
"""Datatypes rdflib does not parse, so pySHACL accepts any lexical form."""


# --- value type: sh:class, sh:datatype, sh:nodeKind --------------------------------------


def instance_of(use: Use, var: str) -> str:
    """``sh:class``: an instance of the class or of a subclass."""
    if not isinstance(use.argument, URIRef):
        raise UnsupportedShapeError(use.where, f"sh:class {use.argument!r}")
    return use.expressions.instance_of(var, use.argument)


def datatype(use: Use, var: str) -> str:
    """``sh:datatype``: a literal of the datatype, well-formed where rdflib would check it."""
    typed = f"isLiteral({var}) && DATATYPE({var}) = "
    wanted = use.argument
    if wanted == XSD.string or wanted in _UNPARSED:
        return f"({typed}{sparql_term(wanted)})"
    if wanted == RDF.langString:
        return f'(isLiteral({var}) && LANG({var}) != "")'
    if wanted in _CAST_CHECKED:
        iri = sparql_term(wanted)
        return f"({typed}{iri} && COALESCE(sameTerm({iri}({var}), {var}), false))"
    if wanted in _INTEGER_RANGES:
        integer = sparql_term(XSD.integer)
        return (
            f"({typed}{integer} && COALESCE(sameTerm({integer}({var}), {var}), false)"
            f" && {var} >= {_INTEGER_RANGES[wanted]})"
        )
    raise UnsupportedShapeError(use.where, f"sh:datatype {wanted}")


def node_kind(use: Use, var: str) -> str:
    if use.argument not in _NODE_KINDS:
        raise UnsupportedShapeError(use.where, f"sh:nodeKind {use.argument.n3()}")
    return f"({_NODE_KINDS[use.argument].format(var)})"


# --- value range: sh:minInclusive … ------------------------------------------------------


def compare(operator: str) -> ValueTest:
    """A value range parameter: the value node compared to the bound with ``operator``."""

    def test(use: Use, var: str) -> str:
        if not isinstance(use.argument, Literal):
            raise UnsupportedShapeError(use.where, f"{use.name} {use.argument.n3()}")
        # An error (a value of another kind than the bound) fails, as in pySHACL.
        return f"COALESCE({var} {operator} {sparql_term(use.argument)}, false)"

    return test


# --- string based: sh:minLength, sh:maxLength, sh:pattern, sh:languageIn -----------------


def min_length(use: Use, var: str) -> str:
    length = _length(use)
    if length == 0:
        return "true"  # pySHACL passes even a blank node
    return f"(!isBlank({var}) && STRLEN(STR({var})) >= {length})"


def max_length(use: Use, var: str) -> str:
    return f"(!isBlank({var}) && STRLEN(STR({var})) <= {_length(use)})"


def _length(use: Use) -> int:
    length = use.argument.value if isinstance(use.argument, Literal) else None
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise UnsupportedShapeError(use.where, f"{use.name} {use.argument.n3()}")
    return length


def pattern(use: Use, var: str) -> str:
    """``sh:pattern``, without ``sh:flags`` (refused)."""
    if use.shapes.value(use.shape, SH.flags) is not None:
        raise UnsupportedShapeError(use.where, "sh:flags on a sh:pattern")
    regex = sparql_term(Literal(str(use.argument)))
    return f"(!isBlank({var}) && REGEX(STR({var}), {regex}))"


def language_in(use: Use, var: str) -> str:
    tags = [str(tag).lower() for tag in _members(use)]
    has_tag = f'isLiteral({var}) && LANG({var}) != ""'
    if "*" in tags:
        return f"({has_tag})"
    wanted = ", ".join(sparql_term(Literal(tag)) for tag in tags)
    first_subtag = f'LCASE(STRBEFORE(CONCAT(LANG({var}), "-"), "-"))'
    return f"({has_tag} && (LCASE(LANG({var})) IN ({wanted}) || {first_subtag} IN ({wanted})))"


# --- other: sh:in ------------------------------------------------------------------------


def one_of_terms(use: Use, var: str) -> str:
    """``sh:in``: one of the listed terms, compared as terms."""
    members = [f"sameTerm({var}, {sparql_term(m)})" for m in _members(use)]
    return f"({' || '.join(members) or 'false'})"


# --- logical: sh:not, sh:and, sh:or, sh:xone ---------------------------------------------


def none_of(use: Use, var: str) -> str:
    """``sh:not``: the node does not conform to the shape."""
    return f"!{use.expressions.conforms(use.argument, var, use.owner or use.shape)}"


def all_of(use: Use, var: str) -> str:
    """``sh:and``."""
    return f"({' && '.join(_conforms_to_each(use, var)) or 'true'})"


def some_of(use: Use, var: str) -> str:
    """``sh:or``."""
    return f"({' || '.join(_conforms_to_each(use, var)) or 'false'})"


def exactly_one_of(use: Use, var: str) -> str:
    """``sh:xone``."""
    members = [f"IF({test}, 1, 0)" for test in _conforms_to_each(use, var)]
    return f"({' + '.join(members) or '0'} = 1)"


def _conforms_to_each(use: Use, var: str) -> list[str]:
    """Whether the node conforms, for each member shape of the list."""
    return [use.expressions.conforms(m, var, use.owner or use.shape) for m in _members(use)]


def _members(use: Use) -> list[Node]:
    """The members of the RDF list that is the argument."""
    return list(RdfList(use.shapes, use.argument))
