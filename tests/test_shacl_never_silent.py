"""The fast SHACL engine is never silently wrong: every shape is compiled or refused.

Three promises, each held against pySHACL, the reference:

* every kind of target gives the focus nodes pySHACL gives, so a violation that a
  shape with that target must report is reported;
* every predicate of the SHACL vocabulary (W3C ``shacl.ttl``, as pySHACL ships it)
  is either compiled, and then shown to change pySHACL's results and to give the
  fast engine the same ones, or refused with an :class:`UnsupportedShapeError`
  naming the construct, and then checked by pySHACL instead, with the same results;
* ``validate`` checks a refused shape with pySHACL and says so in every report format,
  on the fast plan however it is chosen, while our own shapes compile completely.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, SH

import spacecoop.repository.load
from rdf_stores import store_of
from spacecoop.namespaces import GRAPH_DATA, GRAPH_SHAPES
from spacecoop.repository.files import RepoFiles
from spacecoop.repository.load import PLAN_ENV_VAR, Plan, Repository, load
from spacecoop.validation import pyshacl_engine, shacl_sparql
from spacecoop.validation import run as validation
from spacecoop.validation.fallback import shapes_for
from spacecoop.validation.report import Report, Result
from spacecoop.validation.shacl_engines import SparqlShaclEngine
from spacecoop.validation.writers import render

PREFIXES = """\
@prefix ex: <https://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

DATA = """\
ex:a a ex:Thing ; ex:name "one", "two"@en, "three"@en ; ex:knows ex:b ; ex:friend ex:a ;
    ex:kind ex:bad ; ex:age 1 ; ex:pet ex:d .
ex:b a ex:Thing ; ex:age "x" .
ex:p a ex:Person .
ex:c a ex:Cat .
ex:bird a ex:Bird .
ex:d a ex:Dog .
"""


