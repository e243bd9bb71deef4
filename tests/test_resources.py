"""What a resource page shows: labels in every language, types, properties, incoming links
and the cited sources."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from built_site import FIRST_SYMPOSIUM
from html_tree import href_target, read_page
from spacecoop.namespaces import PROV, SCO
from spacecoop.publish.paths import SITE_BASE


def test_country_page_shows_its_labels_in_every_language(site: Path) -> None:
    page = read_page(site, "id/country/china.html")
    labels = page.by_id("labels")
    text = labels.text()
    assert "China" in text and "中国" in text
    chinese = [e for e in labels.iter() if e.attrs.get("lang") == "zh"]
    assert [e.text() for e in chinese] == ["中国"]
    english = [e for e in labels.iter() if e.attrs.get("lang") == "en"]
    assert [e.text() for e in english] == ["China"]


def test_event_page_shows_types_properties_incoming_links_and_sources(
    site: Path, data_graph: Graph
) -> None:
    path = "id/event/first-symposium-2018.html"
    page = read_page(site, path)
    hrefs = {a.attrs.get("href") for a in page.iter("a")}
    # types, linked to the ontology page
    types = set(data_graph.objects(FIRST_SYMPOSIUM, RDF.type))
    assert SCO.Symposium in types
    assert {f"../../def.html#{str(t)[len(str(SCO)) :]}" for t in types} <= hrefs
    # every property, as a link
    headings = {
        a.attrs["title"] for th in page.by_id("properties").iter("th") for a in th.iter("a")
    }
    shown_apart = {RDF.type, RDFS.label, PROV.wasDerivedFrom}
    assert headings == {str(p) for p in data_graph.predicates(FIRST_SYMPOSIUM)} - {
        str(p) for p in shown_apart
    }
    # a property whose value is one of our things: a relative link to an existing page
    place = data_graph.value(FIRST_SYMPOSIUM, SCO.location)
    properties = page.by_id("properties")
    place_links = [
        a.attrs["href"] for a in properties.iter("a") if a.attrs.get("title") == str(place)
    ]
    assert place_links == ["../place/wenchang.html"]
    assert (site / href_target(path, place_links[0])).is_file()
    # literal values, with their datatype
    assert "2018-01-29" in properties.text()
    # incoming links: every thing that points here
    incoming = page.by_id("incoming")
    pointing = {
        str(s)[len(SITE_BASE) :] + ".html"
        for s in data_graph.subjects(None, FIRST_SYMPOSIUM)
        if isinstance(s, URIRef)
    }
    assert pointing
    assert {href_target(path, a.attrs["href"]) for a in incoming.iter("a")} >= pointing
    # the cited source paragraphs, each with its summary
    sources = page.by_id("sources")
    cited = set(data_graph.objects(FIRST_SYMPOSIUM, PROV.wasDerivedFrom))
    linked = {href_target(path, a.attrs["href"]) for a in sources.iter("a")}
    assert {str(p)[len(SITE_BASE) :] + ".html" for p in cited} <= linked
    for paragraph in cited:
        assert str(data_graph.value(paragraph, SCO.summary)) in sources.text()
