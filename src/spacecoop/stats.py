"""Counts that describe the loaded knowledge graph: triples per graph, entities per class."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from .namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_SHAPES, curie

__all__ = ["ClassCount", "Stats", "compute", "format_text"]

_GRAPH_ORDER = (GRAPH_ONTOLOGY, GRAPH_SHAPES, GRAPH_DATA, GRAPH_INFERRED)


@dataclass(frozen=True)
class ClassCount:
    """How many distinct things in the data graph are typed with one class."""

    iri: str
    label: str | None
    entities: int


@dataclass(frozen=True)
class Stats:
    """Size of a loaded dataset."""

    triples_per_graph: dict[str, int]
    """Graph IRI -> number of triples, in load order (ontology, shapes, data, others)."""
    classes: list[ClassCount] = field(default_factory=list)
    """Classes used in the data graph, most instances first."""
    total_triples: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view with keys ``triples_per_graph``, ``classes`` and ``total_triples``."""
        return asdict(self)


def compute(ds: Dataset) -> Stats:
    """Count triples in each named graph and instances of each class in the data graph."""
    triples: dict[str, int] = {}
    present = {g.identifier: g for g in ds.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID}
    default = ds.graph(DATASET_DEFAULT_GRAPH_ID)
    ordered = [iri for iri in _GRAPH_ORDER if iri in present]
    ordered += sorted(iri for iri in present if iri not in _GRAPH_ORDER)
    for iri in ordered:
        triples[str(iri)] = len(present[iri])
    if len(default):  # Triples outside any named graph would be a loader bug; show them.
        triples[str(DATASET_DEFAULT_GRAPH_ID)] = len(default)

    members: dict[URIRef, set[Node]] = defaultdict(set)
    for subject, cls in ds.graph(GRAPH_DATA).subject_objects(RDF.type):
        if isinstance(cls, URIRef):
            members[cls].add(subject)
    ontology = ds.graph(GRAPH_ONTOLOGY)
    classes = [
        ClassCount(iri=str(cls), label=_label(ontology, cls), entities=len(subjects))
        for cls, subjects in members.items()
    ]
    classes.sort(key=lambda c: (-c.entities, c.iri))
    return Stats(triples_per_graph=triples, classes=classes, total_triples=sum(triples.values()))


def format_text(stats: Stats) -> str:
    """Render ``stats`` as two aligned plain-text tables (graphs, then classes)."""
    graph_rows = [(iri, str(n)) for iri, n in stats.triples_per_graph.items()]
    graph_rows.append(("total", str(stats.total_triples)))
    class_rows = [(curie(c.iri), c.label or "", str(c.entities)) for c in stats.classes]
    parts = [_table(("graph", "triples"), graph_rows)]
    if class_rows:
        parts.append(_table(("class", "label", "entities"), class_rows))
    else:
        parts.append("no typed entities in the data graph")
    return "\n\n".join(parts) + "\n"


def _label(ontology: Graph, cls: URIRef) -> str | None:
    """The class's rdfs:label from the ontology, English first, then untagged, then any."""
    labels = sorted(o for o in ontology.objects(cls, RDFS.label) if isinstance(o, Literal))
    for wanted in ("en", None):
        for label in labels:
            if label.language == wanted:
                return str(label)
    return str(labels[0]) if labels else None


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """Left-align text columns and right-align the last (numeric) column."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.ljust(w) for cell, w in zip(row[:-1], widths[:-1], strict=True)]
        cells.append(row[-1].rjust(widths[-1]))
        return "  ".join(cells)

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
