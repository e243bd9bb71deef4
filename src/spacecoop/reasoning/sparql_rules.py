"""The schema entailments of our ontology, materialised with SPARQL on pyoxigraph.

owlrl computes the full OWL RL closure in Python: ~70 s at 10^5 triples and
far longer at 10^6. What consumers of our dumps rely on is the part our
alignments create: types through ``rdfs:subClassOf`` (and ``owl:equivalentClass``),
statements through ``rdfs:subPropertyOf``, types from ``rdfs:domain`` and
``rdfs:range``, and ``owl:TransitiveProperty`` chains. The tests check the
result against owlrl's.

The ontology is small and the data large, so the schema is read first
(:class:`Schema`: every superclass, superproperty, domain and range, already
closed) and the rules over the data are ordered so that one pass is complete:
statements first (superproperties, then transitive chains and their
superproperties), then the types they imply, then superclasses of every type.
Each rule is one SPARQL INSERT that joins the data with the schema as inline
VALUES. Only an ontology in which ``rdf:type`` itself has superproperties, a
domain or a range lets types feed back into statements; there, the pass is
repeated until nothing new appears.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import URIRef

from ..namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY
from .inconsistency import Inconsistency

_PREFIXES = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
)
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DATA, _INFERRED = ox.NamedNode(str(GRAPH_DATA)), ox.NamedNode(str(GRAPH_INFERRED))
MAX_ROUNDS = 20

Pair = tuple[ox.NamedNode, ox.NamedNode]

# The schema queries keep IRIs only: VALUES cannot hold blank nodes, and a
# blank-node class or property is never named by the data anyway.
_SUPERCLASSES = """SELECT DISTINCT ?a ?b WHERE { GRAPH ONTOLOGY {
    ?a (rdfs:subClassOf|owl:equivalentClass|^owl:equivalentClass)+ ?b
    FILTER (isIRI(?a) && isIRI(?b) && ?a != ?b) } }"""
_SUPERPROPERTIES = """SELECT DISTINCT ?a ?b WHERE { GRAPH ONTOLOGY {
    ?a rdfs:subPropertyOf+ ?b FILTER (isIRI(?a) && isIRI(?b) && ?a != ?b) } }"""
_DOMAINS = """SELECT DISTINCT ?a ?b WHERE { GRAPH ONTOLOGY {
    ?a rdfs:domain ?b FILTER (isIRI(?a) && isIRI(?b)) } }"""
_RANGES = """SELECT DISTINCT ?a ?b WHERE { GRAPH ONTOLOGY {
    ?a rdfs:range ?b . ?b a owl:Class FILTER (isIRI(?a) && isIRI(?b)) } }"""
_TRANSITIVE = """SELECT DISTINCT ?a WHERE { GRAPH ONTOLOGY {
    ?a a owl:TransitiveProperty FILTER isIRI(?a) } }"""


@dataclass(frozen=True)
class Schema:
    """What the ontology says about classes and properties, transitively closed.

    ``domains`` and ``ranges`` hold, for each property, the domains and ranges
    of the property and of all its superproperties, since a statement holds
    for its superproperties too (prp-spo1, then prp-dom / prp-rng).
    """

    superclasses: Sequence[Pair]
    superproperties: Sequence[Pair]
    domains: Sequence[Pair]
    ranges: Sequence[Pair]
    transitive: Sequence[ox.NamedNode]

    @classmethod
    def read(cls, store: ox.Store) -> Schema:
        def rows(query: str) -> list[ox.QuerySolution]:
            text = _PREFIXES + query.replace("ONTOLOGY", f"<{GRAPH_ONTOLOGY}>")
            return list(store.query(text))  # type: ignore[arg-type]

        def pairs(query: str) -> list[Pair]:
            return sorted((row["a"], row["b"]) for row in rows(query))  # type: ignore[misc]

        superproperties = pairs(_SUPERPROPERTIES)
        above: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
        for sub, sup in superproperties:
            above[sub].add(sup)

        def inherited(declared: list[Pair]) -> list[Pair]:
            by_property: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
            for prop, cls_ in declared:
                by_property[prop].add(cls_)
            properties = set(by_property) | set(above)
            return sorted(
                (prop, cls_)
                for prop in properties
                for source in {prop} | above[prop]
                for cls_ in by_property.get(source, ())
            )

        return cls(
            superclasses=pairs(_SUPERCLASSES),
            superproperties=superproperties,
            domains=inherited(pairs(_DOMAINS)),
            ranges=inherited(pairs(_RANGES)),
            transitive=sorted(row["a"] for row in rows(_TRANSITIVE)),  # type: ignore[misc]
        )

    def types_feed_back(self) -> bool:
        """Whether a derived type can imply a new statement (so one pass may not be enough)."""
        about_type = {prop for pair in self.superproperties for prop in pair}
        about_type |= {prop for prop, _ in (*self.domains, *self.ranges)}
        return _RDF_TYPE in about_type or _RDF_TYPE in self.transitive


def _values(pairs: Iterable[Pair]) -> str:
    return " ".join(f"({a} {b})" for a, b in pairs)


def _in_any(graphs: Iterable[ox.NamedNode], pattern: str) -> str:
    """``pattern`` matched in any of ``graphs``.

    A UNION of constant GRAPH blocks: Oxigraph plans ``VALUES ?g {…} GRAPH ?g``
    three times slower here.
    """
    return " UNION ".join(f"{{ GRAPH {g} {{ {pattern} }} }}" for g in dict.fromkeys(graphs))


def _unless_stated(pattern: str) -> str:
    """A filter keeping only what no graph already states (data, ontology or inferred)."""
    return f"FILTER NOT EXISTS {{ GRAPH ?stated {{ {pattern} }} }}"


def _derive(store: ox.Store, conclusion: str, where: str) -> None:
    store.update(
        f"{_PREFIXES}INSERT {{ GRAPH {_INFERRED} {{ {conclusion} }} }} WHERE {{ {where} "
        f"{_unless_stated(conclusion)} }}"
    )


def _one_pass(store: ox.Store, schema: Schema, sources: Sequence[ox.NamedNode]) -> None:
    """Apply every rule once, in an order where each rule sees what the earlier ones derived."""
    statements = _in_any(sources, "?s ?p ?o")
    if schema.superproperties:  # prp-spo1
        _derive(
            store,
            "?s ?super ?o",
            f"VALUES (?p ?super) {{ {_values(schema.superproperties)} }} {statements}",
        )
    for prop in schema.transitive:  # prp-trp, to the end of every chain at once
        named = " ".join(
            f"USING NAMED {g}" for g in store.named_graphs() if isinstance(g, ox.NamedNode)
        )
        store.update(
            f"INSERT {{ GRAPH {_INFERRED} {{ ?a {prop} ?c }} }} USING {_DATA} USING {_INFERRED} "
            f"{named} WHERE {{ ?a {prop}+ ?c FILTER (?a != ?c) "
            f"{_unless_stated(f'?a {prop} ?c')} }}"
        )
        lifted = [pair for pair in schema.superproperties if pair[0] == prop]
        if lifted:  # and the chains hold for the superproperties too
            _derive(
                store,
                "?s ?super ?o",
                f"VALUES (?p ?super) {{ {_values(lifted)} }} GRAPH {_INFERRED} {{ ?s ?p ?o }}",
            )
    # prp-dom and prp-rng over the asserted statements suffice: a derived statement
    # shares its subject (object) with an asserted one of a subproperty, whose
    # inherited domains (ranges) include those of the derived statement's property.
    if schema.domains:
        _derive(
            store,
            "?s a ?class",
            f"{{ SELECT DISTINCT ?s ?class WHERE {{ "
            f"VALUES (?p ?class) {{ {_values(schema.domains)} }} {statements} }} }}",
        )
    if schema.ranges:
        _derive(
            store,
            "?o a ?class",
            f"{{ SELECT DISTINCT ?o ?class WHERE {{ "
            f"VALUES (?p ?class) {{ {_values(schema.ranges)} }} {statements} "
            "FILTER (!isLiteral(?o)) } }",
        )
    if schema.superclasses:  # cax-sco, cax-eqc: over asserted and derived types alike
        _derive(
            store,
            "?x a ?super",
            f"VALUES (?class ?super) {{ {_values(schema.superclasses)} }} "
            + _in_any([*sources, _INFERRED], "?x a ?class"),
        )


def materialise(store: ox.Store) -> int:
    """Fill the ``inferred`` named graph of ``store``; return the number of triples in it.

    The graph holds what the rules entail and no graph of the store states.
    Running it again adds nothing.
    """
    schema = Schema.read(store)

    def size() -> int:
        return sum(1 for _ in store.quads_for_pattern(None, None, None, _INFERRED))

    if not schema.types_feed_back():
        _one_pass(store, schema, [_DATA])
        return size()
    before = -1
    for _ in range(MAX_ROUNDS):  # types can imply statements: repeat to a fixpoint
        _one_pass(store, schema, [_DATA, _INFERRED])
        after = size()
        if after == before:
            return after
        before = after
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
