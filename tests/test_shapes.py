"""The SHACL shapes: one per class, a message on every rule, and a fixture that breaks each rule.

Every file in ``tests/fixtures/shapes/`` except ``base.ttl`` adds one mistake to the
valid data in ``base.ttl`` and says in ``# expect:`` lines exactly which results it
must produce (focus relative to ``…/id/``, path, source shape, constraint). The
fixtures are validated together in one run (they name disjoint things) and each
result is attributed to the fixture whose file describes its focus node.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path

import pyrudof
import pytest
from rdflib import BNode, Graph, URIRef

from spacecoop.namespaces import ID, OWL, RDF, RDFS, SCO, SH, SH_NS, curie
from spacecoop.repository.load import Repository, load_data
from spacecoop.repository.locate import index
from spacecoop.validation import run as validation
from spacecoop.validation.report import Report, Result, Severity

SHAPES_DIR = Path(__file__).parent / "fixtures" / "shapes"
BASE = SHAPES_DIR / "base.ttl"
MISTAKES = sorted(p for p in SHAPES_DIR.glob("*.ttl") if p != BASE)
Expected = tuple[str, str, str, str]
"""(focus relative to …/id/, path, source shape, constraint), shortened with our prefixes."""

# SHACL Core parameter -> the constraint component it activates.
CORE_PARAMETERS = {
    SH.minCount: "sh:MinCountConstraintComponent",
    SH.maxCount: "sh:MaxCountConstraintComponent",
    SH["class"]: "sh:ClassConstraintComponent",
    SH.datatype: "sh:DatatypeConstraintComponent",
    SH.pattern: "sh:PatternConstraintComponent",
    SH.languageIn: "sh:LanguageInConstraintComponent",
    SH.uniqueLang: "sh:UniqueLangConstraintComponent",
    SH["in"]: "sh:InConstraintComponent",
    SH["or"]: "sh:OrConstraintComponent",
    SH.xone: "sh:XoneConstraintComponent",
    SH.qualifiedMinCount: "sh:QualifiedMinCountConstraintComponent",
}


def expectations(path: Path) -> set[Expected]:
    """The ``# expect: focus path shape constraint`` lines of a fixture file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {tuple(line.split()[2:6]) for line in lines if line.startswith("# expect:")}


def key(result: Result) -> Expected:
    """A result in the form the fixtures state their expectations in."""
    path = result.path or "-"
    path = "^" + curie(path[1:]) if path.startswith("^") else curie(path)
    return (
        (result.focus_node or "-").removeprefix(str(ID)),
        path,
        curie(result.source_shape) if result.source_shape else "-",
        curie(result.constraint),
    )


def _shapes(repo_root: Path) -> Graph:
    return Graph().parse(repo_root / "ontology" / "shapes.ttl")


@pytest.fixture(scope="session")
def fixture_report() -> Report:
    """The base data and every fixture, validated in one run (pySHACL takes about 3 s)."""
    return validation.validate(load_data([BASE, *MISTAKES]))


@pytest.fixture(scope="session")
def results_by_file(fixture_report: Report) -> dict[str, set[Expected]]:
    found: dict[str, set[Expected]] = defaultdict(set)
    for result in fixture_report.results:
        found[result.file.name if result.file else "(no file)"].add(key(result))
    return found


def test_every_ontology_class_has_a_shape_targeting_it(repo_root: Path) -> None:
    ontology = Graph().parse(repo_root / "ontology" / "spacecoop.ttl")
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if c.startswith(str(SCO))}
    targeted = set(_shapes(repo_root).objects(None, SH.targetClass))
    assert len(classes) > 40
    assert sorted(classes - targeted) == []


def _constraints(shapes: Graph) -> set[tuple[str, str]]:
    """Every rule in the shapes: (source shape, component) for Core constraints of named
    shapes, (node shape, SPARQL constraint) for SHACL-SPARQL ones."""
    rules = set()
    for shape in {s for s in shapes.subjects() if isinstance(s, URIRef) and s.startswith(SH_NS)}:
        for parameter, component in CORE_PARAMETERS.items():
            if (shape, parameter, None) in shapes:
                rules.add((curie(shape), component))
        for constraint in shapes.objects(shape, SH.sparql):
            rules.add((curie(shape), curie(constraint)))
    return rules


def test_every_rule_has_a_plain_english_message(repo_root: Path) -> None:
    """Core rules carry the message on their shape, SHACL-SPARQL rules on the constraint."""
    shapes = _shapes(repo_root)
    rules = _constraints(shapes)
    holders = {shape if constraint.startswith("sh:") else constraint for shape, constraint in rules}
    without = sorted(h for h in holders if shapes.value(_iri(h), SH.message) is None)
    assert len(rules) > 130
    assert without == []


def _iri(name: str) -> URIRef:
    return SH_NS[name.removeprefix("scosh:")]


def test_each_shape_holds_at_most_one_core_constraint(repo_root: Path) -> None:
    """One constraint per named shape, so each message can say exactly what is wrong
    (nested value shapes, inside sh:or or sh:qualifiedValueShape, are parts of one rule)."""
    shapes = _shapes(repo_root)
    crowded = [
        curie(shape)
        for shape in {s for s in shapes.subjects() if isinstance(s, URIRef)}
        if sum((shape, parameter, None) in shapes for parameter in CORE_PARAMETERS) > 1
    ]
    assert crowded == []


