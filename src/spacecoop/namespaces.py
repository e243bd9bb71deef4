"""Every IRI base and prefix used by the project, defined once.

Modules import namespaces from here rather than spelling IRIs out, so a base
IRI changes in one place and every serialisation uses the same prefixes.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

__all__ = [
    "DBR",
    "DCTERMS",
    "GRAPH",
    "GRAPH_DATA",
    "GRAPH_INFERRED",
    "DEFAULT_GRAPH",
    "GRAPH_ONTOLOGY",
    "GRAPH_SHAPES",
    "ID",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "QUERY",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SCO",
    "SH",
    "SH_NS",
    "SKOS",
    "SPEX",
    "TIME",
    "VANN",
    "WD",
    "XSD",
    "bind_prefixes",
    "curie",
]

# Our own IRIs.
SCO = Namespace("https://w3id.org/spacecoop/def#")
"""The spacecoop vocabulary (classes and properties)."""
ONTOLOGY_IRI = URIRef("https://w3id.org/spacecoop/def")
"""The ontology's own IRI (without the trailing '#')."""
ID = Namespace("https://w3id.org/spacecoop/id/")
"""Base of every thing: ``ID["organisation/china-space-foundation"]``."""
SH_NS = Namespace("https://w3id.org/spacecoop/shapes#")
"""Our SHACL shapes and constraints (prefix ``scosh:``), in ``ontology/shapes.ttl``."""
GRAPH = Namespace("https://w3id.org/spacecoop/graph/")
"""Base of the named graphs in the dataset and in dumps."""
GRAPH_ONTOLOGY = GRAPH["ontology"]
GRAPH_DATA = GRAPH["data"]
GRAPH_SHAPES = GRAPH["shapes"]
GRAPH_INFERRED = GRAPH["inferred"]

DEFAULT_GRAPH: tuple[URIRef, ...] = (GRAPH_ONTOLOGY, GRAPH_DATA)
"""The named graphs whose merge every query sees as its default graph: locally, on
either plan, in ``spacecoop serve`` and at a remote endpoint. With ``--infer``,
:data:`GRAPH_INFERRED` joins them."""
QUERY = Namespace("https://w3id.org/spacecoop/query/")
"""Base of the saved queries' IRIs in the published catalogue: ``QUERY["events-timeline"]``."""

# Vocabularies we align with or link to.
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")
DBR = Namespace("http://dbpedia.org/resource/")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
"""The SIB sparql-examples vocabulary (``spex:describe``, ``spex:federatesWith``)."""

PREFIXES: dict[str, str] = {
    "sco": str(SCO),
    "scosh": str(SH_NS),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "org": str(ORG),
    "time": str(TIME),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "vann": str(VANN),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "wd": str(WD),
    "dbr": str(DBR),
    "sh": str(SH),
}
"""Canonical prefix -> namespace IRI, used for every serialisation and query."""


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the canonical prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph


def curie(iri: str) -> str:
    """Shorten ``iri`` to ``prefix:local`` with the canonical prefixes, or return it unchanged."""
    best = ""
    best_prefix = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, best_prefix = namespace, prefix
    return f"{best_prefix}:{iri[len(best) :]}" if best else iri
