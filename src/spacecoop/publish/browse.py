"""Index pages listing every published thing of one kind, a page of links at a time.

The home page lists a kind's things itself only while there are few of them
(:data:`HOME_LIST_LIMIT`); past that it gives their number and links to these
pages, so a dataset of a million triples still has a home page that a browser
opens at once. Every kind gets its pages whatever its size, so a link to
``browse/{kind}.html`` never breaks when the data grows.
"""

from __future__ import annotations

import math
import posixpath
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


def first_page(slug: str) -> str:
    """Site-relative path of the first (or only) browse page of the kind ``slug``."""
    return f"{FOLDER}/{slug}.html"


@dataclass(frozen=True)
class Kind:
    """The published things of one kind (``event``, ``organisation``, …), sorted by label."""

    slug: str
    things: tuple[tuple[str, str], ...]  # (label, IRI)
    page_size: int

    @property
    def title(self) -> str:
        return self.slug.replace("-", " ").capitalize()

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(len(self.things) / self.page_size))

    def page_path(self, number: int) -> str:
        """Site-relative path of page ``number`` (from 1).

        Later pages go in a folder of the kind's own, so no kind's name can
        collide with another kind's page.
        """
        self._check_page(number)
        return first_page(self.slug) if number == 1 else f"{FOLDER}/{self.slug}/{number}.html"

    def links(self, from_path: str, number: int | None = None) -> list[Link]:
        """Links from ``from_path`` to the things on page ``number`` (all of them if None)."""
        chosen = self.things
        if number is not None:
            self._check_page(number)
            chosen = self.things[(number - 1) * self.page_size : number * self.page_size]
        return [Link(href(iri, from_path), text, iri) for text, iri in chosen]

    def _check_page(self, number: int) -> None:
        if not 1 <= number <= self.page_count:
            raise ValueError(f"{self.slug} has pages 1 to {self.page_count}, not {number}")


def kinds(shown: Sequence[URIRef], labels: Labels, page_size: int | None = None) -> list[Kind]:
    """The things in ``shown`` grouped by kind, kinds in name order, things by label then IRI.

    ``page_size`` defaults to :data:`PAGE_SIZE`.
    """
    size = PAGE_SIZE if page_size is None else page_size
    if size < 1:
        raise ValueError(f"a browse page holds at least one link, not {size}")
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for iri in shown:
        grouped[kind_of(str(iri))].append((labels(iri), str(iri)))
    return [
        Kind(slug, tuple(sorted(things, key=_by_label)), size)
        for slug, things in sorted(grouped.items())
    ]


def _by_label(thing: tuple[str, str]) -> tuple[str, str, str]:
    text, iri = thing
    return text.casefold(), text, iri


@dataclass(frozen=True)
class HomeEntry:
    """One kind as the home page shows it: its things listed, or (past the limit) counted."""

    slug: str
    title: str
    count: int
    page_count: int
    href: str  # to the kind's first browse page
    links: list[Link] | None  # None past HOME_LIST_LIMIT


def home_entries(all_kinds: Sequence[Kind], from_path: str) -> list[HomeEntry]:
    """What the home page at ``from_path`` shows of each kind (see :data:`HOME_LIST_LIMIT`)."""
    here = posixpath.dirname(from_path)
    return [
        HomeEntry(
            slug=kind.slug,
            title=kind.title,
            count=len(kind.things),
            page_count=kind.page_count,
            href=relative(kind.page_path(1), here),
            links=kind.links(from_path) if len(kind.things) <= HOME_LIST_LIMIT else None,
        )
        for kind in all_kinds
    ]


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
    home: str  # relative link to the home page's list of kinds


def browse_pages(kind: Kind) -> Iterator[BrowsePage]:
    """Every page of ``kind``, in order."""

    def link(path: str, number: int) -> str | None:
        if 1 <= number <= kind.page_count:
            return relative(kind.page_path(number), posixpath.dirname(path))
        return None

    for number in range(1, kind.page_count + 1):
        path = kind.page_path(number)
        yield BrowsePage(
            kind=kind,
            number=number,
            path=path,
            links=kind.links(path, number),
            first=(number - 1) * kind.page_size + 1,
            previous=link(path, number - 1),
            next=link(path, number + 1),
            home=relative("index.html", posixpath.dirname(path)) + "#browse",
        )
