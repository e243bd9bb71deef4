"""N-Triples read with rdflib's parser one line at a time: rdflib's triples, in linear time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.plugins.parsers import ntriples

from spacecoop.repository.files import MESSAGE_LIMIT, LoadError, parse_file
from spacecoop.repository.nt_reader import parse_ntriples

# Every line ending rdflib knows, a last line without one, comments, blank lines, blank
# nodes used twice, escapes, language tags and datatypes.
SAMPLE = (
    '<http://a/s> <http://a/p> "tab\\tquote\\"back\\\\slash\\u00e9\\U0001F600" .\n'
    "_:b1 <http://a/p> _:b2 .\r\n"
    "_:b2 <http://a/p> _:b1 .\r"
    "# a comment\n"
    "\n"
    '<http://a/s> <http://a/q> "chat"@fr-CA .\n'
    '<http://a/s> <http://a/r> "042"^^<http://www.w3.org/2001/XMLSchema#integer> .'
)


@pytest.mark.parametrize("skolemize", [False, True])
def test_the_triples_are_rdflib_s_own(skolemize: bool) -> None:
    ours = parse_ntriples(SAMPLE, Graph(), skolemize=skolemize)
    theirs = Graph().parse(data=SAMPLE, format="nt", skolemize=skolemize)
    assert len(ours) == len(theirs) == 5 and isomorphic(ours, theirs)
    if skolemize:  # blank-node labels are kept, as rdflib keeps them
        assert set(ours) == set(theirs)


def test_a_bad_line_raises_rdflib_s_error() -> None:
    with pytest.raises(ntriples.ParseError, match="Invalid line"):
        parse_ntriples("<http://a/s> <http://a/p> .\n", Graph())


def test_each_line_is_scanned_once(tmp_path: Path, nt_line_scans) -> None:
    """rdflib's reader scanned a 1 MB line ~250 million characters over (7 s)."""
    literal = "x" * 1_000_000
    path = tmp_path / "long.nt"
    path.write_text(f'<http://a/s> <http://a/p> "{literal}" .\n', encoding="utf-8")
    graph = parse_file(path, Graph(), strict=True)
    assert [len(o) for o in graph.objects()] == [len(literal)]
    assert nt_line_scans.scanned < 3 * len(literal)


def test_validating_a_20_mb_n_triples_line_finishes(tmp_path: Path) -> None:
    """A hang guard (most of an hour before, a few seconds now), run apart from the suite."""
    path = tmp_path / "huge.nt"
    path.write_text(f'<http://a/s> <http://a/p> "{"x" * 20_000_000}" .\n', encoding="utf-8")
    done = subprocess.run(
        [Path(sys.executable).with_name("spacecoop"), "validate", path],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.stderr == "" and done.returncode in (0, 1)  # a report, whatever it finds


def test_a_load_error_quoting_a_huge_line_stays_short() -> None:
    error = LoadError(Path("d.nt"), 1, 1, "Invalid line: " + "x" * 20_000_000)
    assert str(error) == f"d.nt:1:1: Invalid line: {'x' * (MESSAGE_LIMIT - 14)}…"
