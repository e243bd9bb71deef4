"""What ``spacecoop.queries.sparql_text`` finds in query text for the modules that read or rewrite
it: the form, the top-level groups, matching brackets and SERVICE endpoints, none of them
fooled by a "#" in an IRI, a keyword in a string or a comment. (``analyse``, the endpoint's
reading of a query, is tested with the sandbox in test_query_sandbox.py.)"""

from __future__ import annotations

import pytest

from spacecoop.queries.sparql_text import (
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
