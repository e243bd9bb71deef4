"""Browse pages, and the caps that keep the home page small on a big dataset.

Every published thing stays two links from the home page (home → its kind's
browse page → the thing), however many there are; the timeline and the network
draw a readable part and say how much they leave out. The limits are lowered
here so that this repository's own data crosses them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from html_tree import Element, href_target, parse_html, read_page
from rdf_stores import store_of
from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, ID, SCO, curie
from spacecoop.publish import browse, html, visuals
from spacecoop.publish.paths import SITE_BASE, resource_path
from spacecoop.publish.resources import Labels, kind_of, label
from spacecoop.repository import dates
from spacecoop.repository import store as fast_store


@pytest.fixture(scope="module")
def union(dataset: Dataset) -> Graph:
    """What the site publishes: the ontology and the data together."""
    return dataset.graph(GRAPH_ONTOLOGY) + dataset.graph(GRAPH_DATA)


@pytest.fixture(scope="module")
def things(union: Graph) -> list[URIRef]:
    return sorted(
        {s for s in union.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))}
    )


def _site_file(iri: URIRef) -> str:
    return resource_path(str(iri)) + ".html"


def _listed(site: Path, page: str) -> list[str]:
    """The site files the numbered list of a browse page links to, in order."""
    (ordered,) = read_page(site, page).iter("ol")
    return [href_target(page, a.attrs["href"]) for a in ordered.iter("a")]


def _render_home(graph: Graph, things: list[URIRef]) -> Element:
    labels = Labels(graph).prefetch()
    return parse_html(
        html.home_page(
            graph,
            browse.kinds(things, labels),
            labels,
            description="d",
            licence="https://creativecommons.org/licenses/by/4.0/",
            figures={"triples": 1, "entities": 1, "classes": 1},
            dumps=[],
            schema_dataset="{}",
        )
    )


def _after(heading: Element) -> Element:
    """The element that follows ``heading`` among its siblings."""
    siblings = heading.parent.children  # type: ignore[union-attr]
    return next(c for c in siblings[siblings.index(heading) + 1 :] if isinstance(c, Element))


# --- the built site ---------------------------------------------------------------------


def test_browse_pages_list_every_thing_once_under_its_kind(
    site: Path, things: list[URIRef]
) -> None:
    listed: list[str] = []
    for file in sorted((site / "browse").rglob("*.html")):
        page = str(file.relative_to(site))
        kind = page.removeprefix("browse/").removesuffix(".html").split("/")[0]
        on_page = _listed(site, page)
        assert on_page, page
        assert all(target.startswith(f"id/{kind}/") for target in on_page), page
        listed.extend(on_page)
    assert len(things) > 50
    assert sorted(listed) == sorted(_site_file(t) for t in things)


def test_home_page_links_every_kind_to_its_browse_page(site: Path, things: list[URIRef]) -> None:
    home = read_page(site, "index.html")
    headings = {
        h3.attrs["id"].removeprefix("browse-"): h3
        for h3 in home.iter("h3")
        if h3.attrs.get("id", "").startswith("browse-")
    }
    counts = Counter(kind_of(str(t)) for t in things)
    assert set(headings) == set(counts)
    for kind, heading in headings.items():
        assert heading.iter("a")[0].attrs["href"] == f"browse/{kind}.html"
        assert heading.iter("span")[0].text() == f"{counts[kind]:,}"


def test_a_browse_page_lists_its_kind_by_label(site: Path, union: Graph) -> None:
    targets = _listed(site, "browse/event.html")
    names = [label(union, URIRef(SITE_BASE + t.removesuffix(".html"))) for t in targets]
    assert len(names) >= 10
    assert names == sorted(names, key=str.casefold)


# --- paging -----------------------------------------------------------------------------


def test_a_big_kind_is_split_into_chained_pages(union: Graph, things: list[URIRef]) -> None:
    (sources,) = [k for k in browse.kinds(things, Labels(union), page_size=4) if k.slug == "source"]
    pages = list(browse.browse_pages(sources))
    assert len(sources.things) > 20
    assert len(pages) == sources.page_count == -(-len(sources.things) // 4)
    assert [p.path for p in pages[:3]] == [
        "browse/source.html",
        "browse/source/2.html",
        "browse/source/3.html",
    ]
    assert pages[0].previous is None and pages[-1].next is None
    for before, after in zip(pages, pages[1:], strict=False):
        assert href_target(before.path, before.next or "") == after.path
        assert href_target(after.path, after.previous or "") == before.path
    for page in pages:
        assert href_target(page.path, page.home) == "index.html"
        for link in page.links:
            assert href_target(page.path, link.href) == _site_file(URIRef(link.iri))
    # The pages split the kind's things in order, each once.
    assert [link.iri for p in pages for link in p.links] == [iri for _, iri in sources.things]
    assert [p.first for p in pages] == list(range(1, len(sources.things) + 1, 4))
    # A rendered page numbers its list from where the page starts and links both ways.
    second = parse_html(html.browse_page(pages[1]))
    assert second.iter("ol")[0].attrs["start"] == "5"
    rels = {a.attrs.get("rel"): a.attrs["href"] for a in second.iter("a") if a.attrs.get("rel")}
    assert rels == {"prev": "../source.html", "next": "3.html"}
    for wrong in (0, len(pages) + 1):
        with pytest.raises(ValueError, match="source has pages 1 to"):
            sources.page_path(wrong)
    with pytest.raises(ValueError, match="at least one link"):
        browse.kinds(things, Labels(union), page_size=0)


def test_home_page_lists_a_kind_past_the_limit_by_its_count_only(
    monkeypatch: pytest.MonkeyPatch, union: Graph, things: list[URIRef]
) -> None:
    monkeypatch.setattr(browse, "HOME_LIST_LIMIT", 6)
    monkeypatch.setattr(browse, "PAGE_SIZE", 10)
    home = _render_home(union, things)
    counts = Counter(kind_of(str(t)) for t in things)
    assert min(counts.values()) <= 6 < max(counts.values())
    for kind, count in counts.items():
        following = _after(home.by_id(f"browse-{kind}"))
        if count <= 6:
            assert following.tag == "ul" and len(following.iter("li")) == count, kind
            continue
        assert following.tag == "p" and "more" in following.classes(), kind
        assert following.iter("a")[0].attrs["href"] == f"browse/{kind}.html"
        assert f"All {count:,}, by label" in following.text()
        pages = -(-count // 10)
        assert (f"({pages} pages)" in following.text()) == (pages > 1), kind


# --- the timeline and the network -------------------------------------------------------


def _dated_by_date(union: Graph) -> list[URIRef]:
    """Dated events, earliest first (ties by IRI), from their dates' intervals."""
    rows = set()
    for event in union.subjects(SCO.startDate, None):
        first, last = dates.interval(union.value(event, SCO.startDate))  # type: ignore[arg-type]
        end = union.value(event, SCO.endDate)
        if end is not None:
            last = dates.interval(end)[1]  # type: ignore[arg-type]
        rows.add((first, last, str(event)))
    return [URIRef(iri) for *_, iri in sorted(rows)]


