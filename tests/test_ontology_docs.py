"""The ontology page: an anchor for every term the ontology declares."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset
from rdflib.namespace import OWL, RDF, RDFS

from html_tree import element_ids, read_page
from spacecoop.namespaces import GRAPH_ONTOLOGY, SCO


def test_ontology_page_has_an_anchor_for_every_own_term(site: Path, dataset: Dataset) -> None:
    ontology = dataset.graph(GRAPH_ONTOLOGY)
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    kinds += (RDFS.Datatype, OWL.NamedIndividual)
    terms = {
        str(t)[len(str(SCO)) :]
        for kind in kinds
        for t in ontology.subjects(RDF.type, kind)
        if str(t).startswith(str(SCO))
    }
    assert len(terms) > 40
    anchors = element_ids(read_page(site, "def.html"))
    assert terms <= anchors, sorted(terms - anchors)
