"""One page per published resource: its HTML and its description in four RDF syntaxes.

Pages are read from the store through rdflib's Graph API
(:func:`store.rdflib_view`), so a million triples are never copied into
rdflib. Turtle, N-Triples and RDF/XML are written by pyoxigraph; JSON-LD by
rdflib, the one writer here that compacts with our ``@context``.

With many pages the work is shared among forked processes, one per usable
core: rendering is Python work, which threads cannot spread over cores. A
forked child reads the parent's store without copying it.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.plugins.shared.jsonld.context import Context

from ..namespaces import ID, PREFIXES
from ..repository.store import rdflib_view, to_rdflib
from ..runtime import progress
from ..runtime.parallel import usable_cores
from . import dumps, html
from .paths import resource_path
from .reproducible import canonical_triples, sorted_jsonld
from .resources import Labels

_SERIALISED_BY_OXIGRAPH = (
    ("ttl", ox.RdfFormat.TURTLE),
    ("nt", ox.RdfFormat.N_TRIPLES),
    ("rdf", ox.RdfFormat.RDF_XML),
)
_PAGES_PER_WORKER = 2_000
"""Fewer pages than this per core are written in this process: forking costs more."""
_CHUNK = 250
"""Pages a worker writes per task: small enough for a smooth progress bar."""


def published_resources(store: ox.Store, graph: ox.NamedNode) -> list[URIRef]:
    """Every thing of ours (an IRI under ``…/id/``) that is a subject in ``graph``, sorted."""
    found = store.query(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }}',
        default_graph=graph,
    )
    return sorted(URIRef(row[0].value) for row in found)


def description(store: ox.Store, graph: ox.NamedNode, iri: str) -> list[ox.Triple]:
    """Concise bounded description of ``iri``: its triples, following blank nodes, sorted."""
    triples: list[ox.Triple] = []
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in store.quads_for_pattern(node, None, None, graph):
            triples.append(quad.triple)
            if isinstance(quad.object, ox.BlankNode):
                todo.append(quad.object)
    return sorted(triples, key=str)


def write_rdf(triples: Sequence[ox.Triple], stem: Path) -> None:
    """Write ``triples`` as ``stem.ttl``, ``.nt``, ``.rdf`` and ``.jsonld`` (the folder exists)."""
    for extension, fmt in _SERIALISED_BY_OXIGRAPH:
        prefixes = None if fmt == ox.RdfFormat.N_TRIPLES else PREFIXES
        # Into memory first: given a path, pyoxigraph took 0.4 ms a file, mostly in file I/O.
        text = ox.serialize(triples, None, fmt, prefixes=prefixes)
        stem.with_name(f"{stem.name}.{extension}").write_bytes(text)
    # No namespaces bound: binding rdflib's defaults costs more than the rest of the
    # JSON-LD, and the context below supplies the prefixes.
    graph = Graph(bind_namespaces="none")
    for triple in triples:
        graph.add(
            (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
        )
    text = graph.serialize(format="json-ld", context=_jsonld_context(), auto_compact=True)
    stem.with_name(f"{stem.name}.jsonld").write_text(sorted_jsonld(text), encoding="utf-8")


@cache
def _jsonld_context() -> Context:
    """Our published ``@context``, read once: rdflib would read it again for every file."""
    return Context(dumps.context()["@context"])


@dataclass(frozen=True)
class _Site:
    """What every page is written from: the store, its published graph, the site folder."""

    store: ox.Store
    graph: ox.NamedNode
    out: Path

    @cached_property
    def labels(self) -> Labels:
        """Labels of this process's view of the store, kept from chunk to chunk."""
        return Labels(rdflib_view(self.store, self.graph))

    @cached_property
    def folders(self) -> set[Path]:
        """Folders this process has made: most pages share one with thousands of others."""
        return set()

    def write(self, iris: Sequence[URIRef]) -> int:
        for iri in iris:
            stem = self.out / resource_path(str(iri))
            if stem.parent not in self.folders:
                stem.parent.mkdir(parents=True, exist_ok=True)
                self.folders.add(stem.parent)
            page = html.resource_page(self.labels.graph, iri, self.labels)
            stem.with_name(stem.name + ".html").write_text(page, encoding="utf-8")
            # Canonical blank-node labels: the same files at every build.
            write_rdf(canonical_triples(description(self.store, self.graph, str(iri))), stem)
        return len(iris)


_forked_site: _Site | None = None
"""The site a forked worker writes into: inherited from the parent, never pickled."""


def _write_in_worker(iris: Sequence[URIRef]) -> int:
    assert _forked_site is not None, "set by write_pages before it forks"
    return _forked_site.write(iris)


def _leave_interrupts_to_parent() -> None:
    # On Ctrl-C the parent stops the pool; a worker that also raised would print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def write_pages(store: ox.Store, graph: ox.NamedNode, out: Path, iris: Sequence[URIRef]) -> int:
    """Write the page and RDF files of each of ``iris`` under ``out``; return how many.

    ``graph`` is the published union (ontology and data). The first failure
    (a full disk, say) stops every worker and is raised here.
    """
    workers = min(usable_cores(), len(iris) // _PAGES_PER_WORKER)
    if not sys.platform.startswith("linux"):  # no fork on Windows; unsafe on macOS
        workers = 1
    site = _Site(store, graph, out)
    chunks = [iris[start : start + _CHUNK] for start in range(0, len(iris), _CHUNK)]
    if workers < 2:
        done = (site.write(chunk) for chunk in chunks)
    else:
        done = _forked(site, chunks, workers)
    written = 0
    for _ in progress.bar(_each_page(done), total=len(iris), what="pages"):
        written += 1
    return written


def _each_page(chunks_done: Iterator[int]) -> Iterator[None]:
    for count in chunks_done:
        yield from (None for _ in range(count))


def _forked(site: _Site, chunks: list[Sequence[URIRef]], workers: int) -> Iterator[int]:
    """Counts of pages written, chunk by chunk, by ``workers`` forked processes.

    A ``ProcessPoolExecutor``, not a ``multiprocessing.Pool``: when a worker dies
    (killed for memory, say) the pool raises instead of waiting for its chunk forever.
    """
    global _forked_site
    _forked_site = site
    context = multiprocessing.get_context("fork")
    pool: ProcessPoolExecutor | None = None
    try:
        # Frozen objects are left alone by the children's garbage collector, which would
        # otherwise write to every object inherited from the parent and so copy its memory.
        gc.freeze()
        pool = ProcessPoolExecutor(workers, context, _leave_interrupts_to_parent)
        pending = [pool.submit(_write_in_worker, chunk) for chunk in chunks]
        for done in as_completed(pending):
            yield done.result()
    except BrokenProcessPool as died:
        raise WorkerDied(
            "a page-writing process died (out of memory?); nothing was published"
        ) from died
    finally:
        if pool is not None:
            # On error or Ctrl-C: chunks not started are dropped, running ones (a few
            # hundred pages) finish, so no worker writes into a folder being removed.
            pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
        _forked_site = None


class WorkerDied(RuntimeError):
    """A forked page writer ended without finishing its pages."""
