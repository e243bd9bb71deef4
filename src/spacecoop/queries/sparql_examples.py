"""The saved-query catalogue as RDF, in the form of the SIB ``sparql-examples`` collections.

Each query becomes ``<https://w3id.org/spacecoop/query/NAME>``, typed
``sh:SPARQLExecutable`` and ``sh:SPARQL{Select,Ask,Construct,Describe}Executable``,
with its description as ``rdfs:comment``, its text under ``sh:select`` /
``sh:ask`` / ``sh:construct`` / ``spex:describe``, its tags as
``schema:keywords``, the prefixes it may use under ``sh:prefixes``, the endpoint
it targets as ``schema:target``, and every ``SERVICE`` it calls as
``spex:federatesWith``. Tools that read those collections read ours.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from ..namespaces import PREFIXES, QUERY, SCHEMA, SPEX, bind_prefixes
from .catalogue import SavedQuery, catalogue
from .results import QueryKind

__all__ = ["PREFIXES_NODE", "catalogue_graph"]

PREFIXES_NODE = QUERY["prefixes"]
"""The resource that declares the prefixes every query may use (``sh:declare``)."""

_TYPES = {
    QueryKind.SELECT: (SH.SPARQLSelectExecutable, SH.select),
    QueryKind.ASK: (SH.SPARQLAskExecutable, SH.ask),
    QueryKind.CONSTRUCT: (SH.SPARQLConstructExecutable, SH.construct),
    QueryKind.DESCRIBE: (SPEX.SPARQLDescribeExecutable, SPEX.describe),
}


def catalogue_graph(
    endpoint: str | None = None, *, queries: Iterable[SavedQuery] | None = None
) -> Graph:
    """Describe the saved queries (default: the repository's catalogue) as sparql-examples.

    ``endpoint`` is the SPARQL endpoint the examples run against
    (``schema:target``); leave it out when the catalogue is not tied to one.
    """
    if queries is None:
        queries = catalogue().values()
    graph = bind_prefixes(Graph())
    graph.bind("spex", SPEX)
    _declare_prefixes(graph)
    for query in queries:
        executable_type, text_property = _TYPES[query.kind]
        node = query.iri
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        graph.add((node, RDF.type, executable_type))
        graph.add((node, RDFS.label, Literal(query.summary, lang="en")))
        graph.add((node, RDFS.comment, Literal(query.description, lang="en")))
        graph.add((node, SH.prefixes, PREFIXES_NODE))
        graph.add((node, text_property, Literal(query.body)))
        for tag in query.tags:
            graph.add((node, SCHEMA.keywords, Literal(tag)))
        for service in query.services:
            graph.add((node, SPEX.federatesWith, URIRef(service)))
        if endpoint is not None:
            graph.add((node, SCHEMA.target, URIRef(endpoint)))
    return graph


def _declare_prefixes(graph: Graph) -> None:
    """Add the ``sh:declare`` block for the project's canonical prefixes."""
    graph.add((PREFIXES_NODE, RDF.type, OWL.Ontology))
    for prefix, namespace in PREFIXES.items():
        declaration = BNode(f"prefix-{prefix}")
        graph.add((PREFIXES_NODE, SH.declare, declaration))
        graph.add((declaration, SH.prefix, Literal(prefix)))
        graph.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
