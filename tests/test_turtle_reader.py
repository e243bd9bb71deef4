"""rdflib's Turtle parser with literals read in linear time: rdflib's triples, lines and errors."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax, SinkParser

from spacecoop.repository.files import parse_file
from spacecoop.repository.turtle_reader import TURTLE

PREFIX = "@prefix ex: <http://example.org/> .\n"
# What can make a literal interesting: quotes of both kinds, escapes and half-escapes,
# line ends, hex digits for \u and \U, non-ASCII.
ALPHABET = ["a", '"', "'", "\\", "n", "u", "U", "0", "1", "F", "D", "8", "\n", "\r", "é", "t", " "]
# What follows the literal: the end, a language tag, a second multi-line literal, an error
# on a later line (whose line number depends on the lines the literal counted).
TAILS = [
    " .\n",
    "@en .\n",
    ' ; ex:q """x\ny""" .\n',
    '\nex:t ex:p "a\nb" .\n',
    " .\nex:u ex:p ex:o ex:x .\n",
]
ESCAPED_NEWLINE = "\\n"  # the two characters \ and n


def _outcome(text: str, rdflib_format: str) -> tuple[object, ...]:
    """The triples rdflib builds from ``text``, or where and why it refuses it."""
    try:
        graph = Graph().parse(data=text, format=rdflib_format)
    except BadSyntax as error:
        return ("refused", error.lines, error._i, error._why)
    return ("parsed", sorted((str(s), str(p), repr(o)) for s, p, o in graph))


def test_literals_parse_exactly_as_rdflib_parses_them() -> None:
    """2,000 random literals in every quoting, valid or not: the same triples, or the same
    error at the same line and offset."""
    generator = random.Random(16)
    outcomes = set()
    for _ in range(2_000):
        quote = generator.choice(['"', "'", '"""', "'''"])
        body = "".join(generator.choices(ALPHABET, k=generator.randint(0, 12)))
        text = f"{PREFIX}ex:s ex:p {quote}{body}{quote}{generator.choice(TAILS)}"
        expected = _outcome(text, "turtle")
        assert _outcome(text, TURTLE) == expected, text
        outcomes.add(expected[0])
    assert outcomes == {"parsed", "refused"}


def test_a_well_formed_literal_does_not_go_through_rdflib_s_string_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rdflib's reader copies the value so far at every escape: n escapes cost n²."""

    def quadratic(*args: object) -> None:
        raise AssertionError("rdflib's strconst was used")

    path = tmp_path / "escapes.ttl"
    escaped_quote = 'a\\"b\n'
    literals = f'"{ESCAPED_NEWLINE * 100_000}", """{escaped_quote * 100_000}"""'
    path.write_text(f"{PREFIX}ex:s ex:p {literals} .\n", encoding="utf-8")
    monkeypatch.setattr(SinkParser, "strconst", quadratic)
    values = sorted(str(o) for o in parse_file(path, Graph()).objects())
    assert values == sorted(["\n" * 100_000, 'a"b\n' * 100_000])


def test_fmt_on_4_mb_of_escapes_finishes(tmp_path: Path) -> None:
    """A hang guard, run apart: before, fmt --check took 75 s on 2 MB of escapes (rdflib's
    Turtle and N-Triples readers), minutes on 4 MB; now a few seconds."""
    path = tmp_path / "escapes.ttl"
    path.write_text(f'{PREFIX}ex:s ex:p "{ESCAPED_NEWLINE * 2_000_000}" .\n', encoding="utf-8")
    done = subprocess.run(
        [Path(sys.executable).with_name("spacecoop"), "fmt", "--check", path],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert (done.returncode, done.stderr) == (1, "")  # not in canonical form, and said so
