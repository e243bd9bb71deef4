"""OWL RL reasoning: entailed triples appear, the input is untouched, inconsistencies are listed."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF

from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, SCHEMA, SCO
from spacecoop.reasoning import owlrl_engine

ALPHA = URIRef("https://w3id.org/spacecoop/id/organisation/alpha")

ONTOLOGY = """\
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix schema: <https://schema.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

sco:Organisation a owl:Class ; rdfs:subClassOf schema:Organization .
sco:Event a owl:Class ; owl:disjointWith sco:Organisation .
"""


def _dataset(data: str) -> Dataset:
    ds = Dataset()
    ds.graph(GRAPH_ONTOLOGY).parse(data=ONTOLOGY, format="turtle")
    ds.graph(GRAPH_DATA).parse(data=data, format="turtle")
    return ds


def _messages(closed: Graph) -> list[str]:
    return [problem.message for problem in owlrl_engine.inconsistencies(closed)]


def _data(*classes: str) -> str:
    types = " , ".join(f"<{SCO[c]}>" for c in classes)
    return f"<{ALPHA}> a {types} .\n"


def test_schema_org_type_is_inferred_from_subclass_alignment() -> None:
    ds = _dataset(_data("Organisation"))
    closed = owlrl_engine.closure(ds)
    assert (ALPHA, RDF.type, SCHEMA.Organization) in closed
    assert _messages(closed) == []


def test_closure_does_not_modify_the_dataset() -> None:
    ds = _dataset(_data("Organisation"))
    before = {graph: set(ds.graph(graph)) for graph in (GRAPH_ONTOLOGY, GRAPH_DATA)}
    owlrl_engine.closure(ds)
    assert {graph: set(ds.graph(graph)) for graph in before} == before


def test_member_of_disjoint_classes_is_an_inconsistency() -> None:
    closed = owlrl_engine.closure(_dataset(_data("Organisation", "Event")))
    problems = _messages(closed)
    assert problems and any(str(ALPHA) in problem for problem in problems)


def test_member_of_owl_nothing_is_an_inconsistency() -> None:
    closed = Graph()
    closed.add((ALPHA, RDF.type, OWL.Nothing))
    assert _messages(closed) == [f"<{ALPHA}> is a member of owl:Nothing"]
