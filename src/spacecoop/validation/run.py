"""Validate Turtle against the spacecoop ontology and shapes, as one located :class:`Report`.

Three kinds of check go into the report: the SHACL shapes (:mod:`.pyshacl_engine`
with pySHACL, or for big data :mod:`spacecoop.validation.shacl_sparql`, which gives the same results
and leaves the shapes it cannot compile to pySHACL, with a note in the report),
the ROBOT-style ontology checks (:mod:`spacecoop.validation.ontology_checks`) and the
consistency of the OWL RL closure (:mod:`spacecoop.reasoning.owlrl_engine`). Each result is
then placed at the file and line where its focus node is described
(:mod:`spacecoop.repository.locate`), so a contributor can go straight to the mistake.

By default the repository itself is validated. Given paths, those files are
the data and the ontology and shapes come from this package: that is how
another repository checks its own Turtle against ours.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, get_args

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from ..namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES, bind_prefixes
from ..reasoning import owlrl_engine, sparql_rules
from ..repository import store
from ..repository.files import ROOT_ENV_VAR, LoadError, find_root, find_sources, load, parse_file
from ..repository.locate import index
from . import ontology_checks, pyshacl_engine, shacl_sparql
from .report import Note, Report, Result, Severity

__all__ = [
    "CONSISTENCY_CHECK",
    "ENGINE_ENV_VAR",
    "Engine",
    "Report",
    "Result",
    "Severity",
    "schema_root",
    "validate",
    "in_store",
    "validate_store",
]

CONSISTENCY_CHECK = "inconsistency"
"""Name of the check that the OWL RL closure of ontology and data is consistent."""

Engine = Literal["auto", "pyshacl", "fast"]
"""The SHACL engine: pySHACL (the reference), SHACL compiled to SPARQL on pyoxigraph
(:mod:`.shacl_sparql`, same results, for big data), or ``auto``: by data size."""

ENGINE_ENV_VAR = "SPACECOOP_SHACL_ENGINE"
"""Environment variable that picks the SHACL engine when :func:`validate` is not told."""

_PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED_SCHEMA = Path(sys.prefix) / "share" / "spacecoop"
"""Where ``pip install`` puts a copy of ``ontology/`` (see ``data-files`` in pyproject.toml)."""


@dataclass(frozen=True)
class _Inputs:
    dataset: Dataset
    """Ontology, shapes and data, each in its named graph."""
    files: tuple[Path, ...]
    """The files they came from, data first, for locating results."""
    whole_repository: bool
    data_files: tuple[Path, ...]
    """The data files alone, whose size picks the SHACL engine."""


def validate(
    paths: Sequence[Path] | None = None, root: Path | None = None, engine: Engine | None = None
) -> Report:
    """Validate the repository at ``root``, or the Turtle files ``paths`` against our schema.

    Without ``paths``, everything under ``root`` (default: :func:`dataset.find_root`) is
    checked. With ``paths``, they form the data graph, and the ontology and shapes come from
    ``root`` if given, else from :func:`schema_root`. Raises :class:`LoadError` for a file
    that cannot be read or parsed.

    ``engine`` picks the SHACL engine (default: ``$SPACECOOP_SHACL_ENGINE``, else ``auto``,
    which takes the fast one when the data files are large, :func:`store.is_large`).
    """
    if paths is None and in_store(root, engine):
        return validate_store(store.load_store(root), root)
    inputs = _inputs(paths, root)
    ontology = bind_prefixes(Graph() + inputs.dataset.graph(GRAPH_ONTOLOGY))
    shapes = bind_prefixes(Graph() + inputs.dataset.graph(GRAPH_SHAPES))
    data = bind_prefixes(Graph() + inputs.dataset.graph(GRAPH_DATA))

    large = store.is_large(inputs.data_files)
    fast = _fast_engine(engine, large)
    # One store for both fast steps: copying a million triples into it takes seconds.
    quads = store.from_dataset(inputs.dataset) if fast or large else None
    notes: tuple[Note, ...] = ()
    if quads is not None and fast:
        # Reads only, leaving quads as is; pySHACL checks the shapes the fast engine refuses.
        results, notes = shacl_sparql.validate_store_with_fallback(
            quads, shapes, lambda: data, ontology
        )
    else:
        results = pyshacl_engine.validate_shapes(data, shapes, ontology)
    if quads is not None and large:
        # owlrl's closure takes hours at 10^6 triples; the clash rules as SPARQL do not.
        # Chosen by size alone, so both SHACL engines report the same words on small data.
        sparql_rules.materialise(quads)
        inconsistencies = sparql_rules.inconsistencies(quads)
    else:
        inconsistencies = owlrl_engine.find_inconsistencies(owlrl_engine.closure(inputs.dataset))
    usage = ontology_checks.DataUsage.of_graph(data)
    results += ontology_checks.results(ontology, usage, include_unused=inputs.whole_repository)
    results += _consistency_results(inconsistencies)
    return _report(
        results, shapes, inputs.files, whole_repository=inputs.whole_repository, notes=notes
    )


def validate_store(quads: ox.Store, root: Path | None = None) -> Report:
    """Validate the repository at ``root`` (default: :func:`dataset.find_root`), already
    loaded into ``quads`` by :func:`store.load_store`: the fast path, with no copy of the
    data in rdflib.

    The checks and their results are those of :func:`validate` on big data (the
    SHACL shapes compiled to SPARQL, the clash rules as SPARQL), and, as there,
    files rdflib cannot read raise :class:`LoadError` (RDF 1.2 syntax, which
    pyoxigraph reads). ``quads`` gains its ``inferred`` graph, ready for
    :func:`publish.build`.
    """
    files = find_sources(find_root() if root is None else Path(root))
    store.refuse_rdf_12(quads, files.ontology + files.shapes + files.data)
    shapes = store.to_rdflib_graph(quads, GRAPH_SHAPES)
    ontology = store.to_rdflib_graph(quads, GRAPH_ONTOLOGY)
    results, notes = shacl_sparql.validate_store_with_fallback(
        quads, shapes, lambda: store.to_rdflib_graph(quads, GRAPH_DATA), ontology
    )
    sparql_rules.materialise(quads)
    usage = ontology_checks.DataUsage.of_store(quads, GRAPH_DATA)
    results += ontology_checks.results(ontology, usage, include_unused=True)
    results += _consistency_results(sparql_rules.inconsistencies(quads))
    # Scanning a data file for line numbers takes seconds per million triples: skip
    # the data when no result is about one of its subjects (only ontology findings).
    about_data = any(_describes(quads, GRAPH_DATA, r.focus_node) for r in results)
    located_in = (files.data if about_data else ()) + files.ontology + files.shapes
    return _report(results, shapes, located_in, whole_repository=True, notes=notes)


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


def schema_root() -> Path:
    """Where our ontology and shapes are, for validating other repositories' files.

    ``$SPACECOOP_ROOT`` if set, else the source checkout this package runs from,
    else the copy installed with the package. Never the working directory: the
    files being checked must not be able to replace the rules they are checked by.
    """
    override = os.environ.get(ROOT_ENV_VAR)
    if override:
        return Path(override)
    for directory in _PACKAGE_DIR.parents:
        if (directory / "ontology" / "spacecoop.ttl").is_file():
            return directory
    if (_INSTALLED_SCHEMA / "ontology" / "spacecoop.ttl").is_file():
        return _INSTALLED_SCHEMA
    raise LoadError(
        _INSTALLED_SCHEMA,
        None,
        None,
        "the spacecoop ontology and shapes are not installed; "
        f"reinstall the package or set {ROOT_ENV_VAR}",
    )


def _inputs(paths: Sequence[Path] | None, root: Path | None) -> _Inputs:
    if paths is None:
        root = find_root() if root is None else Path(root)
        files = find_sources(root)
        return _Inputs(load(root), files.data + files.ontology + files.shapes, True, files.data)
    schema = find_sources(schema_root() if root is None else Path(root))
    data_paths = tuple(Path(p) for p in paths)
    dataset = Dataset()
    for graph_iri, sources in (
        (GRAPH_ONTOLOGY, schema.ontology),
        (GRAPH_SHAPES, schema.shapes),
        (GRAPH_DATA, data_paths),
    ):
        for path in sources:
            parse_file(path, dataset.graph(graph_iri), strict=True)
    return _Inputs(dataset, data_paths + schema.ontology, False, data_paths)


def in_store(root: Path | None = None, engine: Engine | None = None) -> bool:
    """Whether the repository at ``root`` is validated in a store (:func:`validate_store`):
    its data is large and the SHACL engine is the fast one."""
    large = store.prefers_store(root)
    return large and _fast_engine(engine, large)


def _fast_engine(engine: Engine | None, large: bool) -> bool:
    """Whether to validate with the SPARQL engine rather than pySHACL (``engine``, else
    ``$SPACECOOP_SHACL_ENGINE``, else by the data's size)."""
    chosen = engine or os.environ.get(ENGINE_ENV_VAR) or "auto"
    if chosen not in get_args(Engine):
        raise ValueError(f"unknown SHACL engine {chosen!r}; use one of {get_args(Engine)}")
    return chosen == "fast" or (chosen == "auto" and large)


def _consistency_results(found: Sequence[owlrl_engine.Inconsistency]) -> list[Result]:
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
