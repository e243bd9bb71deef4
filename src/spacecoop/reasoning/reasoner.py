"""Two reasoners behind one door, and one meaning of "inferred".

**Inferred** means, everywhere in spacecoop: the triples about the resources the data
describes that follow from the ontology's alignments (types through ``rdfs:subClassOf``
and ``owl:equivalentClass``, statements through ``rdfs:subPropertyOf``, types from
``rdfs:domain`` and ``rdfs:range``, ``owl:TransitiveProperty`` chains) and that no graph
states. They go into the ``inferred`` named graph of the repository's store; that graph
is what ``query --infer`` adds to the default graph and what ``dist/inferred.ttl`` holds.

Two reasoners compute it, picked by the repository's plan, as owlrl puts its closures
behind ``DeductiveClosure(closure_class)``:

- :class:`OwlrlReasoner` (reference): owlrl's OWL RL closure, cut down to the above;
- :class:`SparqlRulesReasoner` (fast): the same entailments as SPARQL updates.

They give the same inferred graph and find the same inconsistent individuals (tested
on the repository and on small cases).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..namespaces import GRAPH_INFERRED
from ..repository.load import Plan, Repository
from ..repository.store import add_triples
from . import owlrl_engine, sparql_rules
from .inconsistency import Inconsistency

__all__ = [
    "Inconsistency",
    "OwlrlReasoner",
    "Reasoner",
    "Reasoning",
    "SparqlRulesReasoner",
    "reason",
]

@dataclass(frozen=True)
class Reasoning:
    """What reasoning over a repository found; its entailments are in the store."""

    inconsistencies: tuple[Inconsistency, ...]
    inferred: int
    """Triples in the ``inferred`` graph."""


class Reasoner(Protocol):
    def reason(self, repository: Repository) -> Reasoning:
        """Fill the store's ``inferred`` graph; return it counted, with the inconsistencies."""
        ...


class OwlrlReasoner:
    """owlrl's OWL RL closure over rdflib copies of the ontology and data."""

    def reason(self, repository: Repository) -> Reasoning:
        dataset = repository.dataset()
        closed = owlrl_engine.closure(dataset)
        entailed = owlrl_engine.entailments(closed, dataset)
        add_triples(repository.store, entailed, GRAPH_INFERRED)
        return Reasoning(tuple(owlrl_engine.inconsistencies(closed)), len(entailed))


class SparqlRulesReasoner:
    """The entailment and clash rules as SPARQL, in the store itself."""

    def reason(self, repository: Repository) -> Reasoning:
        count = sparql_rules.materialise(repository.store)
        return Reasoning(tuple(sparql_rules.inconsistencies(repository.store)), count)


REASONERS: dict[Plan, Reasoner] = {
    Plan.REFERENCE: OwlrlReasoner(),
    Plan.FAST: SparqlRulesReasoner(),
}
"""The reasoner each plan uses."""


def reason(repository: Repository) -> Reasoning:
    """Reason over ``repository`` with its plan's reasoner, once: later calls return the
    first answer (validation reasons, then publishing and ``--infer`` use the entailments)."""
    done = repository.memo.get("reasoning")
    if not isinstance(done, Reasoning):
        done = repository.memo["reasoning"] = REASONERS[repository.plan].reason(repository)
    return done
