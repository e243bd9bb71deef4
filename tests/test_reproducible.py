"""Reproducible builds: two builds of the same sources, in two folders and at two times, are
byte-identical, every file; the VoID date comes from the sources or ``$SOURCE_DATE_EPOCH``."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from checkout import SPACECOOP
from spacecoop.cli import ExitStatus, main
from spacecoop.publish.describe import DATASET_IRI
from spacecoop.publish.reproducible import canonical_quads, graphs_in_order, modified_date
from spacecoop.repository.files import find_sources

RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
BLANK_NODES = """\
@prefix ex: <https://example.org/> .
ex:a ex:p [ ex:q "one" ; ex:r [ ex:q "two" ] ] .
ex:b ex:p ( ex:x ex:y ) .
"""


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def _build(repo_root: Path, out: Path, hash_seed: str) -> None:
    """``spacecoop build`` in a process of its own (its own blank-node labels, its own hashing)."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    env.pop("SOURCE_DATE_EPOCH", None)
    finished = subprocess.run(
        [SPACECOOP, "--quiet", "build", "--root", repo_root, "--out", out],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert finished.returncode == ExitStatus.OK, finished.stderr


def test_two_builds_of_the_same_sources_are_byte_identical(repo_root: Path, tmp_path: Path) -> None:
    _build(repo_root, tmp_path / "first", hash_seed="1")
    time.sleep(1.1)  # a clock that leaks into a file (a gzip header, say) shows up as a difference
    _build(repo_root, tmp_path / "second" / "dist", hash_seed="2")
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second" / "dist")
    assert len(first) > 500  # the whole site: pages, dumps, docs
    assert sorted(first) == sorted(second)
    differing = sorted(name for name in first if first[name] != second[name])
    assert differing == []


def test_canonical_quads_do_not_depend_on_the_labels_a_load_gave_the_blank_nodes() -> None:
    loads = [ox.Store() for _ in range(2)]
    for store in loads:
        store.load(BLANK_NODES.encode(), ox.RdfFormat.TURTLE)
    first, second = (list(store) for store in loads)
    assert {str(q) for q in first} != {str(q) for q in second}  # the premise: fresh labels
    assert [str(q) for q in canonical_quads(first)] == [str(q) for q in canonical_quads(second)]
    assert [str(q) for q in canonical_quads(reversed(first))] == [
        str(q) for q in canonical_quads(first)
    ]


def test_a_stores_graphs_come_in_order_with_one_label_for_a_blank_node_they_share() -> None:
    graphs = [ox.NamedNode(f"https://example.org/graph/{name}") for name in "ab"]
    orders = []
    for _ in range(2):
        store = ox.Store()
        shared = ox.BlankNode()  # a fresh random label each time
        for graph in reversed(graphs):
            store.load(BLANK_NODES.encode(), ox.RdfFormat.TURTLE, to_graph=graph)
            store.add(ox.Quad(ox.NamedNode("https://example.org/c"), RDFS_SEE_ALSO, shared, graph))
        orders.append([str(quad) for quad in graphs_in_order(store, graphs)])
    assert orders[0] == orders[1]
    assert [quad.split()[-1] for quad in orders[0]] == sorted(
        quad.split()[-1] for quad in orders[0]
    )
    labels = {
        graph.value: {term for line in orders[0] if graph.value in line for term in line.split()}
        for graph in graphs
    }
    shared_labels = labels[graphs[0].value] & labels[graphs[1].value]
    see_also = {line.split()[2] for line in orders[0] if str(RDFS_SEE_ALSO) in line}
    # Each load made blank nodes of its own: only the one both graphs were given is shared.
    assert {term for term in shared_labels if term.startswith("_:")} == see_also
    assert len(see_also) == 1


def test_the_gzip_dump_records_no_time_and_no_file_name(site: Path) -> None:
    header = (site / "spacecoop.nt.gz").read_bytes()[:10]
    assert header[4:8] == b"\0\0\0\0"  # MTIME: none
    assert header[3] & 0x08 == 0  # FLG.FNAME: no original file name
    assert (
        gzip.decompress((site / "spacecoop.nt.gz").read_bytes())
        == (site / "spacecoop.nt").read_bytes()
    )


def _modified(out: Path) -> Literal | None:
    void = Graph().parse(out / "void.ttl", format="turtle")
    value = void.value(URIRef(DATASET_IRI), DCTERMS.modified)
    return value if isinstance(value, Literal) else None


def test_void_modified_is_source_date_epoch_when_set(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    out = tmp_path / "dist"
    assert main(["--quiet", "build", "--root", str(repo_root), "--out", str(out)]) == ExitStatus.OK
    assert _modified(out) == Literal("2023-11-14", datatype=XSD.date)


def test_void_modified_is_the_day_the_newest_source_changed(
    make_repo: Any, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    ontology = (repo_root / "ontology" / "spacecoop.ttl").read_text(encoding="utf-8")
    root = make_repo({"ontology/spacecoop.ttl": ontology, "data/a.ttl": "", "data/b.ttl": ""})
    days = {
        "ontology/spacecoop.ttl": "2021-03-04",
        "data/a.ttl": "2024-02-29",
        "data/b.ttl": "2022-01-01",
    }
    for relative, day in days.items():
        moment = dt.datetime.fromisoformat(day + "T12:00:00+00:00").timestamp()
        os.utime(root / relative, (moment, moment))
    assert modified_date(find_sources(root).all) == dt.date(2024, 2, 29)
    out = tmp_path / "dist"
    assert main(["--quiet", "build", "--root", str(root), "--out", str(out)]) == ExitStatus.OK
    assert _modified(out) == Literal("2024-02-29", datatype=XSD.date)


def test_a_malformed_source_date_epoch_is_refused_with_one_line(
    repo_root: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    out = tmp_path / "dist"
    assert main(["build", "--root", str(repo_root), "--out", str(out)]) == ExitStatus.USAGE
    assert capsys.readouterr().err == (
        "error: $SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not 'yesterday'\n"
    )
    assert not out.exists()
