"""The fast SHACL engine (shapes compiled to SPARQL, run on pyoxigraph) gives pySHACL's results.

pySHACL stays the reference: every fixture of ``tests/fixtures/shapes``, the
repository's data and a generated dataset give the same Results from both engines
(severity, focus node, path, value, source shape, constraint and message), and
a shape the fast engine cannot check fails loudly instead of being skipped.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Namespace

import spacecoop.repository.load
from rdf_stores import store_of
from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES, SH, curie
from spacecoop.repository.load import PLAN_ENV_VAR, PlanError, Repository, load, load_data
from spacecoop.validation import pyshacl_engine, shacl_engines, shacl_sparql
from spacecoop.validation import run as validation
from spacecoop.validation.report import Report, Result
from spacecoop.validation.shacl_sparql import UnsupportedShapeError
from spacecoop.validation.shacl_sparql.antijoin import not_exists_as_minus

SHAPES_DIR = Path(__file__).parent / "fixtures" / "shapes"
BASE = SHAPES_DIR / "base.ttl"
MISTAKES = sorted(p for p in SHAPES_DIR.glob("*.ttl") if p != BASE)


@pytest.fixture(scope="module")
def fixture_reports() -> dict[str, Report]:
    """Base data and every fixture validated together (as test_shapes does), on each plan."""
    return {
        plan: validation.validate(load_data([BASE, *MISTAKES], plan=plan))
        for plan in ("reference", "fast")
    }


def _comparable(results: Iterable[Result]) -> list[Result]:
    """``results`` with the messages of consistency results blanked, sorted.

    Consistency comes from each plan's reasoner (owlrl, or the SPARQL clash rules),
    which word the same clash differently: those results are compared by focus node
    (and file and line), the SHACL and ontology results in full.
    """
    blanked = (
        replace(r, message="") if r.constraint == validation.CONSISTENCY_CHECK else r
        for r in results
    )
    return sorted(blanked, key=Result.sort_key)


def _by_file(report: Report) -> dict[str, set[Result]]:
    found: dict[str, set[Result]] = defaultdict(set)
    for result in _comparable(report.results):
        found[result.file.name if result.file else "(no file)"].add(result)
    return found


@pytest.mark.parametrize("fixture", MISTAKES, ids=lambda p: p.stem)
def test_each_fixture_gives_the_same_results_in_both_engines(
    fixture: Path, fixture_reports: dict[str, Report]
) -> None:
    reference = _by_file(fixture_reports["reference"]).get(fixture.name, set())
    breaks_a_rule = "# expect:" in fixture.read_text(encoding="utf-8")
    assert bool(reference) is breaks_a_rule
    assert _by_file(fixture_reports["fast"]).get(fixture.name, set()) == reference


def test_all_fixture_results_are_equal_with_their_messages(
    fixture_reports: dict[str, Report],
) -> None:
    reference, fast = fixture_reports["reference"], fixture_reports["fast"]
    assert len(reference.results) > 140
    # sorted, so duplicates count too; consistency results by focus node (see _comparable)
    assert _comparable(fast.results) == _comparable(reference.results)
    assert fast.checks == reference.checks
    with_values = [r for r in fast.results if "{?" in r.message or "{$" in r.message]
    assert with_values == [], "message placeholders are filled in"


def test_the_number_of_worker_threads_changes_neither_results_nor_their_order(
    repo_root: Path,
) -> None:
    ds = Dataset()
    for path in (BASE, *MISTAKES[:40]):
        ds.graph(GRAPH_DATA).parse(path, format="turtle")
    ds.graph(GRAPH_SHAPES).parse(repo_root / "ontology" / "shapes.ttl", format="turtle")
    ds.graph(GRAPH_ONTOLOGY).parse(repo_root / "ontology" / "spacecoop.ttl", format="turtle")
    quads = store_of(ds)
    alone = shacl_sparql.validate_store(quads, workers=1)
    assert len(alone) > 30  # the fixtures break rules, so there is something to order
    assert shacl_sparql.validate_store(quads, workers=4) == alone


def test_the_repository_gives_the_same_results_in_both_engines(
    repository: Repository, fast_repository: Repository
) -> None:
    reference = validation.validate(repository)
    assert reference.results  # the deliberate advice (see test_shapes)
    assert validation.validate(fast_repository) == reference


def test_generated_data_conforms_in_both_engines(tmp_path: Path, repo_root: Path) -> None:
    root = tmp_path / "kg-10k"
    subprocess.run(
        [sys.executable, str(repo_root / "bench" / "generate.py"), "--triples", "10000"]
        + ["--out", str(root)],
        check=True,
        capture_output=True,
    )
    repository = load(root)
    graphs = [repository.graph(iri) for iri in (GRAPH_DATA, GRAPH_SHAPES, GRAPH_ONTOLOGY)]
    assert len(graphs[0]) >= 10_000
    assert pyshacl_engine.validate_shapes(*graphs) == []
    assert shacl_sparql.validate_store(repository.store) == []


# --- SHACL beyond ontology/shapes.ttl: what pySHACL does, the fast engine does too -------

PREFIXES = """\
@prefix ex: <https://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
EX = Namespace("https://example.org/")

