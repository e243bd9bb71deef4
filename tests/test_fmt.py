"""`spacecoop fmt`: one canonical form, no lost triple, atomic writes, a canonical repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

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
