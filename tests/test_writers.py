"""The report writers: text lines with file:line, JSON, JUnit XML and GitHub annotations."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from spacecoop.repository.load import load_data
from spacecoop.validation import run as validation
from spacecoop.validation.report import Report, Severity
from spacecoop.validation.writers import FORMATS, render

SHAPES = Path(__file__).parent / "fixtures" / "shapes"
MISTAKES = [
    "event_without_status",  # violation
    "two_events_share_an_ordinal",  # two violations of one check
    "memorandum_signatory_absent_from_event",  # violation, SPARQL
    "conference_nobody_attended",  # warning
    "event_without_any_date",  # info
]
GITHUB_LINE = re.compile(r"^::(error|warning|notice) file=[^,:]+,line=\d+,title=[^:]+::\S.*$")


@pytest.fixture(scope="module")
def report() -> Report:
    paths = [SHAPES / "base.ttl", *(SHAPES / f"{m}.ttl" for m in MISTAKES)]
    return validation.validate(load_data(paths))


def test_the_sample_has_every_severity(report: Report) -> None:
    assert report.counts == {Severity.VIOLATION: 4, Severity.WARNING: 1, Severity.INFO: 1}


def test_text_gives_file_line_severity_message_and_rule(report: Report) -> None:
    lines = render(report, "text").splitlines()
    fixture = SHAPES / "event_without_status.ttl"
    line = 1 + fixture.read_text(encoding="utf-8").splitlines().index(
        "event:event-without-status a sco:Event ;"
    )
    assert (
        f"tests/fixtures/shapes/event_without_status.ttl:{line}: violation: An event needs a status"
        in "\n".join(lines)
    )
    assert any(
        "[scosh:EventHasStatus] focus=https://w3id.org/spacecoop/id/event/event-without-status "
        "path=sco:status" in text
        for text in lines
    )
    assert lines[-1] == "4 violations, 1 warning, 1 info from 186 checks: validation fails"


def test_json_parses_and_holds_every_result(report: Report) -> None:
    document = json.loads(render(report, "json"))
    assert document["conforms"] is False
    assert document["counts"] == {"Violation": 4, "Warning": 1, "Info": 1}
    assert len(document["results"]) == 6
    assert {r["line"] for r in document["results"]} == {r.line for r in report.results}


def test_junit_parses_with_one_failure_per_failing_check(report: Report) -> None:
    suites = ET.fromstring(render(report, "junit"))
    (suite,) = suites.findall("testsuite")
    cases = suite.findall("testcase")
    failing = {c.get("name") for c in cases if c.find("failure") is not None}
    assert len(cases) == len(report.checks) == int(suite.get("tests"))
    assert failing == {
        "scosh:EventHasStatus",
        "scosh:EventOrdinalUniqueInSeries",
        "scosh:MemorandumSignatoriesTookPart",
    }
    assert int(suite.get("failures")) == int(suites.get("failures")) == 3
    ordinal = next(c for c in cases if c.get("name") == "scosh:EventOrdinalUniqueInSeries")
    assert ordinal.find("failure").get("message") == "2 result(s)"


def test_junit_strict_counts_warnings_as_failures(report: Report) -> None:
    suite = ET.fromstring(render(report, "junit", strict=True)).find("testsuite")
    assert int(suite.get("failures")) == 4
    advice = next(
        c for c in suite.findall("testcase") if c.get("name") == "scosh:EventHasSomeTiming"
    )
    assert advice.find("failure") is None
    assert "info:" in advice.find("system-out").text


def test_github_annotations_match_the_workflow_command_syntax(report: Report) -> None:
    lines = render(report, "github").splitlines()
    annotations, summary = lines[:-1], lines[-1]
    assert len(annotations) == 6
    assert all(GITHUB_LINE.match(line) for line in annotations), annotations
    assert sorted(line.split(" ", 1)[0] for line in annotations) == [
        "::error", "::error", "::error", "::error", "::notice", "::warning",
    ]  # fmt: skip
    assert "validation fails" in summary


def test_every_format_is_rendered() -> None:
    assert set(FORMATS) == {"text", "json", "junit", "github"}
