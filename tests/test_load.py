"""The repository read once (repository/load.py): the store, its rdflib copies, the plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import spacecoop.repository.load as loading
from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES
from spacecoop.repository.files import LoadError, find_sources, parse_file
from spacecoop.repository.load import (
    FAST_PATH_BYTES,
    Plan,
    PlanError,
    load,
    load_data,
    load_graph_as_data,
)


def test_the_rdflib_copy_holds_what_rdflib_itself_parses(repo_root: Path) -> None:
    """The store is the one parse; its copies must hold exactly what rdflib would read."""
    repository = load(repo_root)
    files = find_sources(repo_root)
    for graph_iri, paths in (
        (GRAPH_ONTOLOGY, files.ontology),
        (GRAPH_SHAPES, files.shapes),
        (GRAPH_DATA, files.data),
    ):
        parsed = Graph()
        for path in paths:
            parse_file(path, parsed, strict=True)
        copy = repository.dataset().graph(graph_iri)
        assert len(copy) == len(parsed) > 0
        assert isomorphic(copy, parsed)
        assert repository.graph(graph_iri) is repository.graph(graph_iri)  # copied once


def test_a_broken_file_is_located(make_repo, ontology_ttl: str) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(
        {
            "ontology/spacecoop.ttl": ontology_ttl,
            "data/x.ttl": "@prefix ex: <http://example.org/> .\n\nex:a ex:b .\n",
        }
    )
    with pytest.raises(LoadError) as caught:
        load(root)
    assert caught.value.path.name == "x.ttl" and caught.value.line == 3


def test_auto_takes_the_fast_plan_above_the_threshold_only() -> None:
    assert Plan.choose(FAST_PATH_BYTES) is Plan.REFERENCE
    assert Plan.choose(FAST_PATH_BYTES + 1) is Plan.FAST
    assert Plan.choose(0, "fast") is Plan.FAST
    assert Plan.choose(10**9, "reference") is Plan.REFERENCE
    assert Plan.choose(10**9, Plan.REFERENCE) is Plan.REFERENCE


def test_the_plan_is_chosen_by_the_size_of_the_data_files(
    make_repo, ontology_ttl: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(
        {"ontology/spacecoop.ttl": ontology_ttl, "data/x.ttl": "# " + "x" * 1000 + "\n"}
    )
    monkeypatch.setattr(loading, "FAST_PATH_BYTES", 2000)
    assert load(root).plan is Plan.REFERENCE
    monkeypatch.setattr(loading, "FAST_PATH_BYTES", 500)
    assert load(root).plan is Plan.FAST


def test_the_override_wins_and_a_wrong_one_is_named(
    make_repo, ontology_ttl: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl})
    monkeypatch.setenv("SPACECOOP_PLAN", "fast")
    assert load(root).plan is Plan.FAST
    assert load(root, plan="reference").plan is Plan.REFERENCE  # an explicit plan wins
    monkeypatch.setenv("SPACECOOP_PLAN", "quick")
    with pytest.raises(PlanError, match=r"\$SPACECOOP_PLAN 'quick'.*auto, reference, fast"):
        load(root)
    with pytest.raises(PlanError, match=r"plan 'slow'"):
        load(root, plan="slow")


def test_foreign_files_are_data_against_our_schema(repo_root: Path, fixtures_dir: Path) -> None:
    repository = load_data([fixtures_dir / "valid_minimal.ttl"], schema=repo_root)
    assert not repository.whole
    assert repository.files.data == (fixtures_dir / "valid_minimal.ttl",)
    assert len(repository.graph(GRAPH_DATA)) == len(
        parse_file(fixtures_dir / "valid_minimal.ttl", Graph())
    )
    assert len(repository.graph(GRAPH_SHAPES)) == len(load(repo_root).graph(GRAPH_SHAPES))


def test_triples_without_files_become_the_data_graph(repo_root: Path, fixtures_dir: Path) -> None:
    triples = parse_file(fixtures_dir / "valid_minimal.ttl", Graph())
    repository = load_graph_as_data(triples, schema=repo_root)
    assert isomorphic(repository.graph(GRAPH_DATA), triples)
    assert repository.files.data == () and not repository.whole


def test_every_plan_has_a_reasoner_and_a_shacl_engine() -> None:
    from spacecoop.reasoning.reasoner import REASONERS
    from spacecoop.validation.shacl_engines import SHACL_ENGINES

    assert set(REASONERS) == set(Plan) == set(SHACL_ENGINES)
