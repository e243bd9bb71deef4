"""SHACL value tests as SPARQL boolean expressions, mirroring pySHACL's semantics.

A value test (``sh:class``, ``sh:datatype``, ``sh:pattern``, ``sh:or`` …) says
whether one node conforms. :class:`Expressions` writes it as an expression over
a SPARQL variable, and writes whole nested shapes (the members of ``sh:not``,
``sh:and``, ``sh:or`` and ``sh:xone``, a ``sh:qualifiedValueShape``, with their
property shapes) the same way, so that a violation query is one ``FILTER(!…)``
over the value nodes instead of one query per node.

Where pySHACL (on rdflib) and SPARQL (on Oxigraph) could disagree, the expression
follows pySHACL: language tags match by whole tag or first subtag, ``sh:in`` and
``sh:hasValue`` compare terms (``sameTerm``) rather than values, ``sh:datatype``
checks well-formedness only for the datatypes rdflib parses.

Two differences come from the store, not from the engine: Oxigraph keeps numbers,
dates and booleans in canonical form, and stores every XSD integer type
(``xsd:positiveInteger`` …) as ``xsd:integer``. So ``sh:datatype
xsd:positiveInteger`` is checked as "an integer ≥ 1", and a result's value shows
the canonical literal (``"1.5"^^xsd:decimal`` for ``"1.50"``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

from ...namespaces import RDF, SH, XSD
from .discovery import custom_parameters
from .paths import ShaclPath
from .vocabulary import (
    BOOKKEEPING,
    COMPONENT_OF,
    UnsupportedShapeError,
    count,
    describe,
    sparql_term,
)

__all__ = ["VALUE_TESTS", "Expressions"]

_RANGES = {
    SH.minInclusive: ">=",
    SH.minExclusive: ">",
    SH.maxInclusive: "<=",
    SH.maxExclusive: "<",
}
"""The value range parameters, each with the SPARQL comparison a value node must pass."""

_LENGTHS = {SH.minLength: ">=", SH.maxLength: "<="}

_NODE_KINDS = {
    SH.IRI: "isIRI({})",
    SH.BlankNode: "isBlank({})",
    SH.Literal: "isLiteral({})",
    SH.BlankNodeOrIRI: "!isLiteral({})",
    SH.BlankNodeOrLiteral: "!isIRI({})",
    SH.IRIOrLiteral: "!isBlank({})",
}

VALUE_TESTS = frozenset(
    (
        *(SH[name] for name in ("class", "datatype", "pattern", "languageIn", "in")),
        *(SH[name] for name in ("not", "and", "or", "xone")),
        SH.nodeKind,
        *_RANGES,
        *_LENGTHS,
    )
)
"""Parameters whose constraint holds or fails for each value node on its own."""

_CAST_CHECKED = frozenset(
    XSD[name] for name in ("boolean", "integer", "decimal", "float", "double", "date", "dateTime")
)
"""Datatypes whose well-formedness both rdflib and Oxigraph check: a literal is well-formed
when casting it to its own datatype gives it back."""

_INTEGER_RANGES = {XSD.positiveInteger: 1, XSD.nonNegativeInteger: 0}
"""Integer types Oxigraph stores as xsd:integer, with the least value each allows."""

_UNPARSED = frozenset((XSD.gYear, XSD.gYearMonth))
"""Datatypes rdflib does not parse, so pySHACL accepts any lexical form."""


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
            if predicate in COMPONENT_OF:
                yield predicate
            elif predicate not in BOOKKEEPING:
                raise UnsupportedShapeError(describe(shape, owner), f"the SHACL term {predicate}")

    def fresh(self) -> str:
        """A variable name no shape uses (SHACL-SPARQL text never sees it)."""
        self._variables += 1
        return f"?_sh{self._variables}"

    def value_test(
        self, shape: Node, parameter: URIRef, argument: Node, var: str, owner: Node | None = None
    ) -> str:
        """Whether the node in ``var`` passes ``parameter`` = ``argument`` of ``shape``
        (``owner``: the named shape that holds ``shape``, for error messages)."""
        if parameter == SH["class"]:
            if not isinstance(argument, URIRef):
                raise UnsupportedShapeError(describe(shape, owner), f"sh:class {argument!r}")
            return self.instance_of(var, argument)
        if parameter == SH.datatype:
            return self._datatype(describe(shape, owner), argument, var)
        if parameter == SH.pattern:
            if self.shapes.value(shape, SH.flags) is not None:
                raise UnsupportedShapeError(describe(shape, owner), "sh:flags on a sh:pattern")
            return f"(!isBlank({var}) && REGEX(STR({var}), {sparql_term(Literal(str(argument)))}))"
        if parameter == SH.languageIn:
            return self._language_in(argument, var)
        if parameter == SH["in"]:
            members = [f"sameTerm({var}, {sparql_term(m)})" for m in self._list(argument)]
            return f"({' || '.join(members) or 'false'})"
        if parameter in _RANGES:
            if not isinstance(argument, Literal):
                raise UnsupportedShapeError(
                    describe(shape, owner), f"{COMPONENT_OF[parameter]} {argument.n3()}"
                )
            # An error (a value of another kind than the bound) fails, as in pySHACL.
            return f"COALESCE({var} {_RANGES[parameter]} {sparql_term(argument)}, false)"
        if parameter in _LENGTHS:
            length = argument.value if isinstance(argument, Literal) else None
            if not isinstance(length, int) or isinstance(length, bool) or length < 0:
                raise UnsupportedShapeError(
                    describe(shape, owner), f"{COMPONENT_OF[parameter]} {argument.n3()}"
                )
            if parameter == SH.minLength and length == 0:
                return "true"  # pySHACL passes even a blank node
            return f"(!isBlank({var}) && STRLEN(STR({var})) {_LENGTHS[parameter]} {length})"
        if parameter == SH.nodeKind:
            if argument not in _NODE_KINDS:
                raise UnsupportedShapeError(describe(shape, owner), f"sh:nodeKind {argument.n3()}")
            return f"({_NODE_KINDS[argument].format(var)})"
        if parameter == SH["not"]:
            return f"!{self.conforms(argument, var, owner or shape)}"
        if parameter == SH["and"]:
            members = [self.conforms(m, var, owner or shape) for m in self._list(argument)]
            return f"({' && '.join(members) or 'true'})"
        if parameter == SH["or"]:
            members = [self.conforms(m, var, owner or shape) for m in self._list(argument)]
            return f"({' || '.join(members) or 'false'})"
        if parameter == SH.xone:
            members = [
                f"IF({self.conforms(m, var, owner or shape)}, 1, 0)" for m in self._list(argument)
            ]
            return f"({' + '.join(members) or '0'} = 1)"
        raise UnsupportedShapeError(describe(shape, owner), COMPONENT_OF[parameter])

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
                self._member_test(shape, owner, path, parameter, argument, var)
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

    def _member_test(
        self,
        shape: Node,
        owner: Node | None,
        path: ShaclPath | None,
        parameter: URIRef,
        argument: Node,
        var: str,
    ) -> str:
        if path is None:
            if parameter == SH.hasValue:
                return f"sameTerm({var}, {sparql_term(argument)})"
            if parameter in VALUE_TESTS:
                return self.value_test(shape, parameter, argument, var, owner)
        elif parameter in VALUE_TESTS:
            value = self.fresh()
            test = self.value_test(shape, parameter, argument, value, owner)
            return (
                f"NOT EXISTS {{ {var} {path.sparql} {value} . FILTER(!COALESCE({test}, false)) }}"
            )
        elif parameter == SH.hasValue:
            return f"EXISTS {{ {var} {path.sparql} {sparql_term(argument)} }}"
        elif (
            parameter == SH.minCount
            and count(describe(shape, owner), parameter, argument) <= 1
        ):
            return "true" if int(argument) == 0 else f"EXISTS {{ {var} {path.sparql} [] }}"
        raise UnsupportedShapeError(
            describe(shape, owner),
            COMPONENT_OF[parameter],
            "inside a nested shape is not supported",
        )

    def _datatype(self, shape: str, datatype: Node, var: str) -> str:
        typed = f"isLiteral({var}) && DATATYPE({var}) = "
        if datatype == XSD.string or datatype in _UNPARSED:
            return f"({typed}{sparql_term(datatype)})"
        if datatype == RDF.langString:
            return f'(isLiteral({var}) && LANG({var}) != "")'
        if datatype in _CAST_CHECKED:
            iri = sparql_term(datatype)
            return f"({typed}{iri} && COALESCE(sameTerm({iri}({var}), {var}), false))"
        if datatype in _INTEGER_RANGES:
            integer = sparql_term(XSD.integer)
            return (
                f"({typed}{integer} && COALESCE(sameTerm({integer}({var}), {var}), false)"
                f" && {var} >= {_INTEGER_RANGES[datatype]})"
            )
        raise UnsupportedShapeError(shape, f"sh:datatype {datatype}")

    def _language_in(self, languages: Node, var: str) -> str:
        tags = [str(tag).lower() for tag in self._list(languages)]
        has_tag = f'isLiteral({var}) && LANG({var}) != ""'
        if "*" in tags:
            return f"({has_tag})"
        wanted = ", ".join(sparql_term(Literal(tag)) for tag in tags)
        first_subtag = f'LCASE(STRBEFORE(CONCAT(LANG({var}), "-"), "-"))'
        return f"({has_tag} && (LCASE(LANG({var})) IN ({wanted}) || {first_subtag} IN ({wanted})))"

    def _list(self, head: Node) -> list[Node]:
        return list(RdfList(self.shapes, head))
