"""Checks of the ontology itself and of the terms the data uses.

In the spirit of ROBOT ``report`` and FOOPS!: every term is declared, labelled
and defined; labels are unique; the header carries the metadata a consumer
needs to cite and reuse the ontology. Each check returns plain values so the
validator can turn them into report results and tests can assert on them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from spacecoop.namespaces import DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, SCO, SKOS, VANN, XSD

# Terms of these namespaces are part of RDF/OWL itself and need no declaration.
BUILTIN_NAMESPACES: tuple[str, ...] = (str(RDF), str(RDFS), str(OWL), str(XSD))

DECLARATION_TYPES: frozenset[URIRef] = frozenset(
    {
        OWL.Class,
        RDFS.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDF.Property,
        RDFS.Datatype,
        OWL.NamedIndividual,
    }
)

# FOOPS! OM1 (minimum) and OM2 (recommended) header metadata, plus VANN.
REQUIRED_HEADER: dict[URIRef, str] = {
    DCTERMS.title: "title",
    DCTERMS.description: "description",
    DCTERMS.creator: "creator",
    DCTERMS.license: "licence",
    DCTERMS.created: "creation date",
    DCTERMS.modified: "modification date",
    DCTERMS.bibliographicCitation: "citation",
    OWL.versionIRI: "version IRI",
    OWL.versionInfo: "version number",
    VANN.preferredNamespacePrefix: "preferred prefix",
    VANN.preferredNamespaceUri: "preferred namespace",
}


def _is_builtin(term: URIRef) -> bool:
    return str(term).startswith(BUILTIN_NAMESPACES)


def declared_terms(ontology: Graph) -> set[URIRef]:
    """IRIs the ontology declares: typed as a class, property, datatype or individual."""
    declared: set[URIRef] = set()
    for subject, kind in ontology.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and (
            kind in DECLARATION_TYPES or kind in _classes(ontology)
        ):
            declared.add(subject)
    return declared


def _classes(ontology: Graph) -> set[Node]:
    return set(ontology.subjects(RDF.type, OWL.Class))


def own_terms(ontology: Graph) -> list[URIRef]:
    """The terms of our own namespace that the ontology declares, sorted."""
    return sorted(t for t in declared_terms(ontology) if t.startswith(str(SCO)))


def used_terms(data: Graph) -> set[URIRef]:
    """Vocabulary the data relies on: predicates, classes, and ``sco:`` objects."""
    used: set[URIRef] = set()
    for _, predicate, obj in data:
        used.add(predicate)  # type: ignore[arg-type]
        if predicate == RDF.type and isinstance(obj, URIRef):
            used.add(obj)
        elif isinstance(obj, URIRef) and obj.startswith(str(SCO)):
            used.add(obj)
    return used


def undeclared_terms(data: Graph, ontology: Graph) -> list[URIRef]:
    """Terms used in ``data`` that the ontology does not declare (a misspelling, usually)."""
    declared = declared_terms(ontology)
    return sorted(t for t in used_terms(data) if not _is_builtin(t) and t not in declared)


def unused_terms(data: Graph, ontology: Graph) -> list[URIRef]:
    """Our own terms that no data uses (informational: the vocabulary may run ahead)."""
    used = used_terms(data)
    return [t for t in own_terms(ontology) if t not in used]


def _english(values: Iterable[Node]) -> list[Literal]:
    return [v for v in values if isinstance(v, Literal) and v.language == "en"]


def missing_labels(ontology: Graph) -> list[URIRef]:
    """Own terms without an English ``rdfs:label`` (ROBOT: missing_label)."""
    return [t for t in own_terms(ontology) if not _english(ontology.objects(t, RDFS.label))]


def missing_definitions(ontology: Graph) -> list[URIRef]:
    """Own terms without an English ``skos:definition`` (ROBOT: missing_definition)."""
    return [t for t in own_terms(ontology) if not _english(ontology.objects(t, SKOS.definition))]


def multiple_labels(ontology: Graph) -> list[URIRef]:
    """Own terms with more than one English label (ROBOT: multiple_labels)."""
    return [t for t in own_terms(ontology) if len(_english(ontology.objects(t, RDFS.label))) > 1]


def duplicate_labels(ontology: Graph) -> dict[str, list[URIRef]]:
    """English labels shared by two or more own terms (ROBOT: duplicate_label).

    Labels are compared case-insensitively, since ``topic`` the class and
    ``topic`` the property would confuse a reader just the same.
    """
    by_label: dict[str, list[URIRef]] = defaultdict(list)
    for term in own_terms(ontology):
        for label in _english(ontology.objects(term, RDFS.label)):
            by_label[str(label).casefold()].append(term)
    return {label: terms for label, terms in by_label.items() if len(terms) > 1}


def missing_header_metadata(ontology: Graph) -> list[str]:
    """Names of required header fields the ontology lacks (FOOPS! OM1/OM2)."""
    missing = [
        name for p, name in REQUIRED_HEADER.items() if (ONTOLOGY_IRI, p, None) not in ontology
    ]
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in ontology:
        missing.insert(0, "owl:Ontology declaration")
    version_iri = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    if version_iri is not None and version_iri == ONTOLOGY_IRI:
        missing.append("version IRI distinct from the ontology IRI")
    return missing
