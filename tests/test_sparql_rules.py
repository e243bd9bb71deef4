"""``sparql_rules.materialise`` against owlrl on ontologies built to stress the rule order.

The one-pass order (statements, chains, domains and ranges, superclasses) is
only complete when types cannot feed back into statements; these cases
check both that pass and the repeated pass used when they can.
"""

from __future__ import annotations

import owlrl
import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import OWL

from rdf_stores import store_of
from spacecoop.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY
from spacecoop.reasoning import sparql_rules
from spacecoop.repository import store

PREFIXES = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/def#> .
@prefix i: <http://example.org/id/> .
"""
INSTANCES = "http://example.org/id/"

CASES = {
    "a chain of a transitive property, partly stated through its subproperty": (
        """ex:within a owl:ObjectProperty, owl:TransitiveProperty ;
               rdfs:subPropertyOf ex:near ; rdfs:domain ex:Place ; rdfs:range ex:Place .
           ex:insideOf rdfs:subPropertyOf ex:within .
           ex:near rdfs:domain ex:Located .
           ex:Place a owl:Class ; rdfs:subClassOf ex:Located .
           ex:Located a owl:Class .""",
        """i:a ex:within i:b . i:b ex:insideOf i:c . i:c ex:within i:d .
           i:d ex:insideOf i:e . i:e ex:within i:f .""",
    ),
    "domains and ranges inherited from superproperties, classes through equivalence": (
        """ex:leads rdfs:subPropertyOf ex:takesPart .
           ex:takesPart rdfs:domain ex:Participant ; rdfs:range ex:Meeting .
           ex:Meeting a owl:Class ; owl:equivalentClass ex:Gathering .
           ex:Gathering a owl:Class ; rdfs:subClassOf ex:Event .
           ex:Event a owl:Class . ex:Participant a owl:Class .
           ex:Delegate a owl:Class ; rdfs:subClassOf ex:Participant .
           ex:Attendee owl:equivalentClass ex:Delegate .""",
        """i:p ex:leads i:m . i:q a ex:Attendee . i:q ex:takesPart i:n .
           i:n ex:label "not a node" . i:p ex:leads "a literal is never typed" .""",
    ),
    "types feeding back into statements (rdf:type has a superproperty)": (
        """rdf:type rdfs:subPropertyOf ex:classifiedAs .
           ex:classifiedAs rdfs:domain ex:Classified .
           ex:Kitten a owl:Class ; rdfs:subClassOf ex:Cat .
           ex:Cat a owl:Class . ex:Classified a owl:Class .""",
        """i:tom a ex:Kitten .""",
    ),
}


def _dataset(ontology: str, data: str) -> Dataset:
    ds = Dataset()
    ds.graph(GRAPH_ONTOLOGY).parse(data=PREFIXES + ontology, format="turtle")
    ds.graph(GRAPH_DATA).parse(data=PREFIXES + data, format="turtle")
    return ds


def _owlrl_entailed(ds: Dataset) -> set[tuple]:
    """What owlrl entails about our instances that the data does not state."""
    graph = Graph() + ds.graph(GRAPH_ONTOLOGY) + ds.graph(GRAPH_DATA)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(graph)
    stated = set(ds.graph(GRAPH_DATA))
    return {
        t
        for t in graph
        if str(t[0]).startswith(INSTANCES)
        and not any(isinstance(x, BNode) for x in t)
        and t[1] != OWL.sameAs
        and t[2] != OWL.Thing
        and t not in stated
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_materialise_entails_what_owlrl_entails(case: str) -> None:
    ds = _dataset(*CASES[case])
    quads = store_of(ds, (GRAPH_ONTOLOGY, GRAPH_DATA))
    count = sparql_rules.materialise(quads)
    inferred = set(store.to_rdflib_graph(quads, GRAPH_INFERRED))
    expected = _owlrl_entailed(ds)
    assert expected  # each case entails something
    assert {t for t in inferred if str(t[0]).startswith(INSTANCES)} == expected
    assert count == len(inferred)


def test_the_longest_chain_is_closed_in_one_pass() -> None:
    ontology, data = CASES[
        "a chain of a transitive property, partly stated through its subproperty"
    ]
    quads = store_of(_dataset(ontology, data), (GRAPH_ONTOLOGY, GRAPH_DATA))
    sparql_rules.materialise(quads)
    inferred = store.to_rdflib_graph(quads, GRAPH_INFERRED)
    within, near = URIRef("http://example.org/def#within"), URIRef("http://example.org/def#near")
    a, f = URIRef(INSTANCES + "a"), URIRef(INSTANCES + "f")
    assert (a, within, f) in inferred and (a, near, f) in inferred


def test_only_feedback_through_types_repeats_the_pass() -> None:
    plain = sparql_rules.Schema.read(store_of(_dataset(*CASES[sorted(CASES)[0]])))
    feedback = sparql_rules.Schema.read(
        store_of(
            _dataset(*CASES["types feeding back into statements (rdf:type has a superproperty)"])
        )
    )
    assert not plain.types_feed_back()
    assert feedback.types_feed_back()


@pytest.mark.parametrize("case", sorted(CASES))
def test_materialising_again_adds_nothing(case: str) -> None:
    quads = store_of(_dataset(*CASES[case]), (GRAPH_ONTOLOGY, GRAPH_DATA))
    first = sparql_rules.materialise(quads)
    before = set(quads)
    assert sparql_rules.materialise(quads) == first
    assert set(quads) == before
