"""The one result type of both reasoners' consistency checks."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef


@dataclass(frozen=True)
class Inconsistency:
    """Why ontology and data are inconsistent, and the individual concerned where one is named."""

    message: str
    node: URIRef | None
