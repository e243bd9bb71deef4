"""Query parameters: grlc naming, values checked against their type, bound as terms only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from checkout import ROOT
from spacecoop.cli import main
from spacecoop.namespaces import ID, SCO
from spacecoop.queries import catalogue
from spacecoop.queries.catalogue import QueryError
from spacecoop.queries.params import (
    Kind,
    ParameterError,
    bind,
    inject_values,
    parameter_from_variable,
)
from spacecoop.queries.runner import Endpoint, run
from spacecoop.repository.load import Repository

INJECTIONS = [
    "http://x> } ; DROP ALL ; #",
    "http://example.org/a b",
    'http://example.org/"quoted"',
    "http://example.org/{x}",
    "<http://example.org/a>",
    "not an iri",
    "example.org/no-scheme",
    "",
]


# --- reading grlc variable names --------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "kind", "datatype", "language", "required"),
    [
        ("_party_iri", Kind.IRI, None, None, True),
        ("_text", Kind.LITERAL, XSD.string, None, True),
        ("_name_zh", Kind.LANG, None, "zh", True),
        ("_min_integer", Kind.INTEGER, XSD.integer, None, True),
        ("_year_xsd_gYear", Kind.DATATYPE, XSD.gYear, None, True),
        ("__status_iri", Kind.IRI, None, None, False),
    ],
)
def test_grlc_variable_names_declare_typed_parameters(
    variable: str, kind: Kind, datatype: URIRef | None, language: str | None, required: bool
) -> None:
    parameter = parameter_from_variable(variable)
    assert (parameter.kind, parameter.datatype, parameter.language) == (kind, datatype, language)
    assert parameter.required is required
    assert parameter.variable == variable and parameter.name == variable.strip("_").split("_")[0]


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("_x_en-", "not a parameter variable"),
        ("_x_1nvalid!", "not a parameter variable"),
        ("_x_e", "not a BCP 47 language tag"),
        ("_x_nope_gYear", "unknown prefix 'nope'"),
        ("_x_xsd_duration", "no check for values of datatype xsd:duration"),
        ("_x_a_b_c", "cannot read the type"),
    ],
)
def test_unreadable_parameter_variables_are_rejected(variable: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        parameter_from_variable(variable)


# --- checking values ----------------------------------------------------------------


@pytest.mark.parametrize("value", INJECTIONS)
def test_an_iri_parameter_rejects_anything_but_an_absolute_iri(value: str) -> None:
    with pytest.raises(ParameterError, match="is not an absolute IRI"):
        parameter_from_variable("_party_iri").term(value)


@pytest.mark.parametrize(
    ("variable", "good", "bad"),
    [
        (
            "_year_xsd_gYear",
            ["2018", "-0500", "0000"],
            ["18", "2018-01", "2018 ", "2018) } #", "twenty", "-0000"],
        ),
        (
            "_d_xsd_date",
            ["2018-01-29", "2016-02-29", "2000-02-29", "-0004-02-29"],
            [
                "2018-1-29",
                "2018-13-01",
                "2018-01-32",
                "2019-02-29",
                "1900-02-29",
                "-0001-02-29",
                "2019-04-31",
            ],
        ),
        ("_m_xsd_gYearMonth", ["2018-05"], ["2018-5", "2018-13", "-0000-01"]),
        ("_min_integer", ["3", "-2", "+7"], ["3.5", "three", "3 } #", ""]),
        ("_f_xsd_boolean", ["true", "false"], ["yes", "1"]),
    ],
)
def test_typed_values_must_match_their_datatype(variable: str, good: list, bad: list) -> None:
    parameter = parameter_from_variable(variable)
    for value in good:
        assert parameter.term(value) == Literal(value, datatype=parameter.datatype)
    for value in bad:
        with pytest.raises(ParameterError, match=re.escape(f"{value!r} is not a valid")):
            parameter.term(value)


def test_text_is_bound_as_one_literal_whatever_it_contains() -> None:
    text = 'Toulouse" } ; DROP ALL ; #\n'
    assert parameter_from_variable("_text").term(text) == Literal(text)
    assert parameter_from_variable("_name_zh").term("北京") == Literal("北京", lang="zh")


def test_bind_uses_defaults_skips_unset_optionals_and_names_bad_input() -> None:
    party = parameter_from_variable("_party_iri", default=str(ID["country/china"]))
    status = parameter_from_variable("__status_iri")
    assert bind((party, status), {}) == {"_party_iri": ID["country/china"]}
    given = {"party": str(ID["country/japan"]), "status": str(SCO.agreed)}
    assert bind((party, status), given) == {
        "_party_iri": ID["country/japan"],
        "__status_iri": SCO.agreed,
    }
    with pytest.raises(ParameterError, match="unknown parameter 'colour'.*takes: party, status"):
        bind((party, status), {"colour": "red"})
    with pytest.raises(ParameterError, match="parameter 'party' is required"):
        bind((parameter_from_variable("_party_iri"),), {})


# --- binding into query text (every run) -------------------------------------------


@pytest.mark.parametrize(
    "name", ["well-attended-events", "describe-entity", "party-signed-memorandum", "topics"]
)
def test_values_go_first_in_the_outermost_where_group(name: str) -> None:
    query = catalogue.get(name, ROOT)
    bindings = bind(query.parameters, {})
    bound = inject_values(query.body, bindings)
    algebra = prepareQuery(bound).algebra  # still one valid query
    if not bindings:
        assert bound == query.body
        return
    values = _values_clauses(algebra)
    assert values == [[{Variable(v): t for v, t in bindings.items()}]]


def test_values_follow_a_construct_template(tmp_path: Path) -> None:
    text = "CONSTRUCT { ?_x_iri ?p ?o } WHERE { ?_x_iri ?p ?o }"
    bound = inject_values(text, {"_x_iri": URIRef("http://e/a")})
    assert bound.startswith("CONSTRUCT { ?_x_iri ?p ?o } WHERE {\n  VALUES (?_x_iri) {")
    with pytest.raises(ParameterError, match="needs an explicit WHERE"):
        inject_values(
            "CONSTRUCT { ?_x_iri ?p ?o } { ?_x_iri ?p ?o }", {"_x_iri": URIRef("http://e/a")}
        )


def test_the_query_form_is_read_from_keywords_not_from_prefixed_names() -> None:
    # Before: "construct:" matched the CONSTRUCT pattern, and this SELECT was refused.
    text = "PREFIX construct: <http://e/> SELECT * WHERE { ?_x_iri construct:p '{' }"
    bound = inject_values(text, {"_x_iri": URIRef("http://e/a")})
    assert bound.startswith("PREFIX construct: <http://e/> SELECT * WHERE {\n  VALUES (?_x_iri)")
    prepareQuery(bound)


def test_a_query_that_does_not_tokenize_gets_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="cannot read the query: line 1, column 24: "):
        inject_values("SELECT * WHERE { ?s ?p 'o }", {"_x_iri": URIRef("http://e/a")})


def test_a_hostile_literal_stays_one_literal_in_the_values_block() -> None:
    text = 'x" } } ; DROP ALL ; SELECT * { "'
    query = catalogue.get("find-by-name", ROOT)
    bound = inject_values(query.body, bind(query.parameters, {"text": text}))
    assert _values_clauses(prepareQuery(bound).algebra) == [[{Variable("_text"): Literal(text)}]]


def _values_clauses(node: object) -> list:
    """The VALUES rows (``ToMultiSet`` of ``values``) anywhere in rdflib's algebra."""
    found = []
    if isinstance(node, CompValue):
        if node.name == "values":
            found.append(node.res)
        for value in node.values():
            found += _values_clauses(value)
    elif isinstance(node, list | tuple):
        for item in node:
            found += _values_clauses(item)
    return found


