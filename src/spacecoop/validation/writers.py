"""Render a validation :class:`Report` for people and for CI systems.

``text`` is for a terminal and editors (``file:line: severity: message``),
``json`` for programs, ``junit`` for CI test views (one test case per check),
and ``github`` for GitHub Actions workflow annotations on the changed lines.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from ..namespaces import curie
from .report import Note, Report, Result, Severity

__all__ = ["FORMATS", "render"]

_IRI_IN_TEXT = re.compile(r"<([^<>\s]+)>")
_GITHUB_COMMAND = {
    Severity.VIOLATION: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def render(report: Report, format: str = "text", *, strict: bool = False) -> str:
    """The report in ``format`` (one of :data:`FORMATS`), ending with a newline.

    With ``strict``, the JUnit output counts warnings as failures, as the exit status does.
    """
    return FORMATS[format](report, strict)


def _text(report: Report, strict: bool) -> str:
    lines = [_text_line(result) for result in report.results]
    lines += [_note_line(note) for note in report.notes]
    lines.append(_summary(report, strict))
    return "\n".join(lines) + "\n"


def _json(report: Report, strict: bool) -> str:
    document = {
        "conforms": report.conforms,
        "fails": report.fails(strict),
        "counts": {severity.value: count for severity, count in report.counts.items()},
        "checks": list(report.checks),
        "notes": [{"about": n.about, "message": n.message} for n in report.notes],
        "results": [
            {
                "severity": r.severity.value,
                "focus_node": r.focus_node,
                "path": r.path,
                "value": r.value,
                "source_shape": r.source_shape,
                "constraint": r.constraint,
                "check": r.check,
                "message": r.message,
                "file": None if r.file is None else str(_display_path(r.file)),
                "line": r.line,
            }
            for r in report.results
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _junit(report: Report, strict: bool) -> str:
    """JUnit XML: one test suite, one test case per check, a failure per failing check."""
    by_check: dict[str, list[Result]] = defaultdict(list)
    for result in report.results:
        by_check[result.check].append(result)
    checks = list(dict.fromkeys([*report.checks, *by_check]))
    failing = {Severity.VIOLATION, Severity.WARNING} if strict else {Severity.VIOLATION}

    suite = ET.Element("testsuite", name="spacecoop validate", tests=str(len(checks)))
    failures = 0
    for check in checks:
        kind = "shapes" if "://" in check else "ontology"
        case = ET.SubElement(suite, "testcase", classname=f"spacecoop.{kind}", name=_curies(check))
        failed = [r for r in by_check[check] if r.severity in failing]
        advice = [r for r in by_check[check] if r.severity not in failing]
        if failed:
            failures += 1
            failure = ET.SubElement(
                case, "failure", message=f"{len(failed)} result(s)", type=failed[0].severity.value
            )
            failure.text = "\n".join(_text_line(r) for r in failed)
        if advice:
            ET.SubElement(case, "system-out").text = "\n".join(_text_line(r) for r in advice)
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    if report.notes:
        ET.SubElement(suite, "system-out").text = "\n".join(_note_line(n) for n in report.notes)
    suites = ET.Element(
        "testsuites", name="spacecoop validate", tests=str(len(checks)), failures=str(failures)
    )
    suites.append(suite)
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def _github(report: Report, strict: bool) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,title=…::message``."""
    lines = []
    for r in report.results:
        properties = []
        if r.file is not None:
            properties.append(f"file={_escape_property(str(_display_path(r.file)))}")
            if r.line is not None:
                properties.append(f"line={r.line}")
        properties.append(f"title={_escape_property(_curies(r.check))}")
        message = _escape_data(f"{r.message}{_details(r)}")
        lines.append(f"::{_GITHUB_COMMAND[r.severity]} {','.join(properties)}::{message}")
    for note in report.notes:
        title = _escape_property(_curies(note.about))
        lines.append(f"::notice title={title}::{_escape_data(_curies(note.message))}")
    lines.append(_summary(report, strict))
    return "\n".join(lines) + "\n"


FORMATS: dict[str, Callable[[Report, bool], str]] = {
    "text": _text,
    "json": _json,
    "junit": _junit,
    "github": _github,
}
"""Format name -> writer."""


def _text_line(r: Result) -> str:
    location = ""
    if r.file is not None:
        location = f"{_display_path(r.file)}:{r.line}: " if r.line else f"{_display_path(r.file)}: "
    return f"{location}{r.severity.value.lower()}: {r.message} [{_curies(r.check)}]{_details(r)}"


def _note_line(note: Note) -> str:
    return f"note: {_curies(note.message)}"


def _details(r: Result) -> str:
    parts = [
        f"{name}={_curies(text)}"
        for name, text in (("focus", r.focus_node), ("path", r.path), ("value", r.value))
        if text is not None
    ]
    return "".join(f" {part}" for part in parts)


def _summary(report: Report, strict: bool) -> str:
    counts = ", ".join(
        f"{count} {severity.value.lower()}{'' if count == 1 else 's'}"
        for severity, count in report.counts.items()
    )
    verdict = "fails" if report.fails(strict) else "passes"
    return f"{counts} from {len(report.checks)} checks: validation {verdict}"


def _curies(text: str) -> str:
    """IRIs shortened with the canonical prefixes: whole IRIs, ``^IRI`` paths and ``<IRI>``s."""
    if text.startswith("^"):
        return "^" + _curies(text[1:])
    if "://" in text and not text.startswith(("<", '"')) and " " not in text:
        return curie(text)
    return _IRI_IN_TEXT.sub(
        lambda m: curie(m.group(1)) if curie(m.group(1)) != m.group(1) else m.group(0), text
    )


def _display_path(path: Path) -> Path:
    """``path`` relative to the working directory when it lies inside it (as CI expects)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return Path(path)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
