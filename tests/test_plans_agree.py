"""Both plans give the same answers: reports, inferred graphs, query rows and published sites.

The reference plan (rdflib, pySHACL, owlrl) is what the fast plan (SPARQL on pyoxigraph)
is held to, on the repository itself and on small repositories with one mistake each,
and the fast plan fails as clearly.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from source_lines import line_of
from spacecoop.namespaces import GRAPH_DATA, GRAPH_INFERRED, ID
from spacecoop.publish.build import build
from spacecoop.queries.catalogue import QueryError, catalogue
from spacecoop.queries.results import QueryKind
from spacecoop.queries.runner import run
from spacecoop.reasoning import owlrl_engine
from spacecoop.reasoning.reasoner import OwlrlReasoner, SparqlRulesReasoner, reason
from spacecoop.repository.files import LoadError
from spacecoop.repository.load import Plan, Repository, load
from spacecoop.validation import run as validation
from spacecoop.validation.run import CONSISTENCY_CHECK, validate

CATALOGUE = catalogue(Path(__file__).resolve().parent.parent)
LOCAL = sorted(name for name, q in CATALOGUE.items() if not q.services)


def test_both_reasoners_infer_the_same_triples_from_the_repository(repo_root: Path) -> None:
    inferred = {}
    for plan in Plan:
        repository = load(repo_root, plan=plan)
        assert reason(repository).inferred > 100
        inferred[plan] = set(repository.graph(GRAPH_INFERRED))
    assert inferred[Plan.FAST] == inferred[Plan.REFERENCE]


CLASH_ONTOLOGY = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
<http://example.org/onto> a owl:Ontology .
ex:Cat a owl:Class . ex:Dog a owl:Class ; owl:disjointWith ex:Cat .
ex:Kitten a owl:Class ; rdfs:subClassOf ex:Cat .
ex:parentOf a owl:ObjectProperty, owl:IrreflexiveProperty, owl:AsymmetricProperty .
"""

CLASHES = {
    "disjoint classes, through a subclass": "ex:a a ex:Kitten, ex:Dog .",
    "same and different": "ex:a owl:sameAs ex:b . ex:a owl:differentFrom ex:b .",
    "owl:Nothing": "ex:a a owl:Nothing .",
    "irreflexive": "ex:a ex:parentOf ex:a .",
    "asymmetric": "ex:a ex:parentOf ex:b . ex:b ex:parentOf ex:a .",
    "consistent": "ex:a a ex:Kitten . ex:b a ex:Dog . ex:a ex:parentOf ex:b .",
}


@pytest.mark.parametrize("case", sorted(CLASHES))
def test_both_reasoners_find_an_inconsistency_about_the_same_nodes(make_repo, case: str) -> None:  # type: ignore[no-untyped-def]
    prefixes = (
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix ex: <http://example.org/> .\n"
    )
    root = make_repo(
        {"ontology/spacecoop.ttl": CLASH_ONTOLOGY, "data/d.ttl": prefixes + CLASHES[case]}
    )
    slow = OwlrlReasoner().reason(load(root)).inconsistencies
    fast = SparqlRulesReasoner().reason(load(root)).inconsistencies
    assert bool(fast) == bool(slow) == (case != "consistent")
    assert {i.node for i in fast} <= {i.node for i in slow} | {None}
    assert {i.node for i in slow} <= {i.node for i in fast}


def test_both_plans_give_the_same_report_on_the_repository(repo_root: Path) -> None:
    assert validate(load(repo_root, plan="fast")) == validate(load(repo_root, plan="reference"))


@pytest.mark.parametrize("name", LOCAL)
def test_every_saved_query_answers_the_same_on_both_plans(
    repository: Repository, fast_repository: Repository, name: str
) -> None:
    saved = CATALOGUE[name]
    slow = run(saved, {}, repository)
    fast = run(saved, {}, fast_repository)
    if saved.kind.returns_graph:
        assert isomorphic(slow.graph, fast.graph)
    elif saved.kind is QueryKind.ASK:
        assert slow.boolean is fast.boolean
    else:
        assert fast.variables == slow.variables
        ordered = "ORDER BY" in saved.body.upper()
        if ordered:
            assert fast.rows == slow.rows
        else:
            assert sorted(fast.rows, key=repr) == sorted(slow.rows, key=repr)
        assert slow.rows, "a query that returns nothing compares nothing"