EXTRA_SHAPES = (
    PREFIXES
    + """\

<https://example.org/shapes> a owl:Ontology ;
    sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:message "A thing's IRI must be under /thing/." ;
    sh:pattern "^https://example[.]org/thing/" ;
    sh:property ex:TwoNames , ex:OneName , ex:NamesDiffer , ex:Switched , ex:KindIsGood ;
    sh:sparql ex:NotItsOwnFriend , ex:SwitchedOff .

ex:TwoNames a sh:PropertyShape ; sh:path ex:name ; sh:minCount 2 ;
    sh:severity sh:Warning ; sh:message "A thing has two names." .
ex:OneName a sh:PropertyShape ; sh:path ex:name ; sh:maxCount 1 ;
    sh:message "A thing has at most one name."@en .
ex:NamesDiffer a sh:PropertyShape ; sh:path ex:name ;
    sh:message "Each name of {$this} must differ from {?value}." ;
    sh:sparql [
        sh:prefixes <https://example.org/shapes> ;
        sh:message "{$this} is named {?value} through $PATH." ;
        sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER(?value = \\"same\\") }" ;
    ] .
ex:Switched a sh:PropertyShape ; sh:path ex:switch ; sh:deactivated true ;
    sh:minCount 1 ; sh:message "Never checked." .
ex:KindIsGood a sh:PropertyShape ; sh:path ex:kind ; sh:hasValue ex:good ;
    sh:message "A thing is of the good kind." .

ex:NotItsOwnFriend a sh:SPARQLConstraint ;
    sh:message "{$this} is its own friend ({?path})." ;
    sh:prefixes <https://example.org/shapes> ;
    sh:select "SELECT $this ?path WHERE { $this ex:friend $this . BIND(ex:friend AS ?path) }" .
ex:SwitchedOff a sh:SPARQLConstraint ; sh:deactivated true ;
    sh:message "Never checked." ;
    sh:select "SELECT $this WHERE { }" .

ex:OffShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ;
    sh:message "Never checked." ; sh:pattern "^nothing$" .
"""
)

EXTRA_DATA = """\
@prefix ex: <https://example.org/> .
ex:a a ex:Thing ; ex:name "one", "same" ; ex:kind ex:good .
<https://example.org/thing/b> a ex:Thing ; ex:friend <https://example.org/thing/b> .
"""


def _fast_store(data: Graph) -> ox.Store:
    """A store holding ``data`` as its data graph (and an empty ontology graph)."""
    ds = Dataset()
    ds.graph(GRAPH_DATA).__iadd__(data)
    return store_of(ds, graphs=(GRAPH_DATA,))


