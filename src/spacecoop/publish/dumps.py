"""Downloadable dumps of the whole dataset, in every common RDF syntax, written by pyoxigraph.

pyoxigraph serialises a million triples in seconds where rdflib takes minutes,
so every dump goes through it, whatever the size. The TriG dump keeps one
named graph per part; the others hold the union of ontology and data, the
part a consumer queries. The tests re-parse each dump with rdflib and pyoxigraph.
"""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES


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
    # (file, pyoxigraph format, media type, title)
    ("spacecoop.ttl", ox.RdfFormat.TURTLE, "text/turtle", "Turtle"),
    ("spacecoop.nt", ox.RdfFormat.N_TRIPLES, "application/n-triples", "N-Triples"),
    ("spacecoop.rdf", ox.RdfFormat.RDF_XML, "application/rdf+xml", "RDF/XML"),
)
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def context() -> dict[str, object]:
    """The published JSON-LD ``@context``: our prefixes, so compact IRIs read well."""
    return {"@context": dict(sorted(PREFIXES.items()))}


def _union(store: ox.Store) -> ox.QueryTriples:
    """Ontology + data as one stream of triples: what the single-graph dumps contain."""
    graphs = [ox.NamedNode(str(GRAPH_ONTOLOGY)), ox.NamedNode(str(GRAPH_DATA))]
    return store.query(_UNION, default_graph=graphs)  # type: ignore[return-value]


def _write_jsonld(store: ox.Store, path: Path) -> None:
    """JSON-LD carrying our published context inline, so it parses offline.

    pyoxigraph writes expanded JSON-LD (full IRIs); wrapping its array in
    ``{"@context": …, "@graph": …}`` keeps every key an absolute IRI, so the
    graph is unchanged, while a consumer can compact with the same context.
    """
    expanded = ox.serialize(_union(store), format=ox.RdfFormat.JSON_LD)
    with path.open("wb") as handle:
        handle.write(b'{"@context": ')
        handle.write(json.dumps(context()["@context"]).encode("utf-8"))
        handle.write(b', "@graph": ')
        handle.write(expanded)
        handle.write(b"}\n")


def write_dumps(store: ox.Store, out: Path) -> list[Dump]:
    """Write every dump of ``store`` (with its ``inferred`` graph filled) into ``out``."""
    written: list[Dump] = []

    def record(path: str, media_type: str, title: str, compress: str | None = None) -> None:
        written.append(Dump(path, media_type, title, (out / path).stat().st_size, compress))

    (out / CONTEXT_PATH).write_text(json.dumps(context(), indent=2) + "\n", encoding="utf-8")
    for name, fmt, media_type, title in _SYNTAXES:
        ox.serialize(_union(store), out / name, format=fmt, prefixes=PREFIXES)
        record(name, media_type, f"Whole dataset ({title})")
    _write_jsonld(store, out / "spacecoop.jsonld")
    record("spacecoop.jsonld", "application/ld+json", "Whole dataset (JSON-LD)")
    with (
        (out / "spacecoop.nt").open("rb") as source,
        gzip.open(out / "spacecoop.nt.gz", "wb") as gz,
    ):
        shutil.copyfileobj(source, gz)
    record(
        "spacecoop.nt.gz",
        "application/n-triples",
        "Whole dataset (N-Triples, gzip)",
        "application/gzip",
    )
    store.dump(out / "spacecoop.trig", format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    record(
        "spacecoop.trig", "application/trig", "Whole dataset with one named graph per part (TriG)"
    )
    inferred = ox.NamedNode(str(GRAPH_INFERRED))
    store.dump(
        out / "inferred.ttl", format=ox.RdfFormat.TURTLE, from_graph=inferred, prefixes=PREFIXES
    )
    record("inferred.ttl", "text/turtle", "Triples entailed by the ontology's alignments (Turtle)")
    return written
