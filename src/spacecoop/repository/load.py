"""The repository read once: one pyoxigraph store, the plan, and an rdflib copy when asked.

Every consumer (validation, reasoning, queries, publishing, serving, stats) takes the
:class:`Repository` that :func:`load` returns. Each source file is parsed exactly once,
by pyoxigraph, into its named graph of the store; code written against rdflib (pySHACL,
owlrl, the page models) gets a copy made from the store (:meth:`Repository.dataset`),
never a second parse. Copying beats a live oxrdflib view for pySHACL and owlrl, which
read every triple many times (oxrdflib converts terms on each lookup); publishing reads
a few triples per page and uses the view (:func:`store.rdflib_view`) instead.

The plan, reference or fast, is decided here once (:class:`Plan`), from the size
of the data, or by the one override ``$SPACECOOP_PLAN`` (or ``plan=``).
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from ..namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES, bind_prefixes
from . import store as quads
from .files import LoadError, RepoFiles, check_regular_file, find_root, find_sources

__all__ = [
    "FAST_PATH_BYTES",
    "PLAN_ENV_VAR",
    "LoadError",
    "Plan",
    "PlanError",
    "Repository",
    "load",
    "load_data",
    "load_graph_as_data",
]

PLAN_ENV_VAR = "SPACECOOP_PLAN"
"""The one override of the plan: ``reference``, ``fast`` or ``auto`` (the default)."""

FAST_PATH_BYTES = 1_000_000
"""Data larger than this in all takes the fast plan.

1 MB is several thousand triples: there pySHACL already takes most of a minute
and owlrl's closure tens of seconds (``make bench`` at 10^4 triples, 1.4 MB:
pySHACL 46 s, our SHACL engine 0.08 s), while this repository's own data
(tens of kB) stays on the reference plan, which its CI therefore keeps exercising.
"""


class PlanError(ValueError):
    """An override that names no plan; the message lists the plans there are."""


class Plan(enum.Enum):
    """Which engines do the work; both give the same answers (tested on small data)."""

    REFERENCE = "reference"
    """rdflib, pySHACL and owlrl: the libraries everyone knows, for small data."""
    FAST = "fast"
    """SPARQL on pyoxigraph: SHACL compiled to SPARQL, the entailment rules as SPARQL."""

    @classmethod
    def choose(cls, data_bytes: int, asked: Plan | str | None = None) -> Plan:
        """``asked`` (else ``$SPACECOOP_PLAN``, else ``auto``); ``auto`` goes by ``data_bytes``.

        Raises :class:`PlanError` naming the accepted values for anything else.
        """
        if isinstance(asked, Plan):
            return asked
        chosen = asked or os.environ.get(PLAN_ENV_VAR) or "auto"
        if chosen == "auto":
            return cls.FAST if data_bytes > FAST_PATH_BYTES else cls.REFERENCE
        try:
            return cls(chosen)
        except ValueError:
            names = ", ".join(["auto", *(plan.value for plan in cls)])
            where = "plan" if asked else f"${PLAN_ENV_VAR}"
            raise PlanError(f"unknown {where} {chosen!r}; use one of: {names}") from None


@dataclass(eq=False)
class Repository:
    """Ontology, shapes and data, each in its named graph of one store, and the plan."""

    files: RepoFiles
    """The files the graphs came from (for ``whole=False``, the data are foreign files)."""
    store: ox.Store
    plan: Plan
    whole: bool = True
    """The repository's own files, not other Turtle checked against our schema."""
    _copies: dict[URIRef, Graph] = field(default_factory=dict, repr=False)
    _dataset: Dataset | None = field(default=None, repr=False)
    _rdflib_can_read: bool = field(default=False, repr=False)
    memo: dict[str, object] = field(default_factory=dict, repr=False)
    """Results computed once per repository (the reasoning, the graph rdflib queries), kept
    by the wing computing them."""

    @property
    def root(self) -> Path:
        return self.files.root

    @property
    def sources(self) -> tuple[Path, ...]:
        """Every file read: data first, then ontology and shapes (where results are located)."""
        return self.files.data + self.files.ontology + self.files.shapes

    def refuse_rdf_12(self) -> None:
        """Raise a located :class:`LoadError` if the files use RDF 1.2, which rdflib cannot
        hold (checked once: the scan costs half a second per million triples, which only
        what needs rdflib pays, and validation, so that both plans refuse alike)."""
        if not self._rdflib_can_read:
            quads.refuse_rdf_12(self.store, self.sources)
            self._rdflib_can_read = True

    def graph(self, graph_iri: URIRef) -> Graph:
        """One named graph as an rdflib Graph, copied from the store once and then kept."""
        copy = self._copies.get(graph_iri)
        if copy is None:
            self.refuse_rdf_12()
            copy = self._copies[graph_iri] = quads.to_rdflib_graph(self.store, graph_iri)
        return copy

    def dataset(self) -> Dataset:
        """Ontology, shapes and data as an rdflib Dataset (copied once), for rdflib code."""
        if self._dataset is None:
            dataset = bind_prefixes(Dataset())
            for graph_iri in (GRAPH_ONTOLOGY, GRAPH_SHAPES, GRAPH_DATA):
                target = dataset.graph(graph_iri)
                for triple in self.graph(graph_iri):
                    target.add(triple)
            self._dataset = dataset
        return self._dataset


