"""Checks of the ontology itself and of the terms the data uses.

In the spirit of ROBOT ``report`` and FOOPS!: every term is declared, labelled
and defined; labels are unique; the header carries the metadata a consumer
needs to cite and reuse the ontology. Each check returns plain values that
tests can assert on; :func:`results` turns them all into report results named
as ROBOT names its checks (``missing_label``, ``duplicate_label``, ...).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, SCO, SKOS, VANN, XSD
from .report import Result, Severity

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


# Header field name -> (check name, severity): ROBOT's names where it has one,
# errors for FOOPS! OM1 (minimum) fields, warnings for OM2 (recommended) ones.
HEADER_CHECKS: dict[str, tuple[str, Severity]] = {
    "owl:Ontology declaration": ("missing_ontology_declaration", Severity.VIOLATION),
    "title": ("missing_ontology_title", Severity.VIOLATION),
    "description": ("missing_ontology_description", Severity.VIOLATION),
    "creator": ("missing_ontology_creator", Severity.VIOLATION),
    "licence": ("missing_ontology_license", Severity.VIOLATION),
    "version IRI": ("missing_version_iri", Severity.VIOLATION),
    "preferred namespace": ("missing_preferred_namespace", Severity.VIOLATION),
    "version IRI distinct from the ontology IRI": ("version_iri_not_distinct", Severity.VIOLATION),
    "creation date": ("missing_creation_date", Severity.WARNING),
    "modification date": ("missing_modification_date", Severity.WARNING),
    "citation": ("missing_citation", Severity.WARNING),
    "version number": ("missing_version_info", Severity.WARNING),
    "preferred prefix": ("missing_preferred_prefix", Severity.WARNING),
}

ONTOLOGY_CHECKS: tuple[str, ...] = (
    "missing_label",
    "multiple_labels",
    "duplicate_label",
    "missing_definition",
    *sorted({check for check, _ in HEADER_CHECKS.values()}),
    "undeclared_term",
    "unused_term",
)
"""Every check :func:`results` runs, by name."""


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


# used_terms as one query: a million triples in the store's engine instead of in Python.
_USED_TERMS = f"""
SELECT DISTINCT ?term WHERE {{
  {{ ?s ?term ?o }}
  UNION {{ ?s a ?term FILTER(isIRI(?term)) }}
  UNION {{ ?s ?p ?term FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{SCO}")) }}
}}"""
_USERS = "SELECT DISTINCT ?s WHERE { { ?s ?term ?o } UNION { ?s ?p ?term } FILTER(isIRI(?s)) }"


@dataclass(frozen=True)
class DataUsage:
    """What the checks need to know of the data: the terms it uses, and who uses a term."""

    terms: frozenset[URIRef]
    first_user: Callable[[URIRef], URIRef | None]
    """The first (sorted) IRI subject whose statements use a term, to locate a mistake."""

    @classmethod
    def of_store(cls, quads: ox.Store, graph: URIRef) -> DataUsage:
        """The terms the named graph ``graph`` of a pyoxigraph store uses, and their users."""
        data = ox.NamedNode(str(graph))

        def first_user(term: URIRef) -> URIRef | None:
            # Written in, not substituted: pyoxigraph substitutes projected variables only.
            query = _USERS.replace("?term", str(ox.NamedNode(str(term))))
            users = quads.query(query, default_graph=data)
            return min((URIRef(row["s"].value) for row in users), default=None)

        found = quads.query(_USED_TERMS, default_graph=data)
        return cls(frozenset(URIRef(row["term"].value) for row in found), first_user)


def undeclared_terms(used: Iterable[URIRef], ontology: Graph) -> list[URIRef]:
    """The ``used`` terms (:func:`used_terms`) that the ontology does not declare (a
    misspelling, usually)."""
    declared = declared_terms(ontology)
    return sorted(t for t in used if not _is_builtin(t) and t not in declared)


def unused_terms(used: Iterable[URIRef], ontology: Graph) -> list[URIRef]:
    """Our own terms that the data (which uses ``used``) neither uses nor relies on
    (informational: the vocabulary may run ahead of the data).

    A term the data does not mention is still relied on when the ontology's
    description of a used term leads to it: ``sco:Event`` as the superclass of
    a used ``sco:Symposium``, ``sco:DateAtPrecision`` as the range of a used
    ``sco:startDate``, ``sco:Status`` as the class of a used ``sco:held``.
    """
    relied_on: set[Node] = set(used)
    frontier: list[Node] = list(relied_on)
    while frontier:
        for obj in ontology.objects(frontier.pop(), None):
            if not isinstance(obj, Literal) and obj not in relied_on:
                relied_on.add(obj)
                frontier.append(obj)
    return [t for t in own_terms(ontology) if t not in relied_on]


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


def results(ontology: Graph, data: DataUsage, *, include_unused: bool = True) -> list[Result]:
    """Every finding of the checks above as report results (without file and line).

    ``include_unused`` adds an info result per own term the data never uses;
    leave it out when ``data`` is only part of a graph, such as another
    repository's files, where most terms are unused by design.
    """
    found: list[Result] = []

    def add(
        check: str, severity: Severity, focus: URIRef, message: str, value: str | None = None
    ) -> None:
        found.append(Result(severity, str(focus), None, value, None, check, message))

    for term in missing_labels(ontology):
        add("missing_label", Severity.VIOLATION, term, "Term has no English rdfs:label; add one.")
    for term in multiple_labels(ontology):
        add("multiple_labels", Severity.VIOLATION, term, "Term has more than one English label.")
    for label, terms in duplicate_labels(ontology).items():
        for term in terms:
            others = ", ".join(str(t) for t in terms if t != term)
            add(
                "duplicate_label",
                Severity.VIOLATION,
                term,
                f"Term shares the English label '{label}' with {others}; make each label unique.",
            )
    for term in missing_definitions(ontology):
        add(
            "missing_definition",
            Severity.WARNING,
            term,
            "Term has no English skos:definition; say what it means in one sentence.",
        )
    for field in missing_header_metadata(ontology):
        check, severity = HEADER_CHECKS[field]
        add(check, severity, ONTOLOGY_IRI, f"The ontology header lacks its {field}.")
    for term in undeclared_terms(data.terms, ontology):
        user = data.first_user(term)
        add(
            "undeclared_term",
            Severity.VIOLATION,
            user if user is not None else term,
            f"{term} is not declared in the ontology; check its spelling or declare it.",
            value=term.n3(),
        )
    if include_unused:
        for term in unused_terms(data.terms, ontology):
            add("unused_term", Severity.INFO, term, "Term is declared but no data uses it yet.")
    return found
