"""The home page's timeline of events and network of memoranda and who signed them."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDF

from built_site import STRATEGIC_MEMORANDUM
from html_tree import Element, href_target
from spacecoop.namespaces import ID, SCO
from spacecoop.publish.paths import SITE_BASE

PLANNED_SYMPOSIUM = ID["event/second-symposium-2019"]


def test_timeline_shows_every_dated_event(home: Element, closed: Graph) -> None:
    figure = home.by_id("timeline-figure")
    groups = [g for g in figure.iter("g") if "event" in g.classes()]
    shown = {href_target("index.html", g.iter("a")[0].attrs["href"]) for g in groups}
    dated = {e for e in closed.subjects(RDF.type, SCO.Event) if (e, SCO.startDate, None) in closed}
    assert len(dated) >= 5
    assert shown == {str(e)[len(SITE_BASE) :] + ".html" for e in dated}
    # Each bar says its date at the source's precision.
    for group in groups:
        assert group.attrs["data-precision"] in ("day", "month", "year")
        assert group.iter("rect")[0].iter("title")


def test_timeline_marks_the_planned_symposium(home: Element, data_graph: Graph) -> None:
    assert (PLANNED_SYMPOSIUM, SCO.status, SCO.planned) in data_graph
    figure = home.by_id("timeline-figure")
    planned = [g for g in figure.iter("g") if g.attrs.get("data-status") == "planned"]
    assert [g.iter("a")[0].attrs["href"] for g in planned] == [
        "id/event/second-symposium-2019.html"
    ]
    (group,) = planned
    assert "planned" in group.iter("rect")[0].classes()
    assert "2019" in group.iter("rect")[0].text() and "planned" in group.iter("rect")[0].text()
    held = [g for g in figure.iter("g") if "event" in g.classes() and g not in planned]
    assert held and all("data-status" not in g.attrs for g in held)


def test_undated_events_are_listed_with_their_relative_timing(home: Element, closed: Graph) -> None:
    undated = {
        str(e)[len(SITE_BASE) :] + ".html"
        for e in closed.subjects(RDF.type, SCO.Event)
        if (e, SCO.startDate, None) not in closed
    }
    items = {
        li.iter("a")[0].attrs["href"]: li.text()
        for ul in home.iter("ul")
        for li in ul.iter("li")
        if li.iter("a") and li.iter("a")[0].attrs["href"] in undated and " — " in li.text()
    }
    assert set(items) == undated
    founding = "id/event/founding-international-institute-for-space-technology-innovation.html"
    assert "shortly after Preparatory meeting for the 2019 symposium" in items[founding]


def test_network_shows_the_memoranda_and_who_signed_them(home: Element, data_graph: Graph) -> None:
    figure = home.by_id("network-figure")
    memoranda = {
        href_target("index.html", a.attrs["href"]): a.iter("circle")[0]
        for a in figure.iter("a")
        if a.iter("circle") and "memo" in a.iter("circle")[0].classes()
    }
    parties_by_y = {
        a.iter("circle")[0].attrs["cy"]: href_target("index.html", a.attrs["href"])
        for a in figure.iter("a")
        if a.iter("circle") and "party" in a.iter("circle")[0].classes()
    }
    expected_memoranda = {
        str(m)[len(SITE_BASE) :] + ".html"
        for m in data_graph.subjects(RDF.type, None)
        if str(m).startswith(str(ID["memorandum/"]))
    }
    assert len(expected_memoranda) == 4
    assert set(memoranda) == expected_memoranda

    strategic = memoranda["id/memorandum/preparatory-meeting-2018-05-strategic.html"].attrs["cy"]
    lines = [line for line in figure.iter("line") if "edge" in line.classes()]
    solid = [line for line in lines if "present" not in line.classes()]
    dashed = [line for line in lines if "present" in line.classes()]
    signatories = {
        data_graph.value(d, SCO.represents) or d
        for d in data_graph.objects(STRATEGIC_MEMORANDUM, SCO.signatory)
    }
    assert len(signatories) == 4
    assert all(line.attrs["y1"] == strategic for line in solid)
    assert {parties_by_y[line.attrs["y2"]] for line in solid} == {
        str(p)[len(SITE_BASE) :] + ".html" for p in signatories
    }
    assert len(solid) == 4
    assert dashed and all(line.attrs["y1"] != strategic for line in dashed)
