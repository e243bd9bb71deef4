"""Validate a repository against the spacecoop ontology and shapes, as one located :class:`Report`.

Three kinds of check go into the report: the SHACL shapes (:mod:`.shacl_engines`: pySHACL,
or the shapes compiled to SPARQL, by the repository's plan), the ROBOT-style ontology
checks (:mod:`.ontology_checks`) and consistency (:mod:`..reasoning`, whose entailments
stay in the store for publishing). Each result is then placed at the file and line where
its focus node is described (:mod:`..repository.locate`), so a contributor can go
straight to the mistake.

The repository is what :func:`repository.load` read: the repository itself, or another
repository's Turtle checked against our ontology and shapes (:func:`repository.load_data`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES
from ..reasoning.reasoner import Inconsistency, reason
from ..repository.load import Repository
from ..repository.locate import index
from . import ontology_checks, pyshacl_engine
from .report import Note, Report, Result, Severity
from .shacl_engines import SHACL_ENGINES

__all__ = ["CONSISTENCY_CHECK", "Report", "Result", "Severity", "validate"]

CONSISTENCY_CHECK = "inconsistency"
"""Name of the check that ontology and data (and their entailments) are consistent."""


def validate(repository: Repository) -> Report:
    """Every check on ``repository``, each result located in its file.

    Raises :class:`LoadError` for files the rdflib copies cannot hold (RDF 1.2 syntax,
    which pyoxigraph reads). The store gains its ``inferred`` graph, ready for publishing.
    """
    store = repository.store
    repository.refuse_rdf_12()
    shacl = SHACL_ENGINES[repository.plan].validate(repository)
    reasoning = reason(repository)
    usage = ontology_checks.DataUsage.of_store(store, GRAPH_DATA)
    results = list(shacl.results)
    results += ontology_checks.results(
        repository.graph(GRAPH_ONTOLOGY), usage, include_unused=repository.whole
    )
    results += _consistency_results(reasoning.inconsistencies)
    # Scanning a data file for line numbers takes seconds per million triples: skip
    # the data when no result is about one of its subjects (only ontology findings).
    about_data = any(_describes(store, GRAPH_DATA, r.focus_node) for r in results)
    files = repository.files
    located_in = (files.data if about_data else ()) + files.ontology + files.shapes
    return _report(
        results,
        repository.graph(GRAPH_SHAPES),
        located_in,
        whole_repository=repository.whole,
        notes=shacl.notes,
    )


def _describes(quads: ox.Store, graph: URIRef, node: str | None) -> bool:
    """Whether ``node`` may be a subject of ``graph`` (blank nodes: assume so)."""
    if node is None:
        return False
    try:
        subject = ox.NamedNode(node)
    except ValueError:  # a blank node's label
        return True
    found = quads.quads_for_pattern(subject, None, None, ox.NamedNode(str(graph)))
    return next(found, None) is not None


def _report(
    results: list[Result],
    shapes: Graph,
    files: Sequence[Path],
    *,
    whole_repository: bool,
    notes: tuple[Note, ...] = (),
) -> Report:
    """The report: every result placed in its file, every check that was run, and the notes."""
    checks = pyshacl_engine.shape_checks(shapes) + [
        check
        for check in (*ontology_checks.ONTOLOGY_CHECKS, CONSISTENCY_CHECK)
        if check != "unused_term" or whole_repository
    ]
    located = _locate(results, files)
    return Report(tuple(sorted(located, key=Result.sort_key)), tuple(checks), notes)


def _consistency_results(found: Sequence[Inconsistency]) -> list[Result]:
    """One violation per reason the closure of ontology and data is inconsistent."""
    return [
        Result(
            Severity.VIOLATION,
            None if clash.node is None else str(clash.node),
            None,
            None,
            None,
            CONSISTENCY_CHECK,
            f"The OWL RL closure is inconsistent: {clash.message}",
        )
        for clash in found
    ]


def _locate(results: list[Result], files: Sequence[Path]) -> list[Result]:
    """Give each result the file and line where its focus node is first described."""
    locations = index(files)
    located = []
    for result in results:
        where = locations.get(result.focus_node or "")
        if where is not None:
            result = replace(result, file=where.path, line=where.line)
        located.append(result)
    return located
