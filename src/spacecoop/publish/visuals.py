"""The timeline of events and the network of parties and memoranda, as plain SVG geometry.

Drawn on the server from the graph, so the pages need no script and no
network access. Bars on the timeline span the whole interval a date denotes,
so a month-precision date is visibly a month wide; planned events are hollow.

Both are capped (:data:`TIMELINE_LIMIT`, :data:`NETWORK_LIMIT`) so that a big
dataset still gets a drawing a person can read; each says how much it leaves
out, and the browse pages list everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import RDFS, SCO
from ..repository import dates
from .paths import href
from .resources import Labels

TIMELINE_LIMIT = 100
"""Dated events the timeline draws (the latest ones), and undated events it lists."""

NETWORK_LIMIT = 40
"""Memoranda the network draws (the first by label)."""

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
    dated_total: int  # dated events in the graph, drawn or not
    undated_total: int


# Every event with its dates, in one query: a store's view answers it on the store's
# engine, where a lookup per event would be a query per event.
_EVENT_DATES = f"""SELECT DISTINCT ?event ?start ?end WHERE {{
    ?class <{RDFS.subClassOf}>* <{SCO.Event}> . ?event a ?class FILTER isIRI(?event)
    OPTIONAL {{ ?event <{SCO.startDate}> ?start }} OPTIONAL {{ ?event <{SCO.endDate}> ?end }} }}"""

_Dates = tuple[Literal | None, Literal | None]


def _event_dates(graph: Graph) -> dict[URIRef, _Dates]:
    """Each event's start and end.

    The shapes allow one of each; should data that was not validated give two, the
    first in code-point order is taken, so that the drawing does not change between runs.
    """
    found: dict[URIRef, _Dates] = {}
    for event, start, end in graph.query(_EVENT_DATES):  # type: ignore[misc]
        start = start if isinstance(start, Literal) else None
        end = end if isinstance(end, Literal) else None
        if event in found:
            start = min(
                (d for d in (start, found[event][0]) if d is not None), default=None, key=str
            )
            end = min((d for d in (end, found[event][1]) if d is not None), default=None, key=str)
        found[event] = (start, end)
    return found


def _checked(limit: int) -> int:
    if limit < 0:
        raise ValueError(f"a drawing's limit cannot be negative: {limit}")
    return limit


def _planned(graph: Graph, event: Node) -> bool:
    return (event, SCO.status, SCO.planned) in graph


def timeline(
    graph: Graph, from_path: str, labels: Labels | None = None, limit: int | None = None
) -> Timeline:
    """Lay out dated events on a time axis; list undated ones with their relative timing.

    At most ``limit`` (default :data:`TIMELINE_LIMIT`) of each: the latest dated
    events, the first undated ones by label.
    """
    limit = _checked(TIMELINE_LIMIT if limit is None else limit)
    label = Labels(graph) if labels is None else labels
    dated: list[tuple[dt.date, dt.date, URIRef, Literal, Literal | None]] = []
    undated_events: list[URIRef] = []
    for event, (start, end) in _event_dates(graph).items():
        if start is None:
            undated_events.append(event)
            continue
        first, last = dates.interval(start)
        if end is not None:
            last = dates.interval(end)[1]
        dated.append((first, last, event, start, end))
    dated_total, undated_total = len(dated), len(undated_events)
    # The latest, chosen by IRI among equal dates, then ordered for reading.
    dated = sorted(dated, key=lambda row: (row[0], row[1], str(row[2])))[len(dated) - limit :]
    dated.sort(key=lambda row: (row[0], row[1], label(row[2])))
    undated_events.sort(key=lambda e: (label(e), str(e)))
    undated = [
        UndatedItem(label(e), href(str(e), from_path), _timing(graph, label, e))
        for e in undated_events[:limit]
    ]
    if not dated:
        width = LABEL_WIDTH + CHART_WIDTH
        return Timeline([], [], undated, width, TOP, dated_total, undated_total)
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
                label=label(event),
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
    width = LABEL_WIDTH + CHART_WIDTH + 40
    height = TOP + len(items) * ROW + 10
    return Timeline(items, ticks, undated, width, height, dated_total, undated_total)


def _timing(graph: Graph, label: Labels, event: Node) -> str:
    """Relative timing of an undated event, as the source gives it."""
    for prop, words in ((SCO.happenedShortlyAfter, "shortly after"), (SCO.happenedAfter, "after")):
        other = graph.value(event, prop)
        if other is not None:
            return f"{words} {label(other)}"
    attended = graph.value(event, SCO.attendedEvent)
    if attended is not None:
        return f"attendance at {label(attended)}; no date given"
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
    total: int  # memoranda in the graph, drawn or not


def _party_behind(graph: Graph, party: Node) -> Node:
    """A delegation stands for the party it represents."""
    represented = graph.value(party, SCO.represents)
    return represented if represented is not None else party


_MEMORANDA = f"""SELECT DISTINCT ?memorandum WHERE {{
    ?class <{RDFS.subClassOf}>* <{SCO.Memorandum}> . ?memorandum a ?class
    FILTER isIRI(?memorandum) }}"""


def network(
    graph: Graph, from_path: str, labels: Labels | None = None, limit: int | None = None
) -> Network:
    """Memoranda on the left, parties on the right; at most ``limit`` memoranda, by label
    (default :data:`NETWORK_LIMIT`).

    A solid edge means the party signed; a dashed edge means the source names
    no signatory and the party was present at the meeting where it was signed.
    """
    limit = _checked(NETWORK_LIMIT if limit is None else limit)
    label = Labels(graph) if labels is None else labels
    every = sorted((row[0] for row in graph.query(_MEMORANDA)), key=lambda m: (label(m), str(m)))  # type: ignore[index]
    memoranda = every[:limit]
    links: dict[tuple[Node, Node], tuple[bool, str]] = {}
    for memo in memoranda:
        for signatory in graph.objects(memo, SCO.signatory):
            links[(memo, _party_behind(graph, signatory))] = (True, f"signed by {label(signatory)}")
        if (memo, SCO.signatoriesUnnamed, Literal(True)) in graph:
            meeting = graph.value(graph.value(memo, SCO.signedAt), SCO.partOfEvent)
            for prop in (SCO.host, SCO.coOrganiser, SCO.attendee):
                for present in graph.objects(meeting, prop):
                    key = (memo, _party_behind(graph, present))
                    links.setdefault(
                        key, (False, f"present at {label(meeting)}; signatories not named")
                    )
    parties = sorted({p for _, p in links}, key=lambda p: (label(p), str(p)))
    height = max(len(memoranda), len(parties)) * 44 + 40
    memo_nodes = {
        m: NetworkNode(
            str(m), label(m), href(str(m), from_path), 20, _spread(i, len(memoranda), height)
        )
        for i, m in enumerate(memoranda)
    }
    party_nodes = {
        p: NetworkNode(
            str(p), label(p), href(str(p), from_path), 620, _spread(i, len(parties), height)
        )
        for i, p in enumerate(parties)
    }
    edges = [
        Edge(memo_nodes[m], party_nodes[p], signed, title)
        for (m, p), (signed, title) in sorted(
            links.items(), key=lambda kv: (label(kv[0][0]), label(kv[0][1]), str(kv[0][1]))
        )
    ]
    return Network(
        list(memo_nodes.values()), list(party_nodes.values()), edges, 960, height, len(every)
    )


def _spread(index: int, count: int, height: int) -> float:
    """Spread ``count`` nodes evenly down the drawing."""
    return round(30 + (height - 60) * (index + 0.5) / max(count, 1), 1)