def test_extra_shacl_gives_the_same_results_in_both_engines() -> None:
    """Deactivation, severities, counts above one, sh:hasValue, $PATH and {$this} in messages."""
    shapes = Graph().parse(data=EXTRA_SHAPES, format="turtle")
    data = Graph().parse(data=EXTRA_DATA, format="turtle")
    reference = sorted(pyshacl_engine.validate_shapes(data, shapes, Graph()), key=Result.sort_key)
    a, b = "https://example.org/a", "https://example.org/thing/b"
    assert {(r.focus_node, curie(r.check)) for r in reference} == {
        (a, "https://example.org/ThingShape"),  # sh:pattern
        (a, "https://example.org/OneName"),
        (a, str(shapes.value(EX.NamesDiffer, SH.sparql))),
        (b, "https://example.org/TwoNames"),
        (b, "https://example.org/KindIsGood"),
        (b, "https://example.org/NotItsOwnFriend"),
    }
    assert sorted(shacl_sparql.validate_store(_fast_store(data), shapes), key=Result.sort_key) == (
        reference
    )


# --- SHACL the fast engine cannot check fails loudly -------------------------------------

UNSUPPORTED = {
    "a core component": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:P .\n"
        'ex:P sh:path ex:name ; sh:lessThan ex:label ; sh:message "Names first." .',
        "https://example.org/P: sh:LessThanConstraintComponent",
    ),
    "a component inside sh:or": (
        'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:message "m" ;\n'
        '    sh:or ( [ sh:equals ex:name ] [ sh:pattern "x" ] ) .',
        "a blank-node shape inside https://example.org/S: sh:EqualsConstraintComponent",
    ),
    "a target node that Oxigraph would write in another form": (
        'ex:S a sh:NodeShape ; sh:targetNode "3.90"^^xsd:decimal ; sh:message "m" ; sh:in ( 1 ) .',
        'https://example.org/S: sh:targetNode "3.90"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    ),
    "a SPARQL constraint with MINUS": (
        'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ sh:message "m" ;\n'
        '    sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this a ?c } }" ] .',
        "https://example.org/S (sh:sparql a blank-node shape inside https://example.org/S): MINUS",
    ),
    "a shape that uses itself": (
        'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:message "m" ;\n'
        '    sh:or ( ex:S [ sh:pattern "x" ] ) .',
        "https://example.org/S: a shape that uses itself",
    ),
    "a rule without a message that names a node": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:P .\n"
        "ex:P sh:path ex:name ; sh:minCount 3 .",
        "https://example.org/P: sh:MinCountConstraintComponent without a sh:message is not "
        "supported (pySHACL's message names a focus or value node",
    ),
    "a rule of two values without a message": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:P .\n"
        "ex:P sh:path ex:friend ; sh:class ex:Thing , ex:Other .",
        "https://example.org/P: sh:ClassConstraintComponent with 2 values and no sh:message",
    ),
}


@pytest.mark.parametrize("case", UNSUPPORTED, ids=lambda c: c.replace(" ", "-"))
def test_an_unsupported_construct_raises_naming_shape_and_component(case: str) -> None:
    turtle, expected = UNSUPPORTED[case]
    shapes = Graph().parse(data=PREFIXES + turtle, format="turtle")
    data = Graph().parse(data=EXTRA_DATA, format="turtle")
    with pytest.raises(UnsupportedShapeError) as raised:
        shacl_sparql.validate_store(_fast_store(data), shapes)
    assert str(raised.value).startswith(expected)
    assert "SPACECOOP_PLAN=reference" in str(raised.value)


# --- pySHACL's default messages, for a shape without sh:message --------------------------

DEFAULT_MESSAGE_DATA = """\
@prefix ex: <https://example.org/> .
ex:a a ex:Thing ; ex:name "x"@en , "y"@en , "long name" ; ex:age 5 ;
    ex:friend ex:b , <https://example.org/thing/c> .
ex:b a ex:Other .
<https://example.org/thing/c> a ex:Thing .
"""

