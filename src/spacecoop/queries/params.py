"""Typed query parameters in grlc's naming, checked values, and safe binding.

A saved query declares a parameter by using a variable named the grlc way:
``?_party_iri`` (an IRI), ``?_text`` (a plain literal), ``?_name_zh`` (a literal
in Chinese), ``?_min_integer`` (an integer), ``?_year_xsd_gYear`` (a literal of
the datatype ``xsd:gYear``); two underscores (``?__status_iri``) make it optional.

Values given by a user become RDF terms only after they pass the check for
their declared type, and they are bound as terms, never pasted into query text:
:func:`values_block` writes a ``VALUES`` block from the terms' canonical
N-Triples form, which is the only way a value reaches a remote query.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import pyoxigraph
from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.term import Identifier

from ..namespaces import PREFIXES, curie
from .sparql_text import QuerySyntaxError, is_keyword, query_form, tokenize, top_level_groups

__all__ = [
    "Kind",
    "Parameter",
    "ParameterError",
    "bind",
    "inject_values",
    "parameter_from_variable",
    "ntriples",
    "values_block",
]


class ParameterError(ValueError):
    """A parameter that is undeclared, malformed, or given a value of the wrong type."""


class Kind(StrEnum):
    """How a parameter's value becomes an RDF term."""

    IRI = "iri"
    LITERAL = "literal"
    LANG = "lang"
    INTEGER = "integer"
    DATATYPE = "datatype"


# An absolute IRI (RFC 3987 scheme, then no character that N-Triples forbids in an IRI).
_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|^`\\]*')
# BCP 47: a primary language subtag, then subtags of 1-8 letters or digits.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
_INTEGER = re.compile(r"[+-]?[0-9]+")

# A four-digit year; XSD 1.1 has a year 0000 (1 BCE) but no "-0000".
_YEAR = r"(?!-0000)-?[0-9]{4}"
# Lexical forms we can check, per datatype; a query may only use these datatypes.
_LEXICAL: dict[URIRef, re.Pattern[str]] = {
    XSD.gYear: re.compile(_YEAR),
    XSD.gYearMonth: re.compile(_YEAR + r"-(0[1-9]|1[0-2])"),
    XSD.date: re.compile(_YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"),
    XSD.integer: _INTEGER,
    XSD.boolean: re.compile(r"true|false"),
    XSD.string: re.compile(r"[^\x00]*"),
}

_GRLC_VARIABLE = re.compile(r"__?[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a saved query, declared by a grlc-style variable name."""

    name: str
    """The name users give it: ``party`` for ``?_party_iri``."""
    variable: str
    """The SPARQL variable without ``?``: ``_party_iri``."""
    kind: Kind
    datatype: URIRef | None = None
    """The literal's datatype (integer and datatype kinds)."""
    language: str | None = None
    """The literal's language tag (lang kind)."""
    required: bool = True
    default: str | None = None
    """The value used when none is given (from the query's ``#+ defaults:``)."""

    def term(self, value: str) -> Identifier:
        """Check ``value`` against this parameter's type and return it as an RDF term."""
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: bytes that were not UTF-8 (argv, files)
            raise ParameterError(
                f"parameter {self.name!r}: {value!r} is not valid Unicode text"
            ) from None
        check = _CHECKS[self.kind]
        return check(self, value)


def parameter_from_variable(variable: str, default: str | None = None) -> Parameter:
    """Read a grlc-style variable name (without ``?``) as a :class:`Parameter`.

    The name is the first segment after the underscores; what follows says the
    type: ``iri``, ``integer``, a language tag (``en``, ``zh``), or a prefix and
    a datatype (``xsd_gYear``); nothing means a plain literal.
    """
    if not _GRLC_VARIABLE.fullmatch(variable):
        raise ParameterError(f"?{variable} is not a parameter variable (?_name or ?__name)")
    required = not variable.startswith("__")
    name, *suffix = variable.lstrip("_").split("_")
    common = {"name": name, "variable": variable, "required": required, "default": default}
    if not suffix:
        return Parameter(kind=Kind.LITERAL, datatype=XSD.string, **common)
    if suffix == ["iri"]:
        return Parameter(kind=Kind.IRI, **common)
    if suffix == ["integer"]:
        return Parameter(kind=Kind.INTEGER, datatype=XSD.integer, **common)
    if len(suffix) == 1:
        if not _LANGUAGE_TAG.fullmatch(suffix[0]):
            raise ParameterError(f"?{variable}: {suffix[0]!r} is not a BCP 47 language tag")
        return Parameter(kind=Kind.LANG, language=suffix[0], **common)
    if len(suffix) == 2:
        prefix, local = suffix
        if prefix not in PREFIXES:
            raise ParameterError(f"?{variable}: unknown prefix {prefix!r} for the datatype")
        datatype = URIRef(PREFIXES[prefix] + local)
        if datatype not in _LEXICAL:
            raise ParameterError(f"?{variable}: no check for values of datatype {prefix}:{local}")
        return Parameter(kind=Kind.DATATYPE, datatype=datatype, **common)
    raise ParameterError(f"?{variable}: cannot read the type from {'_'.join(suffix)!r}")


def bind(parameters: tuple[Parameter, ...], given: Mapping[str, str]) -> dict[str, Identifier]:
    """Turn the user's ``name -> text`` values into ``variable -> term`` bindings.

    Missing values fall back to the defaults; an optional parameter with
    neither stays unbound. Unknown names, missing required values and values
    of the wrong type raise :class:`ParameterError` naming the parameter.
    """
    by_name = {p.name: p for p in parameters}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise ParameterError(f"unknown parameter {unknown[0]!r} (this query takes: {known})")
    bindings: dict[str, Identifier] = {}
    for parameter in parameters:
        value = given.get(parameter.name, parameter.default)
        if value is None:
            if parameter.required:
                raise ParameterError(f"parameter {parameter.name!r} is required")
            continue
        bindings[parameter.variable] = parameter.term(value)
    return bindings


def values_block(bindings: Mapping[str, Identifier]) -> str:
    """A SPARQL ``VALUES`` block binding each variable to its term (N-Triples form)."""
    names = " ".join(f"?{Variable(v)}" for v in bindings)
    terms = " ".join(ntriples(term) for term in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def ntriples(term: Identifier) -> str:
    """``term`` in N-Triples form, as pyoxigraph writes it: one line, with every quote,
    backslash and line break escaped (rdflib's ``n3()`` may use multi-line quotes)."""
    if isinstance(term, URIRef):
        return str(pyoxigraph.NamedNode(term))
    assert isinstance(term, Literal)  # the checks make only IRIs and literals
    if term.language:
        return str(pyoxigraph.Literal(str(term), language=term.language))
    datatype = pyoxigraph.NamedNode(term.datatype or XSD.string)
    return str(pyoxigraph.Literal(str(term), datatype=datatype))


def inject_values(query: str, bindings: Mapping[str, Identifier]) -> str:
    """Insert :func:`values_block` at the start of the query's outermost WHERE group.

    The query text is a trusted saved query; only the terms, already checked,
    come from the user. With no bindings the query is returned unchanged.
    """
    if not bindings:
        return query
    brace = _outer_group_start(query)
    return f"{query[: brace + 1]}\n  {values_block(bindings)}\n{query[brace + 1 :]}"


def _outer_group_start(query: str) -> int:
    """Index of the ``{`` that opens the outermost WHERE group (for CONSTRUCT, the group
    after the template)."""
    try:
        tokens = tokenize(query)
    except QuerySyntaxError as error:
        raise ParameterError(f"cannot read the query: {error}") from None
    groups = top_level_groups(tokens)
    form = query_form(tokens)
    if form is None or not groups:
        raise ParameterError("cannot find the query's WHERE group")
    if form != "construct":
        return tokens[groups[0]].start
    if len(groups) < 2 or not is_keyword(tokens[groups[1] - 1], "where"):
        raise ParameterError("a CONSTRUCT query with parameters needs an explicit WHERE")
    return tokens[groups[1]].start


def _check_iri(parameter: Parameter, value: str) -> Identifier:
    if not _IRI.fullmatch(value):
        raise ParameterError(
            f"parameter {parameter.name!r}: {value!r} is not an absolute IRI "
            '(a scheme, then no spaces or <>"{}|^`\\ characters)'
        )
    try:  # RFC 3987 in full (hosts, ports, percent-encoding), as strict endpoints check it
        pyoxigraph.NamedNode(value)
    except ValueError as error:
        raise ParameterError(
            f"parameter {parameter.name!r}: {value!r} is not a valid IRI ({error})"
        ) from None
    return URIRef(value)


