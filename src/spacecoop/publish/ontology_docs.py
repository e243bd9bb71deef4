"""The ontology documentation page's view model, in the manner of pyLODE.

Written here rather than with pyLODE because the pyLODE releases that run on
Python 3.11 either fail to start (3.4.1) or derive anchors that do not match
term names; our pages link to ``def.html#LocalName`` and need those anchors exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.term import Node

from ..namespaces import DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, SCO, SKOS, VANN, curie
from .paths import ONTOLOGY_PAGE, href
from .resources import Link, label

_HEADER = (
    (DCTERMS.title, "Title"),
    (DCTERMS.description, "Description"),
    (OWL.versionIRI, "Version IRI"),
    (OWL.versionInfo, "Version"),
    (DCTERMS.creator, "Creator"),
    (DCTERMS.license, "Licence"),
    (DCTERMS.created, "Created"),
    (DCTERMS.modified, "Modified"),
    (VANN.preferredNamespacePrefix, "Preferred prefix"),
    (VANN.preferredNamespaceUri, "Namespace"),
    (DCTERMS.bibliographicCitation, "Cite as"),
)


@dataclass
class TermDoc:
    """One class, property, datatype or individual."""

    anchor: str
    iri: str
    curie: str
    label: str
    definition: str
    kind: str
    parents: list[Link] = field(default_factory=list)
    children: list[Link] = field(default_factory=list)
    domain: list[Link] = field(default_factory=list)
    range: list[Link] = field(default_factory=list)
    used_with: list[Link] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    header: list[tuple[str, str, bool]]
    sections: list[tuple[str, list[TermDoc]]]


def _links(graph: Graph, nodes: list[Node]) -> list[Link]:
    out = []
    for node in nodes:
        if isinstance(node, URIRef):
            out.append(Link(href(str(node), ONTOLOGY_PAGE), _name(graph, node), str(node)))
        else:  # an anonymous union: list its members
            members = graph.value(node, OWL.unionOf)
            if members is not None:
                out.extend(_links(graph, list(graph.items(members))))
    return sorted(out, key=lambda link: link.text.casefold())


def _name(graph: Graph, node: URIRef) -> str:
    return curie(str(node)) if not str(node).startswith(str(SCO)) else label(graph, node)


def _term(graph: Graph, term: URIRef, kind: str) -> TermDoc:
    definition = graph.value(term, SKOS.definition)
    doc = TermDoc(
        anchor=str(term)[len(str(SCO)) :],
        iri=str(term),
        curie=curie(str(term)),
        label=label(graph, term),
        definition=str(definition) if definition is not None else "",
        kind=kind,
    )
    parent_prop = RDFS.subPropertyOf if kind.endswith("property") else RDFS.subClassOf
    doc.parents = _links(graph, list(graph.objects(term, parent_prop)))
    doc.children = _links(graph, list(graph.subjects(parent_prop, term)))
    if kind.endswith("property"):
        doc.domain = _links(graph, list(graph.objects(term, RDFS.domain)))
        doc.range = _links(graph, list(graph.objects(term, RDFS.range)))
    elif kind == "class":
        doc.used_with = _links(graph, list(graph.subjects(RDFS.domain, term)))
    elif kind == "individual":
        doc.parents = _links(
            graph, [t for t in graph.objects(term, RDF.type) if t != OWL.NamedIndividual]
        )
    return doc


def document(ontology: Graph) -> OntologyDoc:
    """Header metadata and one section per kind of term, each sorted by label."""
    header = []
    for prop, name in _HEADER:
        for value in ontology.objects(ONTOLOGY_IRI, prop):
            is_link = isinstance(value, URIRef)
            header.append((name, str(value), is_link))
    kinds = (
        ("Classes", OWL.Class, "class"),
        ("Object properties", OWL.ObjectProperty, "object property"),
        ("Datatype properties", OWL.DatatypeProperty, "datatype property"),
        ("Datatypes", RDFS.Datatype, "datatype"),
        ("Named individuals", OWL.NamedIndividual, "individual"),
    )
    sections = []
    for title, rdf_type, kind in kinds:
        terms = [
            _term(ontology, t, kind)
            for t in ontology.subjects(RDF.type, rdf_type)
            if isinstance(t, URIRef) and str(t).startswith(str(SCO))
        ]
        sections.append((title, sorted(terms, key=lambda t: t.label.casefold())))
    return OntologyDoc(str(ONTOLOGY_IRI), header, sections)