DEFAULT_MESSAGES = {
    "class": ("sh:path ex:friend ; sh:class ex:Thing", "Value does not have class ex:Thing"),
    "datatype": (
        "sh:path ex:name ; sh:datatype xsd:string",
        "Value is not Literal with datatype xsd:string",
    ),
    "nodeKind": ("sh:path ex:name ; sh:nodeKind sh:IRI", "Value is not of Node Kind sh:IRI"),
    "minExclusive": (
        "sh:path ex:age ; sh:minExclusive 18",
        'Value is not > Literal("18", datatype=xsd:integer)',
    ),
    "minInclusive": (
        "sh:path ex:age ; sh:minInclusive 5.50",
        'Value is not >= Literal("5.50", datatype=xsd:decimal)',
    ),
    "maxExclusive": (
        "sh:path ex:age ; sh:maxExclusive 3",
        'Value is not < Literal("3", datatype=xsd:integer)',
    ),
    "maxInclusive": (
        "sh:path ex:age ; sh:maxInclusive 3",
        'Value is not <= Literal("3", datatype=xsd:integer)',
    ),
    "minLength": (
        "sh:path ex:name ; sh:minLength 3",
        'String length not >= Literal("3", datatype=xsd:integer)',
    ),
    "maxLength": (
        "sh:path ex:name ; sh:maxLength 1",
        'String length not <= Literal("1", datatype=xsd:integer)',
    ),
    "pattern": ('sh:path ex:name ; sh:pattern "^[xy]$"', "Value does not match pattern '^[xy]$'"),
    "languageIn": ('sh:path ex:name ; sh:languageIn ( "de" "fr" )', "String language is not in"),
    "uniqueLang": (
        "sh:path ex:name ; sh:uniqueLang true",
        "More than one String shares the same Language",
    ),
    "qualifiedValueShape": (
        "sh:path ex:friend ; sh:qualifiedMinCount 2 ; sh:qualifiedValueShape [ sh:class ex:Thing ]",
        "Focus node does not conform to shape MinCount 2: ",
    ),
    "class on a node shape": ("sh:class ex:Other", "Value does not have class ex:Other"),
}
"""Each constraint component the fast engine compiles without a sh:message: the rule
(on ``ex:P``) and how pySHACL's message for it begins."""


@pytest.mark.parametrize("case", DEFAULT_MESSAGES)
def test_a_shape_without_message_gets_pyshacls_default_message(case: str) -> None:
    rule, begins = DEFAULT_MESSAGES[case]
    turtle = f"ex:P a sh:NodeShape ; sh:targetClass ex:Thing ; {rule} ."
    if rule.startswith("sh:path"):
        owner = "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:P ."
        turtle = f"{owner}\nex:P {rule} ."
    shapes = Graph().parse(data=PREFIXES + turtle, format="turtle")
    data = Graph().parse(data=DEFAULT_MESSAGE_DATA, format="turtle")
    reference = sorted(pyshacl_engine.validate_shapes(data, shapes, Graph()), key=Result.sort_key)
    assert reference, "the data breaks the rule"
    assert {r.message for r in reference} == {reference[0].message}
    assert reference[0].message.startswith(begins)
    fast = shacl_sparql.validate_store(_fast_store(data), shapes)
    assert sorted(fast, key=Result.sort_key) == reference


# --- choosing the engine ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "env", "threshold", "expected"),
    [
        ("reference", "fast", 0, "reference"),
        ("fast", None, 10**12, "fast"),
        (None, "fast", 10**12, "fast"),
        (None, None, 10**12, "reference"),
        (None, None, 0, "fast"),
        ("auto", "reference", 0, "fast"),
    ],
)
def test_validation_picks_the_engine_by_size_unless_told(
    monkeypatch: pytest.MonkeyPatch,
    plan: str | None,
    env: str | None,
    threshold: int,
    expected: str,
) -> None:
    used: list[str] = []
    monkeypatch.setattr(spacecoop.repository.load, "FAST_PATH_BYTES", threshold)
    for name, engine in (("reference", "PyShaclEngine"), ("fast", "SparqlShaclEngine")):
        monkeypatch.setattr(
            getattr(shacl_engines, engine),
            "validate",
            lambda _self, _repository, name=name: (
                used.append(name) or shacl_engines.ShaclOutcome([])
            ),
        )
    if env is not None:
        monkeypatch.setenv(PLAN_ENV_VAR, env)
    validation.validate(load_data([BASE], plan=plan))
    assert used == [expected]


