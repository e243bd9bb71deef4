"""Index pages listing every published thing of one kind, a page of links at a time.

The home page lists a kind's things itself only while there are few of them
(:data:`HOME_LIST_LIMIT`); past that it gives their number and links to these
pages, so a dataset of a million triples still has a home page that a browser
opens at once. Every kind gets its pages whatever its size, so a link to
``browse/{kind}.html`` never breaks when the data grows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rdflib import URIRef

from .paths import href, relative
from .resources import Labels, Link, kind_of

HOME_LIST_LIMIT = 60
"""Things of one kind the home page lists itself; past this it links to the kind's pages."""

PAGE_SIZE = 1000
"""Links on one browse page."""

FOLDER = "browse"


@dataclass(frozen=True)
class Kind:
    """The published things of one kind (``event``, ``organisation``, …), sorted by label."""

    slug: str
    things: Sequence[tuple[str, str]]  # (label, IRI)
    page_size: int = PAGE_SIZE

    @property
    def title(self) -> str:
        return self.slug.replace("-", " ").capitalize()

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(len(self.things) / self.page_size))

    def page_path(self, number: int) -> str:
        """Site-relative path of page ``number`` (from 1): the first has the kind's plain name."""
        if not 1 <= number <= self.page_count:
            raise ValueError(f"{self.slug} has pages 1 to {self.page_count}, not {number}")
        suffix = "" if number == 1 else f"-page-{number}"
        return f"{FOLDER}/{self.slug}{suffix}.html"

    def links(self, from_path: str, number: int | None = None) -> list[Link]:
        """Links from ``from_path`` to the things on page ``number`` (all of them if None)."""
        chosen = self.things
        if number is not None:
            self.page_path(number)  # refuses a page that does not exist
            chosen = self.things[(number - 1) * self.page_size : number * self.page_size]
        return [Link(href(iri, from_path), text, iri) for text, iri in chosen]


def kinds(shown: Sequence[URIRef], labels: Labels, page_size: int = PAGE_SIZE) -> list[Kind]:
    """The things in ``shown`` grouped by kind, kinds in name order, things by label then IRI."""
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for iri in shown:
        grouped[kind_of(str(iri))].append((labels(iri), str(iri)))
    return [
        Kind(slug, sorted(things, key=_by_label), page_size)
        for slug, things in sorted(grouped.items())
    ]


def _by_label(thing: tuple[str, str]) -> tuple[str, str, str]:
    text, iri = thing
    return text.casefold(), text, iri


@dataclass(frozen=True)
class BrowsePage:
    """What one browse page shows."""

    kind: Kind
    number: int
    path: str
    links: list[Link]
    first: int  # position of the first link among all of the kind's, from 1
    previous: str | None  # relative link to the page before, if any
    next: str | None


def browse_pages(kind: Kind) -> Iterator[BrowsePage]:
    """Every page of ``kind``, in order."""
    for number in range(1, kind.page_count + 1):
        path = kind.page_path(number)

        def neighbour(other: int) -> str | None:
            if 1 <= other <= kind.page_count:
                return relative(kind.page_path(other), FOLDER)
            return None

        yield BrowsePage(
            kind=kind,
            number=number,
            path=path,
            links=kind.links(path, number),
            first=(number - 1) * kind.page_size + 1,
            previous=neighbour(number - 1),
            next=neighbour(number + 1),
        )
