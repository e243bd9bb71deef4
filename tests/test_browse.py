"""Browse pages, and the caps that keep the home page small on a big dataset.

Every published thing stays two links from the home page (home → its kind's
browse page → the thing), however many there are; the timeline and the network
draw a readable part and say how much they leave out. The limits are lowered
here so that this repository's own data crosses them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, ID, SCO, curie
from spacecoop.publish import browse, html, visuals
from spacecoop.publish.resources import Labels, kind_of, label
from test_publish import _href_target, _page, parse_html

SITE_BASE = "https://w3id.org/spacecoop/"


@pytest.fixture(scope="module")
def union(dataset: Dataset) -> Graph:
    """What the site publishes: the ontology and the data together."""
    return dataset.graph(GRAPH_ONTOLOGY) + dataset.graph(GRAPH_DATA)


@pytest.fixture(scope="module")
def things(union: Graph) -> list[URIRef]:
    return sorted(
        {s for s in union.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))}
    )


def _site_path(iri: URIRef) -> str:
    return str(iri)[len(SITE_BASE) :] + ".html"


def _listed(site: Path, page: str) -> list[str]:
    """The site files the numbered list of a browse page links to, in order."""
    (ordered,) = _page(site, page).iter("ol")
    return [_href_target(page, a.attrs["href"]) for a in ordered.iter("a")]


def _render_home(graph: Graph, things: list[URIRef]) -> str:
    labels = Labels(graph).prefetch()
    return html.home_page(
        graph,
        browse.kinds(things, labels),
        labels,
        description="d",
        licence="https://creativecommons.org/licenses/by/4.0/",
        figures={"triples": 1, "entities": 1, "classes": 1},
        dumps=[],
        schema_dataset="{}",
    )


# --- the built site ---------------------------------------------------------------------


def test_browse_pages_list_every_thing_once_under_its_kind(
    site: Path, things: list[URIRef]
) -> None:
    listed: list[str] = []
    for page in sorted((site / "browse").glob("*.html")):
        kind = re.sub(r"-page-\d+$", "", page.stem)
        on_page = _listed(site, f"browse/{page.name}")
        assert on_page, page.name
        assert all(target.startswith(f"id/{kind}/") for target in on_page), page.name
        listed.extend(on_page)
    assert sorted(listed) == sorted(_site_path(t) for t in things)
    assert len(things) > 50


def test_home_page_links_every_kind_to_its_browse_page(site: Path, things: list[URIRef]) -> None:
    home = _page(site, "index.html")
    headings = {
        h3.attrs["id"].removeprefix("browse-"): h3
        for h3 in home.iter("h3")
        if h3.attrs.get("id", "").startswith("browse-")
    }
    kinds = {kind_of(str(t)) for t in things}
    assert set(headings) == kinds
    for kind, heading in headings.items():
        assert heading.iter("a")[0].attrs["href"] == f"browse/{kind}.html"
        count = sum(1 for t in things if kind_of(str(t)) == kind)
        assert heading.iter("span")[0].text() == f"{count:,}"


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
    assert [p.path for p in pages[:2]] == ["browse/source.html", "browse/source-page-2.html"]
    assert pages[0].previous is None and pages[-1].next is None
    for before, after in zip(pages, pages[1:], strict=False):
        assert before.next == after.path.removeprefix("browse/")
        assert after.previous == before.path.removeprefix("browse/")
    # The pages split the kind's things in order, each once.
    assert [link.iri for p in pages for link in p.links] == [iri for _, iri in sources.things]
    assert [p.first for p in pages] == list(range(1, len(sources.things) + 1, 4))
    # A rendered page numbers its list from where the page starts and links both ways.
    second = parse_html(html.browse_page(pages[1]))
    assert second.iter("ol")[0].attrs["start"] == "5"
    rels = {a.attrs.get("rel"): a.attrs["href"] for a in second.iter("a") if a.attrs.get("rel")}
    assert rels == {"prev": "source.html", "next": "source-page-3.html"}
    for wrong in (0, len(pages) + 1):
        with pytest.raises(ValueError, match="source has pages 1 to"):
            sources.page_path(wrong)


def test_home_page_lists_a_kind_past_the_limit_by_its_count_only(
    monkeypatch: pytest.MonkeyPatch, union: Graph, things: list[URIRef]
) -> None:
    monkeypatch.setattr(browse, "HOME_LIST_LIMIT", 6)
    home = parse_html(_render_home(union, things))
    by_kind = {kind_of(str(t)) for t in things}
    for kind in by_kind:
        count = sum(1 for t in things if kind_of(str(t)) == kind)
        heading = home.by_id(f"browse-{kind}")
        siblings = heading.parent.children
        following = next(
            c for c in siblings[siblings.index(heading) + 1 :] if not isinstance(c, str)
        )
        if count <= 6:
            assert following.tag == "ul" and len(following.iter("li")) == count, kind
        else:
            assert following.tag == "p" and "more" in following.classes(), kind
            assert following.iter("a")[0].attrs["href"] == f"browse/{kind}.html"
            assert f"All {count:,}" in following.text()


# --- the timeline and the network -------------------------------------------------------


def _dated(union: Graph) -> list[URIRef]:
    return [
        e
        for e in union.subjects(RDF.type, None)
        if str(e).startswith(str(ID["event/"])) and (e, SCO.startDate, None) in union
    ]


def test_timeline_draws_the_latest_events_when_there_are_too_many(union: Graph) -> None:
    dated = _dated(union)
    full = visuals.timeline(union, "index.html")
    capped = visuals.timeline(union, "index.html", limit=3)
    assert full.dated_total == capped.dated_total == len(dated) > 3
    assert len(full.items) == len(dated) and len(capped.items) == 3
    by_start = sorted(full.items, key=lambda item: (item.x, item.x + item.width, item.iri))
    assert {i.iri for i in capped.items} == {i.iri for i in by_start[-3:]}
    assert [i.y for i in capped.items] == sorted(i.y for i in capped.items)
    assert len(capped.undated) == min(3, capped.undated_total)
    assert [u.label for u in capped.undated] == [u.label for u in full.undated][:3]


def test_network_draws_the_first_memoranda_by_name_when_there_are_too_many(union: Graph) -> None:
    full = visuals.network(union, "index.html")
    capped = visuals.network(union, "index.html", limit=2)
    assert full.total == capped.total == len(full.memoranda) == 4
    assert [m.iri for m in capped.memoranda] == [m.iri for m in full.memoranda][:2]
    drawn = {m.iri for m in capped.memoranda}
    assert capped.edges and {e.source.iri for e in capped.edges} <= drawn
    assert {e.target.iri for e in capped.edges} == {p.iri for p in capped.parties}


def test_home_page_says_what_the_capped_drawings_leave_out(
    monkeypatch: pytest.MonkeyPatch, union: Graph, things: list[URIRef]
) -> None:
    full = parse_html(_render_home(union, things))
    assert "Drawn:" not in full.by_id("timeline-figure").text()
    assert "Drawn:" not in full.by_id("network-figure").text()
    monkeypatch.setattr(visuals, "TIMELINE_LIMIT", 2)
    monkeypatch.setattr(visuals, "NETWORK_LIMIT", 1)
    home = parse_html(_render_home(union, things))
    timeline = home.by_id("timeline-figure")
    assert len([g for g in timeline.iter("g") if "event" in g.classes()]) == 2
    assert f"the 2 latest of {len(_dated(union))} dated events" in timeline.text()
    network = home.by_id("network-figure")
    assert "the first 1 of 4 memoranda by name" in network.text()
    links = [
        a.attrs["href"]
        for f in (timeline, network)
        for a in f.iter("a")
        if "browse/" in a.attrs["href"]
    ]
    assert links == ["browse/event.html", "browse/memorandum.html"]


# --- labels -----------------------------------------------------------------------------


def test_prefetched_labels_are_the_labels_looked_up_one_by_one(union: Graph) -> None:
    prefetched = Labels(union).prefetch()
    nodes = set(union.subjects()) | {o for o in union.objects() if isinstance(o, URIRef)}
    assert len(nodes) > 100
    assert all(prefetched(node) == label(union, node) for node in nodes)


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
