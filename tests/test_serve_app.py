"""``spacecoop serve`` over real HTTP: 303 content negotiation for resource IRIs, every
representation with its media type, security headers, and no file served from outside the site."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from served import EVENT, media_type_of
from spacecoop.namespaces import GRAPH_ONTOLOGY
from spacecoop.publish.paths import SITE_BASE

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
        assert media_type_of(response) == media_type
        graphs.append(Graph().parse(data=response.content, format=fmt))
        assert (URIRef(SITE_BASE + path), None, None) in graphs[-1], extension
    assert all(isomorphic(graphs[0], g) for g in graphs[1:])
    page = client.get(f"/{path}.html")
    assert page.status_code == 200 and media_type_of(page) == "text/html"
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
    assert void.status_code == 200 and media_type_of(void) == "text/turtle"
    graph = Graph().parse(data=void.content, format="turtle")
    assert (URIRef(SITE_BASE + "dataset"), None, None) in graph
    for path in ("/.well-known/sparql-examples/", "/.well-known/sparql-examples"):
        examples = client.get(path)
        assert examples.status_code == 200 and media_type_of(examples) == "text/turtle"
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
