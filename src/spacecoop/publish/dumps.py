"""Downloadable dumps of the whole dataset, in every common RDF syntax.

Each dump is re-parsed after writing (rdflib and pyoxigraph) by the tests; here
we only write them. The TriG dump keeps one named graph per part; the others
hold the union of ontology and data, the part a consumer queries.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph

from ..namespaces import (
    GRAPH_DATA,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_SHAPES,
    PREFIXES,
    bind_prefixes,
)


@dataclass(frozen=True)
class Dump:
    """One written distribution: its file (relative to dist/), media type and size."""

    path: str
    media_type: str
    title: str
    size: int
    compress_format: str | None = None


CONTEXT_PATH = "context.jsonld"

_SYNTAXES = (
    # (file, rdflib format, media type, title)
    ("spacecoop.ttl", "turtle", "text/turtle", "Turtle"),
    ("spacecoop.nt", "nt", "application/n-triples", "N-Triples"),
    ("spacecoop.jsonld", "json-ld", "application/ld+json", "JSON-LD"),
    ("spacecoop.rdf", "xml", "application/rdf+xml", "RDF/XML"),
)


def union(ds: Dataset) -> Graph:
    """Ontology + data in one graph: what the single-graph dumps contain."""
    graph = bind_prefixes(Graph())
    for part in (GRAPH_ONTOLOGY, GRAPH_DATA):
        graph += ds.graph(part)
    return graph


def context() -> dict[str, object]:
    """The published JSON-LD ``@context``: our prefixes, so compact IRIs read well."""
    return {"@context": dict(sorted(PREFIXES.items()))}


def write_dumps(ds: Dataset, inferred: Graph, out: Path) -> list[Dump]:
    """Write every dump into ``out`` and return their descriptions."""
    graph = union(ds)
    written: list[Dump] = []

    def record(path: str, media_type: str, title: str, compress: str | None = None) -> None:
        written.append(Dump(path, media_type, title, (out / path).stat().st_size, compress))

    (out / CONTEXT_PATH).write_text(json.dumps(context(), indent=2) + "\n", encoding="utf-8")
    for name, fmt, media_type, title in _SYNTAXES:
        if fmt == "json-ld":
            graph.serialize(
                out / name, format=fmt, context=context()["@context"], auto_compact=True
            )
        else:
            graph.serialize(out / name, format=fmt, encoding="utf-8")
        record(name, media_type, f"Whole dataset ({title})")
    with gzip.open(out / "spacecoop.nt.gz", "wb") as handle:
        handle.write((out / "spacecoop.nt").read_bytes())
    record(
        "spacecoop.nt.gz",
        "application/n-triples",
        "Whole dataset (N-Triples, gzip)",
        "application/gzip",
    )

    trig = Dataset()
    for prefix, namespace in PREFIXES.items():
        trig.bind(prefix, namespace)
    for part in (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_SHAPES):
        target = trig.graph(part)
        for triple in ds.graph(part):
            target.add(triple)
    target = trig.graph(GRAPH_INFERRED)
    for triple in inferred:
        target.add(triple)
    trig.serialize(out / "spacecoop.trig", format="trig", encoding="utf-8")
    record(
        "spacecoop.trig", "application/trig", "Whole dataset with one named graph per part (TriG)"
    )

    bind_prefixes(inferred).serialize(out / "inferred.ttl", format="turtle", encoding="utf-8")
    record("inferred.ttl", "text/turtle", "Triples entailed by the OWL RL closure (Turtle)")
    return written
