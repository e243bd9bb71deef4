"""The validation report model: one :class:`Result` per problem found, one :class:`Report` per run.

SHACL results and ontology checks share this model, so every writer (text,
JSON, JUnit, GitHub annotations) and every exit status treats them alike.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..namespaces import SH

__all__ = ["Note", "Report", "Result", "Severity"]


class Severity(StrEnum):
    """How serious a result is, graded as SHACL grades it (violation, warning, info)."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @classmethod
    def from_iri(cls, iri: str) -> Severity:
        """The severity named by a SHACL severity IRI; unknown severities count as violations."""
        local = str(iri).removeprefix(str(SH))
        return next((s for s in cls if s.value == local), cls.VIOLATION)


@dataclass(frozen=True)
class Result:
    """One problem: what is wrong (``message``), where (``file``:``line`` of the focus node's
    definition) and which rule found it.

    IRIs are full strings; ``value`` is the offending RDF term in Turtle notation.
    ``constraint`` is the SHACL constraint component (``sh:MinCountConstraintComponent``),
    the IRI of a SHACL-SPARQL constraint, or an ontology check's name (``missing_label``).
    """

    severity: Severity
    focus_node: str | None
    path: str | None
    value: str | None
    source_shape: str | None
    constraint: str
    message: str
    file: Path | None = None
    line: int | None = None

    @property
    def check(self) -> str:
        """The rule that produced this result: the property or node shape for a SHACL Core
        constraint (each of our shapes holds one), else the SPARQL constraint or check name."""
        if self.source_shape is not None and self.constraint.startswith(str(SH)):
            return self.source_shape
        return self.constraint

    def sort_key(self) -> tuple[str, int, str, str, str, str]:
        """Order results by file and line, then by rule, so output is stable."""
        return (
            str(self.file or "~"),
            self.line or 0,
            self.check,
            self.focus_node or "",
            self.path or "",
            self.value or "",
        )


@dataclass(frozen=True)
class Note:
    """How part of a report was made, where the reader should know it (not a problem in
    the data): a shape the fast SHACL engine refused was checked with pySHACL instead."""

    about: str
    """What the note is about: the shape's IRI."""
    message: str
    """The whole note, naming what it is about."""


@dataclass(frozen=True)
class Report:
    """Everything one validation run found, which checks it ran (``checks``, so that a
    CI report can list passing checks too) and notes on how it ran them."""

    results: tuple[Result, ...]
    checks: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def counts(self) -> dict[Severity, int]:
        """Number of results of each severity (every severity present, zero or not)."""
        counted = Counter(r.severity for r in self.results)
        return {severity: counted[severity] for severity in Severity}

    @property
    def conforms(self) -> bool:
        """True when no result is a violation; warnings and infos are advice."""
        return self.counts[Severity.VIOLATION] == 0

    def fails(self, strict: bool = False) -> bool:
        """Whether this report fails a build: any violation, or with ``strict`` any warning."""
        counts = self.counts
        return counts[Severity.VIOLATION] > 0 or (strict and counts[Severity.WARNING] > 0)