def test_parameters_are_bound_on_the_fast_plan_too(fast_repository: Repository) -> None:
    saved = CATALOGUE["memoranda-signed-by-party"]
    country = "https://w3id.org/spacecoop/id/country/"
    russia = run(saved, {"party": country + "russia"}, fast_repository)
    japan = run(saved, {"party": country + "japan"}, fast_repository)
    assert len(russia.rows) == 1 and japan.rows == ()
    with pytest.raises(QueryError):
        run(saved, {"party": "http://x> } ; DROP ALL ; #"}, fast_repository)


def test_the_fast_plan_checks_consistency_by_the_sparql_clash_rules(  # type: ignore[no-untyped-def]
    make_repo, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ontology = (repo_root / "ontology" / "spacecoop.ttl").read_text(encoding="utf-8")
    data = (
        "@prefix sco: <https://w3id.org/spacecoop/def#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/spacecoop/id/organisation/x> a sco:Foundation, owl:Nothing ;\n"
        '    rdfs:label "X"@en .\n'
    )
    root = make_repo({"ontology/spacecoop.ttl": ontology, "data/d.ttl": data})

    def no_owlrl(*_: object) -> None:
        raise AssertionError("owlrl must not run on the fast plan")

    monkeypatch.setattr(owlrl_engine, "closure", no_owlrl)
    report = validate(load(root, plan="fast"))
    clashes = [r for r in report.results if r.constraint == CONSISTENCY_CHECK]
    assert [r.focus_node for r in clashes] == ["https://w3id.org/spacecoop/id/organisation/x"]
    assert "owl:Nothing" in clashes[0].message


MISTAKES = """\
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/spacecoop/id/event/first-symposium-2018> sco:startdate "2018-01"^^xsd:gYearMonth .
<https://w3id.org/spacecoop/id/organisation/Not-A-Slug> a sco:Foundation ;
    rdfs:label "A foundation"@en , "Another English label"@en .
"""


def test_the_fast_plan_validates_in_the_store_with_the_reference_results(  # type: ignore[no-untyped-def]
    make_repo, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the fast plan the data is never copied into rdflib, and the report is the one the
    reference plan gives: SHACL results and ontology checks (an undeclared term at its first
    user), each at its file and line."""
    files = {
        str(path.relative_to(repo_root)): path.read_bytes()
        for folder in ("ontology", "data")
        for path in (repo_root / folder).glob("*.ttl")
    }
    root = make_repo({**files, "data/zz-mistakes.ttl": MISTAKES})

    def key(report: validation.Report) -> set[tuple[object, ...]]:
        return {
            (r.constraint, r.severity, r.focus_node, r.path, r.value, r.file, r.line)
            for r in report.results
        }

    reference = validate(load(root, plan="reference"))
    copied = Repository.graph

    def no_data_copy(repository: Repository, graph_iri):  # type: ignore[no-untyped-def]
        assert graph_iri != GRAPH_DATA, "the fast plan must not copy the data into rdflib"
        return copied(repository, graph_iri)

    monkeypatch.setattr(Repository, "graph", no_data_copy)
    large = validate(load(root, plan="fast"))
    assert key(large) == key(reference)
    assert large.checks == reference.checks
    found = {(r.constraint, r.focus_node) for r in large.results}
    assert ("undeclared_term", str(ID["event/first-symposium-2018"])) in found
    assert (str(SH.PatternConstraintComponent), str(ID["organisation/Not-A-Slug"])) in found
    assert "unused_term" in large.checks
    assert not large.conforms


@pytest.mark.parametrize("plan", list(Plan), ids=lambda plan: plan.value)
def test_data_files_are_scanned_for_lines_only_when_a_result_is_about_their_subjects(  # type: ignore[no-untyped-def]
    make_repo, repo_root: Path, monkeypatch: pytest.MonkeyPatch, plan: Plan
) -> None:
    ontology = (repo_root / "ontology" / "spacecoop.ttl").read_text(encoding="utf-8")
    unlabelled = ontology.replace('    rdfs:label "founding"@en ;\n', "")
    base = Path(__file__).parent / "fixtures" / "shapes" / "base.ttl"  # no findings of its own
    files = {
        "ontology/shapes.ttl": (repo_root / "ontology" / "shapes.ttl").read_bytes(),
        "data/base.ttl": base.read_bytes(),
    }
    scanned: list[list[str]] = []
    real_index = validation.index

    def recording(paths):  # type: ignore[no-untyped-def]
        scanned.append(sorted(p.parent.name for p in paths))
        return real_index(paths)

    monkeypatch.setattr(validation, "index", recording)

    root = make_repo({**files, "ontology/spacecoop.ttl": unlabelled})
    report = validate(load(root, plan=plan))
    missing = [r for r in report.results if r.constraint == "missing_label"]
    assert [(r.file, r.line) for r in missing] == [
        (
            root / "ontology" / "spacecoop.ttl",
            line_of(root / "ontology" / "spacecoop.ttl", "sco:Founding"),
        )
    ]
    assert "data" not in scanned[-1]

    root = make_repo({**files, "ontology/spacecoop.ttl": unlabelled, "data/zz.ttl": MISTAKES})
    report = validate(load(root, plan=plan))
    assert "data" in scanned[-1]
    slug = [r for r in report.results if r.focus_node == str(ID["organisation/Not-A-Slug"])]
    assert slug and all(r.file == root / "data" / "zz.ttl" and r.line == 5 for r in slug)


@pytest.mark.parametrize(
    "statement",
    [
        "<https://w3id.org/spacecoop/id/x> rdfs:comment <<( <https://w3id.org/spacecoop/id/x>"
        " rdfs:label <https://w3id.org/spacecoop/id/y> )>> .",
        '<https://w3id.org/spacecoop/id/x> rdfs:label "x"@en--ltr .',
        "<https://w3id.org/spacecoop/id/x> rdfs:label <https://w3id.org/spacecoop/id/y>"
        " ~ <https://w3id.org/spacecoop/id/r> .",
    ],
    ids=["triple term", "text direction", "reifier"],
)
def test_rdf_1_2_is_refused_on_both_plans(  # type: ignore[no-untyped-def]
    make_repo, ontology_ttl: str, statement: str
) -> None:
    """pyoxigraph reads RDF 1.2; rdflib, which the reference plan and every rdflib copy
    use, does not: validation refuses it on both plans, at the same file and line, and so
    does the build."""
    from spacecoop.cli import main

    prefix = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    root = make_repo(
        {
            "ontology/spacecoop.ttl": ontology_ttl,
            "data/ok.ttl": prefix,
            "data/zz.ttl": prefix + statement + "\n",
        }
    )
    refused = {}
    for plan in Plan:
        with pytest.raises(LoadError) as caught:
            validate(load(root, plan=plan))
        refused[plan] = caught.value
    assert {error.path for error in refused.values()} == {root / "data" / "zz.ttl"}
    assert {error.line for error in refused.values()} == {2}
    assert main(["build", "--root", str(root), "--out", str(root / "dist")]) != 0
    assert not (root / "dist").exists()
    for command in (["stats"], ["query", "dataset-statistics"]):  # rdflib copies: refused too
        assert main([*command, "--root", str(root)]) == 2, command


def test_a_query_whose_answer_holds_rdf_1_2_is_refused_on_the_fast_plan(  # type: ignore[no-untyped-def]
    make_repo, ontology_ttl: str, repo_root: Path
) -> None:
    """The store reads RDF 1.2 and answers with it; turning that answer into rdflib terms
    fails, and the error names the file instead of an internal TypeError."""
    statement = (
        "<https://w3id.org/spacecoop/id/x> <http://www.w3.org/2000/01/rdf-schema#comment>"
        " <<( <https://w3id.org/spacecoop/id/x> <http://www.w3.org/2000/01/rdf-schema#label>"
        " <https://w3id.org/spacecoop/id/y> )>> .\n"
    )
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl, "data/zz.ttl": statement})
    saved = CATALOGUE["describe-entity"]
    with pytest.raises(LoadError) as refused:
        run(saved, {"entity": "https://w3id.org/spacecoop/id/x"}, load(root, plan="fast"))
    assert refused.value.path == root / "data" / "zz.ttl"


def test_both_plans_publish_byte_identical_sites(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764806400")
    saved = list(CATALOGUE.values())
    sites = {
        plan: build(load(repo_root, plan=plan), tmp_path / plan.value, saved_queries=saved).out
        for plan in Plan
    }
    assert _differences(filecmp.dircmp(sites[Plan.REFERENCE], sites[Plan.FAST])) == []


def _differences(comparison: filecmp.dircmp) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only]
    found += filecmp.cmpfiles(
        comparison.left, comparison.right, comparison.common_files, shallow=False
    )[1]
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found
