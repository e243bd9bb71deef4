"""Both plans give the same answers: reports, inferred graphs, query rows and published sites.

The reference plan (rdflib, pySHACL, owlrl) is what the fast plan (SPARQL on pyoxigraph)
is held to, on the repository itself and on small repositories with one mistake each.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from spacecoop.namespaces import GRAPH_INFERRED
from spacecoop.publish.build import build
from spacecoop.queries.catalogue import catalogue
from spacecoop.queries.runner import run
from spacecoop.reasoning.reasoner import OwlrlReasoner, SparqlRulesReasoner, reason
from spacecoop.repository.load import FAST_PATH_BYTES, Plan, PlanError, load
from spacecoop.validation.run import CONSISTENCY_CHECK, validate

DISJOINT = """@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/spacecoop/def> a owl:Ontology .
sco:Event a owl:Class ; rdfs:label "event"@en ; owl:disjointWith sco:Party .
sco:Symposium a owl:Class ; rdfs:label "symposium"@en ; rdfs:subClassOf sco:Event .
sco:Party a owl:Class ; rdfs:label "party"@en .
"""
INCONSISTENT = """@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix id: <https://w3id.org/spacecoop/id/> .
id:thing a sco:Symposium , sco:Party .
"""
"""A symposium, hence an event, that is also a party: a clash only through the subclass."""


def _inferred(repository_root: Path, plan: Plan) -> set:
    repository = load(repository_root, plan=plan)
    reason(repository)
    return set(repository.graph(GRAPH_INFERRED))


def test_auto_takes_the_fast_plan_above_the_threshold_only() -> None:
    assert Plan.choose(FAST_PATH_BYTES) is Plan.REFERENCE
    assert Plan.choose(FAST_PATH_BYTES + 1) is Plan.FAST
    assert Plan.choose(0, "fast") is Plan.FAST
    assert Plan.choose(10**9, "reference") is Plan.REFERENCE


def test_the_override_wins_and_a_wrong_one_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPACECOOP_PLAN", "fast")
    assert Plan.choose(0) is Plan.FAST
    monkeypatch.setenv("SPACECOOP_PLAN", "quick")
    with pytest.raises(PlanError, match=r"\$SPACECOOP_PLAN 'quick'.*auto, reference, fast"):
        Plan.choose(0)


def test_both_reasoners_infer_the_same_triples_from_the_repository(repo_root: Path) -> None:
    reference = _inferred(repo_root, Plan.REFERENCE)
    assert reference  # the alignments entail something
    assert _inferred(repo_root, Plan.FAST) == reference


def test_both_reasoners_find_the_same_inconsistent_individual(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"ontology/spacecoop.ttl": DISJOINT, "data/bad.ttl": INCONSISTENT})
    found = {}
    for reasoner in (OwlrlReasoner(), SparqlRulesReasoner()):
        reasoning = reasoner.reason(load(root))
        found[type(reasoner).__name__] = {str(i.node) for i in reasoning.inconsistencies}
    assert found["OwlrlReasoner"] == found["SparqlRulesReasoner"]
    assert "https://w3id.org/spacecoop/id/thing" in found["OwlrlReasoner"]


def test_both_plans_give_the_same_report_on_the_repository(repo_root: Path) -> None:
    assert validate(load(repo_root, plan="fast")) == validate(load(repo_root, plan="reference"))


def test_both_plans_report_the_inconsistency(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"ontology/spacecoop.ttl": DISJOINT, "data/bad.ttl": INCONSISTENT})
    for plan in Plan:
        report = validate(load(root, plan=plan))
        clashes = [r for r in report.results if r.check == CONSISTENCY_CHECK]
        assert [r.focus_node for r in clashes] == ["https://w3id.org/spacecoop/id/thing"], plan


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_saved_query_gives_the_same_rows_on_both_plans(repo_root: Path, name: str) -> None:
    saved = catalogue(repo_root)[name]
    if saved.services:
        pytest.skip("calls a remote SERVICE (tests/test_catalogue.py runs it against a fake)")
    reference = run(saved, {}, load(repo_root, plan="reference"))
    fast = run(saved, {}, load(repo_root, plan="fast"))
    assert reference.comparable() == fast.comparable()


def test_both_plans_publish_byte_identical_sites(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764806400")
    sites = {
        plan: build(load(repo_root, plan=plan), tmp_path / plan.value).out for plan in Plan
    }
    comparison = filecmp.dircmp(sites[Plan.REFERENCE], sites[Plan.FAST])
    assert _differences(comparison) == []


def _differences(comparison: filecmp.dircmp) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files]
    mismatch = filecmp.cmpfiles(
        comparison.left, comparison.right, comparison.common_files, shallow=False
    )[1]
    found += mismatch
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found
