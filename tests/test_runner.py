"""The one query runner (queries/runner.py): one way to bind, and what each target gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from spacecoop.queries.catalogue import QueryError, catalogue
from spacecoop.queries.runner import Endpoint, bound, run
from spacecoop.reasoning import reasoner
from spacecoop.repository.load import Repository, load

CATALOGUE = catalogue(Path(__file__).resolve().parent.parent)


def test_defaults_are_bound_as_typed_terms_in_a_values_block() -> None:
    query = bound(CATALOGUE["events-in-year"])
    assert query.bindings == {"_year_xsd_gYear": Literal("2018", datatype=XSD.gYear)}
    values = '  VALUES (?_year_xsd_gYear) { ("2018"^^<http://www.w3.org/2001/XMLSchema#gYear>) }'
    assert values in query.text.splitlines()


def test_a_given_value_wins_over_the_default() -> None:
    query = bound(CATALOGUE["events-in-year"], {"year": "2019"})
    assert query.bindings == {"_year_xsd_gYear": Literal("2019", datatype=XSD.gYear)}


def test_an_unknown_or_ill_typed_parameter_names_the_query_and_the_parameter() -> None:
    with pytest.raises(QueryError, match=r"events-in-year: unknown parameter 'month'"):
        bound(CATALOGUE["events-in-year"], {"month": "5"})
    with pytest.raises(QueryError, match=r"events-in-year: .*'year'"):
        bound(CATALOGUE["events-in-year"], {"year": "twenty"})


def test_infer_is_refused_for_an_endpoint_before_any_request() -> None:
    unreachable = Endpoint("http://127.0.0.1:9/sparql", timeout=0.1)
    with pytest.raises(QueryError, match="--infer"):
        run(CATALOGUE["topics"], {}, unreachable, infer=True)


@pytest.mark.parametrize("plan", ["reference", "fast"])
def test_infer_adds_the_inferred_graph_computed_once(
    repo_root: Path, plan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = load(repo_root, plan=plan)
    asserted = run(CATALOGUE["dataset-statistics"], {}, repository)
    calls: list[Repository] = []
    real = reasoner.REASONERS[repository.plan]

    class Counting:
        def reason(self, target: Repository) -> reasoner.Reasoning:
            calls.append(target)
            return real.reason(target)

    monkeypatch.setitem(reasoner.REASONERS, repository.plan, Counting())
    first = run(CATALOGUE["dataset-statistics"], {}, repository, infer=True)
    again = run(CATALOGUE["dataset-statistics"], {}, repository, infer=True)
    assert calls == [repository]  # reasoned once, for both runs
    assert first.rows == again.rows != asserted.rows


def test_the_reference_plan_merges_its_query_graph_once(repo_root: Path) -> None:
    repository = load(repo_root, plan="reference")
    run(CATALOGUE["topics"], {}, repository)
    merged = dict(repository.memo)
    run(CATALOGUE["events-timeline"], {}, repository)
    assert repository.memo == merged and merged  # the same merged graph, not a new copy
