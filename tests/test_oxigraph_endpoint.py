"""Remote runs: a real Oxigraph server loaded with `spacecoop load` answers every saved
query as the local run does, and broken endpoints give one-line errors."""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Dataset
from rdflib.compare import isomorphic

from checkout import ROOT
from local_servers import free_port
from spacecoop.cli import main
from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES, ID, SCO
from spacecoop.queries import catalogue, endpoint
from spacecoop.queries.catalogue import QueryError, SavedQuery
from spacecoop.queries.endpoint import EndpointError
from spacecoop.queries.results import QueryKind, QueryResult
from spacecoop.queries.runner import Endpoint, run
from spacecoop.repository.load import Repository

LOCAL = [q for q in catalogue.catalogue(ROOT).values() if not q.services]


def _oxigraph_command() -> str:
    command = Path(sys.executable).parent / "oxigraph"
    found = str(command) if command.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail(
            "the `oxigraph` command is missing: install the test extra (pip install -e .[test])"
        )
    return found


@pytest.fixture(scope="session")
def oxigraph() -> Iterator[str]:
    """An in-memory Oxigraph server on a free local port; yields its base URL."""
    port = free_port()
    bind = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [_oxigraph_command(), "serve", "--bind", bind],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://{bind}"
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr is not None:
            server.stderr.close()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    probe = f"{base}/query?query=ASK%7B%7D"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"oxigraph exited with {server.returncode}")
        try:
            with urllib.request.urlopen(probe, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"oxigraph did not answer at {base} within {seconds} s")


@pytest.fixture(scope="session")
def loaded(oxigraph: str) -> str:
    """The server after `spacecoop load`; yields its query endpoint URL.

    A small batch size makes the loader split every graph into several requests.
    """
    args = ["load", "--endpoint", f"{oxigraph}/query", "--store", f"{oxigraph}/store"]
    assert main([*args, "--batch-size", "150", "--root", str(ROOT)]) == 0
    return f"{oxigraph}/query"


def test_load_puts_each_named_graph_whole(loaded: str, dataset: Dataset) -> None:
    for graph in (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_SHAPES):
        assert endpoint.count_triples(loaded, graph, timeout=10) == len(dataset.graph(graph))


def test_load_keeps_blank_node_structures_intact(loaded: str) -> None:
    # sco:location's domain is a union class: a blank node with an RDF list behind it.
    text = """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?member WHERE {
          <https://w3id.org/spacecoop/def#location>
            rdfs:domain/owl:unionOf/rdf:rest*/rdf:first ?member
        }"""
    result = endpoint.query(loaded, text, QueryKind.SELECT, timeout=10)
    assert {row[0] for row in result.rows} == {SCO.Event, SCO.Initiative}


@pytest.mark.parametrize("query", LOCAL, ids=[q.name for q in LOCAL])
def test_every_saved_query_answers_the_same_on_oxigraph(
    query: SavedQuery, loaded: str, repository: Repository
) -> None:
    local = run(query, {}, repository)
    remote = run(query, {}, Endpoint(loaded, timeout=30))
    _assert_same(local, remote)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("events-in-year", {"year": "2019"}),
        ("events-in-place", {"place": str(ID["place/hainan"])}),
        ("initiatives", {"status": str(SCO.intended)}),
        ("well-attended-events", {"min": "4"}),
        ("party-signed-memorandum", {"party": str(ID["country/japan"])}),
        ("describe-entity", {"entity": str(ID["place/beijing"])}),
        ("find-by-name", {"text": 'Toulouse" } ; DROP ALL ; #'}),
        ("chinese-name", {"name": "中国"}),
    ],
)
def test_parameters_bind_the_same_way_on_oxigraph(
    name: str, params: dict[str, str], loaded: str, repository: Repository
) -> None:
    saved = catalogue.get(name, ROOT)
    local = run(saved, params, repository)
    remote = run(saved, params, Endpoint(loaded))
    _assert_same(local, remote)


def _assert_same(local: QueryResult, remote: QueryResult) -> None:
    assert local.kind == remote.kind
    if local.kind.returns_graph:
        assert local.graph is not None and remote.graph is not None
        assert isomorphic(local.graph, remote.graph)
    else:  # every saved SELECT orders its rows completely, so the order must agree too
        assert (local.variables, local.boolean) == (remote.variables, remote.boolean)
        assert local.rows == remote.rows


