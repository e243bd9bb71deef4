"""The SPARQL 1.1 Protocol endpoint of ``spacecoop serve`` over real HTTP: every form and results
format, the dataset rules, read-only, with limits, asked directly and through SPARQLWrapper."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS
from rdflib.query import Result
from rdflib.term import Node
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from rdf_stores import store_of
from served import COUNT, SPARQL_JSON, UPDATE, count_of, json_rows, media_type_of, sparql_get
from spacecoop.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID, SCO
from spacecoop.reasoning import sparql_rules
from spacecoop.repository import store as fast_store
from spacecoop.serve import Limits, query_service


def _local_rows(graph: Graph, query: str) -> list[tuple[Node | None, ...]]:
    return [tuple(row) for row in graph.query(query)]  # type: ignore[arg-type]


def test_sparql_get_select_json(client: httpx.Client, asserted: Graph) -> None:
    response = sparql_get(client, COUNT)
    assert media_type_of(response) == SPARQL_JSON
    assert count_of(response) == len(asserted)
    assert response.headers["access-control-allow-origin"] == "*"


def test_sparql_post_form_and_direct(client: httpx.Client, asserted: Graph) -> None:
    form = client.post("/sparql", data={"query": COUNT}, headers={"Accept": SPARQL_JSON})
    assert count_of(form) == len(asserted)
    direct = client.post(
        "/sparql",
        content=COUNT.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON},
    )
    assert count_of(direct) == len(asserted)
    unknown = client.post("/sparql", content=COUNT.encode(), headers={"Content-Type": "text/plain"})
    assert unknown.status_code == 415


SELECT_CHINA = f"""
PREFIX rdfs: <{RDFS}>
SELECT ?label WHERE {{ <{ID["country/china"]}> rdfs:label ?label }} ORDER BY ?label
"""


def test_sparql_select_in_every_results_format(client: httpx.Client) -> None:
    expected = {"China", "中国"}
    as_json = sparql_get(client, SELECT_CHINA, "application/sparql-results+json")
    assert {b["label"]["value"] for b in as_json.json()["results"]["bindings"]} == expected
    assert {b["label"]["xml:lang"] for b in as_json.json()["results"]["bindings"]} == {"en", "zh"}

    as_xml = sparql_get(client, SELECT_CHINA, "application/sparql-results+xml")
    assert media_type_of(as_xml) == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    literals = ET.fromstring(as_xml.content).findall(".//r:literal", ns)
    assert {e.text for e in literals} == expected

    as_csv = sparql_get(client, SELECT_CHINA, "text/csv")
    assert media_type_of(as_csv) == "text/csv"
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8"))))
    assert rows[0] == ["label"] and {r[0] for r in rows[1:]} == expected

    as_tsv = sparql_get(client, SELECT_CHINA, "text/tab-separated-values")
    assert media_type_of(as_tsv) == "text/tab-separated-values"
    lines = as_tsv.content.decode("utf-8").splitlines()
    assert lines[0] == "?label"
    assert set(lines[1:]) == {'"China"@en', '"中国"@zh'}

    parsed = Result.parse(io.BytesIO(as_xml.content), format="xml")
    assert {str(row[0]) for row in parsed} == expected  # type: ignore[index]


def test_sparql_ask(client: httpx.Client) -> None:
    yes = sparql_get(client, f"ASK {{ <{ID['country/china']}> a <{SCO.Country}> }}")
    assert yes.json() == {"head": {}, "boolean": True}
    no = sparql_get(client, f"ASK {{ <{ID['country/china']}> a <{SCO.Event}> }}")
    assert no.json()["boolean"] is False


CONSTRUCT_CHINA = f"CONSTRUCT WHERE {{ <{ID['country/china']}> ?p ?o }}"


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_sparql_construct_in_every_graph_format(
    client: httpx.Client, asserted: Graph, accept: str, fmt: str
) -> None:
    response = sparql_get(client, CONSTRUCT_CHINA, accept)
    assert response.status_code == 200
    assert media_type_of(response) == accept
    parsed = Graph().parse(data=response.content, format=fmt)
    expected = asserted.query(CONSTRUCT_CHINA).graph
    assert expected is not None and len(expected) > 5
    assert isomorphic(parsed, expected)


def test_sparql_unacceptable_results_type_is_406(client: httpx.Client) -> None:
    assert sparql_get(client, COUNT, "image/png").status_code == 406
    assert sparql_get(client, CONSTRUCT_CHINA, "text/csv").status_code == 406


def test_sparql_default_graph_uri_is_honoured(client: httpx.Client, dataset: Dataset) -> None:
    quads = store_of(dataset)
    sparql_rules.materialise(quads)
    inferred = fast_store.to_rdflib_graph(quads, GRAPH_INFERRED)
    only_data = client.get(
        "/sparql",
        params={"query": COUNT, "default-graph-uri": str(GRAPH_DATA)},
        headers={"Accept": SPARQL_JSON},
    )
    assert count_of(only_data) == len(dataset.graph(GRAPH_DATA))
    only_inferred = sparql_get(client, COUNT, **{"default-graph-uri": str(GRAPH_INFERRED)})
    assert count_of(only_inferred) == len(inferred)
    both = client.post(
        "/sparql",
        data={"query": COUNT, "default-graph-uri": [str(GRAPH_DATA), str(GRAPH_ONTOLOGY)]},
        headers={"Accept": SPARQL_JSON},
    )
    assert count_of(both) == len(dataset.graph(GRAPH_DATA)) + len(dataset.graph(GRAPH_ONTOLOGY))


def test_sparql_named_graphs_are_queryable(client: httpx.Client, dataset: Dataset) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    rows = sparql_get(client, query).json()["results"]["bindings"]
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    assert counts[str(GRAPH_DATA)] == len(dataset.graph(GRAPH_DATA))
    assert set(counts) == {str(GRAPH_DATA), str(GRAPH_ONTOLOGY), str(GRAPH_INFERRED)} | {
        k for k in counts if k.endswith("/shapes")
    }
    restricted = sparql_get(client, query, **{"named-graph-uri": str(GRAPH_ONTOLOGY)})
    assert [r["g"]["value"] for r in restricted.json()["results"]["bindings"]] == [
        str(GRAPH_ONTOLOGY)
    ]


def test_sparql_updates_are_refused(client: httpx.Client, asserted: Graph) -> None:
    attempts = [
        client.post("/sparql", data={"update": UPDATE}),
        client.post(
            "/sparql",
            content=UPDATE.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ),
        client.get("/sparql", params={"query": UPDATE}),
        client.post("/sparql", data={"query": "DROP ALL"}),
        client.post(
            "/sparql",
            content=b"# drop\nCLEAR DEFAULT",
            headers={"Content-Type": "application/sparql-query"},
        ),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    assert "read-only" in attempts[0].text
    assert count_of(sparql_get(client, COUNT)) == len(asserted)


@pytest.mark.parametrize(
    "params",
    [
        {"query": "SELEC * WHERE { ?s ?p ?o }"},
        {"query": "SELECT * WHERE { ?s ?p "},
        {"query": "SELECT * WHERE { ?s undeclared:p ?o }"},
        {},
        {"query": ["ASK {}", "ASK {}"]},
    ],
)
def test_sparql_bad_requests_are_400(client: httpx.Client, params: dict[str, Any]) -> None:
    response = client.get("/sparql", params=params)
    assert response.status_code == 400
    assert media_type_of(response) == "text/plain"


def test_sparql_post_body_limits(client: httpx.Client) -> None:
    huge = client.post(
        "/sparql",
        content=b"ASK {}" + b" " * 200_000,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert huge.status_code == 413
    latin1 = client.post(
        "/sparql",
        content='ASK { ?s ?p "é" }'.encode("latin-1"),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert latin1.status_code == 400


def test_sparql_overlong_query_is_413(client: httpx.Client) -> None:
    padded = "# " + "x" * 25_000 + "\nASK {}"
    response = client.post(
        "/sparql", content=padded.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_sparql_timeout_is_503_and_the_server_recovers(
    client: httpx.Client, asserted: Graph
) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    response = sparql_get(client, heavy)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "2 s" in response.text
    assert elapsed < 8
    # The runaway worker was replaced: the endpoint still answers, twice in a row.
    assert count_of(sparql_get(client, COUNT)) == len(asserted)
    assert count_of(sparql_get(client, COUNT)) == len(asserted)
    assert client.get("/index.html").status_code == 200


def test_sparql_makes_no_requests_to_other_servers(client: httpx.Client) -> None:
    """SERVICE would make the server fetch any URL a client names (and echo the answer)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(1.0)
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/internal"
        for query in (
            f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f'SELECT * {{ BIND(""" " """ AS ?x) SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}',
        ):
            response = sparql_get(client, query)
            assert response.status_code == 403, response.text
            assert "SERVICE" in response.text
        with pytest.raises(TimeoutError):
            listener.accept()
    federated = client.get("/queries/wikidata-coordinates", headers={"Accept": "*/*"})
    assert federated.status_code == 403