# --- running with parameters, locally -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "column", "expected"),
    [
        (
            "events-in-year",
            {"year": "2019"},
            0,
            [
                "event/second-symposium-2019",
                "event/preparatory-meeting-2019-04",
                "event/signing-2019-04-memorandum-of-cooperation",
            ],
        ),
        (
            "events-in-place",
            {"place": str(ID["place/hainan"])},
            0,
            [
                "event/signing-2018-01-memorandum-of-cooperation",
                "event/first-symposium-2018",
                "event/signing-2018-01-memoranda-of-understanding",
            ],
        ),
        (
            "events-in-place",
            {"place": str(ID["place/vienna"])},
            0,
            ["event/14th-un-conference-on-outer-space-affairs"],
        ),
        ("well-attended-events", {"min": "5"}, 0, ["event/preparatory-meeting-2019-04"]),
        (
            "memoranda-signed-by-party",
            {"party": str(ID["organisation/university-of-toulouse"])},
            3,
            ["delegation/university-of-toulouse-at-preparatory-meeting-2018-05"],
        ),
        ("memoranda-signed-by-party", {"party": str(ID["country/japan"])}, 0, []),
        (
            "initiatives",
            {"status": str(SCO.envisaged)},
            6,
            ["country/china", "country/russia", "country/united-states"],
        ),
        (
            "event-participants",
            {"event": str(ID["event/35th-space-symposium"])},
            0,
            ["organisation/international-peace-alliance-space"],
        ),
        (
            "party-activities",
            {"party": str(ID["organisation/university-of-toulouse"])},
            0,
            [
                "event/preparatory-meeting-2018-05",
                "event/founding-international-institute-for-space-technology-innovation",
            ],
        ),
        (
            "symposium-series",
            {"series": str(ID["series/ase-annual-meeting"])},
            0,
            ["event/ase-69th-annual-meeting"],
        ),
        ("chinese-name", {"name": "文昌市"}, 0, ["place/wenchang"]),
        ("find-by-name", {"text": 'Toulouse" } #'}, 0, []),
    ],
)
def test_parameters_change_the_answer_as_the_sources_say(
    name: str, params: dict[str, str], column: int, expected: list[str], repository: Repository
) -> None:
    result = run(catalogue.get(name, ROOT), params, repository)
    assert [row[column] for row in result.rows] == [ID[path] for path in expected]