def test_timeline_draws_the_latest_events_when_there_are_too_many(union: Graph) -> None:
    dated = _dated_by_date(union)
    full = visuals.timeline(union, "index.html")
    capped = visuals.timeline(union, "index.html", limit=3)
    assert full.dated_total == capped.dated_total == len(dated) > 3
    assert len(full.items) == len(dated) and len(capped.items) == 3
    assert {i.iri for i in capped.items} == {str(e) for e in dated[-3:]}
    # Drawn in reading order: by date, then by name.
    drawn = [i.iri for i in capped.items]
    assert drawn == [i.iri for i in full.items if i.iri in drawn]
    assert capped.undated_total == full.undated_total > 3
    assert [u.label for u in capped.undated] == [u.label for u in full.undated][:3]
    assert visuals.timeline(union, "index.html", limit=0).items == []
    with pytest.raises(ValueError, match="cannot be negative"):
        visuals.timeline(union, "index.html", limit=-1)


def test_network_draws_the_first_memoranda_by_name_when_there_are_too_many(union: Graph) -> None:
    full = visuals.network(union, "index.html")
    capped = visuals.network(union, "index.html", limit=2)
    assert full.total == capped.total == len(full.memoranda) == 4
    assert [m.iri for m in capped.memoranda] == [m.iri for m in full.memoranda][:2]
    drawn = {m.iri for m in capped.memoranda}
    assert capped.edges and {e.source.iri for e in capped.edges} <= drawn
    assert {e.target.iri for e in capped.edges} == {p.iri for p in capped.parties}
    with pytest.raises(ValueError, match="cannot be negative"):
        visuals.network(union, "index.html", limit=-2)


