"""Fuzzing with Hypothesis, bounded in examples and time: the loader and the parameter
binder meet random and grammar-shaped input and fail only in the ways they promise
(LoadError, ParameterError), never with another exception; injected values never escape.
The HTTP layer is fuzzed in ``test_http_hostile.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier

from checkout import ROOT
from spacecoop.queries import catalogue
from spacecoop.queries.params import (
    Parameter,
    ParameterError,
    bind,
    inject_values,
    ntriples,
    values_block,
)
from spacecoop.queries.params import parameter_from_variable as parameter
from spacecoop.repository.files import LoadError, parse_file

SCALE = int(os.environ.get("SPACECOOP_FUZZ_SCALE", "1"))
"""Multiplies every example count: ``SPACECOOP_FUZZ_SCALE=20 pytest tests/test_fuzz.py``
fuzzes for longer than the suite has time for."""


def fuzz(examples: int) -> settings:
    """Bounded fuzzing: ``examples`` inputs (times :data:`SCALE`), no per-example deadline
    (the machine may be busy), no example database written into the repository."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# --- the loader -------------------------------------------------------------------------------

TURTLE_TOKENS = [
    "@prefix ex: <http://example.org/> .",
    "PREFIX ex: <http://example.org/>",
    "@base <http://example.org/base/> .",
    "ex:s", "ex:p", "ex:o", "a", "<http://example.org/x>", "<relative>", "<a b>", "<>",
    "_:b0", "[", "]", "(", ")", ";", ",", ".", "{", "}", "^^", "@en", "@zh-Hans",
    '"text"', '"""long\ntext"""', "'single'", '"esc\\"aped"', '"\\u00e9"', '"\\uD800"',
    "12", "-3.5", "1e9", "true", "false", "undeclared:x", "# comment\n", "\n", "\t",
    "\x00", "é", "中文", "\ufeff", "<<", ">>", "ex:", ":", "\\",
]  # fmt: skip
turtle_fragments = st.lists(
    st.one_of(st.sampled_from(TURTLE_TOKENS), st.text(max_size=8)), max_size=40
).map(" ".join)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "input.ttl"


def _load_or_error(path: Path, raw: bytes) -> None:
    """Parse ``raw`` both ways; anything but a Graph or a well-formed LoadError fails."""
    path.write_bytes(raw)
    lines = raw.count(b"\n") + raw.count(b"\r") + 1  # parsers differ on a lone CR
    for strict in (False, True):
        try:
            parse_file(path, Graph(), strict=strict)
        except LoadError as error:
            assert error.path == path and str(error).startswith(f"{path}")
            assert error.message and "\n" not in str(error).strip()
            assert error.line is None or 1 <= error.line <= lines
            assert error.column is None or error.column >= 1


@fuzz(300)
@given(raw=st.binary(max_size=2000))
def test_random_bytes_load_or_raise_load_error(raw: bytes, scratch: Path) -> None:
    _load_or_error(scratch, raw)


@fuzz(300)
@given(text=turtle_fragments)
def test_turtle_shaped_text_loads_or_raises_load_error(text: str, scratch: Path) -> None:
    _load_or_error(scratch, text.encode("utf-8", errors="surrogatepass"))


# --- the parameter binder ---------------------------------------------------------------------

PARAMETERS = [
    parameter(v)
    for v in (
        "_x_iri", "_x", "_x_zh", "_x_en", "_x_integer", "_x_xsd_gYear",
        "_x_xsd_gYearMonth", "_x_xsd_date", "_x_xsd_boolean", "_x_xsd_string",
    )
]  # fmt: skip
INJECTIONS = [
    'x" } ; DROP ALL ; #',
    "http://x> } ; DROP ALL ; #",
    "http://example.org/a> } INSERT DATA { <a> <b> <c> } #",
    '2019" ) } } SELECT * WHERE { ?s ?p ?o } #',
    "x'''\"\"\"\\",
    "}\n}\nDROP ALL",
    "urn:x#\n} ; CLEAR DEFAULT",
]
values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None), max_size=40),  # every code point, surrogates too
    st.sampled_from(INJECTIONS),
    st.builds(lambda tail: "http://example.org/" + tail, st.text(max_size=20)),
    st.from_regex(r"-?[0-9]{4}(-[0-9]{2}){0,2}", fullmatch=True),
    st.sampled_from(["true", "false", "+0", "-12", "007"]),
)


def _same_term(found: ox.NamedNode | ox.Literal, term: Identifier) -> bool:
    """Whether a term read back by pyoxigraph is the rdflib term that was written."""
    if isinstance(term, URIRef):
        return isinstance(found, ox.NamedNode) and found.value == str(term)
    assert isinstance(term, Literal)
    language = term.language or None
    datatype = str(term.datatype) if term.datatype else None
    return (
        isinstance(found, ox.Literal)
        and found.value == str(term)
        and found.language == language
        and (datatype is None or found.datatype.value == datatype)
    )


@fuzz(400)
@given(value=values, which=st.sampled_from(PARAMETERS))
def test_a_checked_value_round_trips_through_n_triples(value: str, which: Parameter) -> None:
    try:
        term = which.term(value)
    except ParameterError as error:
        assert repr(which.name) in str(error)
        event("refused")
        return
    event("bound")
    written = ntriples(term)
    assert "\n" not in written and "\r" not in written
    line = f"<urn:s> <urn:p> {written} .\n".encode()
    (triple,) = list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
    assert _same_term(triple.object, term)


PARAMETRISED = [q for q in catalogue.catalogue(ROOT).values() if q.parameters and not q.services]


def _run_empty(text: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Parse and evaluate ``text`` on an empty store (a strict SPARQL 1.1 parser)."""
    return ox.Store().query(text)


@fuzz(400)
@given(saved=st.sampled_from(PARAMETRISED), data=st.data())
def test_injected_values_never_escape_their_block(saved, data: st.DataObject) -> None:
    given_values = {p.name: data.draw(values, label=p.name) for p in saved.parameters}
    try:
        bindings = bind(saved.parameters, given_values)
    except ParameterError:
        event("refused")
        return
    event("bound")
    text = inject_values(saved.body, bindings)
    block = values_block(bindings)

    # Exactly one block went in, at the start of a group; nothing else changed.
    start = text.index(block)
    assert text[: start - 3] + text[start + len(block) + 1 :] == saved.body
    # The block alone denotes exactly the checked terms: one row, every variable bound.
    (row,) = list(_run_empty(f"SELECT * WHERE {{ {block} }}"))
    for variable, term in bindings.items():
        assert _same_term(row[variable], term)
    # The whole query still parses, with the same form and the same projection.
    original, injected = _run_empty(saved.body), _run_empty(text)
    assert type(injected) is type(original)
    if isinstance(original, ox.QuerySolutions):
        assert injected.variables == original.variables
