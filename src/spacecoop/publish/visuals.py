"""The timeline of events and the network of parties and memoranda, as plain SVG geometry.

Drawn on the server from the graph, so the pages need no script and no
network access. Bars on the timeline span the whole interval a date denotes,
so a month-precision date is visibly a month wide; planned events are hollow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .. import dates
from ..namespaces import RDF, RDFS, SCO
from .paths import href
from .resources import label

ROW = 30
LABEL_WIDTH = 420
CHART_WIDTH = 480
TOP = 40


@dataclass(frozen=True)
class TimelineItem:
    iri: str
    label: str
    href: str
    date_text: str
    precision: str
    planned: bool
    x: float
    width: float
    y: float


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class UndatedItem:
    label: str
    href: str
    timing: str


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem]
    ticks: list[Tick]
    undated: list[UndatedItem]
    width: int
    height: int


def _events(graph: Graph) -> list[URIRef]:
    classes = {SCO.Event} | set(graph.transitive_subjects(RDFS.subClassOf, SCO.Event))
    return sorted(
        {e for c in classes for e in graph.subjects(RDF.type, c) if isinstance(e, URIRef)}
    )


def _planned(graph: Graph, event: Node) -> bool:
    return (event, SCO.status, SCO.planned) in graph


def timeline(graph: Graph, from_path: str) -> Timeline:
    """Lay out dated events on a time axis; list undated ones with their relative timing."""
    dated: list[tuple[dt.date, dt.date, URIRef, Literal, Literal | None]] = []
    undated: list[UndatedItem] = []
    for event in _events(graph):
        start = graph.value(event, SCO.startDate)
        end = graph.value(event, SCO.endDate)
        if isinstance(start, Literal):
            first, last = dates.interval(start)
            if isinstance(end, Literal):
                last = dates.interval(end)[1]
            dated.append((first, last, event, start, end if isinstance(end, Literal) else None))
        else:
            undated.append(
                UndatedItem(label(graph, event), href(str(event), from_path), _timing(graph, event))
            )
    dated.sort(key=lambda row: (row[0], row[1], label(graph, row[2])))
    if not dated:
        return Timeline([], [], undated, LABEL_WIDTH + CHART_WIDTH, TOP)
    lo = dt.date(dated[0][0].year, 1, 1)
    hi = dt.date(max(row[1] for row in dated).year + 1, 1, 1)
    span = (hi - lo).days

    def x_of(day: dt.date) -> float:
        return LABEL_WIDTH + CHART_WIDTH * (day - lo).days / span

    items = []
    for i, (first, last, event, start, end) in enumerate(dated):
        x0, x1 = x_of(first), x_of(last + dt.timedelta(days=1))
        items.append(
            TimelineItem(
                iri=str(event),
                label=label(graph, event),
                href=href(str(event), from_path),
                date_text=dates.display(start, end),
                precision=dates.precision(start),
                planned=_planned(graph, event),
                x=round(x0, 1),
                width=round(max(x1 - x0, 3.0), 1),
                y=TOP + i * ROW,
            )
        )
    ticks = [
        Tick(round(x_of(dt.date(year, 1, 1)), 1), str(year)) for year in range(lo.year, hi.year + 1)
    ]
    undated.sort(key=lambda u: u.label)
    return Timeline(
        items, ticks, undated, LABEL_WIDTH + CHART_WIDTH + 40, TOP + len(items) * ROW + 10
    )


def _timing(graph: Graph, event: Node) -> str:
    """Relative timing of an undated event, as the source gives it."""
    for prop, words in ((SCO.happenedShortlyAfter, "shortly after"), (SCO.happenedAfter, "after")):
        other = graph.value(event, prop)
        if other is not None:
            return f"{words} {label(graph, other)}"
    attended = graph.value(event, SCO.attendedEvent)
    if attended is not None:
        return f"attendance at {label(graph, attended)}; no date given"
    return "no date given"


@dataclass(frozen=True)
class NetworkNode:
    iri: str
    label: str
    href: str
    x: float
    y: float


@dataclass(frozen=True)
class Edge:
    source: NetworkNode
    target: NetworkNode
    signed: bool
    title: str


@dataclass(frozen=True)
class Network:
    memoranda: list[NetworkNode]
    parties: list[NetworkNode]
    edges: list[Edge]
    width: int
    height: int


def _party_behind(graph: Graph, party: Node) -> Node:
    """A delegation stands for the party it represents."""
    represented = graph.value(party, SCO.represents)
    return represented if represented is not None else party


def network(graph: Graph, from_path: str) -> Network:
    """Memoranda on the left, parties on the right.

    A solid edge means the party signed; a dashed edge means the source names
    no signatory and the party was present at the meeting where it was signed.
    """
    memoranda = sorted(
        {
            m
            for c in (
                {SCO.Memorandum} | set(graph.transitive_subjects(RDFS.subClassOf, SCO.Memorandum))
            )
            for m in graph.subjects(RDF.type, c)
        },
        key=lambda m: label(graph, m),
    )
    links: dict[tuple[Node, Node], tuple[bool, str]] = {}
    for memo in memoranda:
        for signatory in graph.objects(memo, SCO.signatory):
            links[(memo, _party_behind(graph, signatory))] = (
                True,
                f"signed by {label(graph, signatory)}",
            )
        if (memo, SCO.signatoriesUnnamed, Literal(True)) in graph:
            meeting = graph.value(graph.value(memo, SCO.signedAt), SCO.partOfEvent)
            for prop in (SCO.host, SCO.coOrganiser, SCO.attendee):
                for present in graph.objects(meeting, prop):
                    key = (memo, _party_behind(graph, present))
                    links.setdefault(
                        key, (False, f"present at {label(graph, meeting)}; signatories not named")
                    )
    parties = sorted({p for _, p in links}, key=lambda p: label(graph, p))
    height = max(len(memoranda), len(parties)) * 44 + 40
    memo_nodes = {
        m: NetworkNode(
            str(m), label(graph, m), href(str(m), from_path), 20, _spread(i, len(memoranda), height)
        )
        for i, m in enumerate(memoranda)
    }
    party_nodes = {
        p: NetworkNode(
            str(p), label(graph, p), href(str(p), from_path), 620, _spread(i, len(parties), height)
        )
        for i, p in enumerate(parties)
    }
    edges = [
        Edge(memo_nodes[m], party_nodes[p], signed, title)
        for (m, p), (signed, title) in sorted(
            links.items(), key=lambda kv: (label(graph, kv[0][0]), label(graph, kv[0][1]))
        )
    ]
    return Network(list(memo_nodes.values()), list(party_nodes.values()), edges, 960, height)


def _spread(index: int, count: int, height: int) -> float:
    """Spread ``count`` nodes evenly down the drawing."""
    return round(30 + (height - 60) * (index + 0.5) / max(count, 1), 1)
