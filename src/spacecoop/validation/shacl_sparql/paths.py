"""SHACL property paths (SHACL §2.3.1) as SPARQL property paths.

A property shape's values are the nodes its ``sh:path`` reaches from the focus
node; every query over them writes that path as a SPARQL property path, and a
Result names it as the report model writes paths.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

from ...namespaces import RDF, SH
from .vocabulary import UnsupportedShapeError, describe

__all__ = ["ShaclPath"]


@dataclass(frozen=True)
class ShaclPath:
    """A property shape's ``sh:path`` as a SPARQL property path, and as Results write it."""

    sparql: str
    text: str
    """As report Results write paths (see :func:`..report.path_text`): the IRI,
    ``^IRI`` for its inverse, else the path node of the shapes graph, which pySHACL reports."""

    @classmethod
    def of(cls, shapes: Graph, shape: Node, owner: Node | None) -> ShaclPath | None:
        """The path of ``shape``, None for a node shape.

        Paths that can be of length zero (``sh:zeroOrMorePath``, ``sh:zeroOrOnePath``) are
        refused: their value nodes include the focus node itself even where the data does
        not mention it, which the queries that find failures before focus nodes would miss.
        """
        paths = list(shapes.objects(shape, SH.path))
        if len(paths) > 1:
            raise UnsupportedShapeError(describe(shape, owner), "more than one sh:path")
        if not paths:
            return None
        path = paths[0]
        sparql = _sparql_path(shapes, path, describe(shape, owner), depth=0)
        inverse = shapes.value(path, SH.inversePath)
        if isinstance(path, URIRef):
            return cls(sparql, str(path))
        if isinstance(inverse, URIRef):
            return cls(sparql, f"^{inverse}")
        return cls(sparql, path.n3())


def _plain_list(shapes: Graph, head: Node) -> bool:
    """Whether each cell of the RDF list at ``head`` has one rdf:first, one rdf:rest, no more."""
    cell, seen = head, set()
    while cell != RDF.nil:
        if cell in seen or sorted(p for p, _ in shapes.predicate_objects(cell)) != [
            RDF.first,
            RDF.rest,
        ]:
            return False
        seen.add(cell)
        cell = shapes.value(cell, RDF.rest)
    return True


_PATH_KINDS = {SH.inversePath: "^{}", SH.oneOrMorePath: "{}+"}
_ZERO_LENGTH = (SH.zeroOrMorePath, SH.zeroOrOnePath)
_ILL_FORMED = "an ill-formed sh:path (a blank node that is not exactly one kind of path)"
_MAX_PATH_DEPTH = 32
"""Deeper nesting is taken for a cycle in the path's blank nodes."""


def _sparql_path(shapes: Graph, path: Node, where: str, depth: int) -> str:
    """A SHACL path (SHACL §2.3.1) as a SPARQL property path."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if depth > _MAX_PATH_DEPTH or not isinstance(path, BNode):
        raise UnsupportedShapeError(where, "an ill-formed sh:path (too deep, or a literal)")
    if (path, RDF.first, None) in shapes:  # a sequence
        if not _plain_list(shapes, path):
            raise UnsupportedShapeError(where, _ILL_FORMED)
        steps = [_sparql_path(shapes, p, where, depth + 1) for p in RdfList(shapes, path)]
        return f"({' / '.join(steps)})"
    (kind, inner), *others = list(shapes.predicate_objects(path)) or [(None, None)]
    if others or kind is None:
        raise UnsupportedShapeError(where, _ILL_FORMED)
    if kind in _ZERO_LENGTH:
        raise UnsupportedShapeError(where, f"a sh:path that can be of length zero ({kind})")
    if kind == SH.alternativePath:
        choices = [_sparql_path(shapes, p, where, depth + 1) for p in RdfList(shapes, inner)]
        if not choices:
            raise UnsupportedShapeError(where, "an empty sh:alternativePath")
        return f"({' | '.join(choices)})"
    if kind in _PATH_KINDS:
        operand = _sparql_path(shapes, inner, where, depth + 1)
        if not isinstance(inner, URIRef):
            operand = f"({operand})"  # ^ and + apply to one IRI or one bracketed path
        return _PATH_KINDS[kind].format(operand)
    raise UnsupportedShapeError(where, f"a sh:path with {kind}")

