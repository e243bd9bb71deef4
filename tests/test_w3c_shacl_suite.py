"""The W3C SHACL test suite on both engines: pySHACL as the reference, the fast engine held to it.

Each of the 114 tests of ``core/`` and ``sparql/`` that expects a validation
report (:mod:`w3c_shacl_suite` downloads and reads them) is run

* with pySHACL, as ``pyshacl_engine`` runs it (``advanced``, no inference), except
  that warnings count against ``sh:conforms`` as SHACL says; it gives the expected
  report on every test but the few listed in ``w3c_shacl_refusals.toml``
  (``[pyshacl_fails]``);
* with the fast engine, as ``validate`` runs it: :func:`compile_all` on the shapes,
  then the runner on a pyoxigraph store holding the data. A test it accepts
  (refuses no shape) must give exactly the expected report: a wrong answer there
  is a bug. The tests it refuses are listed with the construct it refuses
  (``[fast_engine_refuses]``), and the list is held both ways: a listed test that
  is accepted now, or refused for another reason, fails, so the list stays true.

The fast engine refuses a constraint without a ``sh:message`` where pySHACL's
default message names a focus or value node (written from the data graph),
which hides the rest of many tests.
So it runs a second time with a message given to every shape
(``[given_messages_*]``): that shows what the compiler itself refuses, holds it to
the expected report, and to pySHACL's very Results (messages and values included)
on every test it accepts. ``make test`` runs all of it in a few seconds, after the
first run downloads pySHACL's sdist (about 1.5 MB) into pytest's cache.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from rdf_stores import store_of
from spacecoop.namespaces import GRAPH_DATA, RDF, SH
from spacecoop.validation import pyshacl_engine
from spacecoop.validation.report import Result
from spacecoop.validation.shacl_sparql import Refusal, compile_all, run_checks, subclass_lookup
from spacecoop.validation.shacl_sparql.discovery import shape_nodes
from w3c_shacl_suite import (
    BLANK,
    SuiteReport,
    SuiteTest,
    SuiteUnavailable,
    focus_text,
    load_tests,
    path_text,
    report_of,
    suite_folder,
)

LISTS = Path(__file__).with_name("w3c_shacl_refusals.toml")
SUITE_SIZE = 114
"""Tests of core/ and sparql/ with an expected report, as the W3C suite has them."""


@dataclass(frozen=True)
class Outcome:
    """What one engine made of one test."""

    kind: str
    """``expected``, ``wrong`` (a report other than the expected one), ``crash``, ``refused``."""
    detail: str = ""


@pytest.fixture(scope="module")
def suite(request: pytest.FixtureRequest) -> list[SuiteTest]:
    cache = request.config.cache
    if cache is None:
        pytest.fail("the W3C SHACL suite is kept in pytest's cache, which is disabled", False)
    try:
        return load_tests(suite_folder(cache.mkdir("w3c-shacl-suite")))
    except SuiteUnavailable as error:
        pytest.fail(f"the W3C SHACL test suite is not available: {error}", pytrace=False)


@pytest.fixture(scope="module")
def listed() -> dict[str, dict[str, str]]:
    with LISTS.open("rb") as lists:
        return tomllib.load(lists)


@pytest.fixture(scope="module")
def pyshacl_outcomes(suite: list[SuiteTest]) -> dict[str, Outcome]:
    return {test.name: _outcome(test, _pyshacl_report) for test in suite}


@pytest.fixture(scope="module")
def fast_outcomes(suite: list[SuiteTest]) -> dict[str, Outcome]:
    return {test.name: _outcome(test, _fast_report) for test in suite}


@pytest.fixture(scope="module")
def fast_outcomes_given_messages(suite: list[SuiteTest]) -> dict[str, Outcome]:
    """The fast engine on each test with a ``sh:message`` given to every shape: the engine
    refuses a constraint without one (pySHACL's generic messages are its own wording),
    which would hide every other construct, right or wrong, of most tests."""
    return {
        test.name: _outcome(replace(test, shapes=_with_messages(test.shapes)), _fast_report)
        for test in suite
    }


def _with_messages(shapes: Graph) -> Graph:
    """A copy of ``shapes`` in which every shape has a ``sh:message`` (which changes no
    result's focus node, path or component)."""
    given = Graph() + shapes
    for shape in shape_nodes(shapes):
        if (shape, SH.message, None) not in shapes:
            given.add((shape, SH.message, Literal("given for the test")))
    return given


def _outcome(test: SuiteTest, engine: Callable[[SuiteTest], SuiteReport | Refusal]) -> Outcome:
    try:
        report = engine(test)
    except Exception as error:  # a crash is one of the outcomes counted
        return Outcome("crash", f"{type(error).__name__}: {error}")
    if isinstance(report, Refusal):
        return Outcome("refused", _reason(report))
    if report == test.expected:
        return Outcome("expected")
    return Outcome("wrong", _difference(report, test.expected))


def _pyshacl_report(test: SuiteTest) -> SuiteReport:
    _, results, _ = pyshacl.validate(
        test.data, shacl_graph=test.shapes, inference="none", advanced=True
    )
    return report_of(results, results.value(None, RDF.type, SH.ValidationReport, any=False))


def _fast_report(test: SuiteTest) -> SuiteReport | Refusal:
    """The fast engine's report, or its first refusal (in a stable order) if it refuses one."""
    quads = _store_of(test)
    compiled = compile_all(test.shapes, subclass_lookup(quads))
    if compiled.refused:
        return min(compiled.refused, key=_reason)
    found = frozenset(
        (_focus(result.focus_node), _path(test.shapes, result.path), str(check.component))
        for check in compiled.checks  # one by one, to know each result's component
        for result in run_checks(quads, [check], workers=1)
    )
    return SuiteReport(conforms=not found, results=found)


def _store_of(test: SuiteTest) -> ox.Store:
    """A store with the test's data graph as the data graph, as ``validate`` has it."""
    dataset = Dataset()
    dataset.graph(GRAPH_DATA).__iadd__(test.data)
    return store_of(dataset, graphs=(GRAPH_DATA,))


def _focus(text: str | None) -> str:
    """A report Result's focus node as :func:`w3c_shacl_suite.focus_text` writes it."""
    return BLANK if text is None or text.startswith("_:") else text


def _path(shapes: Graph, text: str | None) -> str | None:
    """A report Result's path as :func:`w3c_shacl_suite.path_text` writes it: Results name
    a complex path by its blank node in the shapes graph."""
    if text is not None and text.startswith("_:"):
        return path_text(shapes, BNode(text.removeprefix("_:")))
    return text


def _reason(refusal: Refusal) -> str:
    """The construct refused, without the shape (the test's own names)."""
    return refusal.error.detail.removeprefix(f"{refusal.error.shape}: ")


def _difference(got: SuiteReport, expected: SuiteReport) -> str:
    missing = sorted(expected.results - got.results, key=str)
    extra = sorted(got.results - expected.results, key=str)
    conforms = f"conforms {got.conforms} (expected {expected.conforms})"
    return f"{conforms}, missing {missing}, extra {extra}"


def _assert_failures_listed(
    outcomes: dict[str, Outcome], listed: dict[str, dict[str, str]], table: str
) -> None:
    """The tests with a wrong report or a crash are those of ``table``, each listed as
    what it does (the word before the reason's first colon)."""
    failures = {n: o for n, o in sorted(outcomes.items()) if o.kind in ("wrong", "crash")}
    assert {name: o.kind for name, o in failures.items()} == {
        name: reason.split(":")[0] for name, reason in listed[table].items()
    }, "\n".join(f"{name}: {o.kind} {o.detail}" for name, o in failures.items())


def _assert_refusals_listed(
    outcomes: dict[str, Outcome], listed: dict[str, dict[str, str]], table: str
) -> None:
    """The refused tests and the reasons are those of ``table``, no more, no fewer."""
    refused = {name: o.detail for name, o in outcomes.items() if o.kind == "refused"}
    listing = listed[table]
    now_accepted = sorted(set(listing) - set(refused))
    not_listed = {name: refused[name] for name in sorted(set(refused) - set(listing))}
    other_reason = {
        name: refused[name] for name in sorted(set(refused) & set(listing))
        if refused[name] != listing[name]
    }  # fmt: skip
    assert not (now_accepted or not_listed or other_reason), (
        f"accepted now, remove from [{table}] in {LISTS.name}: {now_accepted}\n"
        f"refused, but not listed: {not_listed}\nrefused for another reason: {other_reason}"
    )


def test_the_suite_has_its_114_tests_with_an_expected_report(suite: list[SuiteTest]) -> None:
    names = [test.name for test in suite]
    assert len(names) == SUITE_SIZE == len(set(names))
    assert {name.split("/")[0] for name in names} == {"core", "sparql"}
    assert sum(not test.expected.conforms for test in suite) > SUITE_SIZE // 2


def test_pyshacl_gives_the_expected_report_but_on_its_listed_failures(
    pyshacl_outcomes: dict[str, Outcome], listed: dict[str, dict[str, str]]
) -> None:
    assert not any(o.kind == "refused" for o in pyshacl_outcomes.values())
    _assert_failures_listed(pyshacl_outcomes, listed, "pyshacl_fails")


def test_fast_engine_gives_the_expected_report_on_every_test_it_accepts_but_the_listed(
    fast_outcomes: dict[str, Outcome], listed: dict[str, dict[str, str]]
) -> None:
    _assert_failures_listed(fast_outcomes, listed, "fast_engine_fails")
    assert any(o.kind == "expected" for o in fast_outcomes.values())


def test_fast_engine_refuses_exactly_the_listed_tests_for_the_listed_reasons(
    fast_outcomes: dict[str, Outcome], listed: dict[str, dict[str, str]]
) -> None:
    _assert_refusals_listed(fast_outcomes, listed, "fast_engine_refuses")


def test_fast_engine_given_messages_is_right_on_every_test_it_accepts_but_the_listed(
    fast_outcomes_given_messages: dict[str, Outcome], listed: dict[str, dict[str, str]]
) -> None:
    _assert_failures_listed(fast_outcomes_given_messages, listed, "given_messages_fails")


def test_fast_engine_given_messages_refuses_exactly_the_listed_tests(
    fast_outcomes_given_messages: dict[str, Outcome], listed: dict[str, dict[str, str]]
) -> None:
    _assert_refusals_listed(fast_outcomes_given_messages, listed, "given_messages_refuses")


REFERENCE_CRASHES = {
    "sparql/node/prefixes-001": "pyshacl_engine prepares each query without the prefixes "
    "pySHACL passes, and this test's query uses one declared only in the data's Turtle",
}
"""Tests the fast engine accepts (given messages) on which ``pyshacl_engine`` raises."""


@pytest.mark.parametrize("given_messages", [True, False], ids=["given-messages", "as-written"])
def test_fast_engine_gives_pyshacls_results_on_every_test_it_accepts(
    suite: list[SuiteTest], given_messages: bool
) -> None:
    """The engine's promise (the Results pySHACL gives, messages and values included), on
    each test it accepts: more SHACL than ``ontology/shapes.ttl`` uses. As written, the
    shapes without a ``sh:message`` get pySHACL's default messages from both engines."""
    compared, crashed = 0, set[str]()
    differ: dict[str, tuple[list[Result], list[Result]]] = {}
    for test in suite:
        shapes = _with_messages(test.shapes) if given_messages else test.shapes
        quads = _store_of(test)
        compiled = compile_all(shapes, subclass_lookup(quads))
        if compiled.refused:
            continue
        try:
            reference = Counter(pyshacl_engine.validate_shapes(test.data, shapes, Graph()))
        except Exception:  # listed, and held to the list below
            crashed.add(test.name)
            continue
        compared += 1
        fast = Counter(run_checks(quads, compiled.checks, workers=1))
        if fast != reference:
            differ[test.name] = (
                sorted(reference - fast, key=str),
                sorted(fast - reference, key=str),
            )
    assert crashed == (set(REFERENCE_CRASHES) if given_messages else set())
    assert not differ, "\n".join(
        f"{n}: pySHACL only {r}, fast only {f}" for n, (r, f) in differ.items()
    )
    assert compared > (SUITE_SIZE // 2 if given_messages else SUITE_SIZE // 4)


def test_an_unavailable_suite_is_a_failure_that_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.executable", str(tmp_path / "no-python"))
    with pytest.raises(SuiteUnavailable, match="cannot run pip to download pyshacl=="):
        suite_folder(tmp_path / "cache")


def test_a_blank_focus_node_is_compared_as_a_blank_node() -> None:
    assert focus_text(BNode()) == _focus(BNode().n3()) == BLANK
    assert focus_text(URIRef("https://example.org/a")) == _focus("https://example.org/a")
    assert focus_text(Literal("Hallo Welt")) == _focus('"Hallo Welt"')
