"""rdflib's Turtle parser, with string literals read in linear time.

rdflib builds a literal's value with ``+=``, a piece at a time, an empty piece before
every escape. CPython grows a string in place only when it can; here it often cannot,
copies the value so far, and a literal of n escapes costs up to n² (measured: 1 MB of
``\n`` escapes 9 s, 4 MB 4 minutes; ``fmt --check`` 75 s on 2 MB). Here a well-formed
literal is read with one regular expression and one substitution. Anything else, every
literal that is an error to report included, goes to rdflib's own code: values, line
counts and messages stay rdflib's (tested on random literals against rdflib).

Registered with rdflib as the format :data:`TURTLE`.
"""

from __future__ import annotations

import re

from rdflib import Graph
from rdflib.exceptions import ParserError
from rdflib.parser import InputSource, Parser
from rdflib.plugin import register
from rdflib.plugins.parsers.notation3 import RDFSink, SinkParser, TurtleParser

__all__ = ["TURTLE"]

TURTLE = "spacecoop-turtle"
"""The rdflib format name of this parser: ``graph.parse(data=..., format=TURTLE)``."""

# The escapes rdflib's strconst accepts, and what they stand for (\u and \U: the code point).
_SINGLE = dict(zip("abfrtvn\\\"'", "\a\b\f\r\t\v\n\\\"'", strict=True))
_ESCAPE = r"\\(?:[abfrtvn\\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
_ONE_ESCAPE = re.compile(r"\\(?:([abfrtvn\\\"'])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")


def _body(delimiter: str) -> re.Pattern[str]:
    """A well-formed literal's body after its opening ``delimiter``, then the closing one.

    As in rdflib: a short string ends at its quote and may hold no line end; a long
    one ends at the first three quotes that do not start a longer run, and up to two
    quotes more are part of the value. Possessive: nothing is given back, so the
    pattern needs no memory per character.
    """
    q = delimiter[0]
    if len(delimiter) == 1:
        return re.compile(rf"((?:[^{q}\\\r\n]++|{_ESCAPE})*+){q}")
    return re.compile(rf"((?:[^{q}\\]++|{_ESCAPE}|{q}(?!{q}{q}))*+){q}{q}{q}({q}{{0,2}})")


_BODIES = {delimiter: _body(delimiter) for delimiter in ('"', "'", '"""', "'''")}


def _unescape(match: re.Match[str]) -> str:
    single, four, eight = match.groups()
    return _SINGLE[single] if single else chr(int(four or eight, 16))


class _LinearSinkParser(SinkParser):
    def strconst(self, argstr: str, i: int, delim: str) -> tuple[int, str]:
        """rdflib's ``strconst``: the index after the literal that starts at ``i`` and its value."""
        body = _BODIES[delim].match(argstr, i)
        if body is None:
            return super().strconst(argstr, i, delim)
        text = body.group(1)
        try:
            value = _ONE_ESCAPE.sub(_unescape, text) if "\\" in text else text
        except ValueError:  # a code point beyond Unicode: rdflib says so
            return super().strconst(argstr, i, delim)
        if len(delim) == 3:
            value += body.group(2)
            # rdflib counts \r and \n each as a line, and notes where the last line starts.
            ends = text.count("\n") + text.count("\r")
            if ends:
                self.lines += ends
                self.startOfLine = i + max(text.rfind("\n"), text.rfind("\r")) + 1
        return body.end(), value


class _LinearTurtleParser(TurtleParser):
    """rdflib's TurtleParser with :class:`_LinearSinkParser` in place of its SinkParser."""

    def parse(
        self,
        source: InputSource,
        graph: Graph,
        encoding: str | None = "utf-8",
        turtle: bool = True,
    ) -> None:
        # rdflib 7's TurtleParser.parse, but for the parser class.
        if encoding not in (None, "utf-8"):
            raise ParserError(f"Turtle files are always UTF-8 encoded, not {encoding}")
        sink = RDFSink(graph)
        base = graph.absolutize(source.getPublicId() or source.getSystemId() or "")
        parser = _LinearSinkParser(sink, baseURI=base, turtle=turtle)
        parser.loadStream(source.getCharacterStream() or source.getByteStream())
        for prefix, namespace in parser._bindings.items():
            graph.bind(prefix, namespace)


register(TURTLE, Parser, __name__, _LinearTurtleParser.__name__)
