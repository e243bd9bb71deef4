"""Resource pages written from the store: the same site on either plan, from one process
or from forked workers; a failing worker fails the build; relative links as posixpath's; each
resource's RDF files hold its concise bounded description."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import posixpath
import re
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT
from rdflib.term import Node

from built_site import FIRST_SYMPOSIUM, STRATEGIC_MEMORANDUM
from spacecoop.namespaces import ID
from spacecoop.publish import html, pages
from spacecoop.publish.build import PublishError, build
from spacecoop.publish.paths import SITE_BASE, relative
from spacecoop.repository import store
from spacecoop.repository.load import load

TODAY = dt.date(2026, 1, 1)
RDF_SYNTAXES = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".jsonld": "json-ld", ".trig": "trig"}


def _files(site: Path) -> dict[str, Path]:
    return {str(p.relative_to(site)): p for p in sorted(site.rglob("*")) if p.is_file()}


def _assert_same_site(left: Path, right: Path) -> None:
    """Same files; RDF files hold the same graphs (blank-node labels may differ), others
    are byte for byte the same."""
    ours, theirs = _files(left), _files(right)
    assert ours.keys() == theirs.keys()
    assert len(ours) > 100
    for name, path in ours.items():
        syntax = "turtle" if name == ".well-known/void" else RDF_SYNTAXES.get(path.suffix)
        syntax = "nt" if name.endswith(".nt.gz") else syntax
        if syntax == "trig":
            continue  # named graphs: compared graph by graph in test_publish
        if syntax is not None:
            assert isomorphic(_parse(path, syntax), _parse(theirs[name], syntax)), name
        else:
            assert _sizes_masked(path) == _sizes_masked(theirs[name]), name


def _parse(path: Path, syntax: str) -> Graph:
    if path.suffix == ".gz":
        graph = Graph().parse(data=gzip.decompress(path.read_bytes()), format=syntax)
    else:
        graph = Graph().parse(path, format=syntax)
    # Dumps differ in size by the length of their blank-node labels, which rdflib
    # and pyoxigraph choose differently.
    graph.remove((None, DCAT.byteSize, None))
    return graph


def _sizes_masked(path: Path) -> bytes:
    """The file, with the home page's dump sizes masked (see :func:`_parse`)."""
    return re.sub(rb"[0-9]+ bytes<", b"N bytes<", path.read_bytes())


