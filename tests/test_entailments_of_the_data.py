"""After OWL RL closure, a consumer that knows only schema.org or PROV finds the data."""

from __future__ import annotations

from rdflib import Graph, URIRef

from spacecoop.namespaces import ORG, PROV, RDF, RDFS, SCHEMA, SCO
from spacecoop.reasoning.owlrl_engine import inconsistencies

# Our property -> the schema.org property a schema.org-only consumer looks for.
SCHEMA_VIEW = {
    SCO.startDate: SCHEMA.startDate,
    SCO.endDate: SCHEMA.endDate,
    SCO.location: SCHEMA.location,
    SCO.host: SCHEMA.organizer,
    SCO.coOrganiser: SCHEMA.organizer,
    SCO.attendee: SCHEMA.attendee,
    SCO.inSeries: SCHEMA.superEvent,
}


def _asserted_instances(data: Graph, ontology: Graph, cls: URIRef) -> set[URIRef]:
    """Instances of ``cls`` or of any subclass, read from the asserted triples only."""
    classes = {cls} | set(ontology.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in data.subjects(RDF.type, c)}


def test_the_closure_is_consistent(closed: Graph) -> None:
    assert inconsistencies(closed) == []


def test_every_event_is_a_schema_event_and_a_prov_activity(
    data: Graph, ontology: Graph, closed: Graph
) -> None:
    events = _asserted_instances(data, ontology, SCO.Event)
    assert len(events) == 15
    assert [e for e in events if (e, RDF.type, SCHEMA.Event) not in closed] == []
    assert [e for e in events if (e, RDF.type, PROV.Activity) not in closed] == []


def test_every_event_fact_is_visible_through_schema_org(data: Graph, closed: Graph) -> None:
    facts = [(s, SCHEMA_VIEW[p], o) for p in SCHEMA_VIEW for s, o in data.subject_objects(p)]
    assert len(facts) >= 40
    assert [f for f in facts if f not in closed] == []


def test_the_first_symposium_has_date_place_and_organiser_in_schema_terms(closed: Graph) -> None:
    symposium = URIRef("https://w3id.org/spacecoop/id/event/first-symposium-2018")
    assert str(closed.value(symposium, SCHEMA.startDate)) == "2018-01-29"
    assert closed.value(symposium, SCHEMA.location) == URIRef(
        "https://w3id.org/spacecoop/id/place/wenchang"
    )
    assert (
        symposium,
        SCHEMA.organizer,
        URIRef("https://w3id.org/spacecoop/id/organisation/china-space-foundation"),
    ) in closed


def test_every_memorandum_is_a_schema_creative_work_generated_by_its_signing(
    data: Graph, ontology: Graph, closed: Graph
) -> None:
    memoranda = _asserted_instances(data, ontology, SCO.Memorandum)
    assert len(memoranda) == 4
    for memorandum in memoranda:
        assert (memorandum, RDF.type, SCHEMA.CreativeWork) in closed
        assert closed.value(memorandum, PROV.wasGeneratedBy) == data.value(memorandum, SCO.signedAt)


def test_parties_are_prov_agents_and_organisations_are_org_organizations(
    data: Graph, ontology: Graph, closed: Graph
) -> None:
    parties = _asserted_instances(data, ontology, SCO.Party)
    organisations = _asserted_instances(data, ontology, SCO.Organisation)
    assert [p for p in parties if (p, RDF.type, PROV.Agent) not in closed] == []
    assert [o for o in organisations if (o, RDF.type, ORG.Organization) not in closed] == []
    assert [o for o in organisations if (o, RDF.type, SCHEMA.Organization) not in closed] == []


def test_containment_of_places_is_transitive(closed: Graph) -> None:
    wenchang = URIRef("https://w3id.org/spacecoop/id/place/wenchang")
    china = URIRef("https://w3id.org/spacecoop/id/country/china")
    assert (wenchang, SCHEMA.containedInPlace, china) in closed