def test_an_injection_attempt_never_reaches_the_endpoint(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "http://x> } ; DROP ALL ; #"
    with pytest.raises(QueryError, match="not an absolute IRI"):
        run(catalogue.get("describe-entity", ROOT), {"entity": hostile}, Endpoint(loaded))
    args = ["query", "describe-entity", "--param", f"entity={hostile}", "--endpoint", loaded]
    assert main([*args, "--root", str(ROOT)]) == 2
    assert "not an absolute IRI" in capsys.readouterr().err
    assert endpoint.count_triples(loaded, GRAPH_DATA, timeout=10) > 0  # nothing was dropped


def test_infer_does_not_apply_to_an_endpoint(loaded: str) -> None:
    with pytest.raises(QueryError, match="--infer"):
        run(catalogue.get("topics", ROOT), {}, Endpoint(loaded), infer=True)


def test_the_command_line_runs_on_the_endpoint(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["query", "party-signed-memorandum", "--endpoint", loaded, "--root", str(ROOT)]
    assert main(args) == 0
    assert capsys.readouterr().out == "true\n"


# --- endpoints that fail (each request sent once; tests/test_endpoint_faults.py retries) ---

ONCE = endpoint.Backoff(retries=0)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers every request the way the server's ``mode`` says."""

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer()

    do_GET = do_PUT = do_POST  # noqa: N815

    def _answer(self) -> None:
        mode = self.server.mode  # type: ignore[attr-defined]
        if mode == "slow":
            time.sleep(2)
        status, content_type, body = {
            "html": (200, "text/html", b"<html><body>Welcome</body></html>"),
            "error": (500, "text/plain", b"out of memory"),
            "slow": (200, "application/sparql-results+json", b'{"head":{},"boolean":true}'),
            "junk": (200, "application/sparql-results+json", b"{not json"),
        }[mode]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client gave up waiting (the slow mode)
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        """Keep the test output clean."""


@pytest.fixture
def bad_endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    """A local HTTP server that answers in the way given by the test's parameter."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.mode = request.param  # type: ignore[attr-defined]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("bad_endpoint", "message"),
    [
        ("html", "answered text/html, not SPARQL results JSON"),
        ("error", "EndPointInternalError"),
        ("slow", "no answer within 0.5 s (timeout)"),
        ("junk", "answered malformed SPARQL results JSON"),
    ],
    indirect=["bad_endpoint"],
)
def test_a_badly_answering_endpoint_is_a_one_line_error(
    bad_endpoint: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(EndpointError, match=re.escape(message)):
        run(catalogue.get("topics", ROOT), {}, Endpoint(bad_endpoint, timeout=0.5, backoff=ONCE))
    args = ["query", "topics", "--endpoint", bad_endpoint, "--timeout", "0.5", "--retries", "0"]
    assert main([*args, "--root", str(ROOT)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad_endpoint}: ") and len(err.splitlines()) == 1


def test_an_endpoint_that_is_down_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    down = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    with pytest.raises(EndpointError, match="cannot connect"):
        run(catalogue.get("topics", ROOT), {}, Endpoint(down, backoff=ONCE))
    assert main(["load", "--endpoint", down, "--retries", "0", "--root", str(ROOT)]) == 1
    err = capsys.readouterr().err
    assert "cannot connect" in err and "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("bad_endpoint", ["error"], indirect=True)
def test_a_graph_store_that_fails_stops_the_load(bad_endpoint: str) -> None:
    with pytest.raises(EndpointError, match="answered HTTP 500"):
        endpoint.load_graphs(bad_endpoint, Dataset(), batch_size=10, timeout=5, backoff=ONCE)


def test_batches_never_split_a_blank_node(dataset: Dataset) -> None:
    ontology = dataset.graph(GRAPH_ONTOLOGY)
    batches = list(endpoint._batches(ontology, 7))
    assert sum(map(len, batches)) == len(ontology)
    owners: dict[object, int] = {}
    for number, batch in enumerate(batches):
        for triple in batch:
            for term in triple:
                if isinstance(term, BNode):
                    assert owners.setdefault(term, number) == number


# --- Validation of data that lives in the server (the path past one machine) ------------


def test_validating_the_endpoints_data_finds_what_local_validation_finds(
    loaded: str, repository: Repository
) -> None:
    from spacecoop.validation import remote as validate_remote
    from spacecoop.validation import run as validate

    def essence(report: validate.Report) -> set[tuple[object, ...]]:
        return {(r.severity, r.focus_node, r.path, r.constraint) for r in report.results}

    remote_report = validate_remote.validate_endpoint(Endpoint(loaded, timeout=30), root=ROOT)
    local_report = validate.validate(repository)
    assert not remote_report.fails()
    shape_results = {r for r in essence(local_report) if r[3] != "unused_term"}
    assert essence(remote_report) == shape_results


def test_a_broken_graph_on_the_endpoint_is_reported_by_focus_node(
    oxigraph: str, loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from spacecoop.validation import remote as validate_remote

    bad_graph = "urn:spacecoop:test:broken"
    broken = (
        b"<https://w3id.org/spacecoop/id/organisation/nameless> "
        b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        b"<https://w3id.org/spacecoop/def#Foundation> .\n"
    )
    request = urllib.request.Request(
        f"{oxigraph}/store?graph={bad_graph}",
        data=broken,
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    urllib.request.urlopen(request, timeout=10).close()
    from rdflib import URIRef

    report = validate_remote.validate_endpoint(
        Endpoint(loaded, timeout=30), graph=URIRef(bad_graph), root=ROOT
    )
    assert report.fails()
    focus = {r.focus_node for r in report.results if r.severity.value == "Violation"}
    assert focus == {"https://w3id.org/spacecoop/id/organisation/nameless"}
    assert all(r.file is None and r.line is None for r in report.results)


def test_validate_endpoint_from_the_command_line(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--endpoint", loaded, "--root", str(ROOT), "--format", "json"]) == 0
    assert (
        main(
            [
                "validate",
                "--endpoint",
                "http://127.0.0.1:9/query",
                "--retries",
                "0",
                "--timeout",
                "2",
            ]
        )
        == 1
    )
    assert "error:" in capsys.readouterr().err