@pytest.fixture(scope="module")
def in_one_process(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    out = tmp_path_factory.mktemp("one") / "dist"
    build(load(repo_root, plan="reference"), out, today=TODAY)
    return out


def _fork_for_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``write_pages`` use two forked workers even for this repository's few pages."""
    monkeypatch.setattr(pages, "_PAGES_PER_WORKER", 1)
    monkeypatch.setattr(pages, "_CHUNK", 7)
    monkeypatch.setattr(pages, "usable_cores", lambda: 2)


def test_the_fast_and_the_reference_plan_publish_the_same_site(
    in_one_process: Path, repo_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    build(load(repo_root, plan="fast"), out, today=TODAY)
    _assert_same_site(out, in_one_process)


def test_forked_workers_write_the_same_site_as_one_process(
    in_one_process: Path, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fork_for_every_page(monkeypatch)
    forked: list[int] = []
    real = pages._forked

    def counting(*args: Any) -> Any:
        forked.append(args[2])
        return real(*args)

    monkeypatch.setattr(pages, "_forked", counting)
    out = tmp_path / "dist"
    result = build(load(repo_root, plan="reference"), out, today=TODAY)
    assert forked == [2]
    assert result.pages == len(list(in_one_process.joinpath("id").rglob("*.html")))
    _assert_same_site(out, in_one_process)


def test_description_follows_blank_nodes_and_is_sorted() -> None:
    quads = store.ox.Store()
    graph = store.ox.NamedNode("https://example.org/graph")
    thing, other = (store.ox.NamedNode(f"https://w3id.org/spacecoop/id/x/{n}") for n in "ab")
    first, second = store.ox.BlankNode("first"), store.ox.BlankNode("second")
    value = store.ox.NamedNode("https://example.org/value")
    stated = [
        (thing, value, first),
        (first, value, second),
        (second, value, store.ox.Literal("deep")),
        (second, value, first),  # a cycle is followed once
        (thing, value, other),
        (other, value, store.ox.Literal("not part of a's description")),
    ]
    quads.extend(store.ox.Quad(s, p, o, graph) for s, p, o in stated)
    described = pages.description(quads, graph, thing.value)
    assert described == sorted(described, key=str)
    assert {(t.subject, t.predicate, t.object) for t in described} == set(stated[:5])
    assert pages.published_resources(quads, graph) == [URIRef(thing.value), URIRef(other.value)]


_FOLDER = st.sampled_from(["id", "event", "a", "b", "..", ".", ""])
_FILE = st.sampled_from(["def.html", "x.html", "a.html"])


@given(
    target=st.tuples(st.lists(_FOLDER, max_size=3), _FILE).map(lambda t: "/".join([*t[0], t[1]])),
    here=st.lists(_FOLDER, max_size=4).map("/".join),
)
def test_relative_links_are_posixpaths_relpath(target: str, here: str) -> None:
    assert relative(target, here) == posixpath.relpath(target, here or ".")


def test_a_validated_store_is_published_with_the_entailments_validation_computed(
    in_one_process: Path, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spacecoop.reasoning import sparql_rules
    from spacecoop.validation import run

    repository = load(repo_root, plan="fast")
    assert not run.validate(repository).fails()

    def again(*_: object) -> int:
        raise AssertionError("the validated store already holds its entailments")

    monkeypatch.setattr(sparql_rules, "materialise", again)
    out = tmp_path / "dist"
    build(repository, out, today=TODAY)
    inferred = _parse(out / "inferred.ttl", "turtle")
    assert len(inferred) > 100
    assert isomorphic(inferred, _parse(in_one_process / "inferred.ttl", "turtle"))


def _raise_in_worker() -> None:
    raise RuntimeError("disk on fire")


def _die_in_worker() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer does


@pytest.mark.parametrize(
    ("mishap", "error", "message"),
    [(_raise_in_worker, RuntimeError, "disk on fire"), (_die_in_worker, PublishError, "died")],
    ids=["raises", "dies"],
)
def test_a_failing_worker_fails_the_build_and_keeps_the_previous_site(
    in_one_process: Path,
    repo_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mishap: Any,
    error: type[Exception],
    message: str,
) -> None:
    """A worker that raises, or dies without a word, fails the build promptly (no hang)."""
    _fork_for_every_page(monkeypatch)
    out = tmp_path / "dist"
    shutil.copytree(in_one_process, out)
    before = {name: path.read_bytes() for name, path in _files(out).items()}
    real = html.resource_page

    def failing(graph: Any, iri: Any, *rest: Any) -> str:
        if str(iri).endswith("/china"):
            mishap()
        return real(graph, iri, *rest)

    monkeypatch.setattr(html, "resource_page", failing)  # inherited by the forked workers
    repository = load(repo_root, plan="reference")
    with pytest.raises(error, match=message):
        build(repository, out, today=TODAY)
    assert {name: path.read_bytes() for name, path in _files(out).items()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def _cbd(graph: Graph, node: Node) -> Graph:
    """Concise bounded description: ``node``'s triples, following blank-node objects."""
    out = Graph()
    todo, seen = [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for triple in graph.triples((current, None, None)):
            out.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    return out


def test_resource_turtle_is_its_concise_bounded_description(site: Path, data_graph: Graph) -> None:
    things = sorted({s for s in data_graph.subjects() if str(s).startswith(str(ID))})
    for thing in things:
        stem = site / str(thing)[len(SITE_BASE) :]
        parsed = Graph().parse(stem.with_name(stem.name + ".ttl"), format="turtle")
        assert isomorphic(parsed, _cbd(data_graph, thing)), thing


@pytest.mark.parametrize(
    "thing",
    [
        FIRST_SYMPOSIUM,
        STRATEGIC_MEMORANDUM,
        ID["country/china"],
        ID["source/wenchang-news-article/p1"],
    ],
)
def test_resource_rdf_files_parse_to_the_same_graph(site: Path, thing: URIRef) -> None:
    stem = site / str(thing)[len(SITE_BASE) :]
    turtle = Graph().parse(stem.with_name(stem.name + ".ttl"), format="turtle")
    assert len(turtle) > 2
    for extension, fmt in (("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")):
        parsed = Graph().parse(stem.with_name(f"{stem.name}.{extension}"), format=fmt)
        assert isomorphic(parsed, turtle), extension
