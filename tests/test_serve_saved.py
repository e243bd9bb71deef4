"""Saved queries at /queries/NAME over real HTTP: the local run's answers, an HTML page for
browsers, and parameters checked and bound as terms only."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from served import COUNT, EVENT, SPARQL_JSON, count_of, json_rows, media_type_of, sparql_get
from spacecoop.publish.paths import SITE_BASE
from spacecoop.queries import catalogue as queries
from spacecoop.queries.results import QueryResult
from spacecoop.queries.runner import run
from spacecoop.repository.load import Repository


@pytest.fixture(scope="module")
def catalogue(repo_root: Path) -> dict[str, queries.SavedQuery]:
    return queries.catalogue(repo_root)


def _local(
    saved: queries.SavedQuery, params: dict[str, str], repository: Repository
) -> QueryResult:
    return run(saved, params, repository)


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
    repository: Repository,
    name: str,
    params: dict[str, str],
) -> None:
    response = client.get(f"/queries/{name}", params=params, headers={"Accept": "*/*"})
    assert response.status_code == 200, response.text
    assert media_type_of(response) == SPARQL_JSON
    document = response.json()
    expected = _local(catalogue[name], params, repository)
    assert tuple(document["head"]["vars"]) == expected.variables
    assert json_rows(document) == list(expected.rows)
    assert expected.rows


def test_saved_construct_query_answers_as_the_local_run(
    client: httpx.Client, catalogue: dict[str, queries.SavedQuery], repository: Repository
) -> None:
    response = client.get("/queries/co-signatory-network", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and media_type_of(response) == "text/turtle"
    expected = _local(catalogue["co-signatory-network"], {}, repository).graph
    assert expected is not None and len(expected)
    assert isomorphic(Graph().parse(data=response.content, format="turtle"), expected)
    default = client.get("/queries/co-signatory-network", headers={"Accept": "*/*"})
    assert default.status_code == 200 and media_type_of(default) != "text/html"


def test_saved_query_as_html_for_browsers(client: httpx.Client) -> None:
    response = client.get(
        "/queries/events-in-year",
        params={"year": "2019"},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 200 and media_type_of(response) == "text/html"
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
    assert count_of(sparql_get(client, COUNT)) == len(asserted)


def test_saved_query_repeated_parameter_is_400(client: httpx.Client) -> None:
    response = client.get("/queries/events-in-year?year=2018&year=2019")
    assert response.status_code == 400


def test_unknown_saved_query_is_404(client: httpx.Client) -> None:
    assert client.get("/queries/no-such-query").status_code == 404
    assert client.get("/queries/no-such-query", headers={"Accept": "text/html"}).status_code == 404