def test_every_rule_is_broken_by_a_fixture(repo_root: Path) -> None:
    rules = _constraints(_shapes(repo_root))
    broken = {
        (shape, constraint)
        for fixture in MISTAKES
        for _, _, shape, constraint in expectations(fixture)
        if shape != "-"
    }
    assert sorted(rules - broken) == []
    assert sorted(broken - rules) == []


def test_the_base_data_alone_gives_no_result() -> None:
    assert validation.validate(load_data([BASE])).results == ()


def test_fixtures_describe_different_things() -> None:
    """Each fixture's subjects are its own, so validating them together is sound."""
    owners: dict[str, str] = {}
    clashes = []
    for path in [BASE, *MISTAKES]:
        for subject in index([path]):
            if subject in owners:
                clashes.append((subject, owners[subject], path.name))
            owners[subject] = path.name
    assert clashes == []


@pytest.mark.parametrize("fixture", MISTAKES, ids=lambda p: p.stem)
def test_fixture_produces_exactly_the_expected_results(
    fixture: Path, results_by_file: dict[str, set[Expected]]
) -> None:
    assert results_by_file.get(fixture.name, set()) == expectations(fixture)


def test_no_result_falls_outside_the_fixtures(results_by_file: dict[str, set[Expected]]) -> None:
    names = {p.name for p in MISTAKES}
    assert {name for name in results_by_file if name not in names} == set()


def test_a_memorandum_without_signatory_is_reported_with_its_location(
    fixture_report: Report,
) -> None:
    (result,) = [
        r
        for r in fixture_report.results
        if r.file and r.file.name == "memorandum_without_signatory.ttl"
    ]
    text = (SHAPES_DIR / "memorandum_without_signatory.ttl").read_text(encoding="utf-8")
    line = text.splitlines().index("memorandum:memorandum-without-signatory a sco:Memorandum ;")
    assert result.line == line + 1
    assert result.severity is Severity.VIOLATION
    assert "sco:signatoriesUnnamed true" in result.message


def test_the_repository_conforms_with_only_the_deliberate_advice(
    repository: Repository,
) -> None:
    """The three conferences' source gives them no date: advice, not an error."""
    report = validation.validate(repository)
    assert report.conforms
    assert sorted((r.severity, curie(r.check), r.focus_node) for r in report.results) == [
        (Severity.INFO, "scosh:EventHasSomeTiming", str(ID[f"event/{slug}"]))
        for slug in (
            "14th-un-conference-on-outer-space-affairs",
            "35th-space-symposium",
            "ase-69th-annual-meeting",
        )
    ]


# --- a second engine: pyrudof (SHACL Core only, no inference, no SHACL-SPARQL) -------------


@functools.cache
def _core_shapes(repo_root: Path) -> str:
    """Our shapes without SHACL-SPARQL: no ``sh:sparql`` constraints, no SPARQL targets."""
    shapes = _shapes(repo_root)
    for predicate in (SH.sparql, SH.target):
        shapes.remove((None, predicate, None))
    return shapes.serialize(format="turtle")


@functools.cache
def _ontology(repo_root: Path) -> Graph:
    """The ontology, parsed once (callers must not modify it)."""
    return Graph().parse(repo_root / "ontology" / "spacecoop.ttl")


def _materialised(repo_root: Path, *files: Path) -> str:
    """Ontology + data with every superclass type added, since pyrudof does no inference."""
    ontology = _ontology(repo_root)
    graph = Graph() + ontology
    for path in files:
        graph.parse(path)
    for thing, cls in list(graph.subject_objects(RDF.type)):
        for superclass in ontology.transitive_objects(cls, RDFS.subClassOf):
            if not isinstance(superclass, BNode):
                graph.add((thing, RDF.type, superclass))
    return graph.serialize(format="turtle")


def _pyrudof(repo_root: Path, *files: Path) -> tuple[bool, set[tuple[str, str, str]]]:
    engine = pyrudof.Rudof(pyrudof.RudofConfig())
    engine.read_data(_materialised(repo_root, *files), reader_mode=pyrudof.ReaderMode.Strict)
    engine.read_shacl(_core_shapes(repo_root))
    report = engine.validate_shacl()
    found = {
        (
            str(e.focus_node).removeprefix(str(ID)),
            curie(e.source_shape),
            curie(e.constraint_component),
        )
        for e in report
    }
    return report.conforms, found


def _is_core(expected: Expected) -> bool:
    _, _, shape, constraint = expected
    return constraint.startswith("sh:") and shape != "scosh:IdentifiedThingHasClass"


CORE_FIXTURES = [p for p in MISTAKES if all(_is_core(e) for e in expectations(p))]


def test_pyrudof_finds_nothing_wrong_with_the_base_data(repo_root: Path) -> None:
    assert _pyrudof(repo_root, BASE) == (True, set())


@pytest.mark.parametrize("fixture", CORE_FIXTURES, ids=lambda p: p.stem)
def test_pyrudof_agrees_with_pyshacl_on_core_constraints(
    repo_root: Path, fixture: Path, results_by_file: dict[str, set[Expected]]
) -> None:
    conforms, found = _pyrudof(repo_root, BASE, fixture)
    pyshacl_found = {
        (focus, shape, constraint)
        for focus, _, shape, constraint in results_by_file.get(fixture.name, set())
    }
    assert conforms is not bool(expectations(fixture))
    assert found == pyshacl_found


def test_most_fixtures_are_checked_by_both_engines() -> None:
    assert len(CORE_FIXTURES) > 100
