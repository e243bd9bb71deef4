"""The schema entailments of our ontology, materialised with SPARQL on pyoxigraph.

owlrl computes the full OWL RL closure in Python: ~70 s at 10^5 triples and
far longer at 10^6. What consumers of our dumps rely on is the part our
alignments create: types through ``rdfs:subClassOf`` (and ``owl:equivalentClass``),
statements through ``rdfs:subPropertyOf``, types from ``rdfs:domain`` and
``rdfs:range``, and ``owl:TransitiveProperty`` chains. These rules run here as
SPARQL INSERTs to a fixpoint; the tests check the result against owlrl's.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import URIRef

from .namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY
from .reason import Inconsistency

_RULES = (
    # scm-sco / scm-spo: the class and property hierarchies, transitively (read once).
    # cax-sco, cax-eqc: an instance of a class is an instance of its superclasses.
    """INSERT { GRAPH INFERRED { ?x a ?super } }
       WHERE { GRAPH ONTOLOGY {
                 ?class (rdfs:subClassOf|owl:equivalentClass|^owl:equivalentClass)+ ?super
                 FILTER (isIRI(?super) && ?super != ?class) }
               { GRAPH DATA { ?x a ?class } } UNION { GRAPH INFERRED { ?x a ?class } }
               FILTER NOT EXISTS { GRAPH ?g { ?x a ?super } FILTER (?g != INFERRED) } }""",
    # prp-spo1: a statement with a property holds for its superproperties.
    """INSERT { GRAPH INFERRED { ?s ?super ?o } }
       WHERE { GRAPH ONTOLOGY {
                 ?p rdfs:subPropertyOf+ ?super FILTER (isIRI(?super) && ?super != ?p) }
               { GRAPH DATA { ?s ?p ?o } } UNION { GRAPH INFERRED { ?s ?p ?o } }
               FILTER NOT EXISTS { GRAPH ?g { ?s ?super ?o } FILTER (?g != INFERRED) } }""",
    # prp-dom, prp-rng: the domain and range of a property type its subject and object.
    """INSERT { GRAPH INFERRED { ?s a ?class } }
       WHERE { GRAPH ONTOLOGY { ?p rdfs:domain ?class FILTER isIRI(?class) }
               { GRAPH DATA { ?s ?p ?o } } UNION { GRAPH INFERRED { ?s ?p ?o } }
               FILTER NOT EXISTS { GRAPH ?g { ?s a ?class } FILTER (?g != INFERRED) } }""",
    """INSERT { GRAPH INFERRED { ?o a ?class } }
       WHERE { GRAPH ONTOLOGY { ?p rdfs:range ?class . ?class a owl:Class FILTER isIRI(?class) }
               { GRAPH DATA { ?s ?p ?o } } UNION { GRAPH INFERRED { ?s ?p ?o } }
               FILTER (!isLiteral(?o))
               FILTER NOT EXISTS { GRAPH ?g { ?o a ?class } FILTER (?g != INFERRED) } }""",
    # prp-trp: transitive properties.
    """INSERT { GRAPH INFERRED { ?a ?p ?c } }
       WHERE { GRAPH ONTOLOGY { ?p a owl:TransitiveProperty }
               { GRAPH DATA { ?a ?p ?b } } UNION { GRAPH INFERRED { ?a ?p ?b } }
               { GRAPH DATA { ?b ?p ?c } } UNION { GRAPH INFERRED { ?b ?p ?c } }
               FILTER (?a != ?c)
               FILTER NOT EXISTS { GRAPH ?g { ?a ?p ?c } FILTER (?g != INFERRED) } }""",
)
_PREFIXES = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
)
MAX_ROUNDS = 20


def materialise(store: ox.Store) -> int:
    """Fill the ``inferred`` named graph of ``store``; return the number of triples in it.

    The rules are applied in rounds until a round adds nothing (a fixpoint),
    since one rule's output (a new type) can feed another (its superclass).
    """
    graphs = {"INFERRED": GRAPH_INFERRED, "ONTOLOGY": GRAPH_ONTOLOGY, "DATA": GRAPH_DATA}
    rules = []
    for rule in _RULES:
        for token, iri in graphs.items():
            rule = rule.replace(token, f"<{iri}>")
        rules.append(_PREFIXES + rule)
    graph = ox.NamedNode(str(GRAPH_INFERRED))
    before = -1
    for _ in range(MAX_ROUNDS):
        for rule in rules:
            store.update(rule)
        size = sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
        if size == before:
            return size
        before = size
    raise RuntimeError(f"schema entailment did not settle within {MAX_ROUNDS} rounds")


# OWL RL's inconsistency rules (cax-dw, cls-com, eq-diff1, prp-irp, prp-asyp, prp-pdw,
# cls-nothing2), evaluated over the data and the entailed graph once materialise() ran.
_CLASH_RULES = (
    (
        "is a member of the disjoint classes {a} and {b}",
        """SELECT DISTINCT ?x ?a ?b WHERE {
             GRAPH ONTOLOGY { { ?a owl:disjointWith ?b } UNION { ?a owl:complementOf ?b } }
             GRAPH ?g1 { ?x a ?a } GRAPH ?g2 { ?x a ?b }
             FILTER (?g1 != ONTOLOGY && ?g2 != ONTOLOGY) }""",
    ),
    (
        "is said to be both the same as and different from {a}",
        """SELECT DISTINCT ?x ?a WHERE {
             GRAPH ?g1 { { ?x owl:sameAs ?a } UNION { ?a owl:sameAs ?x } }
             GRAPH ?g2 { { ?x owl:differentFrom ?a } UNION { ?a owl:differentFrom ?x } } }""",
    ),
    (
        "is a member of owl:Nothing",
        "SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x a owl:Nothing } FILTER (?g != ONTOLOGY) }",
    ),
    (
        "relates to itself by the irreflexive property {a}",
        """SELECT DISTINCT ?x ?a WHERE { GRAPH ONTOLOGY { ?a a owl:IrreflexiveProperty }
             GRAPH ?g { ?x ?a ?x } FILTER (?g != ONTOLOGY) }""",
    ),
    (
        "and {b} relate both ways by the asymmetric property {a}",
        """SELECT DISTINCT ?x ?a ?b WHERE { GRAPH ONTOLOGY { ?a a owl:AsymmetricProperty }
             GRAPH ?g1 { ?x ?a ?b } GRAPH ?g2 { ?b ?a ?x } FILTER (?g1 != ONTOLOGY) }""",
    ),
    (
        "relates to {c} by the disjoint properties {a} and {b}",
        """SELECT DISTINCT ?x ?a ?b ?c WHERE { GRAPH ONTOLOGY { ?a owl:propertyDisjointWith ?b }
             GRAPH ?g1 { ?x ?a ?c } GRAPH ?g2 { ?x ?b ?c } FILTER (?g1 != ONTOLOGY) }""",
    ),
)


def inconsistencies(store: ox.Store) -> list[Inconsistency]:
    """Why ontology + data (+ entailments) are inconsistent; empty when they are not.

    Run :func:`materialise` first, so that clashes through superclasses count.
    """
    found = []
    for template, query in _CLASH_RULES:
        text = _PREFIXES + query.replace("ONTOLOGY", f"<{GRAPH_ONTOLOGY}>")
        for row in store.query(text):
            node = row["x"]
            names = {k: str(row[k]) for k in ("a", "b", "c") if "{" + k + "}" in template}
            message = f"{node} {template.format(**names)}"
            individual = URIRef(node.value) if isinstance(node, ox.NamedNode) else None
            found.append(Inconsistency(message, individual))
    return sorted(found, key=lambda i: i.message)
