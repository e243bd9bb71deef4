"""The saved-query catalogue: every query parses, carries its metadata, uses declared
terms, and returns the results written down in tests/expected/ from the sources."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, RDFS, SH
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from checkout import ROOT
from spacecoop import stats
from spacecoop.cli import main
from spacecoop.namespaces import GRAPH_ONTOLOGY, QUERY, SCHEMA, SCO, SPEX
from spacecoop.queries import catalogue as queries
from spacecoop.queries.catalogue import CatalogueError, SavedQuery, parse_saved_query
from spacecoop.queries.results import QueryKind, QueryResult, results_json
from spacecoop.queries.runner import run
from spacecoop.queries.sparql_examples import catalogue_graph
from spacecoop.repository.load import Repository
from spacecoop.validation.ontology_checks import BUILTIN_NAMESPACES, declared_terms

EXPECTED = Path(__file__).parent / "expected"
CATALOGUE = queries.catalogue(ROOT)
LOCAL = [q for q in CATALOGUE.values() if not q.services]
"""Queries that run on our data alone (a SERVICE query needs the Wikidata endpoint)."""


def _ids(items: list[SavedQuery]) -> list[str]:
    return [q.name for q in items]


def solutions(result: QueryResult, ordered: bool) -> list[dict[str, str]]:
    """SELECT rows as ``{variable: N-Triples term}``, sorted unless the query orders them."""
    rows = [
        {v: t.n3() for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]
    return rows if ordered else sorted(rows, key=lambda r: sorted(r.items()))


def expected_solutions(name: str, ordered: bool) -> list[dict[str, str]]:
    """Read tests/expected/NAME.json (SPARQL results JSON) into the form of :func:`solutions`."""
    document = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    rows = [{v: _n3(b) for v, b in binding.items()} for binding in document["results"]["bindings"]]
    return rows if ordered else sorted(rows, key=lambda r: sorted(r.items()))


def _n3(binding: dict[str, str]) -> str:
    if binding["type"] == "uri":
        return URIRef(binding["value"]).n3()
    lang, datatype = binding.get("xml:lang"), binding.get("datatype")
    return Literal(
        binding["value"], lang=lang, datatype=URIRef(datatype) if datatype else None
    ).n3()


def is_ordered(query: SavedQuery) -> bool:
    return re.search(r"\bORDER\s+BY\b", query.body, re.IGNORECASE) is not None


def assert_same_answer(query: SavedQuery, result: QueryResult) -> None:
    """Compare ``result`` with tests/expected/, in order only where the query orders."""
    if query.kind.returns_graph:
        expected = Graph().parse(EXPECTED / f"{query.name}.ttl")
        assert result.graph is not None and isomorphic(result.graph, expected)
    elif query.kind is QueryKind.ASK:
        document = json.loads((EXPECTED / f"{query.name}.json").read_text(encoding="utf-8"))
        assert result.boolean is document["boolean"]
    else:
        head = json.loads((EXPECTED / f"{query.name}.json").read_text(encoding="utf-8"))["head"]
        assert list(result.variables) == head["vars"]
        ordered = is_ordered(query)
        assert solutions(result, ordered) == expected_solutions(query.name, ordered)


# --- the catalogue as a whole -------------------------------------------------------


def test_catalogue_has_at_least_15_questions_in_every_query_form() -> None:
    assert len(CATALOGUE) >= 15
    assert {q.kind for q in CATALOGUE.values()} == set(QueryKind)


def test_every_query_except_federated_ones_has_expected_results() -> None:
    expected = {p.stem for p in EXPECTED.iterdir()}
    assert expected == {q.name for q in LOCAL}


def test_the_federated_query_names_the_wikidata_service() -> None:
    federated = [q for q in CATALOGUE.values() if q.services]
    assert [q.services for q in federated] == [("https://query.wikidata.org/sparql",)]


# --- each query -----------------------------------------------------------------------


@pytest.mark.parametrize("query", CATALOGUE.values(), ids=list(CATALOGUE))
def test_query_parses_with_rdflib(query: SavedQuery) -> None:
    prepared = prepareQuery(query.text)
    assert prepared.algebra.name.lower() == f"{query.kind}query"


@pytest.mark.parametrize("query", CATALOGUE.values(), ids=list(CATALOGUE))
def test_query_parses_with_oxigraph(query: SavedQuery) -> None:
    pyoxigraph.Store().query(query.text)  # parses now, evaluates lazily (SERVICE is never called)


@pytest.mark.parametrize("query", CATALOGUE.values(), ids=list(CATALOGUE))
def test_query_has_grlc_metadata_and_a_default_for_every_required_parameter(
    query: SavedQuery,
) -> None:
    assert query.summary and query.description.endswith((".", "?"))
    assert query.tags and all(query.tags)
    assert query.decorators.get("endpoint_in_url") == "False"
    for parameter in query.parameters:
        assert parameter.default is not None or not parameter.required, parameter.name


@pytest.mark.parametrize("query", CATALOGUE.values(), ids=list(CATALOGUE))
def test_query_uses_only_terms_the_ontology_declares(query: SavedQuery, dataset: Dataset) -> None:
    ontology = dataset.graph(GRAPH_ONTOLOGY)
    known = declared_terms(ontology)
    algebra = prepareQuery(query.text).algebra
    pattern = _iris(algebra.p)
    undeclared = {
        t for t in pattern if t not in known and not str(t).startswith(BUILTIN_NAMESPACES)
    }
    assert not undeclared, f"{query.name} queries undeclared terms: {sorted(undeclared)}"
    # A CONSTRUCT template may also speak the vocabularies the ontology aligns with.
    aligned = set(ontology.objects(None, RDFS.subClassOf))
    aligned |= set(ontology.objects(None, RDFS.subPropertyOf))
    template = _iris(algebra.get("template") or [])
    unknown = {
        t
        for t in template
        if t not in known and t not in aligned and not str(t).startswith(BUILTIN_NAMESPACES)
    }
    assert not unknown, f"{query.name} constructs unknown terms: {sorted(unknown)}"


def _iris(node: object) -> set[URIRef]:
    """Every IRI in a piece of rdflib query algebra, except inside SERVICE (remote vocabulary)."""
    found: set[URIRef] = set()
    if isinstance(node, CompValue):
        if node.name != "ServiceGraphPattern":
            for value in node.values():
                found |= _iris(value)
    elif isinstance(node, URIRef):
        found.add(node)
    elif isinstance(node, PropertyPath):
        for attribute in ("args", "arg", "path"):
            found |= _iris(getattr(node, attribute, None))
    elif isinstance(node, list | tuple | set):
        for item in node:
            found |= _iris(item)
    return found


@pytest.mark.parametrize("query", LOCAL, ids=_ids(LOCAL))
def test_query_returns_its_expected_results(query: SavedQuery, repository: Repository) -> None:
    assert_same_answer(query, run(query, {}, repository))


# --- cross-checks against other ways of counting ------------------------------------


def test_statistics_query_agrees_with_the_stats_module(
    repository: Repository, dataset: Dataset
) -> None:
    result = run(CATALOGUE["dataset-statistics"], {}, repository)
    counted = {str(row[0]): int(row[2]) for row in result.rows}  # type: ignore[arg-type]
    computed = stats.compute(dataset)
    assert counted == {c.iri: c.entities for c in computed.classes if c.label}


def test_single_and_multi_source_entities_split_every_derived_entity(
    repository: Repository, data: Graph
) -> None:
    documents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for entity, paragraph in data.subject_objects(PROV.wasDerivedFrom):
        if (entity, RDF.type, SCO.SourceAccount) not in data:
            documents[entity] |= set(data.objects(paragraph, SCO.inDocument))
    single = run(CATALOGUE["single-source-entities"], {}, repository)
    multi = run(CATALOGUE["multi-source-entities"], {}, repository)
    assert {(r[0], r[2]) for r in single.rows} == {
        (e, next(iter(d))) for e, d in documents.items() if len(d) == 1
    }
    assert {(r[0], int(r[2])) for r in multi.rows} == {  # type: ignore[arg-type]
        (e, len(d)) for e, d in documents.items() if len(d) > 1
    }


def test_infer_adds_what_the_alignments_entail(repository: Repository) -> None:
    asserted = run(CATALOGUE["dataset-statistics"], {}, repository)
    inferred = run(CATALOGUE["dataset-statistics"], {}, repository, infer=True)
    counts = {str(row[0]): int(row[2]) for row in inferred.rows}  # type: ignore[arg-type]
    assert str(SCO.Event) not in {str(row[0]) for row in asserted.rows}
    assert counts[str(SCO.Event)] == 15  # 2 symposia, 2 meetings, 4 signings, founding, 3 + 3
    assert counts[str(SCO.Party)] > counts[str(SCO.Country)] == 6


# --- the sparql-examples export ------------------------------------------------------


def test_catalogue_graph_describes_every_query_in_sparql_examples_form() -> None:
    graph = catalogue_graph("http://example.org/sparql", queries=CATALOGUE.values())
    text_property = {
        QueryKind.SELECT: (SH.SPARQLSelectExecutable, SH.select),
        QueryKind.ASK: (SH.SPARQLAskExecutable, SH.ask),
        QueryKind.CONSTRUCT: (SH.SPARQLConstructExecutable, SH.construct),
        QueryKind.DESCRIBE: (SPEX.SPARQLDescribeExecutable, SPEX.describe),
    }
    for query in CATALOGUE.values():
        node = QUERY[query.name]
        executable, prop = text_property[query.kind]
        assert set(graph.objects(node, RDF.type)) == {SH.SPARQLExecutable, executable}
        assert graph.value(node, RDFS.comment) == Literal(query.description, lang="en")
        assert str(graph.value(node, prop)) == query.body
        assert not str(graph.value(node, prop)).startswith("#+")
        assert {str(k) for k in graph.objects(node, SCHEMA.keywords)} == set(query.tags)
        assert graph.value(node, SCHEMA.target) == URIRef("http://example.org/sparql")
        assert graph.value(node, SH.prefixes) is not None
        federates = {str(s) for s in graph.objects(node, SPEX.federatesWith)}
        assert federates == set(query.services)


def test_query_export_writes_turtle_and_json_ld_of_the_same_graph(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["query", "export", "--root", str(ROOT)]) == 0
    turtle = Graph().parse(data=capsys.readouterr().out, format="turtle")
    assert main(["query", "export", "--format", "jsonld", "--root", str(ROOT)]) == 0
    jsonld = Graph().parse(data=capsys.readouterr().out, format="json-ld")
    assert isomorphic(turtle, jsonld)
    assert len(set(turtle.subjects(RDF.type, SH.SPARQLExecutable))) == len(CATALOGUE)
    assert (None, SCHEMA.target, None) not in turtle  # no endpoint given, none claimed


# --- the command line --------------------------------------------------------------------


def test_query_list_shows_every_name_with_its_summary_aligned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["query", "list", "--root", str(ROOT)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(CATALOGUE)
    width = max(map(len, CATALOGUE)) + 2
    for line, query in zip(lines, CATALOGUE.values(), strict=True):
        assert line[width:] == query.summary


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_select_results_in_every_format(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "wikidata-links", "--format", fmt, "--root", str(ROOT)]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        assert len(json.loads(out)["results"]["bindings"]) == 9
    elif fmt == "table":
        assert "wd:Q148" in out and out.rstrip().endswith("(9 rows)")
    else:
        lines = out.splitlines()
        assert len(lines) == 10
        china = "<http://www.wikidata.org/entity/Q148>" if fmt == "tsv" else ",China,"
        assert any(china in line for line in lines)


def test_ask_prints_true_or_false_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "party-signed-memorandum", "--root", str(ROOT)]) == 0
    assert capsys.readouterr().out == "true\n"


def test_construct_results_as_json_ld(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["query", "co-signatory-network", "--format", "jsonld", "--root", str(ROOT)]
    assert main(args) == 0
    graph = Graph().parse(data=capsys.readouterr().out, format="json-ld")
    assert isomorphic(graph, Graph().parse(EXPECTED / "co-signatory-network.ttl"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "no-such-query"], "no saved query named 'no-such-query'"),
        (["query", "schema-org-events", "--format", "csv"], "use --format turtle or jsonld"),
        (["query", "topics", "--format", "turtle"], "use --format table|csv|tsv|json"),
        (["query", "export", "--format", "csv"], "use --format turtle|jsonld"),
    ],
)
def test_bad_query_requests_are_one_line_errors_with_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*args, "--root", str(ROOT)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1


# --- malformed query files -------------------------------------------------------------

GOOD_BODY = "SELECT ?s WHERE { ?s ?p ?_o_iri }\n"


@pytest.mark.parametrize(
    ("name", "header", "message"),
    [
        ("no-summary", "#+ description: d.\n#+ tags:\n#+   - t\n", "lacks '#+ summary:'"),
        ("no-tags", "#+ summary: s\n#+ description: d.\n", "lacks '#+ tags:'"),
        ("flat-tags", "#+ summary: s\n#+ description: d.\n#+ tags: t\n", "must be a list"),
        (
            "stray-default",
            "#+ summary: s\n#+ description: d.\n#+ tags:\n#+   - t\n#+ defaults:\n#+   - x: 1\n",
            "default for 'x', which no variable declares",
        ),
        (
            "bad-default",
            "#+ summary: s\n#+ description: d.\n#+ tags:\n#+   - t\n#+ defaults:\n#+   - o: no\n",
            "is not an absolute IRI",
        ),
        ("Bad_Name", "#+ summary: s\n#+ description: d.\n#+ tags:\n#+   - t\n", "kebab-case"),
        ("garbled", "#+ summary: s\n#+ ???\n", "garbled.rq:2: not a '#+ key: value'"),
    ],
)
def test_a_malformed_query_file_is_reported_with_its_path(
    tmp_path: Path, name: str, header: str, message: str
) -> None:
    path = tmp_path / f"{name}.rq"
    path.write_text(header + "\n" + GOOD_BODY, encoding="utf-8")
    with pytest.raises(CatalogueError, match=re.escape(message)) as caught:
        parse_saved_query(path)
    assert str(path) in str(caught.value)


def test_results_json_keeps_language_and_datatype() -> None:
    result = QueryResult(
        QueryKind.SELECT,
        variables=("a", "b"),
        rows=((Literal("x", lang="zh"), None), (Literal(3), URIRef("http://e/"))),
    )
    assert results_json(result)["results"]["bindings"] == [
        {"a": {"type": "literal", "value": "x", "xml:lang": "zh"}},
        {
            "a": {
                "type": "literal",
                "value": "3",
                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
            },
            "b": {"type": "uri", "value": "http://e/"},
        },
    ]


def _saved(tmp_path: Path, body: str) -> SavedQuery:
    path = tmp_path / "federated.rq"
    path.write_text("#+ summary: s\n#+ description: d.\n#+ tags:\n#+   - t\n\n" + body, "utf-8")
    return parse_saved_query(path)


def test_a_service_iri_holding_a_hash_is_read_whole(tmp_path: Path) -> None:
    # Before: comments were cut with a regex, and '#main>' went as if it were one.
    query = _saved(tmp_path, "SELECT * WHERE { SERVICE <http://e.org/sparql#main> { ?s ?p ?o } }")
    assert query.services == ("http://e.org/sparql#main",)


def test_service_in_a_string_or_a_comment_is_no_service(tmp_path: Path) -> None:
    body = (
        "# SERVICE <http://comment.example/sparql>\n"
        'SELECT * WHERE { ?s ?p "SERVICE <http://string.example/sparql> {" . \n'
        "  SERVICE   silent\n<http://e.org/sparql> { ?s ?p ?o } }"
    )
    assert _saved(tmp_path, body).services == ("http://e.org/sparql",)


def test_a_parameter_variable_in_an_iri_or_a_string_is_no_parameter(tmp_path: Path) -> None:
    body = 'SELECT ?_x WHERE { <http://e.org/a?_y=1#?_z> <http://e.org/p> "?_w", ?_x }'
    assert [p.variable for p in _saved(tmp_path, body).parameters] == ["_x"]


def test_a_query_that_does_not_tokenize_is_reported_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"federated\.rq: line 7, column 1: ") as caught:
        _saved(tmp_path, "SELECT * WHERE { ?s ?p ?o }\n}")
    assert "closes nothing" in str(caught.value)
