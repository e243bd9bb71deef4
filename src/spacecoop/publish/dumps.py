"""Downloadable dumps of the whole dataset, in every common RDF syntax, written by pyoxigraph.

pyoxigraph serialises a million triples in seconds where rdflib takes minutes,
so every dump goes through it, whatever the size. The TriG dump keeps one
named graph per part; the others hold the union of ontology and data, the
part a consumer queries. Each is written from the quads in canonical order
(:func:`reproducible.graphs_in_order`), so two builds of the same sources
write the same bytes. The tests re-parse each dump with rdflib and pyoxigraph.
"""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import GRAPH_INFERRED, PREFIXES
from ..repository.store import ontology_merged_into_data
from ..runtime.parallel import run_all
from .reproducible import graphs_in_order


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
    ("spacecoop.jsonld", ox.RdfFormat.JSON_LD, "application/ld+json", "JSON-LD"),
)
_GZIP_LEVEL = 6  # gzip's own default: level 9 takes four times as long for ~1 % less
_CHUNK = 1 << 20


def context() -> dict[str, object]:
    """The published JSON-LD ``@context``: our prefixes, so compact IRIs read well."""
    return {"@context": dict(sorted(PREFIXES.items()))}


def _write_jsonld(triples: list[ox.Triple], path: Path) -> None:
    """JSON-LD carrying our published context inline, so it parses offline.

    pyoxigraph writes expanded JSON-LD (full IRIs); wrapping its array in
    ``{"@context": …, "@graph": …}`` keeps every key an absolute IRI, so the
    graph is unchanged, while a consumer can compact with the same context.
    """
    with path.open("wb") as handle:
        handle.write(b'{"@context": ')
        handle.write(json.dumps(context()["@context"]).encode("utf-8"))
        handle.write(b', "@graph": ')
        ox.serialize(triples, handle, ox.RdfFormat.JSON_LD)
        handle.write(b"}\n")


def _gzip(source: Path, target: Path) -> None:
    """Compress ``source`` into ``target`` (zlib releases the GIL, so this runs beside dumps).

    The gzip header records no time and no file name, so it is the same at every build.
    """
    with (
        source.open("rb") as raw,
        target.open("wb") as file,
        gzip.GzipFile(
            filename="", mode="wb", compresslevel=_GZIP_LEVEL, fileobj=file, mtime=0
        ) as packed,
    ):
        shutil.copyfileobj(raw, packed, _CHUNK)


def _write_single_graph(triples: list[ox.Triple], name: str, fmt: ox.RdfFormat, out: Path) -> None:
    if fmt == ox.RdfFormat.JSON_LD:
        _write_jsonld(triples, out / name)
        return
    prefixes = None if fmt == ox.RdfFormat.N_TRIPLES else PREFIXES
    ox.serialize(triples, out / name, fmt, prefixes=prefixes)
    if fmt == ox.RdfFormat.N_TRIPLES:
        _gzip(out / name, out / f"{name}.gz")


def _graph(store: ox.Store, graph: ox.NamedNode) -> list[ox.Triple]:
    """The triples of ``graph``, in canonical order."""
    return [quad.triple for quad in graphs_in_order(store, [graph])]


def write_dumps(store: ox.Store, out: Path) -> list[Dump]:
    """Write every dump of ``store`` (with its ``inferred`` graph filled) into ``out``.

    Each graph is read in canonical order (:func:`reproducible.graphs_in_order`),
    one at a time: serialising a graph takes a fraction of the time sorting it
    does, in Python, so little would be gained by holding several at once. The
    union is read while the data graph also holds the ontology's triples
    (:func:`store.ontology_merged_into_data`), faster than a CONSTRUCT of it.
    """
    (out / CONTEXT_PATH).write_text(json.dumps(context(), indent=2) + "\n", encoding="utf-8")
    # First, while every graph holds only its own part.
    every_graph = graphs_in_order(store, sorted(store.named_graphs(), key=str))
    ox.serialize(every_graph, out / "spacecoop.trig", ox.RdfFormat.TRIG, prefixes=PREFIXES)
    inferred = _graph(store, ox.NamedNode(str(GRAPH_INFERRED)))
    ox.serialize(inferred, out / "inferred.ttl", ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    del inferred
    with ontology_merged_into_data(store) as union:
        published = _graph(store, union)
    run_all(  # the gzip (zlib lets go of the GIL) beside the other syntaxes
        [
            lambda name=name, fmt=fmt: _write_single_graph(published, name, fmt, out)
            for name, fmt, *_ in _SYNTAXES
        ]
    )

    def record(path: str, media_type: str, title: str, compress: str | None = None) -> Dump:
        return Dump(path, media_type, title, (out / path).stat().st_size, compress)

    written = [
        record(name, media, f"Whole dataset ({title})") for name, _, media, title in _SYNTAXES
    ]
    return [
        *written,
        record(
            "spacecoop.nt.gz",
            "application/n-triples",
            "Whole dataset (N-Triples, gzip)",
            "application/gzip",
        ),
        record(
            "spacecoop.trig",
            "application/trig",
            "Whole dataset with one named graph per part (TriG)",
        ),
        record(
            "inferred.ttl", "text/turtle", "Triples entailed by the ontology's alignments (Turtle)"
        ),
    ]
