"""The dumps in ``dist/``: each re-parses to the source graph, one named graph per part in TriG,
the published JSON-LD context, the entailed graph, and the store left as it was."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD
from rdflib.term import Node

from built_site import DUMPS
from rdf_stores import store_of
from spacecoop.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_SHAPES, SCO
from spacecoop.publish import dumps
from spacecoop.publish.dumps import context
from spacecoop.reasoning import sparql_rules
from spacecoop.repository import store as fast_store


def _ox_term(term: Any) -> Node:
    """A pyoxigraph term as the rdflib term it denotes."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal), term
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype == ox.NamedNode(str(XSD.string)):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _ox_quads(path: Path, fmt: ox.RdfFormat) -> list[Any]:
    return list(ox.parse(path=path, format=fmt))


def _ox_graph(quads: list[Any]) -> Graph:
    graph = Graph()
    for quad in quads:
        graph.add((_ox_term(quad.subject), _ox_term(quad.predicate), _ox_term(quad.object)))
    return graph


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_dump_reparses_with_rdflib_to_the_source_graph(
    site: Path, source: Graph, name: str
) -> None:
    parsed = Graph().parse(site / name, format=DUMPS[name][0])
    assert len(parsed) == len(source)
    assert isomorphic(parsed, source)


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_dump_reparses_with_pyoxigraph_to_the_source_graph(
    site: Path, source: Graph, name: str
) -> None:
    quads = _ox_quads(site / name, DUMPS[name][1])
    assert all(q.graph_name == ox.DefaultGraph() for q in quads)
    parsed = _ox_graph(quads)
    assert len(parsed) == len(source)
    assert isomorphic(parsed, source)


def test_gzipped_dump_is_the_ntriples_dump(site: Path) -> None:
    with gzip.open(site / "spacecoop.nt.gz", "rb") as handle:
        assert handle.read() == (site / "spacecoop.nt").read_bytes()


def _store_with_a_triple_in_two_parts() -> ox.Store:
    """A store whose ontology and data graphs share one triple (a union holds it once)."""
    quads = ox.Store()
    shared = ox.Triple(
        ox.NamedNode(str(SCO) + "Event"), ox.NamedNode(str(RDFS.label)), ox.Literal("x")
    )
    for graph in (GRAPH_ONTOLOGY, GRAPH_DATA):
        quads.add(ox.Quad(*shared, ox.NamedNode(str(graph))))
    quads.add(
        ox.Quad(
            ox.NamedNode("https://example.org/a"), *list(shared)[1:], ox.NamedNode(str(GRAPH_DATA))
        )
    )
    return quads


def test_single_graph_dumps_hold_the_union_once_and_leave_the_store_as_it_was(
    tmp_path: Path,
) -> None:
    quads = _store_with_a_triple_in_two_parts()
    before = set(quads)
    dumps.write_dumps(quads, tmp_path)
    assert set(quads) == before  # the ontology copied into the data graph is gone again
    lines = (tmp_path / "spacecoop.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    for name, fmt in (
        ("spacecoop.ttl", "turtle"),
        ("spacecoop.rdf", "xml"),
        ("spacecoop.jsonld", "json-ld"),
    ):
        assert len(Graph().parse(tmp_path / name, format=fmt)) == 2, name


def test_a_failed_dump_still_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quads = _store_with_a_triple_in_two_parts()
    before = set(quads)

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dumps, "_write_single_graph", disk_full)
    with pytest.raises(OSError, match="No space"):
        dumps.write_dumps(quads, tmp_path)
    assert set(quads) == before


def _entailed(dataset: Dataset) -> Graph:
    """What the build's entailment step adds (``reasoning.reason``), as the SPARQL rules
    compute it (the two reasoners agree: tested elsewhere)."""
    quads = store_of(dataset)
    sparql_rules.materialise(quads)
    return fast_store.to_rdflib_graph(quads, GRAPH_INFERRED)


def test_trig_dump_has_one_named_graph_per_part(site: Path, dataset: Dataset) -> None:
    inferred = _entailed(dataset)
    expected = {
        GRAPH_ONTOLOGY: dataset.graph(GRAPH_ONTOLOGY),
        GRAPH_DATA: dataset.graph(GRAPH_DATA),
        GRAPH_SHAPES: dataset.graph(GRAPH_SHAPES),
        GRAPH_INFERRED: inferred,
    }
    # rdflib
    trig = Dataset()
    trig.parse(site / "spacecoop.trig", format="trig")
    named = {g.identifier: g for g in trig.graphs() if len(g)}
    assert set(named) == set(expected)
    for iri, graph in expected.items():
        assert len(named[iri]) == len(graph), iri
    assert isomorphic(Graph() + named[GRAPH_DATA], Graph() + expected[GRAPH_DATA])
    assert isomorphic(Graph() + named[GRAPH_ONTOLOGY], Graph() + expected[GRAPH_ONTOLOGY])
    # pyoxigraph
    counts = Counter(q.graph_name for q in _ox_quads(site / "spacecoop.trig", ox.RdfFormat.TRIG))
    assert counts == {ox.NamedNode(str(iri)): len(graph) for iri, graph in expected.items()}


def test_jsonld_dumps_use_the_published_context(site: Path) -> None:
    published = json.loads((site / "context.jsonld").read_text(encoding="utf-8"))
    assert published == context()
    assert published["@context"]["sco"] == str(SCO)
    for name in ("spacecoop.jsonld", "def.jsonld", "id/country/china.jsonld"):
        document = json.loads((site / name).read_text(encoding="utf-8"))
        assert document["@context"] == published["@context"], name
    # Per-resource files are compacted with it; the whole-dataset dump, written by
    # pyoxigraph for speed, keeps absolute IRIs under the same context.
    assert '"sco:' in (site / "id/country/china.jsonld").read_text(encoding="utf-8")
    dump = json.loads((site / "spacecoop.jsonld").read_text(encoding="utf-8"))
    assert isinstance(dump["@graph"], list) and len(dump["@graph"]) > 100


def test_inferred_dump_is_the_entailed_graph(site: Path, dataset: Dataset) -> None:
    expected = _entailed(dataset)
    parsed = Graph().parse(site / "inferred.ttl", format="turtle")
    assert len(expected) > 100
    assert len(parsed) == len(expected)
    assert isomorphic(parsed, expected)
