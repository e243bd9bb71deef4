"""VoID and DCAT description of the dataset, and a schema.org ``Dataset`` for search engines.

All figures are computed from the graph that is published, so they cannot
drift from the dumps they describe.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, VOID

from ..namespaces import (
    GRAPH_DATA,
    ID,
    ONTOLOGY_IRI,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SCO,
    SKOS,
    XSD,
    bind_prefixes,
)
from ..repository.store import ontology_merged_into_data
from .dumps import Dump
from .paths import SITE_BASE

DATASET_IRI = URIRef(SITE_BASE + "dataset")
SPARQL_ENDPOINT = URIRef(SITE_BASE + "sparql")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
TITLE = "spacecoop-kg: international space-cooperation events"
DESCRIPTION = (
    "A knowledge graph of the International Symposium on the Peaceful Use of Space Technology "
    "(Health) series, 2018-2019: its meetings, the parties that hosted and attended them, the "
    "memoranda they signed and the initiatives they committed to, each fact traced to the "
    "paragraph of its source document."
)
EXAMPLES = ("event/first-symposium-2018", "organisation/china-space-foundation")
VOCABULARIES = (str(SCO), str(SCHEMA), str(PROV), str(SKOS), "http://www.w3.org/ns/org#")


@dataclass(frozen=True)
class Figures:
    """What VoID and the home page say about the size of what is published."""

    triples: int
    entities: int
    """Things of ours (IRIs under ``…/id/``) that are subjects."""
    subjects: int
    objects: int
    classes: dict[URIRef, int]
    """Each object of ``rdf:type`` and how many things it types."""
    properties: dict[URIRef, int]
    """Each predicate and how many triples use it."""
    classes_in_data: int
    """Classes that type something in the data graph alone (the ontology types its terms)."""


_COUNT = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "entities": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
    f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }}',
    "subjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "objects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
}
_CLASSES = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"
_PER_CLASS = "SELECT ?key (COUNT(*) AS ?n) WHERE { ?s a ?key } GROUP BY ?key"
_PER_PROPERTY = "SELECT ?key (COUNT(*) AS ?n) WHERE { ?s ?key ?o } GROUP BY ?key"


def figures(store: ox.Store) -> Figures:
    """Count what is published (the union of ontology and data), in the store's engine.

    Call it when nothing is merged into the data graph (not inside
    :func:`store.ontology_merged_into_data`): it counts the data's classes alone first.
    """

    def count(query: str, graph: ox.NamedNode) -> int:
        return int(next(iter(store.query(query, default_graph=graph)))["n"].value)

    def per_key(query: str, graph: ox.NamedNode) -> dict[URIRef, int]:
        return {
            URIRef(row["key"].value): int(row["n"].value)
            for row in store.query(query, default_graph=graph)
            if isinstance(row["key"], ox.NamedNode)
        }

    in_data = count(_CLASSES, ox.NamedNode(str(GRAPH_DATA)))
    with ontology_merged_into_data(store) as published:
        return Figures(
            **{name: count(query, published) for name, query in _COUNT.items()},
            classes=per_key(_PER_CLASS, published),
            properties=per_key(_PER_PROPERTY, published),
            classes_in_data=in_data,
        )


def void_graph(figures: Figures, dumps: list[Dump], modified: dt.date) -> Graph:
    """The VoID + DCAT description of the published union of ontology and data."""
    g = bind_prefixes(Graph())
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("foaf", FOAF)):
        g.bind(prefix, ns)
    d = DATASET_IRI
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((d, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((d, DCTERMS.license, LICENSE))
    g.add((d, DCTERMS.creator, Literal("spacecoop-kg contributors")))
    g.add((d, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.date)))
    g.add((d, FOAF.homepage, URIRef(SITE_BASE)))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    g.add((d, VOID.sparqlEndpoint, SPARQL_ENDPOINT))
    g.add((d, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    for vocabulary in VOCABULARIES:
        g.add((d, VOID.vocabulary, URIRef(vocabulary)))
    for example in EXAMPLES:
        g.add((d, VOID.exampleResource, ID[example]))
    g.add((d, VOID.rootResource, ONTOLOGY_IRI))

    g.add((d, VOID.triples, Literal(figures.triples)))
    g.add((d, VOID.entities, Literal(figures.entities)))
    g.add((d, VOID.distinctSubjects, Literal(figures.subjects)))
    g.add((d, VOID.distinctObjects, Literal(figures.objects)))
    g.add((d, VOID.properties, Literal(len(figures.properties))))
    # void:classes is the number of distinct objects of rdf:type in the whole dataset, and
    # each class partition counts that class's instances (VoID §4.5, §4.6).
    g.add((d, VOID.classes, Literal(len(figures.classes))))
    # Blank-node labels numbered in sorted order, not random: the file is the same at every build.
    for number, (cls, count) in enumerate(sorted(figures.classes.items())):
        partition = BNode(f"class{number}")
        g.add((d, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        g.add((partition, VOID.entities, Literal(count)))
    for number, (prop, count) in enumerate(sorted(figures.properties.items())):
        partition = BNode(f"property{number}")
        g.add((d, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, prop))
        g.add((partition, VOID.triples, Literal(count)))

    for dump in dumps:
        dist = URIRef(SITE_BASE + dump.path)
        g.add((d, DCAT.distribution, dist))
        g.add((d, VOID.dataDump, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(dump.title, lang="en")))
        g.add((dist, DCAT.downloadURL, dist))
        g.add(
            (
                dist,
                DCAT.mediaType,
                URIRef(f"https://www.iana.org/assignments/media-types/{dump.media_type}"),
            )
        )
        g.add((dist, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, LICENSE))
        if dump.compress_format:
            g.add(
                (
                    dist,
                    DCAT.compressFormat,
                    URIRef(f"https://www.iana.org/assignments/media-types/{dump.compress_format}"),
                )
            )

    # A data service is not a distribution (dcat:distribution ranges over dcat:Distribution):
    # it points at the dataset it serves.
    service = URIRef(SITE_BASE + "sparql#service")
    g.add((service, DCAT.servesDataset, d))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, SPARQL_ENDPOINT))
    g.add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    g.add((service, DCTERMS.license, LICENSE))
    g.add((service, RDFS.label, Literal("SPARQL 1.1 endpoint", lang="en")))
    return g


def schema_dataset(void: Graph) -> str:
    """A schema.org ``Dataset`` JSON-LD block (for dataset search engines) drawn from the VoID."""
    d = DATASET_IRI
    distributions = []
    for dist in sorted(void.objects(d, VOID.dataDump)):
        media = str(void.value(dist, DCAT.mediaType)).rsplit("media-types/", 1)[-1]
        distributions.append(
            {"@type": "DataDownload", "contentUrl": str(dist), "encodingFormat": media}
        )
    block = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": str(d),
        "name": str(void.value(d, DCTERMS.title)),
        "description": str(void.value(d, DCTERMS.description)),
        "license": str(void.value(d, DCTERMS.license)),
        "url": SITE_BASE,
        "creator": {"@type": "Organization", "name": str(void.value(d, DCTERMS.creator))},
        "dateModified": str(void.value(d, DCTERMS.modified)),
        "keywords": [
            "space cooperation",
            "symposium",
            "memorandum",
            "linked data",
            "knowledge graph",
        ],
        "temporalCoverage": "2018-01/2019-04",
        "distribution": distributions,
    }
    # "</" cannot appear inside a <script> element; JSON allows escaping the slash.
    return json.dumps(block, indent=2, ensure_ascii=False).replace("</", "<\\/")
