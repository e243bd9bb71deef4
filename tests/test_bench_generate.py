"""bench/generate.py: deterministic, reaches the size asked, and keeps the same mix at every size.

The mix matters for the growth figures of ``make bench``: if parties and places
were a fixed pool, a small dataset would be mostly pool and a big one mostly
events, and cost would grow with the mix instead of with the size.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import generate  # noqa: E402

RDF_TYPE = generate.RDF_TYPE


def _classes(triples: int) -> Counter[str]:
    return Counter(
        line.split(" ")[2].rsplit("#", 1)[-1].rstrip(">")
        for line in generate.lines(triples)
        if line.split(" ")[1] == RDF_TYPE
    )


@pytest.mark.parametrize("triples", [1, 272, 273, 10_000, 54_321])
def test_the_data_has_at_least_the_triples_asked_and_less_than_one_unit_more(
    triples: int,
) -> None:
    written = sum(1 for _ in generate.lines(triples))
    assert written >= triples
    assert written - triples < generate.UNIT_TRIPLES + 3 or written == generate._total(1)


def test_the_same_arguments_give_the_same_bytes(tmp_path: Path) -> None:
    generate.generate(3_000, tmp_path / "a")
    generate.generate(3_000, tmp_path / "b")
    first = (tmp_path / "a" / "data" / "synthetic.ttl").read_bytes()
    assert first == (tmp_path / "b" / "data" / "synthetic.ttl").read_bytes()
    assert first.count(b"\n") >= 3_000


def test_ten_times_the_triples_gives_about_ten_times_every_kind_of_thing() -> None:
    small, big = _classes(10_000), _classes(100_000)
    for kind in generate.ORGANISATION_KINDS:  # counted together: each pool is small at 10^4
        small["Organisation"] += small.pop(kind)
        big["Organisation"] += big.pop(kind)
    for cls in ("Symposium", "PreparatoryMeeting", "Delegation", "City", "Organisation"):
        assert 8.5 <= big[cls] / small[cls] <= 11.5, cls
    assert big["Country"] == small["Country"] == generate.COUNTRIES  # a bounded set
