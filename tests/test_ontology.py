"""The ontology is well made: declared, labelled, defined, aligned, with full header metadata."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from spacecoop.namespaces import OWL, PROV, RDF, RDFS, SCHEMA, SCO, SKOS
from spacecoop.validation import ontology_checks as checks

EXTERNAL_ALIGNMENT_BASES = (str(SCHEMA), str(PROV), "http://www.w3.org/ns/org#", str(SKOS))


def test_ontology_header_metadata_is_complete(ontology: Graph) -> None:
    assert checks.missing_header_metadata(ontology) == []


def test_header_check_notices_a_missing_licence(ontology: Graph) -> None:
    broken = Graph() + ontology
    broken.remove((None, URIRef("http://purl.org/dc/terms/license"), None))
    assert checks.missing_header_metadata(broken) == ["licence"]


def test_every_own_term_has_an_english_label(ontology: Graph) -> None:
    assert checks.missing_labels(ontology) == []


def test_every_own_term_has_an_english_definition(ontology: Graph) -> None:
    assert checks.missing_definitions(ontology) == []


def test_labels_are_unique_and_single(ontology: Graph) -> None:
    assert checks.duplicate_labels(ontology) == {}
    assert checks.multiple_labels(ontology) == []


def test_duplicate_label_check_catches_a_clash(ontology: Graph) -> None:
    broken = Graph() + ontology
    broken.set((SCO.Symposium, RDFS.label, ontology.value(SCO.Conference, RDFS.label)))
    assert set(checks.duplicate_labels(broken)["conference"]) == {SCO.Symposium, SCO.Conference}


def _superclasses(ontology: Graph, term: URIRef, relation: URIRef) -> set[URIRef]:
    """All transitive superclasses/superproperties of ``term``."""
    return set(ontology.transitive_objects(term, relation)) - {term}


@pytest.mark.parametrize("kind", [OWL.Class])
def test_every_own_class_is_aligned_with_a_reused_vocabulary(ontology: Graph, kind: URIRef) -> None:
    unaligned = [
        cls
        for cls in ontology.subjects(RDF.type, kind)
        if isinstance(cls, URIRef)
        and cls.startswith(str(SCO))
        and not any(
            str(sup).startswith(EXTERNAL_ALIGNMENT_BASES)
            for sup in _superclasses(ontology, cls, RDFS.subClassOf)
        )
    ]
    assert unaligned == []


def test_every_own_property_has_a_domain_and_a_range(ontology: Graph) -> None:
    properties = [
        p
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for p in ontology.subjects(RDF.type, kind)
        if p.startswith(str(SCO))
    ]
    assert len(properties) > 40
    assert [p for p in properties if ontology.value(p, RDFS.domain) is None] == []
    assert [p for p in properties if ontology.value(p, RDFS.range) is None] == []


def test_the_issue_scope_is_modelled(ontology: Graph) -> None:
    """Each kind of thing the knowledge-graph issue asks for has a class."""
    required = {
        "Symposium", "PreparatoryMeeting", "Signing", "Founding", "Attendance", "EventSeries",
        "Organisation", "Foundation", "LearnedSociety", "Association", "University",
        "GovernmentBody", "Alliance", "Institute", "MediaOutlet", "Country", "Delegation",
        "Memorandum", "CooperationMemorandum", "MemorandumOfUnderstanding", "StrategicMemorandum",
        "Initiative", "Platform", "WorkingGroup", "LiaisonMechanism", "Project",
        "SourceDocument", "SourceParagraph", "Picture", "Place", "Topic", "AttendeeKind",
    }  # fmt: skip
    declared = {str(c).removeprefix(str(SCO)) for c in ontology.subjects(RDF.type, OWL.Class)}
    assert required - declared == set()


def test_version_iri_differs_from_ontology_iri_and_names_the_version(ontology: Graph) -> None:
    version_iri = ontology.value(predicate=OWL.versionIRI)
    version = ontology.value(predicate=OWL.versionInfo)
    assert str(version_iri).endswith(str(version))