def test_sparql_cors(client: httpx.Client) -> None:
    response = sparql_get(client, "ASK {}")
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]


def test_result_size_limit_is_413(site: Path) -> None:
    service = query_service(site, workers=1, limits=Limits(timeout=30, max_result_bytes=2_000))
    try:
        big = service.run("SELECT * WHERE { ?s ?p ?o }", SPARQL_JSON)
        assert big.status == 413
        assert b"2000 bytes" in big.body
        small = service.run("SELECT * WHERE { ?s ?p ?o } LIMIT 1", SPARQL_JSON)
        assert small.status == 200
        assert len(json.loads(small.body)["results"]["bindings"]) == 1
    finally:
        service.close()


EVENTS = f"""
PREFIX rdfs: <{RDFS}>
PREFIX sco: <{SCO}>
SELECT ?event ?label ?start WHERE {{
  ?event sco:startDate ?start ; rdfs:label ?label .
  FILTER (LANG(?label) = "en")
}} ORDER BY STR(?start) ?event
"""


MEMORANDA = f"""
PREFIX sco: <{SCO}>
PREFIX rdfs: <{RDFS}>
CONSTRUCT {{ ?m sco:signatory ?party ; rdfs:label ?label ; a ?type }}
WHERE {{
  ?m sco:signedAt ?signing ; a ?type ; rdfs:label ?label .
  OPTIONAL {{ ?m sco:signatory ?party }}
}}
"""


def test_sparqlwrapper_select_matches_rdflib(server: str, asserted: Graph) -> None:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(EVENTS)
    client.setReturnFormat(JSON)
    answer = client.queryAndConvert()
    assert isinstance(answer, dict)
    expected = _local_rows(asserted, EVENTS)
    assert len(expected) >= 5
    assert json_rows(answer) == expected


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_construct_matches_rdflib(server: str, asserted: Graph, method: str) -> None:
    expected = asserted.query(MEMORANDA).graph
    assert expected is not None and len(expected) > 10
    client = SPARQLWrapper(server + "/sparql")
    client.setMethod(method)
    client.setQuery(MEMORANDA)
    graph = client.queryAndConvert()  # RDF/XML by default, converted to a Graph
    assert isinstance(graph, Graph)
    assert isomorphic(graph, expected)
    client.setReturnFormat(TURTLE)
    turtle = client.queryAndConvert()
    assert isomorphic(Graph().parse(data=turtle, format="turtle"), expected)
