"""Where each subject is defined in Turtle files: subject IRI -> file and line.

A validation result names a focus node; a contributor needs the file and line
of the subject block that describes it. rdflib keeps no positions, so this
module scans the Turtle text itself: a small tokenizer that knows strings,
IRIs, comments and brackets well enough to find the term that starts each
statement, and resolves it with the prefixes (``@prefix`` or ``PREFIX``) and
base the file declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from .files import LoadError, read_text_file

__all__ = ["Location", "index", "subject_lines"]

# Strings and words are matched a run of plain characters at a time, possessively
# (``*+``): one repetition per character kept a backtracking entry per character, ~270
# bytes each: a 20 MB literal took 11 s and over 5 GB (now 0.2 s and no memory but the
# token's). Giving nothing back changes no match: no closing quote, and no character
# that ends a word, can start where a repetition ended.
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<long>\"\"\"[^"\\]*+(?:(?:\\.|"(?!""))[^"\\]*+)*+\"\"\"
              |'''[^'\\]*+(?:(?:\\.|'(?!''))[^'\\]*+)*+''')
    | (?P<string>"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"|'[^'\\\n]*+(?:\\.[^'\\\n]*+)*+')
    | (?P<iri><[^<>"{}|^`\\\s]*>)
    | (?P<punct>[.;,\[\]()])
    | (?P<word>[^\s.;,\[\]()"'<\#]++(?:\.++[^\s.;,\[\]()"'<\#]++)*+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Location:
    """A 1-based line in a file."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    line: int


def _tokens(text: str) -> Iterator[_Token]:
    """The significant tokens of Turtle ``text`` (no spaces, no comments), with their lines."""
    line = 1
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield _Token(kind, match.group(), line)
        line += match.group().count("\n")


def subject_lines(text: str, base: str = "") -> dict[str, int]:
    """Map every IRI that starts a statement in Turtle ``text`` to the line of its first statement.

    Blank-node subjects and prefixed names with an undeclared prefix are
    skipped; relative IRIs are resolved against ``base`` and any ``@base``.
    """
    prefixes: dict[str, str] = {}
    found: dict[str, int] = {}
    depth = 0
    at_statement_start = True
    tokens = _tokens(text)
    for token in tokens:
        if at_statement_start and depth == 0:
            directive = token.text.lower()
            if token.kind == "word" and directive in ("@prefix", "prefix"):
                name, iri = next(tokens, None), next(tokens, None)
                if name is not None and iri is not None and iri.kind == "iri":
                    prefixes[name.text.removesuffix(":")] = urljoin(base, iri.text[1:-1])
                at_statement_start = directive == "prefix"  # SPARQL style has no final '.'
                continue
            if token.kind == "word" and directive in ("@base", "base"):
                iri = next(tokens, None)
                if iri is not None and iri.kind == "iri":
                    base = urljoin(base, iri.text[1:-1])
                at_statement_start = directive == "base"
                continue
            subject = _resolve(token, prefixes, base)
            if subject is not None:
                found.setdefault(subject, token.line)
            at_statement_start = False
        if token.text in ("[", "("):
            depth += 1
        elif token.text in ("]", ")"):
            depth = max(depth - 1, 0)
        elif token.text == "." and depth == 0:
            at_statement_start = True
    return found


def _resolve(token: _Token, prefixes: dict[str, str], base: str) -> str | None:
    """The IRI a subject token stands for, or None for blank nodes and unknown prefixes."""
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1])
    if token.kind != "word" or ":" not in token.text or token.text.startswith("_:"):
        return None
    prefix, local = token.text.split(":", 1)
    namespace = prefixes.get(prefix)
    return None if namespace is None else namespace + _ESCAPE.sub(r"\1", local)


def index(paths: Iterable[Path]) -> dict[str, Location]:
    """Where each subject IRI of the Turtle files ``paths`` is first defined (earlier files win).

    Files that cannot be read are skipped: locating is a courtesy to the
    reader, and the loader reports unreadable files itself.
    """
    locations: dict[str, Location] = {}
    for path in paths:
        try:  # only a regular file: a FIFO put in place since loading would block the read
            text = read_text_file(Path(path))
        except LoadError:
            continue
        for subject, line in subject_lines(text, Path(path).resolve().as_uri()).items():
            locations.setdefault(subject, Location(Path(path), line))
    return locations
