"""What ``spacecoop.queries.sparql_text`` finds in query text for the modules that read or rewrite
it: the form, the top-level groups, matching brackets and SERVICE endpoints, none of them
fooled by a "#" in an IRI, a keyword in a string or a comment; and what ``analyse``, the
endpoint's reading of a query, says of updates and SERVICE. (``analyse`` against pyoxigraph's
own reading is tested with the sandbox in test_query_sandbox.py.)"""

from __future__ import annotations

import pytest

from served import UPDATE
from spacecoop.queries.sparql_text import (
    analyse,
    closing,
    iri,
    is_keyword,
    query_form,
    service_endpoints,
    tokenize,
    top_level_groups,
    without_comments,
)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("select * { ?s ?p ?o }", "select"),
        ("PREFIX select: <http://e/> ASK { ?s select:p 'SELECT' }", "ask"),
        ("# SELECT\nDESCRIBE <http://e/a#select>", "describe"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
        ("PREFIX e: <http://e/>", None),
    ],
)
def test_the_form_is_the_first_form_keyword(text: str, form: str | None) -> None:
    assert query_form(tokenize(text)) == form


def test_top_level_groups_skip_nested_groups_strings_iris_and_comments() -> None:
    text = (
        "CONSTRUCT { ?s <http://e/p#x> '{' } # {\n"
        "WHERE { { ?s ?p ?o } FILTER EXISTS { ?s ?p ?o } } VALUES ?s { <http://e/a> }"
    )
    tokens = tokenize(text)
    starts = [tokens[index].start for index in top_level_groups(tokens)]
    assert starts == [text.index("{"), text.index("WHERE {") + 6, text.index("?s {") + 3]
    assert is_keyword(tokens[top_level_groups(tokens)[1] - 1], "where")


def test_closing_finds_the_matching_bracket() -> None:
    tokens = tokenize("SELECT * { ?s ?p '}' FILTER (?s IN (<a>, <b>)) { ?s ?p ?o } }")
    opening = next(i for i, t in enumerate(tokens) if t.text == "(")
    assert [t.text for t in tokens[opening : closing(tokens, opening) + 1]][-3:] == [
        "<b>",
        ")",
        ")",
    ]
    assert closing(tokens, 2) == len(tokens) - 1


@pytest.mark.parametrize(
    ("text", "endpoints"),
    [
        ("SELECT * { SERVICE <http://e/sparql#main> { ?s ?p ?o } }", ("http://e/sparql#main",)),
        (
            "SELECT * { service Silent\n<http://a/> {} SERVICE <http://b/> {}"
            " SERVICE <http://a/> {} }",
            ("http://a/", "http://b/"),
        ),
        ("SELECT * { SERVICE <http://\\u0061/> {} }", ("http://a/",)),
        # Not a SERVICE IRI: in a comment, in a string, a variable, a prefixed name.
        ("# SERVICE <http://c/>\nSELECT * { ?s ?p 'SERVICE <http://s/> {' }", ()),
        ("SELECT * { SERVICE ?endpoint {} SERVICE e:x {} }", ()),
    ],
)
def test_service_endpoints_are_the_iris_after_service(
    text: str, endpoints: tuple[str, ...]
) -> None:
    assert service_endpoints(tokenize(text)) == endpoints


def test_an_iri_token_gives_its_decoded_iri() -> None:
    (token,) = tokenize("<http://e/caf\\u00E9#x>")
    assert (token.kind, iri(token)) == ("iri", "http://e/café#x")


def test_keywords_are_bare_words_in_any_case() -> None:
    where, name, var = tokenize("wHeRe e:where ?where")
    assert is_keyword(where, "where")
    assert not is_keyword(name, "where") and not is_keyword(var, "where")


def test_without_comments_keeps_hashes_in_iris_and_strings_and_every_line_break() -> None:
    text = "SELECT * { # a comment }\n  <http://e/a#b> ?p 'c#d' . # another\r\n}#end"
    assert without_comments(text) == "SELECT * { \n  <http://e/a#b> ?p 'c#d' . \r\n}"


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <a> <b> <c> }",
        "  delete where { ?s ?p ?o }",
        "DROP ALL",
        "CLEAR GRAPH <g>",
        "LOAD <http://example.org/x.ttl>",
        "CREATE GRAPH <g>",
        "COPY <a> TO <b>",
        "MOVE DEFAULT TO <b>",
        "ADD <a> TO <b>",
        "WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "# a note\nDROP ALL",
        "# SELECT\n# ASK\nDROP ALL",
        "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }",
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>\nINSERT DATA { <a> owl:sameAs <b> }",
        "BASE <http://example.org/#>\nPREFIX : <http://example.org/ns#> # comment\nDELETE DATA {}",
        "prefix ex:<http://example.org/>\n  # comment\n  clear all",
        UPDATE,
    ],
)
def test_is_update_recognises_updates(text: str) -> None:
    assert analyse(text).is_update


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        "ASK {}",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        "DESCRIBE <http://example.org/insert>",
        "# DROP ALL\nSELECT * {}",
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>\nSELECT ?x { ?x owl:sameAs ?y }",
        'SELECT * { ?s ?p "DELETE" }',
        'SELECT * { ?s ?p "# not a comment" } # DROP ALL',
        "PREFIX insert: <http://example.org/#>\nSELECT * { ?s insert:p ?o }",
        "SELECT ?insert WHERE { ?insert ?p ?o }",
    ],
)
def test_is_update_accepts_queries(text: str) -> None:
    assert not analyse(text).is_update


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * { ?s ?p ?o .service silent <http://example.org/sparql> {} }",
        "SELECT * {\nSERVICE\n?endpoint {} }",
        "PREFIX ex: <http://e/>\nSELECT * { BIND(ex:a\\# AS ?z) SERVICE <http://x/> { } }",
        'SELECT * { BIND(""" " """ AS ?z) SERVICE <http://x/> { } }',
        "SELECT * { BIND(''' ' ''' AS ?z) SERVICE <http://x/> { } }",
        'SELECT * { BIND("a\\" # " AS ?z) SERVICE <http://x/> { } }',
        "SELECT * { FILTER(?a<?b) SERVICE ?e {} }",
    ],
)
def test_uses_service_finds_federated_queries(text: str) -> None:
    assert analyse(text).uses_service


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?service { ?service a <http://example.org/SERVICE> }",
        'PREFIX service: <http://x/#>\nSELECT * { ?s service:p "SERVICE" } # SERVICE <x>',
        "SELECT * { ?s <http://x/p> ex:web-service }",
        'SELECT * { ?s ?p """ SERVICE <x> {} """ }',
        "SELECT * { ?s ?p ?o } # SERVICE <http://x/> {}",
        "SELECT * { ?s ?p _:service }",
    ],
)
def test_uses_service_ignores_the_word_elsewhere(text: str) -> None:
    assert not analyse(text).uses_service
