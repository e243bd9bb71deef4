"""Deterministic synthetic data of our own shape, at any size, for benchmarks.

``python bench/generate.py --triples 1000000 --out /tmp/kg-1m`` writes a
repository-like folder (the real ontology, shapes and queries, plus
``data/synthetic.ttl``) whose data follows the same patterns as ``data/``:
symposia in series with preparatory meetings, signings, memoranda signed by
delegations of countries, initiatives, and source documents whose paragraphs
every entity cites. The same arguments always give the same bytes.

The data is written as N-Triples lines, which are valid Turtle, so it is
generated at disk speed and parsed by every loader.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/spacecoop/id/"
SCO = "https://w3id.org/spacecoop/def#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
XSD = "http://www.w3.org/2001/XMLSchema#"

# The shared pools grow with the data, so every size has the same mix: with fixed
# pools, parties and places were half of a 10^4-triple dataset and a rounding
# error at 10^6, and cost grew with the mix rather than with the size.
UNITS_PER_CITY, UNITS_PER_ORGANISATION, UNITS_PER_TOPIC = 25, 12, 250
COUNTRIES = 60  # the world has a bounded number of countries: 180 triples at any size
SERIES_LENGTH = 100
UNIT_TRIPLES = 73  # one unit() without its series; every SERIES_LENGTH-th adds 3
ORGANISATION_KINDS = ("Foundation", "Association", "LearnedSociety", "Institute", "University")
START = dt.date(2000, 1, 3)


def iri(path: str) -> str:
    return f"<{ID}{path}>"


def sco(term: str) -> str:
    return f"<{SCO}{term}>"


def text(value: str) -> str:
    return f'"{value}"@en'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def triple(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o} .\n"


def _entity(subject: str, cls: str, label: str, cites: str) -> Iterator[str]:
    yield triple(subject, RDF_TYPE, sco(cls))
    yield triple(subject, LABEL, text(label))
    yield triple(subject, DERIVED, cites)


@dataclass(frozen=True)
class Pools:
    """How many shared cities, organisations and topics the units draw on."""

    cities: int
    organisations: int
    topics: int

    @classmethod
    def for_units(cls, units: int) -> Pools:
        return cls(
            cities=-(-units // UNITS_PER_CITY),
            organisations=max(2, -(-units // UNITS_PER_ORGANISATION)),  # host ≠ supporter
            topics=-(-units // UNITS_PER_TOPIC),
        )

    @property
    def triples(self) -> int:
        return 3 * COUNTRIES + 4 * self.cities + 3 * self.organisations + 3 * self.topics + 3


def units_for(triples: int) -> int:
    """The fewest units whose triples, with their pools, reach ``triples`` (binary search:
    the total only grows with the number of units)."""
    low, high = 1, 1
    while _total(high) < triples:
        low, high = high + 1, high * 2
    while low < high:
        middle = (low + high) // 2
        low, high = (middle + 1, high) if _total(middle) < triples else (low, middle)
    return low


def _total(units: int) -> int:
    series = -(-units // SERIES_LENGTH)
    return units * UNIT_TRIPLES + 3 * series + Pools.for_units(units).triples


def pools(sizes: Pools) -> Iterator[str]:
    """Shared parties, places and topics that the units refer to."""
    cite = iri("source/synthetic-0/p1")
    for c in range(COUNTRIES):
        yield from _entity(iri(f"country/c-{c}"), "Country", f"Synthetic country {c}", cite)
    for c in range(sizes.cities):
        city = iri(f"place/city-{c}")
        yield from _entity(city, "City", f"Synthetic city {c}", cite)
        yield triple(city, sco("containedInPlace"), iri(f"country/c-{c % COUNTRIES}"))
    for o in range(sizes.organisations):
        kind = ORGANISATION_KINDS[o % len(ORGANISATION_KINDS)]
        yield from _entity(iri(f"organisation/org-{o}"), kind, f"Synthetic organisation {o}", cite)
    for t in range(sizes.topics):
        yield from _entity(iri(f"topic/t-{t}"), "Topic", f"Synthetic topic {t}", cite)
    yield from _entity(iri("attendee-kind/astronaut"), "AttendeeKind", "Synthetic astronauts", cite)


def unit(i: int, sizes: Pools) -> Iterator[str]:
    """One symposium with everything around it: about 90 triples."""
    doc, p1, p2 = (
        iri(f"source/synthetic-{i}"),
        iri(f"source/synthetic-{i}/p1"),
        iri(f"source/synthetic-{i}/p2"),
    )
    yield triple(doc, RDF_TYPE, sco("WebPage"))
    yield triple(doc, LABEL, text(f"Synthetic source document {i}"))
    yield triple(doc, sco("sourceFile"), typed(f"synthetic-{i}.txt", "string"))
    for n, paragraph in ((1, p1), (2, p2)):
        yield triple(paragraph, RDF_TYPE, sco("SourceParagraph"))
        yield triple(paragraph, LABEL, text(f"Synthetic source document {i}, paragraph {n}"))
        yield triple(paragraph, sco("inDocument"), doc)
        yield triple(paragraph, sco("paragraphNumber"), typed(n, "nonNegativeInteger"))
        yield triple(
            paragraph,
            sco("summary"),
            text(f"What paragraph {n} of synthetic document {i} reports."),
        )

    first = START + dt.timedelta(days=(i * 7) % 9000)
    event, prep = iri(f"event/symposium-{i}"), iri(f"event/preparatory-meeting-{i}")
    signing, memo = iri(f"event/signing-{i}"), iri(f"memorandum/m-{i}")
    series = iri(f"series/s-{i // SERIES_LENGTH}")
    city = iri(f"place/city-{i % sizes.cities}")
    delegations = [iri(f"delegation/d-{i}-{j}") for j in range(3)]

    if i % SERIES_LENGTH == 0:
        yield from _entity(
            series, "EventSeries", f"Synthetic symposium series {i // SERIES_LENGTH}", p1
        )
    yield from _entity(event, "Symposium", f"Synthetic symposium {i}", p1)
    yield triple(event, sco("inSeries"), series)
    yield triple(event, sco("ordinal"), typed(i % SERIES_LENGTH + 1, "positiveInteger"))
    yield triple(event, sco("status"), sco("held"))
    yield triple(event, sco("startDate"), typed(first.isoformat(), "date"))
    yield triple(event, sco("endDate"), typed((first + dt.timedelta(days=1)).isoformat(), "date"))
    yield triple(event, sco("location"), city)
    host, supporter = i % sizes.organisations, (i + 1) % sizes.organisations
    yield triple(event, sco("host"), iri(f"organisation/org-{host}"))
    yield triple(event, sco("supporter"), iri(f"organisation/org-{supporter}"))
    yield triple(event, sco("attendeeKind"), iri("attendee-kind/astronaut"))
    yield triple(event, sco("theme"), text(f"Theme of synthetic symposium {i}"))
    yield triple(event, sco("topic"), iri(f"topic/t-{i % sizes.topics}"))
    for j, delegation in enumerate(delegations):
        yield triple(event, sco("attendee"), delegation)
        yield from _entity(
            delegation, "Delegation", f"Delegation {j} at synthetic symposium {i}", p1
        )
        yield triple(delegation, sco("represents"), iri(f"country/c-{(i + j) % COUNTRIES}"))
        yield triple(delegation, sco("atEvent"), event)

    before = first - dt.timedelta(days=40)
    yield from _entity(
        prep, "PreparatoryMeeting", f"Preparatory meeting for synthetic symposium {i}", p2
    )
    yield triple(prep, sco("prepares"), event)
    yield triple(prep, sco("status"), sco("held"))
    yield triple(
        prep, sco("startDate"), typed(f"{before.year:04d}-{before.month:02d}", "gYearMonth")
    )
    yield triple(prep, sco("location"), city)

    yield from _entity(signing, "Signing", f"Signing at synthetic symposium {i}", p1)
    yield triple(signing, sco("partOfEvent"), event)
    yield triple(signing, sco("status"), sco("held"))
    yield triple(signing, sco("startDate"), typed(first.isoformat(), "date"))

    yield from _entity(memo, "CooperationMemorandum", f"Memorandum of synthetic symposium {i}", p1)
    yield triple(memo, sco("subject"), text(f"Cooperation agreed at synthetic symposium {i}"))
    yield triple(memo, sco("signedAt"), signing)
    yield triple(memo, sco("signatory"), delegations[0])
    yield triple(memo, sco("signatory"), delegations[1])

    initiative = iri(f"initiative/i-{i}")
    yield from _entity(initiative, "Project", f"Synthetic project {i}", p2)
    yield triple(initiative, sco("location"), city)
    yield triple(initiative, sco("committedParty"), delegations[2])
    yield triple(initiative, sco("originatedAt"), event)
    yield triple(initiative, sco("status"), sco("agreed"))
    yield triple(initiative, sco("purpose"), text(f"Purpose of synthetic project {i}"))


def lines(triples: int) -> Iterator[str]:
    """At least ``triples`` N-Triples lines: the pools, then as many whole units as it takes."""
    units = units_for(triples)
    sizes = Pools.for_units(units)
    yield from pools(sizes)
    for i in range(units):
        yield from unit(i, sizes)


def generate(triples: int, out: Path) -> int:
    """Write a benchmark repository of about ``triples`` data triples to ``out``; count them."""
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    shutil.copytree(REPO / "ontology", out / "ontology")
    shutil.copytree(REPO / "queries", out / "queries")
    written = 0
    with (out / "data" / "synthetic.ttl").open("w", encoding="utf-8") as handle:
        buffer: list[str] = []
        for line in lines(triples):
            buffer.append(line)
            written += 1
            if len(buffer) >= 10_000:
                handle.write("".join(buffer))
                buffer.clear()
        handle.write("".join(buffer))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--triples", type=int, required=True, help="at least this many data triples"
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to (re)create")
    args = parser.parse_args(argv)
    if args.triples < 1:
        parser.error("--triples must be positive")
    written = generate(args.triples, args.out)
    print(f"{args.out}: {written} triples", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
