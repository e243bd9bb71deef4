"""The pyoxigraph fast path gives the same answers as the rdflib path, and fails as clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from source_lines import line_of
from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES, ID
from spacecoop.queries import catalogue
from spacecoop.queries.results import QueryKind
from spacecoop.repository import store
from spacecoop.repository.files import LoadError, load

CATALOGUE = catalogue.catalogue(Path(__file__).resolve().parent.parent)
LOCAL = sorted(name for name, q in CATALOGUE.items() if not q.services)


@pytest.fixture(scope="module")
def fast_store(repo_root: Path) -> object:
    return store.load_store(repo_root)


def test_the_store_holds_the_same_graphs_as_the_rdflib_dataset(
    fast_store, dataset: Dataset
) -> None:  # type: ignore[no-untyped-def]
    for graph_iri in (GRAPH_ONTOLOGY, GRAPH_SHAPES, GRAPH_DATA):
        from_store = store.to_rdflib_graph(fast_store, graph_iri)
        assert len(from_store) == len(dataset.graph(graph_iri)) > 0
        assert isomorphic(from_store, dataset.graph(graph_iri))


@pytest.mark.parametrize("name", LOCAL)
def test_every_saved_query_answers_the_same_on_both_paths(
    fast_store, dataset: Dataset, name: str
) -> None:  # type: ignore[no-untyped-def]
    saved = CATALOGUE[name]
    slow = catalogue.run(saved, dataset=dataset)
    fast = catalogue.run(saved, store=fast_store)
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


def test_parameters_are_bound_on_the_fast_path_too(fast_store) -> None:  # type: ignore[no-untyped-def]
    saved = CATALOGUE["memoranda-signed-by-party"]
    russia = catalogue.run(
        saved, {"party": "https://w3id.org/spacecoop/id/country/russia"}, store=fast_store
    )
    japan = catalogue.run(
        saved, {"party": "https://w3id.org/spacecoop/id/country/japan"}, store=fast_store
    )
    assert len(russia.rows) == 1 and japan.rows == ()
    with pytest.raises(catalogue.QueryError):
        catalogue.run(saved, {"party": "http://x> } ; DROP ALL ; #"}, store=fast_store)


def test_a_broken_file_is_located_on_the_fast_path(make_repo, ontology_ttl: str) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(
        {
            "ontology/spacecoop.ttl": ontology_ttl,
            "data/x.ttl": "@prefix ex: <http://example.org/> .\n\nex:a ex:b .\n",
        }
    )
    with pytest.raises(LoadError) as caught:
        store.load_store(root)
    assert caught.value.path.name == "x.ttl" and caught.value.line == 3


def test_the_fast_path_is_chosen_by_size(
    make_repo, ontology_ttl: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(
        {"ontology/spacecoop.ttl": ontology_ttl, "data/x.ttl": "# " + "x" * 1000 + "\n"}
    )
    monkeypatch.setattr(store, "FAST_PATH_BYTES", 2000)
    assert store.prefers_store(root) is False
    monkeypatch.setattr(store, "FAST_PATH_BYTES", 500)
    assert store.prefers_store(root) is True


def test_loading_matches_rdflib_on_the_repository(repo_root: Path) -> None:
    assert len(store.load_store(repo_root)) == len(load(repo_root))


def test_fast_schema_entailment_matches_owlrl_on_the_instance_data(repo_root: Path, closed) -> None:  # type: ignore[no-untyped-def]
    """For our things (``…/id/…``), the SPARQL rules infer exactly what owlrl infers."""
    from rdflib import BNode

    from spacecoop.namespaces import GRAPH_INFERRED, ID, OWL
    from spacecoop.reasoning import sparql_rules

    fast_store = store.load_store(repo_root)
    assert sparql_rules.materialise(fast_store) > 100
    fast = set(store.to_rdflib_graph(fast_store, GRAPH_INFERRED))
    asserted = load(repo_root)
    expected = {
        t
        for t in closed
        if str(t[0]).startswith(str(ID))
        and not any(isinstance(x, BNode) for x in t)
        and t[1] != OWL.sameAs
        and t[2] != OWL.Thing
        and t not in asserted.graph(GRAPH_DATA)
    }
    assert {t for t in fast if str(t[0]).startswith(str(ID))} == expected


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
def test_fast_consistency_check_agrees_with_owlrl(make_repo, case: str) -> None:  # type: ignore[no-untyped-def]
    """The SPARQL clash rules find an inconsistency where owlrl does, about the same nodes."""
    from spacecoop.reasoning import owlrl_engine, sparql_rules

    prefixes = (
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix ex: <http://example.org/> .\n"
    )
    root = make_repo(
        {"ontology/spacecoop.ttl": CLASH_ONTOLOGY, "data/d.ttl": prefixes + CLASHES[case]}
    )
    slow = owlrl_engine.find_inconsistencies(owlrl_engine.closure(load(root)))
    quads = store.load_store(root)
    sparql_rules.materialise(quads)
    fast = sparql_rules.inconsistencies(quads)
    assert bool(fast) == bool(slow) == (case != "consistent")
    assert {i.node for i in fast} <= {i.node for i in slow} | {None}
    assert {i.node for i in slow} <= {i.node for i in fast}


def test_large_data_is_checked_for_consistency_by_the_sparql_clash_rules(  # type: ignore[no-untyped-def]
    make_repo, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the fast-path size, validation's consistency check uses reason_fast, not owlrl."""
    from spacecoop.reasoning import owlrl_engine
    from spacecoop.validation.run import CONSISTENCY_CHECK, validate

    ontology = (repo_root / "ontology" / "spacecoop.ttl").read_text(encoding="utf-8")
    data = (
        "@prefix sco: <https://w3id.org/spacecoop/def#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/spacecoop/id/organisation/x> a sco:Foundation, owl:Nothing ;\n"
        '    rdfs:label "X"@en .\n'
    )
    root = make_repo({"ontology/spacecoop.ttl": ontology, "data/d.ttl": data})
    monkeypatch.setattr(store, "FAST_PATH_BYTES", 10)

    def no_owlrl(*_: object) -> None:
        raise AssertionError("owlrl must not run on large data")

    monkeypatch.setattr(owlrl_engine, "closure", no_owlrl)
    report = validate(None, root)
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