def _check_literal(parameter: Parameter, value: str) -> Identifier:
    if "\x00" in value:
        raise ParameterError(f"parameter {parameter.name!r}: text must not contain NUL")
    return Literal(value)


def _check_lang(parameter: Parameter, value: str) -> Identifier:
    _check_literal(parameter, value)
    return Literal(value, lang=parameter.language)


def _check_typed(parameter: Parameter, value: str) -> Identifier:
    datatype = parameter.datatype
    assert datatype is not None  # set for every integer and datatype parameter
    if not _LEXICAL[datatype].fullmatch(value) or (datatype == XSD.date and not _day_exists(value)):
        raise ParameterError(
            f"parameter {parameter.name!r}: {value!r} is not a valid {curie(datatype)}"
        )
    return Literal(value, datatype=datatype)


def _day_exists(date: str) -> bool:
    """Whether the day of a well-formed ``xsd:date`` is in its month (no 31 April, no
    29 February outside leap years; negative years are proleptic Gregorian too)."""
    year, month, day = (int(part) for part in date.lstrip("-").split("-"))
    year = -year if date.startswith("-") else year
    if month == 2:
        return day <= (29 if calendar.isleap(year) else 28)
    return day <= (30 if month in (4, 6, 9, 11) else 31)


_CHECKS: dict[Kind, Callable[[Parameter, str], Identifier]] = {
    Kind.IRI: _check_iri,
    Kind.LITERAL: _check_literal,
    Kind.LANG: _check_lang,
    Kind.INTEGER: _check_typed,
    Kind.DATATYPE: _check_typed,
}
