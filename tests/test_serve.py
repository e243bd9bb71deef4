"""``spacecoop serve`` over real HTTP: 303 content negotiation, the SPARQL 1.1 Protocol endpoint
(read-only, with limits), saved queries at /queries/NAME, and what it must never serve.
Also unit tests of Accept parsing and of recognising SPARQL Update."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD
from rdflib.query import Result
from rdflib.term import Node
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from spacecoop.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID, SCO
from spacecoop.queries import catalogue as queries
from spacecoop.queries.results import QueryResult
from spacecoop.queries.sparql_text import analyse
from spacecoop.reasoning import owlrl_engine, sparql_rules
from spacecoop.repository import store as fast_store
from spacecoop.serve import Limits, query_service
from spacecoop.serve.negotiation import MediaRange, choose, parse_accept

SITE_BASE = "https://w3id.org/spacecoop/"
EVENT = "id/event/first-symposium-2018"
RESOURCES = (
    EVENT,
    "id/country/china",
    "id/memorandum/preparatory-meeting-2018-05-strategic",
    "id/source/wenchang-news-article/p1",
)
RDF_TYPES = {
    # extension: (media type, rdflib format)
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SPARQL_JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, follow_redirects=False, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def asserted(dataset: Dataset) -> Graph:
    """What /sparql queries by default: ontology ∪ data."""
    return owlrl_engine.asserted(dataset)


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def _sparql(client: httpx.Client, query: str, accept: str = SPARQL_JSON, **params: Any) -> Any:
    return client.get("/sparql", params={"query": query, **params}, headers={"Accept": accept})


def _count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _json_term(binding: dict[str, str]) -> Node:
    if binding["type"] == "uri":
        return URIRef(binding["value"])
    if binding["type"] == "bnode":
        return BNode(binding["value"])
    if "xml:lang" in binding:
        return Literal(binding["value"], lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype in (None, str(XSD.string)):
        return Literal(binding["value"])
    return Literal(binding["value"], datatype=URIRef(datatype))


def _json_rows(document: dict[str, Any]) -> list[tuple[Node | None, ...]]:
    variables = document["head"]["vars"]
    return [
        tuple(_json_term(row[v]) if v in row else None for v in variables)
        for row in document["results"]["bindings"]
    ]


def _local_rows(graph: Graph, query: str) -> list[tuple[Node | None, ...]]:
    return [tuple(row) for row in graph.query(query)]  # type: ignore[arg-type]


# --- content negotiation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "extension"),
    [
        (None, "html"),
        ("*/*", "html"),
        ("text/html", "html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "rdf"),
        ("text/turtle;q=0.9, application/ld+json", "jsonld"),
        ("application/ld+json;q=0.5, text/turtle;q=0.6, text/html;q=0.1", "ttl"),
        ("text/*;q=0.5, text/turtle", "ttl"),
        ("text/html;q=0, */*;q=0.1, application/rdf+xml;q=0.2", "rdf"),
        ("application/n-triples, */*;q=0", "nt"),
        # Refusing text/html is not a way to get the same page by another name.
        ("text/html;q=0, application/xhtml+xml, */*;q=0.5", "ttl"),
    ],
)
def test_resource_iri_answers_303_by_accept(
    client: httpx.Client, accept: str | None, extension: str
) -> None:
    for path in (EVENT, "def"):
        request = client.build_request("GET", "/" + path)
        if accept is None:
            del request.headers["accept"]
        else:
            request.headers["accept"] = accept
        response = client.send(request)
        assert response.status_code == 303, (path, response.text)
        assert response.headers["location"] == f"/{path}.{extension}"
        assert "accept" in response.headers["vary"].lower()


def test_resource_iri_without_an_acceptable_type_is_406(client: httpx.Client) -> None:
    for path in (EVENT, "def"):
        response = client.get("/" + path, headers={"Accept": "image/png"})
        assert response.status_code == 406
        assert (
            client.get("/" + path, headers={"Accept": "application/xhtml+xml"}).status_code == 406
        )
        assert "text/turtle" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/id/event/no-such-event",
        "/id/event",
        "/id/",
        "/id/event/no-such-event.ttl",
        f"/{EVENT}.xyz",
    ],
)
def test_unknown_things_are_404(client: httpx.Client, path: str) -> None:
    for accept in ("text/html", "text/turtle"):
        assert client.get(path, headers={"Accept": accept}).status_code == 404


@pytest.mark.parametrize("path", RESOURCES)
def test_every_representation_has_its_media_type_and_parses(
    client: httpx.Client, dataset: Dataset, path: str
) -> None:
    graphs = []
    for extension, (media_type, fmt) in RDF_TYPES.items():
        location = client.get("/" + path, headers={"Accept": media_type}).headers["location"]
        response = client.get(location)
        assert response.status_code == 200
        assert _media_type(response) == media_type
        graphs.append(Graph().parse(data=response.content, format=fmt))
        assert (URIRef(SITE_BASE + path), None, None) in graphs[-1], extension
    assert all(isomorphic(graphs[0], g) for g in graphs[1:])
    page = client.get(f"/{path}.html")
    assert page.status_code == 200 and _media_type(page) == "text/html"
    assert SITE_BASE + path in page.text


def test_ontology_representations_hold_the_ontology(client: httpx.Client, dataset: Dataset) -> None:
    location = client.get("/def", headers={"Accept": "text/turtle"}).headers["location"]
    parsed = Graph().parse(data=client.get(location).content, format="turtle")
    assert isomorphic(parsed, Graph() + dataset.graph(GRAPH_ONTOLOGY))
    assert 'id="Symposium"' in client.get("/def.html").text


def test_pages_carry_security_headers(client: httpx.Client) -> None:
    pages = ("/", "/index.html", f"/{EVENT}.html", "/def.html", "/queries.html")
    pages += ("/browse/event.html",)
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html"), path
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"


def test_well_known_descriptions_parse_as_turtle(client: httpx.Client, site: Path) -> None:
    void = client.get("/.well-known/void")
    assert void.status_code == 200 and _media_type(void) == "text/turtle"
    graph = Graph().parse(data=void.content, format="turtle")
    assert (URIRef(SITE_BASE + "dataset"), None, None) in graph
    for path in ("/.well-known/sparql-examples/", "/.well-known/sparql-examples"):
        examples = client.get(path)
        assert examples.status_code == 200 and _media_type(examples) == "text/turtle"
        assert len(Graph().parse(data=examples.content, format="turtle")) > 50
        assert examples.content == (site / "queries.ttl").read_bytes()


def _raw(client: httpx.Client, path: str) -> httpx.Request:
    """A GET of ``path`` exactly as written: no client-side normalisation of ``..``."""
    request = client.build_request("GET", "/")
    request.url = request.url.copy_with(raw_path=path.encode("ascii"))
    return request


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/id/..%2F..%2Fetc/passwd",
        "/id/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/id/event/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd.ttl",
        "/id/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fhostname.html",
        "/static/../../pyproject.toml",
        "/static/..%2F..%2Fpyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/id/..%2F..%2Fsite%2F..%2F..%2Fpyproject.toml",
        "/queries/..%2F..%2Fpyproject",
    ],
)
def test_no_file_outside_the_site_is_served(client: httpx.Client, site: Path, path: str) -> None:
    response = client.send(_raw(client, path))
    assert response.status_code in (400, 404), (path, response.status_code)
    assert b"root:" not in response.content
    assert b"[project]" not in response.content


def test_traversal_requests_reach_the_server_unnormalised(client: httpx.Client) -> None:
    """The traversal test above is only meaningful if ``..`` really goes over the wire."""
    response = client.send(_raw(client, "/id/..%2Fdef"))
    # Resolves inside the site: to the ontology, as the server sees it.
    assert response.status_code == 303
    assert response.headers["location"].endswith("def.html")


# --- /sparql ----------------------------------------------------------------------------


def test_sparql_get_select_json(client: httpx.Client, asserted: Graph) -> None:
    response = _sparql(client, COUNT)
    assert _media_type(response) == SPARQL_JSON
    assert _count(response) == len(asserted)
    assert response.headers["access-control-allow-origin"] == "*"


def test_sparql_post_form_and_direct(client: httpx.Client, asserted: Graph) -> None:
    form = client.post("/sparql", data={"query": COUNT}, headers={"Accept": SPARQL_JSON})
    assert _count(form) == len(asserted)
    direct = client.post(
        "/sparql",
        content=COUNT.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON},
    )
    assert _count(direct) == len(asserted)
    unknown = client.post("/sparql", content=COUNT.encode(), headers={"Content-Type": "text/plain"})
    assert unknown.status_code == 415


SELECT_CHINA = f"""
PREFIX rdfs: <{RDFS}>
SELECT ?label WHERE {{ <{ID["country/china"]}> rdfs:label ?label }} ORDER BY ?label
"""


def test_sparql_select_in_every_results_format(client: httpx.Client) -> None:
    expected = {"China", "中国"}
    as_json = _sparql(client, SELECT_CHINA, "application/sparql-results+json")
    assert {b["label"]["value"] for b in as_json.json()["results"]["bindings"]} == expected
    assert {b["label"]["xml:lang"] for b in as_json.json()["results"]["bindings"]} == {"en", "zh"}

    as_xml = _sparql(client, SELECT_CHINA, "application/sparql-results+xml")
    assert _media_type(as_xml) == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    literals = ET.fromstring(as_xml.content).findall(".//r:literal", ns)
    assert {e.text for e in literals} == expected

    as_csv = _sparql(client, SELECT_CHINA, "text/csv")
    assert _media_type(as_csv) == "text/csv"
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8"))))
    assert rows[0] == ["label"] and {r[0] for r in rows[1:]} == expected

    as_tsv = _sparql(client, SELECT_CHINA, "text/tab-separated-values")
    assert _media_type(as_tsv) == "text/tab-separated-values"
    lines = as_tsv.content.decode("utf-8").splitlines()
    assert lines[0] == "?label"
    assert set(lines[1:]) == {'"China"@en', '"中国"@zh'}

    parsed = Result.parse(io.BytesIO(as_xml.content), format="xml")
    assert {str(row[0]) for row in parsed} == expected  # type: ignore[index]


def test_sparql_ask(client: httpx.Client) -> None:
    yes = _sparql(client, f"ASK {{ <{ID['country/china']}> a <{SCO.Country}> }}")
    assert yes.json() == {"head": {}, "boolean": True}
    no = _sparql(client, f"ASK {{ <{ID['country/china']}> a <{SCO.Event}> }}")
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
    response = _sparql(client, CONSTRUCT_CHINA, accept)
    assert response.status_code == 200
    assert _media_type(response) == accept
    parsed = Graph().parse(data=response.content, format=fmt)
    expected = asserted.query(CONSTRUCT_CHINA).graph
    assert expected is not None and len(expected) > 5
    assert isomorphic(parsed, expected)


def test_sparql_unacceptable_results_type_is_406(client: httpx.Client) -> None:
    assert _sparql(client, COUNT, "image/png").status_code == 406
    assert _sparql(client, CONSTRUCT_CHINA, "text/csv").status_code == 406


def test_sparql_default_graph_uri_is_honoured(client: httpx.Client, dataset: Dataset) -> None:
    quads = fast_store.from_dataset(dataset)
    sparql_rules.materialise(quads)
    inferred = fast_store.to_rdflib_graph(quads, GRAPH_INFERRED)
    only_data = client.get(
        "/sparql",
        params={"query": COUNT, "default-graph-uri": str(GRAPH_DATA)},
        headers={"Accept": SPARQL_JSON},
    )
    assert _count(only_data) == len(dataset.graph(GRAPH_DATA))
    only_inferred = _sparql(client, COUNT, **{"default-graph-uri": str(GRAPH_INFERRED)})
    assert _count(only_inferred) == len(inferred)
    both = client.post(
        "/sparql",
        data={"query": COUNT, "default-graph-uri": [str(GRAPH_DATA), str(GRAPH_ONTOLOGY)]},
        headers={"Accept": SPARQL_JSON},
    )
    assert _count(both) == len(dataset.graph(GRAPH_DATA)) + len(dataset.graph(GRAPH_ONTOLOGY))


def test_sparql_named_graphs_are_queryable(client: httpx.Client, dataset: Dataset) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    rows = _sparql(client, query).json()["results"]["bindings"]
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    assert counts[str(GRAPH_DATA)] == len(dataset.graph(GRAPH_DATA))
    assert set(counts) == {str(GRAPH_DATA), str(GRAPH_ONTOLOGY), str(GRAPH_INFERRED)} | {
        k for k in counts if k.endswith("/shapes")
    }
    restricted = _sparql(client, query, **{"named-graph-uri": str(GRAPH_ONTOLOGY)})
    assert [r["g"]["value"] for r in restricted.json()["results"]["bindings"]] == [
        str(GRAPH_ONTOLOGY)
    ]


UPDATE = f"""PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX sco: <{SCO}>
# a comment
INSERT DATA {{ <{ID["country/china"]}> owl:sameAs <{ID["country/france"]}> }}"""


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
    assert _count(_sparql(client, COUNT)) == len(asserted)


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
    assert _media_type(response) == "text/plain"


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
    response = _sparql(client, heavy)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "2 s" in response.text
    assert elapsed < 8
    # The runaway worker was replaced: the endpoint still answers, twice in a row.
    assert _count(_sparql(client, COUNT)) == len(asserted)
    assert _count(_sparql(client, COUNT)) == len(asserted)
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
            response = _sparql(client, query)
            assert response.status_code == 403, response.text
            assert "SERVICE" in response.text
        with pytest.raises(TimeoutError):
            listener.accept()
    federated = client.get("/queries/wikidata-coordinates", headers={"Accept": "*/*"})
    assert federated.status_code == 403


def test_sparql_cors(client: httpx.Client) -> None:
    response = _sparql(client, "ASK {}")
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


# --- SPARQLWrapper as a client ----------------------------------------------------------

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
    assert _json_rows(answer) == expected


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


# --- /queries/NAME ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue(repo_root: Path) -> dict[str, queries.SavedQuery]:
    return queries.catalogue(repo_root)


def _local(saved: queries.SavedQuery, params: dict[str, str], dataset: Dataset) -> QueryResult:
    return queries.run(saved, params, dataset=dataset)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("events-in-year", {}),
        ("events-in-year", {"year": "2019"}),
        ("find-by-name", {"text": "toulouse"}),
        ("event-participants", {"event": SITE_BASE + EVENT}),
        ("dataset-statistics", {}),
    ],
)
def test_saved_query_answers_as_the_local_run(
    client: httpx.Client,
    catalogue: dict[str, queries.SavedQuery],
    dataset: Dataset,
    name: str,
    params: dict[str, str],
) -> None:
    response = client.get(f"/queries/{name}", params=params, headers={"Accept": "*/*"})
    assert response.status_code == 200, response.text
    assert _media_type(response) == SPARQL_JSON
    document = response.json()
    expected = _local(catalogue[name], params, dataset)
    assert tuple(document["head"]["vars"]) == expected.variables
    assert _json_rows(document) == list(expected.rows)
    assert expected.rows


def test_saved_construct_query_answers_as_the_local_run(
    client: httpx.Client, catalogue: dict[str, queries.SavedQuery], dataset: Dataset
) -> None:
    response = client.get("/queries/co-signatory-network", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and _media_type(response) == "text/turtle"
    expected = _local(catalogue["co-signatory-network"], {}, dataset).graph
    assert expected is not None and len(expected)
    assert isomorphic(Graph().parse(data=response.content, format="turtle"), expected)
    default = client.get("/queries/co-signatory-network", headers={"Accept": "*/*"})
    assert default.status_code == 200 and _media_type(default) != "text/html"


def test_saved_query_as_html_for_browsers(client: httpx.Client, dataset: Dataset) -> None:
    response = client.get(
        "/queries/events-in-year",
        params={"year": "2019"},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 200 and _media_type(response) == "text/html"
    assert "<table" in response.text
    assert "second-symposium-2019" in response.text
    assert "first-symposium-2018" not in response.text
    assert "2019" in response.text
    assert "content-security-policy" in response.headers


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("events-in-year", {"year": "twenty"}),
        ("events-in-year", {"year": '2019") } DROP ALL #'}),
        ("event-participants", {"event": "not an iri"}),
        ("event-participants", {"event": f"{SITE_BASE}{EVENT}> }} ; DROP ALL ; #"}),
        ("well-attended-events", {"min": "3; DROP ALL"}),
        ("events-in-year", {"month": "1"}),
    ],
)
def test_saved_query_rejects_bad_parameters(
    client: httpx.Client, name: str, params: dict[str, str]
) -> None:
    response = client.get(f"/queries/{name}", params=params)
    assert response.status_code == 400, response.text
    assert name in response.text


def test_saved_query_literal_injection_is_only_text(client: httpx.Client, asserted: Graph) -> None:
    response = client.get(
        "/queries/find-by-name", params={"text": '") } } ; DROP ALL ; SELECT * { { ("'}
    )
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    chinese = client.get(
        "/queries/chinese-name", params={"name": 'x"@zh } DELETE WHERE { ?s ?p ?o } #'}
    )
    assert chinese.status_code == 200
    assert chinese.json()["results"]["bindings"] == []
    assert _count(_sparql(client, COUNT)) == len(asserted)


def test_saved_query_repeated_parameter_is_400(client: httpx.Client) -> None:
    response = client.get("/queries/events-in-year?year=2018&year=2019")
    assert response.status_code == 400


def test_unknown_saved_query_is_404(client: httpx.Client) -> None:
    assert client.get("/queries/no-such-query").status_code == 404
    assert client.get("/queries/no-such-query", headers={"Accept": "text/html"}).status_code == 404


# --- unit: Accept parsing ---------------------------------------------------------------

OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]


def test_parse_accept_reads_q_values_and_skips_malformed_parts() -> None:
    assert parse_accept(None) == [MediaRange("*", "*", 1.0)]
    assert parse_accept("  ") == [MediaRange("*", "*", 1.0)]
    assert parse_accept("Text/Turtle;Q=0.5, application/ld+json") == [
        MediaRange("text", "turtle", 0.5),
        MediaRange("application", "ld+json", 1.0),
    ]
    assert parse_accept("text/turtle;charset=utf-8;q=0.3") == [MediaRange("text", "turtle", 0.3)]
    assert parse_accept("garbage, /x, x/, text/turtle") == [MediaRange("text", "turtle", 1.0)]
    assert parse_accept("text/turtle;q=abc") == [MediaRange("text", "turtle", 0.0)]
    assert parse_accept("a/b;q=7, c/d;q=-1") == [
        MediaRange("a", "b", 1.0),
        MediaRange("c", "d", 0.0),
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "text/html"),
        ("", "text/html"),
        ("*/*", "text/html"),
        ("text/turtle", "text/turtle"),
        ("text/turtle;q=0.9, application/ld+json", "application/ld+json"),
        ("text/turtle;q=0.9, application/ld+json;q=0.9", "text/turtle"),  # tie: server order
        ("application/*", "application/ld+json"),
        ("application/*;q=0.5, application/n-triples", "application/n-triples"),
        ("text/*, text/html;q=0", "text/turtle"),  # the specific range wins over the wildcard
        ("*/*;q=0.1, text/turtle;q=0", "text/html"),
        ("text/turtle;q=0, text/html;q=0, application/*;q=0", None),
        ("image/png", None),
        ("garbage", None),
        ("garbage, text/turtle", "text/turtle"),
        ("text/turtle;q=abc, application/ld+json;q=0.1", "application/ld+json"),
        ("TEXT/TURTLE", "text/turtle"),
    ],
)
def test_choose(header: str | None, expected: str | None) -> None:
    assert choose(header, OFFERED) == expected


# --- unit: recognising updates ----------------------------------------------------------


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
