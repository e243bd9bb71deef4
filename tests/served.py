"""What the tests of ``spacecoop serve`` share: the requests they send and how they read answers."""

from __future__ import annotations

from typing import Any

import httpx
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from spacecoop.namespaces import ID, SCO

EVENT = "id/event/first-symposium-2018"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SPARQL_JSON = "application/sparql-results+json"
UPDATE = f"""PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX sco: <{SCO}>
# a comment
INSERT DATA {{ <{ID["country/china"]}> owl:sameAs <{ID["country/france"]}> }}"""


def media_type_of(response: httpx.Response) -> str:
    """The media type of ``response``, without its parameters."""
    return response.headers["content-type"].split(";")[0].strip()


def sparql_get(client: httpx.Client, query: str, accept: str = SPARQL_JSON, **params: Any) -> Any:
    """``query`` sent to /sparql by GET, asking for ``accept``."""
    return client.get("/sparql", params={"query": query, **params}, headers={"Accept": accept})


def count_of(response: httpx.Response) -> int:
    """The ``?n`` of a one-row JSON answer, such as that to :data:`COUNT`."""
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def json_term(binding: dict[str, str]) -> Node:
    """A term of a SPARQL JSON result as the rdflib term it denotes."""
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


def json_rows(document: dict[str, Any]) -> list[tuple[Node | None, ...]]:
    """The rows of a SPARQL JSON result, each a tuple in the order of its variables."""
    variables = document["head"]["vars"]
    return [
        tuple(json_term(row[v]) if v in row else None for v in variables)
        for row in document["results"]["bindings"]
    ]