def load(root: Path | None = None, *, plan: Plan | str | None = None) -> Repository:
    """Read the repository at ``root`` (default: :func:`files.find_root`) into one store.

    The ontology goes into ``GRAPH_ONTOLOGY``, shapes into ``GRAPH_SHAPES`` and
    data into ``GRAPH_DATA``. Raises :class:`LoadError` for the first file that cannot
    be read or parsed, with file, line and column.
    """
    return _read(find_sources(find_root(root)), plan, whole=True)


def load_data(
    paths: Sequence[Path], *, schema: Path | None = None, plan: Plan | str | None = None
) -> Repository:
    """Read foreign Turtle ``paths`` as the data, with the ontology and shapes of ``schema``.

    ``schema`` defaults to our own (:func:`files.find_root` with ``schema_only``): never the
    working directory, whose files must not replace the rules they are checked by.
    """
    return _read(_schema_with(schema, tuple(Path(p) for p in paths)), plan, whole=False)


_BYTES_PER_TRIPLE = 140
"""About what one triple of our data takes in Turtle (``make bench``: 1.4 MB per 10^4),
to choose the plan for data that came without files."""


def load_graph_as_data(
    graph: Iterable[tuple], *, schema: Path | None = None, plan: Plan | str | None = None
) -> Repository:
    """A repository whose data is ``graph`` (rdflib triples, e.g. fetched from an endpoint)."""
    files = _schema_with(schema, ())
    store = _schema_store(files)
    quads.add_triples(store, graph, GRAPH_DATA)
    data = ox.NamedNode(str(GRAPH_DATA))
    size = sum(1 for _ in store.quads_for_pattern(None, None, None, data)) * _BYTES_PER_TRIPLE
    return Repository(files, store, Plan.choose(size, plan), whole=False)


def _schema_with(schema: Path | None, data: tuple[Path, ...]) -> RepoFiles:
    """The ontology and shapes files of ``schema`` (default: ours), with ``data`` as data."""
    ours = find_sources(find_root(schema, schema_only=True))
    return RepoFiles(ours.root, ours.ontology, ours.shapes, data)


def _schema_store(files: RepoFiles) -> ox.Store:
    store = ox.Store()
    for graph_iri, paths in ((GRAPH_ONTOLOGY, files.ontology), (GRAPH_SHAPES, files.shapes)):
        for path in paths:
            quads.load_file(store, path, graph_iri)
    return store


def _read(files: RepoFiles, plan: Plan | str | None, *, whole: bool) -> Repository:
    for path in files.data:
        check_regular_file(path)  # before sizes are read: a FIFO has none, and would block
    chosen = Plan.choose(sum(p.stat().st_size for p in files.data), plan)
    store = _schema_store(files)
    for path in files.data:
        quads.load_file(store, path, GRAPH_DATA)
    return Repository(files, store, chosen, whole=whole)
