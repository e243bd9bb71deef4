"""OWL RL reasoning over the ontology and data, and the inconsistencies it finds.

The closure is what a consumer who knows only schema.org, PROV-O, ORG or
OWL-Time sees: our alignments (``rdfs:subClassOf``, ``rdfs:subPropertyOf``, ...)
turn into explicit triples. The input dataset is never modified.
"""

from __future__ import annotations

import re

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ..namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, bind_prefixes
from .inconsistency import Inconsistency

__all__ = ["ERRNS", "asserted", "closure", "entailments", "inconsistencies"]

# owlrl writes IRIs into messages unquoted: "Disjoint classes A and B have a common individual x".
_IRI_IN_MESSAGE = re.compile(r"(?:https?|urn|file):[^\s,()'\"<>]+")
_SCHEMA_TYPES = frozenset(
    {
        OWL.Class,
        RDFS.Class,
        RDF.Property,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDFS.Datatype,
    }
)


def asserted(ds: Dataset) -> Graph:
    """Copy the ontology and data graphs of ``ds`` into one fresh Graph (the reasoner's input)."""
    graph = bind_prefixes(Graph())
    for graph_iri in (GRAPH_ONTOLOGY, GRAPH_DATA):
        for triple in ds.graph(graph_iri):
            graph.add(triple)
    return graph


def closure(ds: Dataset) -> Graph:
    """Return the OWL RL closure of ontology + data: asserted and entailed triples together.

    Axiomatic and datatype triples are not added, so the result holds what
    follows from our files rather than restating OWL itself. If the graph is
    inconsistent, owlrl adds error markers; see :func:`inconsistencies`.
    """
    graph = asserted(ds)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(graph)
    _drop_generalised_triples(graph)
    return graph


def entailments(closed: Graph, ds: Dataset) -> set[tuple[Node, Node, Node]]:
    """What "inferred" means (see :mod:`.reasoner`), cut from the closure ``closed`` of ``ds``.

    The closure also restates the schema, links every node to itself and to owl:Thing,
    and speaks of owlrl's own blank nodes; none of that is about the data's resources.
    """
    data = ds.graph(GRAPH_DATA)
    described = set(data.subjects())
    stated = set(data) | set(ds.graph(GRAPH_ONTOLOGY))
    return {
        triple
        for triple in closed
        if triple[0] in described
        and not any(isinstance(term, BNode) for term in triple)
        and triple[1] != OWL.sameAs
        and triple[2] != OWL.Thing
        and triple not in stated
    }


def _drop_generalised_triples(graph: Graph) -> None:
    """Remove what owlrl derives but RDF cannot say, and what says nothing.

    owlrl works in generalised RDF and derives triples with literal subjects
    (``"x" owl:sameAs "x"``), which no RDF syntax can write, and reflexive
    ``owl:sameAs`` links for every node, which carry no information.
    """
    for triple in list(graph):
        subject, predicate, obj = triple
        if isinstance(subject, Literal) or (predicate == OWL.sameAs and subject == obj):
            graph.remove(triple)


def inconsistencies(closed: Graph) -> list[Inconsistency]:
    """Why the closed graph is inconsistent, each with the individual it concerns.

    Covers the messages owlrl records while reasoning (it adds
    ``[] a err:ErrorMessage ; err:error "..."`` with ``err:`` =
    ``http://www.daml.org/2002/03/agents/agent-ont#``) and every member of
    ``owl:Nothing``, which no consistent graph has (reported once: owlrl
    already names the members it found).
    """
    found = {
        Inconsistency(str(message), _individual_named_in(str(message), closed))
        for marker in _error_markers(closed)
        for message in closed.objects(marker, ERRNS.error)
    }
    named = {i.node for i in found}
    for member in closed.subjects(RDF.type, OWL.Nothing):
        if member not in named:
            node = member if isinstance(member, URIRef) else None
            found.add(Inconsistency(f"{member.n3()} is a member of owl:Nothing", node))
    return sorted(found, key=lambda i: i.message)


def _individual_named_in(message: str, graph: Graph) -> URIRef | None:
    """The first IRI in ``message`` that is a subject of ``graph`` and not a class or property."""
    for text in _IRI_IN_MESSAGE.findall(message):
        iri = URIRef(text)
        if (iri, None, None) in graph and not set(graph.objects(iri, RDF.type)) & _SCHEMA_TYPES:
            return iri
    return None


def _error_markers(graph: Graph) -> set[Node]:
    """The blank nodes owlrl uses to carry its error messages."""
    return set(graph.subjects(RDF.type, ERRNS.ErrorMessage))