def _graph(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def _store(data: Graph) -> ox.Store:
    ds = Dataset()
    ds.graph(GRAPH_DATA).__iadd__(data)
    return store_of(ds, graphs=(GRAPH_DATA,))


def _pyshacl(shapes: Graph, data: Graph) -> Counter[Result]:
    return Counter(pyshacl_engine.validate_shapes(data, shapes, Graph()))


def _fast(shapes: Graph, data: Graph) -> Counter[Result]:
    """The fast engine alone: raises for a shape it refuses."""
    return Counter(shacl_sparql.validate_store(_store(data), shapes))


def _with_fallback(shapes: Graph, data: Graph) -> Counter[Result]:
    """The fast plan's SHACL engine: the fast engine, and pySHACL for the shapes it refuses."""
    ds = Dataset()
    ds.graph(GRAPH_SHAPES).__iadd__(shapes)
    ds.graph(GRAPH_DATA).__iadd__(data)
    quads = store_of(ds, graphs=(GRAPH_SHAPES, GRAPH_DATA))
    repository = Repository(RepoFiles(Path(), (), (), ()), quads, Plan.FAST, whole=False)
    return Counter(SparqlShaclEngine().validate(repository).results)


def _outcome(run: Callable[[], Counter[Result]]) -> Counter[Result] | str:
    """The results, or the kind of error (pySHACL refuses some ill-formed shapes)."""
    try:
        return run()
    except Exception as error:  # noqa: BLE001 - compared, not hidden
        return type(error).__name__


# --- every kind of target ---------------------------------------------------------------

NEEDS_A_NAME = 'sh:property [ sh:path ex:nickname ; sh:minCount 1 ; sh:message "Give a name." ]'

TARGETS = {
    "sh:targetNode, also of a node the data never mentions": (
        f"ex:S a sh:NodeShape ; sh:targetNode ex:a, ex:nobody ; {NEEDS_A_NAME} .",
        {"a", "nobody"},
    ),
    "sh:targetSubjectsOf": (
        f"ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:knows ; {NEEDS_A_NAME} .",
        {"a"},
    ),
    "sh:targetObjectsOf": (
        f"ex:S a sh:NodeShape ; sh:targetObjectsOf ex:knows ; {NEEDS_A_NAME} .",
        {"b"},
    ),
    "an implicit class target (rdfs:Class)": (
        f"ex:Person a rdfs:Class, sh:NodeShape ; {NEEDS_A_NAME} .",
        {"p"},
    ),
    "an implicit class target (owl:Class, a shape by its sh:property)": (
        f"ex:Cat a owl:Class ; {NEEDS_A_NAME} .",
        {"c"},
    ),
    "an implicit class target (a declared subclass of rdfs:Class)": (
        f"ex:Kind rdfs:subClassOf rdfs:Class . ex:Bird a ex:Kind, sh:NodeShape ; {NEEDS_A_NAME} .",
        {"bird"},
    ),
    "a property shape with its own sh:targetClass": (
        "ex:P a sh:PropertyShape ; sh:targetClass ex:Dog ; sh:path ex:nickname ; sh:minCount 1 ;"
        ' sh:message "Give a name." .',
        {"d"},
    ),
    "a property shape with its own sh:targetNode": (
        'ex:P sh:targetNode ex:b ; sh:path ex:age ; sh:datatype xsd:integer ; sh:message "m" .',
        {"b"},
    ),
    "a sh:SPARQLTarget": (
        'ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:select """SELECT ?this WHERE {'
        ' ?this <https://example.org/pet> ?pet }""" ] ;' + NEEDS_A_NAME + " .",
        {"a"},
    ),
    "a targeted shape that is also another shape's property shape": (
        "ex:S a sh:NodeShape ; sh:targetNode ex:p ; sh:property ex:P .\n"
        'ex:P sh:targetNode ex:c ; sh:path ex:nickname ; sh:minCount 1 ; sh:message "m" .',
        {"p", "c"},
    ),
}


@pytest.mark.parametrize("kind", TARGETS, ids=lambda k: k.replace(" ", "-"))
def test_each_kind_of_target_reports_what_pyshacl_reports(kind: str) -> None:
    turtle, focus_nodes = TARGETS[kind]
    shapes, data = _graph(turtle), _graph(DATA)
    reference = _pyshacl(shapes, data)
    assert {r.focus_node for r in reference} == {f"https://example.org/{n}" for n in focus_nodes}
    assert _fast(shapes, data) == reference  # compiled, not refused


# --- every SHACL predicate: compiled (and checked for its meaning) or refused -----------

SHACL_TTL = Path(pyshacl.__file__).parent / "assets" / "shacl.ttl"


def _shacl_properties() -> set[str]:
    """Every property of the W3C SHACL vocabulary, by local name."""
    vocabulary = Graph().parse(SHACL_TTL, format="turtle")
    return {
        str(term).removeprefix(str(SH))
        for term in vocabulary.subjects(RDF.type, RDF.Property)
        if str(term).startswith(str(SH))
    }


def _on_property(constraint: str, path: str = "ex:name") -> str:
    return (
        'ex:S a sh:NodeShape ; sh:targetNode ex:a, ex:b ; sh:property [ sh:message "m" ; '
        f"sh:path {path} ; {constraint} ] ."
    )


def _on_node(constraint: str) -> str:
    return f'ex:S a sh:NodeShape ; sh:targetNode ex:a, ex:b ; sh:message "m" ; {constraint} .'


FRIEND_OF_ITSELF = (
    'sh:sparql [ sh:message "m" ; sh:prefixes ex:Prefixes ; sh:select """SELECT $this WHERE {'
    ' $this ex:friend $this }""" ] . ex:Prefixes sh:declare [ sh:prefix "ex" ; '
    'sh:namespace "https://example.org/"^^xsd:anyURI ]'
)

COMPILED = {
    "targetClass": _on_property("sh:minCount 1", "ex:nickname").replace(
        "sh:targetNode ex:a, ex:b", "sh:targetClass ex:Thing"
    ),
    "targetNode": _on_property("sh:minCount 1", "ex:nickname"),
    "targetSubjectsOf": TARGETS["sh:targetSubjectsOf"][0],
    "targetObjectsOf": TARGETS["sh:targetObjectsOf"][0],
    "target": TARGETS["a sh:SPARQLTarget"][0],
    "property": _on_property("sh:minCount 1", "ex:nickname"),
    "path": "ex:P a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:name ; sh:maxCount 1 ;"
    ' sh:message "m" .',
    "inversePath": _on_property("sh:maxCount 0", "[ sh:inversePath ex:knows ]"),
    "oneOrMorePath": _on_property("sh:minCount 1", "[ sh:oneOrMorePath ex:knows ]"),
    "alternativePath": _on_property(
        "sh:minCount 1", "[ sh:alternativePath ( ex:friend ex:nickname ) ]"
    ),
    "message": _on_property("sh:maxCount 1"),
    "severity": _on_property("sh:maxCount 1 ; sh:severity sh:Warning"),
    "deactivated": _on_property("sh:maxCount 1 ; sh:deactivated true"),
    "class": _on_property("sh:class ex:Person", "ex:knows"),
    "datatype": _on_property("sh:datatype xsd:integer", "ex:age"),
    "minCount": _on_property("sh:minCount 1", "ex:nickname"),
    "maxCount": _on_property("sh:maxCount 1"),
    "minInclusive": _on_property("sh:minInclusive 3", "ex:age"),
    "pattern": _on_property('sh:pattern "^t"'),
    "languageIn": _on_property('sh:languageIn ( "fr" )'),
    "uniqueLang": _on_property("sh:uniqueLang true"),
    "nodeKind": _on_property("sh:nodeKind sh:IRI"),
    "minExclusive": _on_property("sh:minExclusive 1", "ex:age"),
    "maxExclusive": _on_property("sh:maxExclusive 1", "ex:age"),
    "maxInclusive": _on_property("sh:maxInclusive 0", "ex:age"),
    "minLength": _on_property("sh:minLength 4"),
    "maxLength": _on_property("sh:maxLength 3"),
    "equals": _on_property("sh:equals ex:friend", "ex:knows"),
    "disjoint": _on_property("sh:disjoint ex:name"),
    "not": _on_property("sh:not [ sh:datatype xsd:string ]"),
    "and": _on_property('sh:and ( [ sh:datatype rdf:langString ] [ sh:pattern "^t" ] )'),
    "hasValue": _on_property("sh:hasValue ex:good", "ex:kind"),
    "in": _on_property("sh:in ( ex:good )", "ex:kind"),
    "or": _on_property("sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:integer ] )", "ex:age"),
    "xone": _on_property("sh:xone ( [ sh:datatype xsd:integer ] [ sh:minInclusive 0 ] )", "ex:age"),
    "qualifiedValueShape": _on_property(
        "sh:qualifiedValueShape [ sh:class ex:Person ] ; sh:qualifiedMinCount 1", "ex:knows"
    ),
    "qualifiedMinCount": _on_property(
        "sh:qualifiedValueShape [ sh:class ex:Person ] ; sh:qualifiedMinCount 1", "ex:knows"
    ),
    "sparql": _on_node(FRIEND_OF_ITSELF),
    "select": _on_node(FRIEND_OF_ITSELF),
    "prefixes": _on_node(FRIEND_OF_ITSELF),
    "declare": _on_node(FRIEND_OF_ITSELF),
    "prefix": _on_node(FRIEND_OF_ITSELF),
    "namespace": _on_node(FRIEND_OF_ITSELF),
}
"""Predicate -> shapes in which it decides what pySHACL reports on :data:`DATA`."""

INERT = {
    name: _on_property(f"sh:maxCount 1 ; sh:{name} {value}")
    for name, value in (
        ("name", '"names"'),
        ("description", '"At most one name."'),
        ("order", "1"),
        ("group", "ex:Names"),
        ("defaultValue", '"one"'),
    )
}
"""Non-validating properties (SHACL §2.3.2): their meaning is that results do not change."""

COMPONENTS = {
    "lessThan": "sh:lessThan ex:age",
    "lessThanOrEquals": "sh:lessThanOrEquals ex:age",
    # pySHACL reports the results inside a sh:node as sh:detail, which pyshacl_engine reads
    # as results of their own: the fast engine would have to report them too.
    "node": "sh:node [ sh:datatype xsd:integer ]",
    "qualifiedMaxCount": "sh:qualifiedValueShape [ sh:datatype xsd:string ] ; "
    "sh:qualifiedMaxCount 0",
    "qualifiedValueShapesDisjoint": "sh:qualifiedValueShape [ sh:datatype xsd:string ] ; "
    "sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true",
    "flags": 'sh:pattern "^T" ; sh:flags "i"',
}

REFUSED: dict[str, tuple[str, str]] = {
    **{
        name: (_on_property(constraint), f"sh:{name[0].upper()}{name[1:]}ConstraintComponent")
        for name, constraint in COMPONENTS.items()
        if name not in ("flags", "qualifiedValueShapesDisjoint")
    },
    "flags": (_on_property(COMPONENTS["flags"]), "sh:flags on a sh:pattern"),
    "qualifiedValueShapesDisjoint": (
        _on_property(COMPONENTS["qualifiedValueShapesDisjoint"]),
        "http://www.w3.org/ns/shacl#qualifiedValueShapesDisjoint",
    ),
    **{},
    "closed": (_on_node("sh:closed true"), "Closed"),
    "ignoredProperties": (_on_node("sh:closed true ; sh:ignoredProperties ( rdf:type )"), "Closed"),
    **{
        path: (_on_property("sh:minCount 1", f"[ sh:{path} ex:knows ]"), "of length zero")
        for path in ("zeroOrMorePath", "zeroOrOnePath")
    },
    "ask": (
        _on_node('sh:sparql [ sh:message "m" ; sh:ask "ASK { $this ?p ?o }" ]'),
        "SHACL term http://www.w3.org/ns/shacl#ask",
    ),
    **{
        name: (
            _on_node(
                'sh:sparql [ sh:message "m" ; sh:select "SELECT $this WHERE { $this ?p ?o }" ; '
                "sh:resultAnnotation [ sh:annotationProperty ex:note ; "
                'sh:annotationVarName "p" ; sh:annotationValue "v" ] ]'
            ),
            "SHACL term http://www.w3.org/ns/shacl#resultAnnotation",
        )
        for name in (
            "resultAnnotation",
            "annotationProperty",
            "annotationVarName",
            "annotationValue",
        )
    },
    **{
        name: (
            """ex:Kin a sh:ConstraintComponent ;
                sh:labelTemplate "related to {$kin}" ;
                sh:parameter [ sh:path ex:kin ; sh:optional false ] ;
                sh:validator [ a sh:SPARQLAskValidator ; sh:message "m" ;
                    sh:ask "ASK { FILTER NOT EXISTS { $this ?p $kin } }" ] ;
                sh:nodeValidator [ a sh:SPARQLSelectValidator ; sh:message "m" ;
                    sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this ?p $kin } }" ] ;
                sh:propertyValidator [ a sh:SPARQLSelectValidator ; sh:message "m" ;
                    sh:select "SELECT $this WHERE { $this $PATH ?v FILTER (?v != $kin) }" ] .
            """
            + _on_node("ex:kin ex:b"),
            "the constraint component https://example.org/Kin",
        )
        for name in (
            "parameter",
            "optional",
            "labelTemplate",
            "validator",
            "nodeValidator",
            "propertyValidator",
        )
    },
    **{
        name: (
            _on_node(
                "sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:nickname ; "
                'sh:object "nick" ; sh:condition ex:Condition ] , [ a sh:SPARQLRule ; '
                'sh:construct "CONSTRUCT { $this <https://example.org/nickname> 1 } WHERE { }" ]'
                " ; sh:property [ sh:path ex:nickname ; sh:maxCount 0 ]"
            ),
            "(sh:rule)",
        )
        for name in ("rule", "subject", "predicate", "object", "condition", "construct")
    },
    **{
        name: (
            """ex:twice a sh:SPARQLFunction ; sh:returnType xsd:integer ;
                sh:parameter [ sh:path ex:n ] ; sh:select "SELECT ($n * 2 AS ?r) WHERE { }" .
            ex:jsTwice a sh:JSFunction ; sh:jsFunctionName "twice" ;
                sh:jsLibrary [ sh:jsLibraryURL "https://example.org/twice.js"^^xsd:anyURI ] .
            """
            + _on_node(FRIEND_OF_ITSELF),
            "a SHACL function",
        )
        for name in ("returnType", "jsFunctionName", "jsLibrary", "jsLibraryURL")
    },
    "js": (
        _on_node('sh:js [ sh:jsFunctionName "ok" ]'),
        "SHACL term http://www.w3.org/ns/shacl#js",
    ),
    **{
        name: (
            _on_node(
                "sh:expression [ sh:filterShape [ sh:minCount 1 ] ; "
                "sh:nodes [ sh:intersection ( [ sh:union ( ex:a ) ] ) ] ]"
            ),
            "SHACL term http://www.w3.org/ns/shacl#expression",
        )
        for name in ("expression", "filterShape", "nodes", "intersection", "union")
    },
    # Terms of validation reports and of the graphs' own descriptions mean nothing on a shape.
    **{
        name: (_on_node(f"sh:{name} ex:x"), f"SHACL term http://www.w3.org/ns/shacl#{name}")
        for name in (
            "conforms",
            "result",
            "focusNode",
            "resultPath",
            "resultMessage",
            "resultSeverity",
            "sourceConstraint",
            "sourceConstraintComponent",
            "sourceShape",
            "value",
            "detail",
            "shapesGraphWellFormed",
            "shapesGraph",
            "suggestedShapesGraph",
            "entailment",
            "update",
        )
    },
}
"""Predicate -> (shapes that use it, where it belongs, and what the refusal names)."""


def test_every_shacl_property_is_compiled_inert_or_refused() -> None:
    vocabulary = _shacl_properties()
    assert len(vocabulary) > 100
    assert vocabulary == {n for n in SH.__annotations__ if n[0].islower()} - {"this"} | {
        "and",
        "class",
        "in",
        "not",
        "or",
    }, "pySHACL's shacl.ttl and rdflib's SH namespace list the same properties"
    kinds = [set(COMPILED), set(INERT), set(REFUSED)]
    assert sum(len(k) for k in kinds) == len(set().union(*kinds)), "each predicate has one fate"
    assert set().union(*kinds) == vocabulary


@pytest.mark.parametrize("name", sorted(COMPILED))
def test_a_compiled_predicate_changes_pyshacls_results_and_the_fast_engine_follows(
    name: str,
) -> None:
    shapes, data = _graph(COMPILED[name]), _graph(DATA)
    assert (None, SH[name], None) in shapes
    reference = _pyshacl(shapes, data)
    without = Graph()
    for triple in shapes:
        if triple[1] != SH[name]:
            without.add(triple)
    assert _outcome(lambda: _pyshacl(without, data)) != reference, f"sh:{name} means something"
    assert _fast(shapes, data) == reference


@pytest.mark.parametrize("name", sorted(INERT))
def test_a_non_validating_predicate_changes_nothing_in_either_engine(name: str) -> None:
    shapes, data = _graph(INERT[name]), _graph(DATA)
    without = Graph()
    for triple in shapes:
        if triple[1] != SH[name]:
            without.add(triple)
    reference = _pyshacl(shapes, data)
    assert reference, "something to compare"
    assert _pyshacl(without, data) == reference
    assert _fast(shapes, data) == reference


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refused_predicate_is_named_and_pyshacl_checks_its_shape(name: str) -> None:
    turtle, named = REFUSED[name]
    shapes, data = _graph(turtle), _graph(DATA)
    assert (None, SH[name], None) in shapes
    compiled = shacl_sparql.compile_all(shapes, lambda c: {c})
    assert [str(r.shape) for r in compiled.refused] in (["https://example.org/S"], ["None"])
    assert named in compiled.refused[0].error.detail
    assert _outcome(lambda: _with_fallback(shapes, data)) == _outcome(
        lambda: _pyshacl(shapes, data)
    )


def test_our_shapes_use_only_compiled_predicates_and_compile_completely(
    repo_root: Path, fast_repository: Repository
) -> None:
    shapes = Graph().parse(repo_root / "ontology" / "shapes.ttl", format="turtle")
    used = {str(p).removeprefix(str(SH)) for p in shapes.predicates() if str(p).startswith(str(SH))}
    assert used <= set(COMPILED), used - set(COMPILED)
    quads = fast_repository.store
    compiled = shacl_sparql.compile_all(shapes, shacl_sparql.subclass_lookup(quads))
    assert compiled.refused == ()
    assert len(compiled.checks) > 100


# --- validate: a refused shape is checked by pySHACL, and the report says so ------------

EXTRA_SHAPES = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix scx: <https://example.org/extra-shapes#> .

scx:FoundationLabelIsLong a sh:NodeShape ;
    sh:targetNode <https://w3id.org/spacecoop/id/organisation/china-space-foundation> ;
    sh:property scx:LongLabel .

scx:LongLabel sh:path rdfs:label ;
    sh:pattern "^.{400}" ;
    sh:flags "s" ;
    sh:message "A label runs to 400 characters." .
"""
REFUSED_SHAPE = "https://example.org/extra-shapes#FoundationLabelIsLong"


@pytest.fixture(scope="module")
def extra_repository(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    """Our ontology, shapes and data, plus a shape the fast engine refuses."""
    root = tmp_path_factory.mktemp("repository")
    shutil.copytree(repo_root / "ontology", root / "ontology")
    shutil.copytree(repo_root / "data", root / "data")
    (root / "ontology" / "shapes").mkdir(exist_ok=True)
    (root / "ontology" / "shapes" / "extra.ttl").write_text(EXTRA_SHAPES, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def reference_report(extra_repository: Path) -> Report:
    return validation.validate(load(extra_repository, plan="reference"))


def _refused_violation(report: Report) -> list[Result]:
    return [r for r in report.results if "400 characters" in r.message]


@pytest.mark.parametrize("path", ["fast plan asked", "fast plan by size"])
def test_validate_checks_a_refused_shape_with_pyshacl_and_says_so(
    path: str,
    extra_repository: Path,
    reference_report: Report,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if path == "fast plan by size":  # the repository counts as large
        monkeypatch.setattr(spacecoop.repository.load, "FAST_PATH_BYTES", 0)
    else:
        monkeypatch.setenv(PLAN_ENV_VAR, "fast")
    repository = load(extra_repository)
    assert repository.plan is Plan.FAST
    report = validation.validate(repository)

    violations = _refused_violation(report)
    assert violations  # the foundation's labels are shorter
    assert violations == _refused_violation(reference_report)
    assert {v.source_shape for v in violations} == {"https://example.org/extra-shapes#LongLabel"}
    assert report.results == reference_report.results
    [note] = report.notes
    assert note.about == REFUSED_SHAPE
    assert "pySHACL" in note.message
    assert "https://example.org/extra-shapes#LongLabel: sh:flags on a sh:pattern" in note.message


def test_every_report_format_carries_the_note(extra_repository: Path) -> None:
    report = validation.validate(load(extra_repository, plan="fast"))
    reason = "sh:flags on a sh:pattern"
    outputs = {format: render(report, format) for format in ("text", "json", "junit", "github")}
    note_lines = [line for line in outputs["text"].splitlines() if line.startswith("note: ")]
    assert len(note_lines) == 1 and "pySHACL" in note_lines[0] and reason in note_lines[0]
    assert "FoundationLabelIsLong" in note_lines[0]
    assert json.loads(outputs["json"])["notes"] == [
        {"about": REFUSED_SHAPE, "message": report.notes[0].message}
    ]
    suite = ET.fromstring(outputs["junit"]).find("testsuite")
    assert suite is not None
    assert reason in (suite.findtext("system-out") or "")
    notices = [line for line in outputs["github"].splitlines() if line.startswith("::notice ")]
    assert any("FoundationLabelIsLong" in line and reason in line for line in notices)


def test_a_report_without_refusals_has_no_notes(fast_repository: Repository) -> None:
    report = validation.validate(fast_repository)
    assert report.notes == ()
    assert json.loads(render(report, "json"))["notes"] == []
    assert "note: " not in render(report, "text")


def test_the_refused_shape_alone_goes_to_pyshacl() -> None:
    """Another targeted shape used by the refused one keeps its own targets out of the
    subset, so its results are not reported twice."""
    shapes = _graph(
        'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:message "m" ; sh:node ex:Other .\n'
        'ex:Other a sh:NodeShape ; sh:targetNode ex:b ; sh:message "m" ; sh:property '
        '[ sh:path ex:nickname ; sh:minCount 1 ; sh:message "Give a name." ] .'
    )
    compiled = shacl_sparql.compile_all(shapes, lambda c: {c})
    assert [str(r.shape) for r in compiled.refused] == ["https://example.org/S"]
    subset = shapes_for(shapes, compiled.refused)
    assert (URIRef("https://example.org/Other"), SH.targetNode, None) not in subset
    data = _graph(DATA)
    reference = _pyshacl(shapes, data)
    assert _with_fallback(shapes, data) == reference
    assert set(reference.values()) == {1}
    assert {(r.focus_node, r.constraint.removeprefix(str(SH))) for r in reference} == {
        ("https://example.org/a", "NodeConstraintComponent"),  # S
        ("https://example.org/a", "MinCountConstraintComponent"),  # ex:Other, used by S
        ("https://example.org/b", "MinCountConstraintComponent"),  # ex:Other's own target
    }


ILL_FORMED_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix ex: <https://example.org/shapes#> .
ex:Bad a sh:NodeShape ; sh:targetClass sco:Event ;
    sh:property [ sh:path sco:x ; sh:minCount "many" ] .
"""


@pytest.mark.parametrize("plan", ["reference", "fast"])
def test_an_ill_formed_shape_is_one_error_line_on_either_engine(
    plan: str,
    make_repo,
    ontology_ttl: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A count that is not an integer: the fast engine refuses the shape, pySHACL refuses to
    load it, and the user gets one line naming the constraint (it was exit 3, a traceback's
    last line, with pySHACL's own log lines before it)."""
    from spacecoop.cli import ExitStatus, main

    root = make_repo(
        {
            "ontology/spacecoop.ttl": ontology_ttl,
            "ontology/shapes.ttl": ILL_FORMED_SHAPES,
            "data/d.ttl": "<https://w3id.org/spacecoop/id/event/a> a "
            "<https://w3id.org/spacecoop/def#Event> .\n",
        }
    )
    monkeypatch.setenv(PLAN_ENV_VAR, plan)
    assert main(["validate", "--root", str(root)]) == ExitStatus.USAGE
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "error: the SHACL shapes are ill-formed: MinCountConstraintComponent sh:minCount"
        " must be a literal with datatype xsd:integer."
    ]
