"""The validation report model: one :class:`Result` per problem found, one :class:`Report` per run.

SHACL results and ontology checks share this model, so every writer (text,
JSON, JUnit, GitHub annotations) and every exit status treats them alike. Both
SHACL engines, pySHACL and the SPARQL one, turn their results into Results with
:func:`make_result`, so that the same result gives equal Results.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from ..namespaces import SH, bind_prefixes

__all__ = ["Note", "Report", "Result", "Severity", "make_result", "path_text"]

_TURTLE_NAMES = bind_prefixes(Graph()).namespace_manager


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


def make_result(
    *,
    severity: Node | None,
    focus: Node | None,
    path: str | None,
    value: Node | None,
    shape: Node | None,
    component: Node | None,
    sparql_constraint: Node | None,
    messages: Iterable[str],
    shape_messages: Collection[str],
) -> Result:
    """A report Result from the parts of a SHACL validation result.

    Shared by pySHACL's results (:mod:`spacecoop.validation.pyshacl_engine`) and the
    SPARQL engine (:mod:`spacecoop.validation.shacl_sparql`), so both turn the same
    parts into equal Results. ``path`` is already text (:func:`path_text`);
    ``messages`` are the result's messages and ``shape_messages`` the source shape's
    own ``sh:message`` texts.
    """
    constraint = sparql_constraint if component == SH.SPARQLConstraintComponent else component
    texts = sorted(set(messages))
    if component == SH.SPARQLConstraintComponent and shape is not None:
        # pySHACL adds the node shape's own message (about its other constraints) as well.
        texts = [m for m in texts if m not in shape_messages] or texts
    return Result(
        severity=Severity.from_iri(str(severity)),
        focus_node=_node_text(focus),
        path=path,
        # A node-level constraint reports the focus node itself as the value: say it once.
        value=None if value is None or value == focus else value.n3(_TURTLE_NAMES),
        source_shape=str(shape) if isinstance(shape, URIRef) else None,
        constraint=str(constraint),
        message=" ".join(texts) or f"{constraint} failed",
    )


def path_text(graph: Graph, path: Node | None) -> str | None:
    """A SHACL path of ``graph`` as Results write it: the property IRI, ``^IRI`` for an
    inverse path, else the path node."""
    if path is None or isinstance(path, URIRef):
        return _node_text(path)
    inverse = graph.value(path, SH.inversePath) if isinstance(path, BNode) else None
    if isinstance(inverse, URIRef):
        return f"^{inverse}"
    return path.n3()


def _node_text(node: Node | None) -> str | None:
    if node is None:
        return None
    return str(node) if isinstance(node, URIRef) else node.n3()
