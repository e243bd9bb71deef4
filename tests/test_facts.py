"""Facts from the two source documents, checked as SPARQL questions over the loaded data.

Each question is one a reader of the sources can answer; the test fails if the
graph answers differently.
"""

from __future__ import annotations

import pytest
from rdflib import Dataset

from spacecoop.namespaces import PREFIXES

PREAMBLE = (
    "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())
    + """
PREFIX id: <https://w3id.org/spacecoop/id/>
PREFIX event: <https://w3id.org/spacecoop/id/event/>
PREFIX organisation: <https://w3id.org/spacecoop/id/organisation/>
PREFIX country: <https://w3id.org/spacecoop/id/country/>
PREFIX place: <https://w3id.org/spacecoop/id/place/>
PREFIX memorandum: <https://w3id.org/spacecoop/id/memorandum/>
PREFIX bg: <https://w3id.org/spacecoop/id/source/background-page/>
PREFIX news: <https://w3id.org/spacecoop/id/source/wenchang-news-article/>
"""
)

ASK_FACTS = {
    "first symposium: Wenchang in Hainan in China, 29-30 Jan 2018, hosted by the CSF": """
        ASK { event:first-symposium-2018 a sco:Symposium ; sco:ordinal 1 ;
                sco:location place:wenchang ; sco:startDate "2018-01-29"^^xsd:date ;
                sco:endDate "2018-01-30"^^xsd:date ; sco:host organisation:china-space-foundation ;
                sco:status sco:held .
              place:wenchang sco:containedInPlace place:hainan .
              place:hainan sco:containedInPlace country:china . }""",
    "first symposium supported by the NDRC's international cooperation centre": """
        ASK { event:first-symposium-2018 sco:supporter ?c .
              ?c sco:subOrganisationOf organisation:national-development-and-reform-commission . }""",
    "the background page says January 2018 in Hainan, the article 29 January in Wenchang": """
        ASK { ?a sco:accountOf event:first-symposium-2018 ; prov:wasDerivedFrom bg:p1 ;
                 sco:statedStartDate "2018-01"^^xsd:gYearMonth ; sco:statedLocation place:hainan .
              ?b sco:accountOf event:first-symposium-2018 ; prov:wasDerivedFrom news:p1 ;
                 sco:statedStartDate "2018-01-29"^^xsd:date ; sco:statedLocation place:wenchang . }""",
    "China, the US and Russia were represented at the first symposium": """
        ASK { FILTER NOT EXISTS { VALUES ?c { country:china country:united-states country:russia }
              FILTER NOT EXISTS { event:first-symposium-2018 sco:attendee/sco:represents ?c } } }""",
    "May 2018 preparatory meeting in Beijing prepared the 2019 symposium": """
        ASK { event:preparatory-meeting-2018-05 a sco:PreparatoryMeeting ;
                sco:startDate "2018-05"^^xsd:gYearMonth ; sco:location place:beijing ;
                sco:prepares event:second-symposium-2019 . }""",
    "the second symposium is planned for China in 2019, number 2 of the series": """
        ASK { event:second-symposium-2019 sco:status sco:planned ; sco:ordinal 2 ;
                sco:startDate "2019"^^xsd:gYear ; sco:location country:china ;
                sco:inSeries ?s . event:first-symposium-2018 sco:inSeries ?s . }""",
    "the strategic memorandum was signed in May 2018 by four named parties": """
        ASK { { SELECT (COUNT(DISTINCT ?who) AS ?n) WHERE {
                  memorandum:preparatory-meeting-2018-05-strategic a sco:StrategicMemorandum ;
                      sco:signatory/sco:represents ?who ;
                      sco:signedAt/sco:startDate "2018-05"^^xsd:gYearMonth . } }
              FILTER (?n = 4) }""",
    "the University of Toulouse signed the strategic memorandum": """
        ASK { memorandum:preparatory-meeting-2018-05-strategic sco:signatory/sco:represents
                organisation:university-of-toulouse . }""",
    "the institute was founded shortly after the May 2018 meeting": """
        ASK { ?f a sco:Founding ;
                 sco:established organisation:international-institute-for-space-technology-innovation ;
                 sco:happenedShortlyAfter event:preparatory-meeting-2018-05 . }""",
    "the Alliance attended the 69th ASE meeting, the 35th Space Symposium and the 14th UN conference in Vienna": """
        ASK { { SELECT (COUNT(?c) AS ?n) WHERE {
                  ?a sco:attendingParty organisation:international-peace-alliance-space ;
                     sco:attendedEvent ?c ; sco:happenedAfter event:first-symposium-2018 . } }
              FILTER (?n = 3)
              event:14th-un-conference-on-outer-space-affairs sco:ordinal 14 ; sco:location place:vienna .
              event:ase-69th-annual-meeting sco:ordinal 69 .
              event:35th-space-symposium sco:ordinal 35 ; sco:location country:united-states . }""",
    "April 2019 meeting held by the Alliance with the CSA and CHIA, Japan and Italy present": """
        ASK { event:preparatory-meeting-2019-04 sco:host organisation:international-peace-alliance-space ;
                sco:coOrganiser organisation:chinese-society-of-astronautics,
                                organisation:china-high-tech-industrialization-association ;
                sco:attendee organisation:space-foundation, organisation:association-of-space-explorers,
                             organisation:international-space-medicine-summit ;
                sco:attendee/sco:represents country:japan, country:italy ;
                sco:othersUnnamed true . }""",
    "the sources' two memoranda of the first symposium are kept apart, each with its source": """
        ASK { ?c a sco:CooperationMemorandum ; prov:wasDerivedFrom bg:p1 ;
                 sco:signedAt/sco:partOfEvent event:first-symposium-2018 .
              ?u a sco:MemorandumOfUnderstanding ; prov:wasDerivedFrom news:p5 ;
                 sco:signedAt/sco:partOfEvent event:first-symposium-2018 .
              FILTER (?c != ?u) }""",
    "three Hainan projects were committed to at the first symposium": """
        ASK { { SELECT (COUNT(?p) AS ?n) WHERE { ?p a sco:Project ; sco:location place:hainan ;
                  sco:originatedAt event:first-symposium-2018 ; prov:wasDerivedFrom news:p4 . } }
              FILTER (?n = 3) }""",
    "the pictures are credited to the People's Network Public Opinion Data Center": """
        ASK { ?pic a sco:Picture ; sco:caption news:p2 ;
                   sco:pictureCredit organisation:peoples-network-public-opinion-data-center . }""",
    "the news article relays China Woman": """
        ASK { <https://w3id.org/spacecoop/id/source/wenchang-news-article> sco:newsSource organisation:china-woman . }""",
}


@pytest.mark.parametrize("question", sorted(ASK_FACTS))
def test_the_graph_states_what_the_sources_state(kg: Dataset, question: str) -> None:
    result = kg.query(PREAMBLE + ASK_FACTS[question])
    assert result.askAnswer is True, question


def test_a_wrong_fact_is_answered_false(kg: Dataset) -> None:
    """Guard against ASK queries that are true whatever the data says."""
    wrong = "ASK { event:first-symposium-2018 sco:location place:beijing . }"
    assert kg.query(PREAMBLE + wrong).askAnswer is False
