"""Locating subjects in Turtle text: the line where each subject's first statement starts."""

from __future__ import annotations

from pathlib import Path

from spacecoop.repository.locate import Location, index, subject_lines

EX = "https://example.org/"

TRICKY = '''\
@prefix ex: <https://example.org/> .
PREFIX sco: <https://w3id.org/spacecoop/def#>
# ex:commented a sco:Event .
ex:alpha a sco:Event ;
    ex:note "a string with . and # and ex:fake a sco:Event ." ;
    ex:long """several
lines. ex:inside a sco:Event .
""" ;
    ex:list ( ex:one ex:two ) ;
    ex:blank [ ex:nested ex:three ] .
[] ex:about ex:alpha .
<https://example.org/beta> a sco:Event .
ex:gamma\\/delta ex:p 1.5 .
ex:alpha ex:again true .
@base <https://example.org/base/> .
<relative> ex:p ex:q .
unknown:thing ex:p ex:q .
'''


def test_subjects_are_found_at_the_start_of_statements_only() -> None:
    assert subject_lines(TRICKY) == {
        EX + "alpha": 4,
        EX + "beta": 12,
        EX + "gamma/delta": 13,
        EX + "base/relative": 16,
    }


def test_canonical_longturtle_blocks_are_located() -> None:
    text = (
        "PREFIX ex: <https://example.org/>\n\n"
        "ex:a\n    a ex:T ;\n    ex:p ex:b ;\n.\n\n"
        "ex:b\n    a ex:T ;\n.\n"
    )
    assert subject_lines(text) == {EX + "a": 3, EX + "b": 8}


def test_index_prefers_the_first_file_and_skips_unreadable_ones(tmp_path: Path) -> None:
    first, second = tmp_path / "first.ttl", tmp_path / "second.ttl"
    first.write_text("@prefix ex: <https://example.org/> .\n\nex:a ex:p 1 .\n", encoding="utf-8")
    second.write_text("@prefix ex: <https://example.org/> .\nex:b ex:p 1 .\nex:a ex:p 2 .\n")
    locations = index([first, tmp_path / "missing.ttl", second])
    assert locations == {EX + "a": Location(first, 3), EX + "b": Location(second, 2)}
    assert str(locations[EX + "b"]) == f"{second}:2"
