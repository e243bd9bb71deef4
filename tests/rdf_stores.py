"""Stores built from rdflib graphs: how tests hand small hand-written graphs to the
pyoxigraph side (the package itself only ever loads files into its store)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES
from spacecoop.repository.store import add_triples


def store_of(
    ds: Dataset, graphs: Iterable[URIRef] = (GRAPH_ONTOLOGY, GRAPH_SHAPES, GRAPH_DATA)
) -> ox.Store:
    """Copy named graphs of an rdflib Dataset into a new store."""
    store = ox.Store()
    for graph_iri in graphs:
        add_triples(store, ds.graph(graph_iri), graph_iri)
    return store