def test_ask_answers_false_for_a_party_that_signed_nothing(repository: Repository) -> None:
    japan = {"party": str(ID["country/japan"])}
    saved = catalogue.get("party-signed-memorandum", ROOT)
    assert run(saved, japan, repository).boolean is False


def test_describe_takes_any_entity(repository: Repository) -> None:
    beijing = {"entity": str(ID["place/beijing"])}
    result = run(catalogue.get("describe-entity", ROOT), beijing, repository)
    assert result.graph is not None
    assert set(result.graph.subjects()) == {ID["place/beijing"]}
    assert len(result.graph) == 8  # type, 2 labels, 2 exact matches, 3 source paragraphs


@pytest.mark.parametrize("value", INJECTIONS[:3])
def test_an_injection_attempt_is_refused_before_anything_runs(value: str) -> None:
    with pytest.raises(
        QueryError, match="describe-entity: parameter 'entity'.*not an absolute IRI"
    ):
        run(
            catalogue.get("describe-entity", ROOT),
            {"entity": value},
            Endpoint("http://127.0.0.1:9/"),
        )


# --- the command line ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--param", "entity=http://x> } ; DROP ALL ; #"], "not an absolute IRI"),
        (["--param", "colour=red"], "unknown parameter 'colour' (this query takes: entity)"),
        (["--param", "entity=http://e/a", "--param", "entity=http://e/b"], "given twice"),
    ],
)
def test_bad_parameters_on_the_command_line_exit_2_without_traceback(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "describe-entity", *args, "--root", str(ROOT)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_the_command_line_binds_a_year(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["query", "events-in-year", "--param", "year=2019", "--format", "csv"]
    assert main([*args, "--root", str(ROOT)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4  # header and three events