def test_a_large_repository_is_validated_in_the_store_with_the_same_results(  # type: ignore[no-untyped-def]
    make_repo, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the fast-path size nothing is parsed into rdflib, and the report is the one the
    rdflib path gives with the same SHACL engine: SHACL results and ontology checks (an
    undeclared term at its first user), each at its file and line."""
    from spacecoop.validation import run as validation

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

    reference = validation.validate(None, root, engine="fast")
    monkeypatch.setattr(store, "FAST_PATH_BYTES", 10)

    def no_rdflib(*_: object) -> None:
        raise AssertionError("a large repository must not be parsed into rdflib")

    monkeypatch.setattr(validation, "load", no_rdflib)
    large = validation.validate(None, root)
    assert key(large) == key(reference)
    assert large.checks == reference.checks
    found = {(r.constraint, r.focus_node) for r in large.results}
    assert ("undeclared_term", str(ID["event/first-symposium-2018"])) in found
    assert (str(SH.PatternConstraintComponent), str(ID["organisation/Not-A-Slug"])) in found
    assert "unused_term" in large.checks
    assert not large.conforms


def test_data_files_are_scanned_for_lines_only_when_a_result_is_about_their_subjects(  # type: ignore[no-untyped-def]
    make_repo, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spacecoop.validation import run as validation

    ontology = (repo_root / "ontology" / "spacecoop.ttl").read_text(encoding="utf-8")
    unlabelled = ontology.replace('    rdfs:label "founding"@en ;\n', "")
    base = Path(__file__).parent / "fixtures" / "shapes" / "base.ttl"  # no findings of its own
    files = {
        "ontology/shapes.ttl": (repo_root / "ontology" / "shapes.ttl").read_bytes(),
        "data/base.ttl": base.read_bytes(),
    }
    monkeypatch.setattr(store, "FAST_PATH_BYTES", 10)
    scanned: list[list[str]] = []
    real_index = validation.index

    def recording(paths):  # type: ignore[no-untyped-def]
        scanned.append(sorted(p.parent.name for p in paths))
        return real_index(paths)

    monkeypatch.setattr(validation, "index", recording)

    root = make_repo({**files, "ontology/spacecoop.ttl": unlabelled})
    report = validation.validate(None, root)
    missing = [r for r in report.results if r.constraint == "missing_label"]
    assert [(r.file, r.line) for r in missing] == [
        (
            root / "ontology" / "spacecoop.ttl",
            line_of(root / "ontology" / "spacecoop.ttl", "sco:Founding"),
        )
    ]
    assert "data" not in scanned[-1]

    root = make_repo({**files, "ontology/spacecoop.ttl": unlabelled, "data/zz.ttl": MISTAKES})
    report = validation.validate(None, root)
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
def test_rdf_1_2_is_refused_on_the_fast_path_as_on_the_reference_path(  # type: ignore[no-untyped-def]
    make_repo, ontology_ttl: str, statement: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyoxigraph reads RDF 1.2; rdflib, the reference path, does not: validation refuses it
    on both paths, at the same file and line, and so does the build."""
    from spacecoop.cli import main
    from spacecoop.validation import run as validation

    prefix = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    root = make_repo(
        {
            "ontology/spacecoop.ttl": ontology_ttl,
            "data/ok.ttl": prefix,
            "data/zz.ttl": prefix + statement + "\n",
        }
    )
    with pytest.raises(LoadError) as reference:
        validation.validate(None, root)
    monkeypatch.setattr(store, "FAST_PATH_BYTES", 10)
    with pytest.raises(LoadError) as fast:
        validation.validate(None, root)
    assert fast.value.path == reference.value.path == root / "data" / "zz.ttl"
    assert fast.value.line == reference.value.line == 2
    assert main(["build", "--root", str(root), "--out", str(root / "dist")]) != 0
    assert not (root / "dist").exists()
