"""What makes two builds of the same sources byte-identical: a date and an order from the sources.

pyoxigraph's in-memory store hands quads back in no fixed order and gives a
blank node a fresh random label at every load; rdflib's JSON-LD lists nodes
in hash order; a wall-clock date would differ from one day to the next. So
the dumps are written from :func:`graphs_in_order` and each page's RDF from
:func:`canonical_triples` (blank nodes labelled by RDFC-1.0, then sorted),
JSON-LD goes through :func:`sorted_jsonld`, and the VoID ``dcterms:modified``
comes from :func:`modified_date`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
"""The reproducible-builds.org variable: seconds since 1970, "when the sources last changed"."""


class SourceDateError(ValueError):
    """``$SOURCE_DATE_EPOCH`` is set but is not a number of seconds."""


def modified_date(sources: Iterable[Path]) -> dt.date:
    """The date the published data last changed, the same for every build of the same sources.

    ``$SOURCE_DATE_EPOCH`` wins when set (a release sets it from its commit, so
    every checkout of that commit builds the same bytes). Otherwise it is the
    day (UTC) the newest of ``sources`` was last modified: that is what
    ``dcterms:modified`` means, and it needs no git (a release archive has
    none). A fresh clone's files carry the time of the clone, so builds on two
    clones agree only with ``$SOURCE_DATE_EPOCH``; rebuilding one checkout gives
    the same bytes at any time. With no sources at all, today.
    """
    given = os.environ.get(SOURCE_DATE_EPOCH)
    if given is not None:
        try:
            return dt.datetime.fromtimestamp(int(given), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise SourceDateError(
                f"${SOURCE_DATE_EPOCH} must be a whole number of seconds since 1970, not {given!r}"
            ) from None
    times = [path.stat().st_mtime for path in sources if path.is_file()]
    if not times:
        return dt.date.today()
    return dt.datetime.fromtimestamp(max(times), dt.UTC).date()


def _has_blank_node(quad: ox.Quad) -> bool:
    return any(
        isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object, quad.graph_name)
    )


def _relabelled(blank: list[ox.Quad]) -> ox.Dataset:
    """``blank`` (the quads that mention blank nodes) with RDFC-1.0 labels.

    RDFC-1.0 labels a blank node from the quads that mention blank nodes
    alone, so the others need not go through it.
    """
    dataset = ox.Dataset(blank)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """``quads`` with canonical blank-node labels (RDFC-1.0), sorted by graph, then as text.

    For a few quads held in memory (one page's); a store's graphs go through
    :func:`graphs_in_order`, which holds one graph at a time.
    """
    plain: list[ox.Quad] = []
    blank: list[ox.Quad] = []
    for quad in quads:
        (blank if _has_blank_node(quad) else plain).append(quad)
    if blank:
        plain.extend(_relabelled(blank))
    plain.sort(key=lambda quad: (str(quad.graph_name), str(quad)))
    return plain


_BLANK_QUADS = (
    "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }"
)


def graphs_in_order(store: ox.Store, graphs: Iterable[ox.NamedNode]) -> Iterator[ox.Quad]:
    """The quads of ``graphs``, one graph after another, each sorted as text, with
    blank nodes labelled by RDFC-1.0 across all of them.

    The quads that mention blank nodes (few: the ontology's lists) are found by
    the store and canonicalised first; then each graph is read, sorted and
    handed on in turn, so at most one graph is held in Python at a time.
    """
    graphs = list(graphs)
    named = set(graphs)
    blank = [
        ox.Quad(row["s"], row["p"], row["o"], row["g"])
        for row in store.query(_BLANK_QUADS)
        if row["g"] in named
    ]
    relabelled = _relabelled(blank)
    for graph in graphs:
        own = list(relabelled.quads_for_graph_name(graph))
        found = store.quads_for_pattern(None, None, None, graph)
        quads = [quad for quad in found if not _has_blank_node(quad)] if own else list(found)
        quads.extend(own)
        quads.sort(key=str)  # one graph: the same order as by the triple's text
        yield from quads


def canonical_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """``triples`` with canonical blank-node labels, sorted (:func:`canonical_quads`)."""
    as_quads = (ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return [quad.triple for quad in canonical_quads(as_quads)]


def sorted_jsonld(text: str) -> str:
    """rdflib's JSON-LD ``text`` with its top-level nodes in a fixed order (by ``@id`` first).

    rdflib lists the nodes of a graph in the order of a Python ``set`` of
    subjects, which changes from one process to the next (hash randomisation).
    """
    document = json.loads(text)
    if isinstance(document, dict) and isinstance(document.get("@graph"), list):
        document["@graph"].sort(key=lambda node: json.dumps(node, sort_keys=True))
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