def test_an_unknown_engine_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PLAN_ENV_VAR, "jena")
    with pytest.raises(PlanError, match=r"unknown \$SPACECOOP_PLAN 'jena'"):
        validation.validate(load_data([BASE]))


# --- FILTER NOT EXISTS as MINUS, only where that cannot change the results ---------------

QUERY = "SELECT ?this WHERE {{ ?this <p> ?x . {block} BIND(1 AS ?one) }}"


def test_a_self_contained_not_exists_becomes_a_trailing_minus() -> None:
    block = "FILTER NOT EXISTS { ?this <q> ?y . ?y <r> ?z FILTER(?z != 'a}') }"
    rewritten = not_exists_as_minus(QUERY.format(block=block), QUERY.index("{"))
    assert "NOT EXISTS" not in rewritten
    assert rewritten.rstrip().endswith("MINUS { ?this <q> ?y . ?y <r> ?z FILTER(?z != 'a}') }\n}")


@pytest.mark.parametrize(
    "block",
    [
        "FILTER NOT EXISTS { ?this <q> ?y FILTER(?y != ?x) }",  # reads ?x of the outer group
        "FILTER NOT EXISTS { ?x <q> ?y }",  # does not bind ?this
        "FILTER NOT EXISTS { ?this <q> ?y OPTIONAL { ?y <r> ?z } }",  # a nested group
    ],
)
def test_a_correlated_not_exists_is_left_alone(block: str) -> None:
    query = QUERY.format(block=block)
    assert not_exists_as_minus(query, query.index("{")) == query


@pytest.mark.parametrize(
    "block",
    [
        "FILTER NOT EXISTS { ?this <http://e/q?y=1> ?z FILTER(?z != ?y) }",
        "FILTER NOT EXISTS { ?this <q> ?z FILTER <http://e/f>(?z, ?x) }",
        "FILTER NOT EXISTS { ?this <q> ?z FILTER !bound(?x) }",
    ],
)
def test_a_filter_reading_the_outer_group_is_seen_however_written(block: str) -> None:
    # Before: "?y" in the IRI counted as bound by the block, and the FILTERs calling
    # <http://e/f> or starting with "!" were read as triples binding ?x: each block
    # became a MINUS though its FILTER reads the outer group.
    query = QUERY.format(block=block)
    assert not_exists_as_minus(query, query.index("{")) == query


def test_a_comment_in_a_not_exists_block_neither_closes_it_nor_swallows_the_minus() -> None:
    # Before: the "}" in the comment closed the block, and the rewrite was not SPARQL.
    block = "FILTER NOT EXISTS { ?this <q> ?y . # once: } or FILTER(\n ?y <r> 'a#b' }"
    query = QUERY.format(block=block)
    rewritten = not_exists_as_minus(query, query.index("{"))
    assert rewritten.rstrip().endswith("MINUS { ?this <q> ?y . \n ?y <r> 'a#b' }\n}")
    ox.Store().query(rewritten.replace("<", "<http://e/"))  # still one query


def test_keywords_in_a_comment_and_this_in_a_string_are_text() -> None:
    # Before: the fast engine refused MINUS, found in the comment, and would have
    # rewritten "$this" inside the string (pySHACL binds $this, leaving strings be).
    shapes = Graph().parse(
        data=PREFIXES
        + 'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ sh:message "m" ;\n'
        '    sh:select """SELECT $this ?value WHERE {\n'
        "        # not MINUS, VALUES nor SERVICE, and no } either\n"
        '        $this <https://example.org/name> ?value FILTER(?value != "$this")\n'
        '    }""" ] .',
        format="turtle",
    )
    data = Graph().parse(data=EXTRA_DATA + 'ex:a ex:name "$this" .', format="turtle")
    reference = sorted(pyshacl_engine.validate_shapes(data, shapes, Graph()), key=Result.sort_key)
    assert len(reference) == 2
    fast = sorted(shacl_sparql.validate_store(_fast_store(data), shapes), key=Result.sort_key)
    assert fast == reference