def test_home_page_says_what_the_capped_drawings_leave_out(
    monkeypatch: pytest.MonkeyPatch, union: Graph, things: list[URIRef]
) -> None:
    full = _render_home(union, things)
    for figure in ("timeline-figure", "network-figure"):
        assert "Drawn:" not in full.by_id(figure).text()
    assert not [p for p in full.iter("p") if "by name; " in p.text()]
    monkeypatch.setattr(visuals, "TIMELINE_LIMIT", 2)
    monkeypatch.setattr(visuals, "NETWORK_LIMIT", 1)
    home = _render_home(union, things)
    timeline = home.by_id("timeline-figure")
    assert len([g for g in timeline.iter("g") if "event" in g.classes()]) == 2
    assert f"the 2 latest of {len(_dated_by_date(union))} dated events" in timeline.text()
    (undated,) = [p for p in home.iter("p") if p.text().startswith("Events the sources give")]
    assert "(the first 2 of 8 by name; every event is under Browse)" in undated.text()
    assert len(_after(undated).iter("li")) == 2
    network = home.by_id("network-figure")
    assert "the first 1 of 4 memoranda by name" in network.text()
    links = [
        a.attrs["href"]
        for element in (timeline, undated, network)
        for a in element.iter("a")
        if "browse/" in a.attrs["href"]
    ]
    assert links == ["browse/event.html", "browse/event.html", "browse/memorandum.html"]


# --- odd data, on rdflib and on a store -------------------------------------------------

EVENT = ID["event/example"]
MEMORANDUM = ID["memorandum/example"]


def _odd_graph() -> Graph:
    """Two start dates for one event, a blank-node event, a blank-node memorandum, and
    labels only in other languages."""
    graph = Graph()
    for node, kind in ((EVENT, SCO.Symposium), (BNode(), SCO.Symposium)):
        graph.add((node, RDF.type, kind))
        graph.add((node, SCO.startDate, Literal("2019-05-01", datatype=XSD.date)))
    graph.add((EVENT, SCO.startDate, Literal("2018-03-02", datatype=XSD.date)))
    graph.add((SCO.Symposium, RDFS.subClassOf, SCO.Event))
    graph.add((MEMORANDUM, RDF.type, SCO.Memorandum))
    graph.add((BNode(), RDF.type, SCO.Memorandum))
    graph.add((EVENT, RDFS.label, Literal("Zeta", lang="de")))
    graph.add((EVENT, RDFS.label, Literal("Alpha", lang="fr")))
    return graph


def _as_store_view(graph: Graph) -> Graph:
    dataset = Dataset()
    target = dataset.graph(GRAPH_DATA)
    for triple in graph:
        target.add(triple)
    return fast_store.rdflib_view(store_of(dataset, [GRAPH_DATA]), GRAPH_DATA)


@pytest.mark.parametrize("on", ["rdflib", "store"])
def test_drawings_keep_named_things_and_one_date_each(on: str) -> None:
    graph = _odd_graph() if on == "rdflib" else _as_store_view(_odd_graph())
    timeline = visuals.timeline(graph, "index.html")
    assert timeline.dated_total == 1 and timeline.undated_total == 0
    (item,) = timeline.items
    assert (item.iri, item.label, item.date_text) == (str(EVENT), "Alpha", "2 March 2018")
    network = visuals.network(graph, "index.html")
    assert network.total == 1 and [m.iri for m in network.memoranda] == [str(MEMORANDUM)]


@pytest.mark.parametrize("on", ["rdflib", "store"])
def test_prefetched_labels_are_the_labels_looked_up_one_by_one(on: str, union: Graph) -> None:
    graph = union if on == "rdflib" else _as_store_view(union)
    prefetched = Labels(graph).prefetch()
    nodes = set(union.subjects()) | {o for o in union.objects() if isinstance(o, URIRef)}
    nodes |= {RDF.type, RDFS.label, RDFS.comment}
    assert len(nodes) > 100
    looked_up = {node: label(graph, node) for node in nodes}
    assert {node: prefetched(node) for node in nodes} == looked_up


def test_the_label_shown_does_not_depend_on_the_order_labels_come_in() -> None:
    thing = ID["organisation/example"]
    for order in ([("Zeta", "de"), ("Alpha", "fr")], [("Alpha", "fr"), ("Zeta", "de")]):
        graph = Graph()
        for text, lang in order:
            graph.add((thing, RDFS.label, Literal(text, lang=lang)))
        assert label(graph, thing) == "Alpha"
        assert Labels(graph).prefetch()(thing) == "Alpha"
    graph.add((thing, RDFS.label, Literal("Middle", lang="en")))
    assert label(graph, thing) == Labels(graph).prefetch()(thing) == "Middle"
    assert label(Graph(), thing) == Labels(Graph()).prefetch()(thing) == curie(str(thing))
