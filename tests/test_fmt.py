"""`spacecoop fmt`: one canonical form, no lost triple, atomic writes, a canonical repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

from checkout import SPACECOOP
from spacecoop import fmt
from spacecoop.cli import main

MESSY = """\
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix event: <https://w3id.org/spacecoop/id/event/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
event:b rdfs:label "B"@en . event:a a sco:Event ; rdfs:label "A"@en .
"""

TRICKY = r'''@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:thing a ex:Thing ;
    rdfs:label "Thing"@en , "Ding"@de , "东西"@zh ;
    rdfs:comment """A long text with "quotes", 'single quotes', a backslash \\ and
a second line, plus trailing quotes: \"""" ;
    ex:tab "tab\there" ;
    ex:list ( 1 2.5 "three" ex:four ( "nested" ) [ ex:in "a list" ] ) ;
    ex:empty () ;
    ex:shared _:shared ;
    ex:anonymous [ ex:deeper [ ex:deepest true ] ] ;
    ex:date "2018-01"^^xsd:gYearMonth , "2019"^^xsd:gYear , "2018-01-29"^^xsd:date ;
    ex:number -7 , 1.0e3 , "042"^^xsd:integer ;
    ex:custom "x"^^ex:MyType .
ex:other ex:shared _:shared .
_:shared ex:p "shared blank node" .
[] ex:unreferenced "blank subject" .
<https://example.org/odd%20iri> ex:p ex:35th-thing .
'''


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_out_of_form_is_listed_by_check_and_fixed_by_fmt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "messy.ttl", MESSY)

    assert main(["fmt", "--check", str(path)]) == 1
    assert f"{path}: not in canonical form" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == MESSY  # --check writes nothing

    assert main(["fmt", str(path)]) == 0
    assert main(["fmt", "--check", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert text.index("event:a\n    a sco:Event ;") < text.index("event:b\n")  # sorted subjects
    assert text.startswith("PREFIX event: <https://w3id.org/spacecoop/id/event/>\n")


def test_fmt_never_loses_a_triple(tmp_path: Path) -> None:
    path = _write(tmp_path, "tricky.ttl", TRICKY)
    original = Graph().parse(path)

    fmt.format_files([path])

    again = Graph().parse(path)
    assert len(again) == len(original) > 30
    assert isomorphic(original, again)
    assert fmt.check([path]) == []  # the canonical form is stable
    assert fmt.canonical_text(path) == path.read_text(encoding="utf-8")


def test_the_file_s_own_prefixes_are_kept_and_canonical_ones_win(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "prefixes.ttl",
        "@prefix mine: <https://example.org/mine/> .\n"
        "@prefix vocab: <https://w3id.org/spacecoop/def#> .\n"
        "mine:x a vocab:Event .\n",
    )
    text = fmt.canonical_text(path)
    assert "PREFIX mine: <https://example.org/mine/>" in text
    assert "mine:x\n    a sco:Event ;" in text
    assert "vocab:" not in text


def test_a_refused_rewrite_leaves_every_file_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _write(tmp_path, "a.ttl", MESSY)
    second = _write(tmp_path, "b.ttl", MESSY.replace("event:a", "event:c"))
    monkeypatch.setattr(fmt, "isomorphic", lambda a, b: False)

    assert main(["fmt", str(first), str(second)]) == 2
    assert "canonical form would change the graph" in capsys.readouterr().err
    assert first.read_text(encoding="utf-8") == MESSY
    assert second.read_text(encoding="utf-8") == MESSY.replace("event:a", "event:c")


def test_an_interrupted_write_leaves_the_original_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "messy.ttl", MESSY)

    def fail(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        fmt.format_files([path])
    assert path.read_text(encoding="utf-8") == MESSY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["messy.ttl"]


def test_a_rewrite_keeps_the_file_s_permissions(tmp_path: Path) -> None:
    path = _write(tmp_path, "messy.ttl", MESSY)
    path.chmod(0o640)
    fmt.format_files([path])
    assert path.stat().st_mode & 0o777 == 0o640


def test_unparseable_input_exits_2(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", "--check", str(fixtures_dir / "broken_syntax.ttl")]) == 2
    assert "broken_syntax.ttl:8:78: " in capsys.readouterr().err


def test_the_repository_s_turtle_is_in_canonical_form(repo_root: Path) -> None:
    paths = fmt.default_paths(repo_root)
    assert {p.name for p in paths} >= {"spacecoop.ttl", "shapes.ttl", "events.ttl"}
    assert fmt.check(paths) == []


# --- long literals: linear work ------------------------------------------------------------

HUGE_LITERAL = 20_000_000


def test_canonical_form_reads_each_n_triples_line_once(tmp_path: Path, nt_line_scans) -> None:
    """rdflib's reader searched its whole, growing buffer after every 2 kB: a 1 MB
    literal was scanned ~250 million characters over (3.8 s), 20 MB for minutes."""
    literal = "x" * 1_000_000
    path = _write(
        tmp_path, "long.ttl", f'@prefix ex: <https://example.org/> .\nex:s ex:p "{literal}" .\n'
    )
    text = fmt.canonical_text(path)
    assert literal in text
    assert nt_line_scans.scanned < 3 * len(literal)


@pytest.mark.parametrize("source", [TRICKY, MESSY], ids=["tricky", "messy"])
def test_the_canonical_form_is_rdflib_s_own(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading the sorted N-Triples a line at a time changes nothing in rdflib's output."""
    path = _write(tmp_path, "t.ttl", source)

    class RdflibCanonize(fmt._SortedLongTurtle):
        canonize = LongTurtleSerializer.canonize

    ours = fmt.canonical_text(path)
    monkeypatch.setattr(fmt, "_SortedLongTurtle", RdflibCanonize)
    assert fmt.canonical_text(path) == ours


def test_fmt_on_a_20_mb_literal_finishes(tmp_path: Path) -> None:
    """A hang guard: fmt --check took more than 280 s on this file, fmt about as long;
    now each takes a few seconds. Run apart so that a regression cannot hang the suite."""
    literal = "x" * HUGE_LITERAL
    path = _write(
        tmp_path, "huge.ttl", f'@prefix ex: <https://example.org/> .\nex:s ex:p "{literal}" .\n'
    )
    for argv, status in (("--check", 1), ("", 0), ("--check", 0)):
        done = subprocess.run(
            [SPACECOOP, "fmt", *argv.split(), path],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert (done.returncode, done.stderr) == (status, "")
    assert literal in path.read_text(encoding="utf-8")


# --- symbolic links ------------------------------------------------------------------------


def test_fmt_rewrites_the_target_of_a_link_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    target = _write(tmp_path / "real", "messy.ttl", MESSY)
    link = tmp_path / "links" / "messy.ttl"
    link.symlink_to(Path("..") / "real" / "messy.ttl")

    assert main(["fmt", str(link)]) == 0

    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "real" / "messy.ttl")
    assert target.read_text(encoding="utf-8") == fmt.canonical_text(target) != MESSY
    assert sorted(p.name for p in (tmp_path / "links").iterdir()) == ["messy.ttl"]
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["messy.ttl"]
    assert main(["fmt", "--check", str(link)]) == 0


def test_a_broken_link_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "gone.ttl"
    link.symlink_to(tmp_path / "nowhere.ttl")
    for argv in (["fmt", str(link)], ["fmt", "--check", str(link)]):
        assert main(argv) == 2
        assert capsys.readouterr().err == (
            f"error: {link}: is a broken symbolic link (to {tmp_path / 'nowhere.ttl'})\n"
        )
    assert link.is_symlink() and not link.exists()
