"""Canonical Turtle: one sorted, diff-friendly form for every file, written without losing a triple.

The writer is rdflib's ``longturtle`` with ``canon=True`` (blank nodes get
stable names), with subjects sorted by IRI, the ontology header first, rather
than by how often they are referenced: otherwise adding a link to a thing would
move its whole block in the file. Prefixes are the canonical ones
(:data:`spacecoop.namespaces.PREFIXES`) plus any the file declares itself
(``event:``, ``bg:``). Before writing, the output is parsed again and must be
isomorphic to the input; the file is then replaced atomically.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from rdflib import BNode, Graph, Namespace
from rdflib.compare import isomorphic, to_canonical_graph
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer
from rdflib.term import Node

from .namespaces import OWL, PREFIXES, RDF
from .repository.files import find_sources, parse_file, read_text_file
from .repository.nt_reader import parse_ntriples
from .repository.turtle_reader import TURTLE

__all__ = ["FormatError", "canonical_text", "check", "default_paths", "format_files"]


@dataclass(eq=False)
class FormatError(Exception):
    """A file that cannot be rewritten safely (the canonical form would change its graph)."""

    path: Path
    message: str

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class _SortedLongTurtle(LongTurtleSerializer):
    """longturtle with subjects in IRI order, the ``owl:Ontology`` header first."""

    def orderSubjects(self) -> list[Node]:  # noqa: N802 (rdflib's method name)
        headers = set(self.store.subjects(RDF.type, OWL.Ontology))
        return sorted(
            super().orderSubjects(),
            key=lambda s: (isinstance(s, BNode), s not in headers, str(s)),
        )

    def canonize(self) -> None:
        """rdflib's own ``canonize``, with its N-Triples read back in linear time.

        rdflib writes the graph with canonical blank-node labels as N-Triples, sorts
        the lines and parses them again, with a reader whose time grows with the square
        of a line's length (3.8 s for a 1 MB literal, minutes for 20 MB); see
        :mod:`spacecoop.repository.nt_reader`. The steps are rdflib 7's.
        """
        if not self._canon:
            return
        namespace_manager = self.store.namespace_manager
        content = to_canonical_graph(self.store).serialize(format="application/n-triples")
        sorted_lines = "\n".join(sorted(content.split("\n")))
        graph = parse_ntriples(sorted_lines, Graph(), skolemize=True).de_skolemize()
        graph.namespace_manager = namespace_manager
        self.store = graph


def default_paths(root: Path) -> list[Path]:
    """The repository's own Turtle: ontology, shapes and data files."""
    return list(find_sources(root).all)


def canonical_text(path: Path) -> str:
    """The canonical Turtle for the file at ``path``.

    Raises :class:`~spacecoop.repository.files.LoadError` if it does not parse, and
    :class:`FormatError` if the canonical text would not hold the same graph.
    """
    original = parse_file(path, Graph(bind_namespaces="none"))
    graph = Graph(bind_namespaces="none")
    graph += original
    for prefix, namespace in original.namespaces():
        graph.bind(prefix, namespace)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)

    buffer = BytesIO()
    _SortedLongTurtle(graph).serialize(buffer, encoding="utf-8", canon=True)
    text = buffer.getvalue().decode("utf-8").strip() + "\n"

    try:
        again = Graph().parse(data=text, format=TURTLE, publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many types; all mean "the output does not parse".
        raise FormatError(
            path, f"canonical form does not parse ({exc}); file left as it was"
        ) from exc
    if not isomorphic(original, again):
        raise FormatError(path, "canonical form would change the graph; file left as it was")
    return text


def check(paths: Iterable[Path]) -> list[Path]:
    """The files among ``paths`` that are not in canonical form; nothing is written."""
    return [Path(p) for p in paths if _rewrite(Path(p)) is not None]


def format_files(paths: Iterable[Path]) -> list[Path]:
    """Rewrite each file among ``paths`` in canonical form; return the ones that changed.

    Every file is checked before any is written, so one unsafe file leaves all untouched.
    A symbolic link keeps pointing where it did: the file it points to is rewritten.
    """
    changed = [(path, text) for path in map(Path, paths) if (text := _rewrite(path)) is not None]
    for path, text in changed:
        write_atomically(path, text)
    return [path for path, _ in changed]


def _rewrite(path: Path) -> str | None:
    """The canonical text of ``path`` if it differs from the file's, else None.

    The canonical text comes first: making it checks that ``path`` is a regular,
    readable Turtle file.
    """
    text = canonical_text(path)
    return None if read_text_file(path) == text else text


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old file or the new, never half.

    The text goes to a temporary file beside the file (same file system), takes
    over the original's permissions, and is renamed over it with ``os.replace``.
    If ``path`` is a symbolic link, the file it leads to is the one replaced, in its
    own folder, and the link is left as it is; a broken link is a :class:`FormatError`.
    """
    try:
        target = Path(path).resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links
        raise FormatError(Path(path), f"cannot follow to a file ({exc}); nothing written") from exc
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        shutil.copymode(target, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
