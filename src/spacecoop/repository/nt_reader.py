"""rdflib's N-Triples parser, fed one line at a time so that a long line costs linear time.

rdflib's reader takes 2 kB more of its input at a time and searches its whole buffer
for a line end after each: a line of n characters costs n²/4096 character steps, so a
1 MB literal took 7 s to read and a 20 MB one most of an hour. Handed exactly one
line per read, the same parser finds each line end at once and builds the same triples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from io import TextIOBase

from rdflib import Graph
from rdflib.plugins.parsers.ntriples import NTGraphSink, W3CNTriplesParser

__all__ = ["parse_ntriples"]

# A line as rdflib's reader splits them (its r_line): ended by \r\n, \r or \n; the last
# may have no end.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def parse_ntriples(text: str, into_graph: Graph, *, skolemize: bool = False) -> Graph:
    """Add the triples of N-Triples ``text`` to ``into_graph``, exactly as
    ``into_graph.parse(data=text, format="nt", skolemize=skolemize)`` would, and return it.

    Raises rdflib's ``ParserError`` for a line that is not N-Triples, as rdflib does.
    """
    lines = (match.group() for match in _LINE.finditer(text))
    W3CNTriplesParser(NTGraphSink(into_graph)).parse(_OneLinePerRead(lines), skolemize=skolemize)
    return into_graph


class _OneLinePerRead(TextIOBase):
    """A text stream whose every ``read`` returns the next of ``lines``, whatever size is asked."""

    def __init__(self, lines: Iterable[str]) -> None:
        super().__init__()
        self._lines: Iterator[str] = iter(lines)

    def read(self, size: int | None = -1) -> str:
        return next(self._lines, "")
