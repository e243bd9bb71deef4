"""Two SHACL engines behind one door, picked by the repository's plan.

- :class:`PyShaclEngine` (reference): pySHACL over rdflib copies of the graphs.
- :class:`SparqlShaclEngine` (fast): the shapes compiled to SPARQL (:mod:`.shacl_sparql`)
  and run in the store; the shapes it refuses are checked by pySHACL alone
  (:mod:`.fallback`), with a note in the report saying so.

Both give the same report Results (``tests/test_shacl_sparql.py`` holds them to that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES
from ..repository.load import Plan, Repository
from . import pyshacl_engine
from .fallback import notes, shapes_for
from .report import Note, Result
from .shacl_sparql import compile_all, run_checks, subclass_lookup

__all__ = ["SHACL_ENGINES", "PyShaclEngine", "ShaclEngine", "ShaclOutcome", "SparqlShaclEngine"]


@dataclass(frozen=True)
class ShaclOutcome:
    results: list[Result]
    notes: tuple[Note, ...] = ()
    """What the report should say about how the shapes were checked."""


class ShaclEngine(Protocol):
    def validate(self, repository: Repository) -> ShaclOutcome:
        """The Results of the repository's shapes on its data (with its ontology)."""
        ...


class PyShaclEngine:
    def validate(self, repository: Repository) -> ShaclOutcome:
        return ShaclOutcome(
            pyshacl_engine.validate_shapes(
                repository.graph(GRAPH_DATA),
                repository.graph(GRAPH_SHAPES),
                repository.graph(GRAPH_ONTOLOGY),
            )
        )


class SparqlShaclEngine:
    def validate(self, repository: Repository) -> ShaclOutcome:
        shapes = repository.graph(GRAPH_SHAPES)
        compiled = compile_all(shapes, subclass_lookup(repository.store))
        results = run_checks(repository.store, compiled.checks)
        if compiled.refused:
            # The data is copied to rdflib only here: at a million triples that takes seconds.
            results += pyshacl_engine.validate_shapes(
                repository.graph(GRAPH_DATA),
                shapes_for(shapes, compiled.refused),
                repository.graph(GRAPH_ONTOLOGY),
            )
        return ShaclOutcome(results, notes(compiled.refused))


SHACL_ENGINES: dict[Plan, ShaclEngine] = {
    Plan.REFERENCE: PyShaclEngine(),
    Plan.FAST: SparqlShaclEngine(),
}
"""The SHACL engine each plan uses."""
