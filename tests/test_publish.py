"""``spacecoop build``: the files in ``dist/``, dumps that re-parse to the source graph, VoID and
DCAT figures, page contents, links that resolve, escaping, and an all-or-nothing build."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SH, VOID, XSD
from rdflib.term import Node

from html_tree import Element, href_target, parse_html, read_page
from spacecoop.cli import main
from spacecoop.namespaces import (
    GRAPH_DATA,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_SHAPES,
    ID,
    PROV,
    SCO,
    SPEX,
)
from spacecoop.publish import build, dumps, html
from spacecoop.publish.build import PublishError
from spacecoop.publish.dumps import context
from spacecoop.publish.site_folder import mark
from spacecoop.queries import catalogue
from spacecoop.reasoning import owlrl_engine, sparql_rules
from spacecoop.repository import store as fast_store
from spacecoop.repository.files import load

SITE_BASE = "https://w3id.org/spacecoop/"
DATASET = URIRef(SITE_BASE + "dataset")
FIRST_SYMPOSIUM = ID["event/first-symposium-2018"]
STRATEGIC_MEMORANDUM = ID["memorandum/preparatory-meeting-2018-05-strategic"]
PLANNED_SYMPOSIUM = ID["event/second-symposium-2019"]

DUMPS = {
    # file: (rdflib format, pyoxigraph format)
    "spacecoop.ttl": ("turtle", ox.RdfFormat.TURTLE),
    "spacecoop.nt": ("nt", ox.RdfFormat.N_TRIPLES),
    "spacecoop.jsonld": ("json-ld", ox.RdfFormat.JSON_LD),
    "spacecoop.rdf": ("xml", ox.RdfFormat.RDF_XML),
}
EXPECTED_FILES = (
    "index.html",
    "def.html",
    "def.ttl",
    "def.jsonld",
    "def.nt",
    "def.rdf",
    "catalogue.html",
    "catalogue.ttl",
    "browse/event.html",
    "void.ttl",
    ".well-known/void",
    ".well-known/sparql-examples/index.ttl",
    ".htaccess",
    "context.jsonld",
    "static/style.css",
    "spacecoop.ttl",
    "spacecoop.nt",
    "spacecoop.nt.gz",
    "spacecoop.jsonld",
    "spacecoop.rdf",
    "spacecoop.trig",
    "inferred.ttl",
)
RESOURCE_EXTENSIONS = ("html", "ttl", "jsonld", "nt", "rdf")
# Links that exist only on the served site (``spacecoop serve``), not as files.
SERVED_ONLY = re.compile(r"^(sparql|queries/[a-z0-9-]+)$")


# --- helpers ----------------------------------------------------------------------------


def _source(dataset: Dataset) -> Graph:
    """What the single-graph dumps hold: ontology ∪ data."""
    return Graph() + dataset.graph(GRAPH_ONTOLOGY) + dataset.graph(GRAPH_DATA)


def _ox_term(term: Any) -> Node:
    """A pyoxigraph term as the rdflib term it denotes."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal), term
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype == ox.NamedNode(str(XSD.string)):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _ox_quads(path: Path, fmt: ox.RdfFormat) -> list[Any]:
    return list(ox.parse(path=path, format=fmt))


def _ox_graph(quads: list[Any]) -> Graph:
    graph = Graph()
    for quad in quads:
        graph.add((_ox_term(quad.subject), _ox_term(quad.predicate), _ox_term(quad.object)))
    return graph


def _cbd(graph: Graph, node: Node) -> Graph:
    """Concise bounded description: ``node``'s triples, following blank-node objects."""
    out = Graph()
    todo, seen = [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for triple in graph.triples((current, None, None)):
            out.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    return out


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def _snapshot(directory: Path) -> dict[str, str]:
    """Every file under ``directory`` (hidden ones too) with the hash of its bytes."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def source(dataset: Dataset) -> Graph:
    return _source(dataset)


@pytest.fixture(scope="module")
def void(site: Path) -> Graph:
    return Graph().parse(site / "void.ttl", format="turtle")


@pytest.fixture(scope="module")
def data_graph(dataset: Dataset) -> Graph:
    return Graph() + dataset.graph(GRAPH_DATA)


@pytest.fixture(scope="module")
def home(site: Path) -> Element:
    return read_page(site, "index.html")


# --- the files in dist/ -----------------------------------------------------------------


@pytest.mark.parametrize("relative", EXPECTED_FILES)
def test_site_has_the_expected_file(site: Path, relative: str) -> None:
    assert (site / relative).is_file()
    assert (site / relative).stat().st_size > 0


def test_every_published_resource_has_its_pages_and_nothing_else(
    site: Path, data_graph: Graph
) -> None:
    things = {str(s) for s in data_graph.subjects() if str(s).startswith(str(ID))}
    assert len(things) > 50
    for extension in RESOURCE_EXTENSIONS:
        pages = {
            SITE_BASE + str(p.relative_to(site)).removesuffix("." + extension)
            for p in (site / "id").rglob(f"*.{extension}")
        }
        assert pages == things, extension


def test_no_temporary_directory_is_left_beside_the_site(site: Path) -> None:
    assert [p.name for p in site.parent.iterdir()] == [site.name]


# --- dumps ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_dump_reparses_with_rdflib_to_the_source_graph(
    site: Path, source: Graph, name: str
) -> None:
    parsed = Graph().parse(site / name, format=DUMPS[name][0])
    assert len(parsed) == len(source)
    assert isomorphic(parsed, source)


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_dump_reparses_with_pyoxigraph_to_the_source_graph(
    site: Path, source: Graph, name: str
) -> None:
    quads = _ox_quads(site / name, DUMPS[name][1])
    assert all(q.graph_name == ox.DefaultGraph() for q in quads)
    parsed = _ox_graph(quads)
    assert len(parsed) == len(source)
    assert isomorphic(parsed, source)


def test_gzipped_dump_is_the_ntriples_dump(site: Path) -> None:
    with gzip.open(site / "spacecoop.nt.gz", "rb") as handle:
        assert handle.read() == (site / "spacecoop.nt").read_bytes()


def _store_with_a_triple_in_two_parts() -> ox.Store:
    """A store whose ontology and data graphs share one triple (a union holds it once)."""
    quads = ox.Store()
    shared = ox.Triple(
        ox.NamedNode(str(SCO) + "Event"), ox.NamedNode(str(RDFS.label)), ox.Literal("x")
    )
    for graph in (GRAPH_ONTOLOGY, GRAPH_DATA):
        quads.add(ox.Quad(*shared, ox.NamedNode(str(graph))))
    quads.add(
        ox.Quad(
            ox.NamedNode("https://example.org/a"), *list(shared)[1:], ox.NamedNode(str(GRAPH_DATA))
        )
    )
    return quads


def test_single_graph_dumps_hold_the_union_once_and_leave_the_store_as_it_was(
    tmp_path: Path,
) -> None:
    quads = _store_with_a_triple_in_two_parts()
    before = set(quads)
    dumps.write_dumps(quads, tmp_path)
    assert set(quads) == before  # the ontology copied into the data graph is gone again
    lines = (tmp_path / "spacecoop.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    for name, fmt in (
        ("spacecoop.ttl", "turtle"),
        ("spacecoop.rdf", "xml"),
        ("spacecoop.jsonld", "json-ld"),
    ):
        assert len(Graph().parse(tmp_path / name, format=fmt)) == 2, name


def test_a_failed_dump_still_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quads = _store_with_a_triple_in_two_parts()
    before = set(quads)

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dumps, "_write_single_graph", disk_full)
    with pytest.raises(OSError, match="No space"):
        dumps.write_dumps(quads, tmp_path)
    assert set(quads) == before


def _entailed(dataset: Dataset) -> Graph:
    """What the build's entailment step adds (``reason_fast``; tested against owlrl elsewhere)."""
    quads = fast_store.from_dataset(dataset)
    sparql_rules.materialise(quads)
    return fast_store.to_rdflib_graph(quads, GRAPH_INFERRED)


def test_trig_dump_has_one_named_graph_per_part(site: Path, dataset: Dataset) -> None:
    inferred = _entailed(dataset)
    expected = {
        GRAPH_ONTOLOGY: dataset.graph(GRAPH_ONTOLOGY),
        GRAPH_DATA: dataset.graph(GRAPH_DATA),
        GRAPH_SHAPES: dataset.graph(GRAPH_SHAPES),
        GRAPH_INFERRED: inferred,
    }
    # rdflib
    trig = Dataset()
    trig.parse(site / "spacecoop.trig", format="trig")
    named = {g.identifier: g for g in trig.graphs() if len(g)}
    assert set(named) == set(expected)
    for iri, graph in expected.items():
        assert len(named[iri]) == len(graph), iri
    assert isomorphic(Graph() + named[GRAPH_DATA], Graph() + expected[GRAPH_DATA])
    assert isomorphic(Graph() + named[GRAPH_ONTOLOGY], Graph() + expected[GRAPH_ONTOLOGY])
    # pyoxigraph
    counts = Counter(q.graph_name for q in _ox_quads(site / "spacecoop.trig", ox.RdfFormat.TRIG))
    assert counts == {ox.NamedNode(str(iri)): len(graph) for iri, graph in expected.items()}


def test_jsonld_dumps_use_the_published_context(site: Path) -> None:
    published = json.loads((site / "context.jsonld").read_text(encoding="utf-8"))
    assert published == context()
    assert published["@context"]["sco"] == str(SCO)
    for name in ("spacecoop.jsonld", "def.jsonld", "id/country/china.jsonld"):
        document = json.loads((site / name).read_text(encoding="utf-8"))
        assert document["@context"] == published["@context"], name
    # Per-resource files are compacted with it; the whole-dataset dump, written by
    # pyoxigraph for speed, keeps absolute IRIs under the same context.
    assert '"sco:' in (site / "id/country/china.jsonld").read_text(encoding="utf-8")
    dump = json.loads((site / "spacecoop.jsonld").read_text(encoding="utf-8"))
    assert isinstance(dump["@graph"], list) and len(dump["@graph"]) > 100


def test_inferred_dump_is_the_entailed_graph(site: Path, dataset: Dataset) -> None:
    expected = _entailed(dataset)
    parsed = Graph().parse(site / "inferred.ttl", format="turtle")
    assert len(expected) > 100
    assert len(parsed) == len(expected)
    assert isomorphic(parsed, expected)


@pytest.mark.parametrize(
    ("extension", "fmt"), [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")]
)
def test_ontology_files_hold_the_ontology(
    site: Path, dataset: Dataset, extension: str, fmt: str
) -> None:
    parsed = Graph().parse(site / f"def.{extension}", format=fmt)
    assert isomorphic(parsed, Graph() + dataset.graph(GRAPH_ONTOLOGY))


# --- VoID and DCAT ----------------------------------------------------------------------


def _figure(void: Graph, prop: URIRef) -> int:
    values = list(void.objects(DATASET, prop))
    assert len(values) == 1, prop
    return int(values[0])


def test_well_known_void_is_the_void_file(site: Path) -> None:
    assert (site / ".well-known" / "void").read_bytes() == (site / "void.ttl").read_bytes()


def test_void_figures_match_the_published_graph(void: Graph, source: Graph) -> None:
    """Computed here from the VoID definitions, over ontology ∪ data (what the dumps hold)."""
    entities = {s for s in source.subjects() if isinstance(s, URIRef) and s.startswith(str(ID))}
    classes = set(source.objects(None, RDF.type))
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert _figure(void, VOID.triples) == len(source)
    assert _figure(void, VOID.entities) == len(entities)
    assert _figure(void, VOID.classes) == len(classes)
    assert _figure(void, VOID.properties) == len(set(source.predicates()))
    assert _figure(void, VOID.distinctSubjects) == len(set(source.subjects()))
    assert _figure(void, VOID.distinctObjects) == len(set(source.objects()))


def test_void_class_partitions_count_instances(void: Graph, source: Graph) -> None:
    partitions = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
        for p in void.objects(DATASET, VOID.classPartition)
    }
    expected = Counter(o for _, o in set(source.subject_objects(RDF.type)))
    assert partitions == dict(expected)
    assert partitions[SCO.Country] == len(set(source.subjects(RDF.type, SCO.Country)))


def test_void_property_partitions_count_triples(void: Graph, source: Graph) -> None:
    partitions = {
        void.value(p, VOID.property): int(void.value(p, VOID.triples))
        for p in void.objects(DATASET, VOID.propertyPartition)
    }
    assert partitions == dict(Counter(source.predicates()))


def test_every_dump_is_a_dcat_distribution_with_its_real_size(site: Path, void: Graph) -> None:
    downloads = set(void.objects(DATASET, VOID.dataDump))
    files = {SITE_BASE + name for name in (*DUMPS, "spacecoop.nt.gz", "spacecoop.trig")}
    files.add(SITE_BASE + "inferred.ttl")
    assert {str(d) for d in downloads} == files
    assert set(void.objects(DATASET, DCAT.distribution)) == downloads
    licence = void.value(DATASET, DCTERMS.license)
    assert licence is not None
    for dist in downloads:
        assert (DATASET, DCAT.distribution, dist) in void
        assert (dist, RDF.type, DCAT.Distribution) in void
        url = void.value(dist, DCAT.downloadURL)
        assert url is not None and str(url).startswith(SITE_BASE)
        assert str(void.value(dist, DCAT.mediaType)).startswith(
            "https://www.iana.org/assignments/media-types/"
        )
        assert void.value(dist, DCTERMS.license) == licence
        size = void.value(dist, DCAT.byteSize)
        local = site / str(url)[len(SITE_BASE) :]
        assert int(size) == local.stat().st_size, dist
    gz = URIRef(SITE_BASE + "spacecoop.nt.gz")
    assert str(void.value(gz, DCAT.compressFormat)).endswith("application/gzip")


def test_void_names_the_endpoint_examples_and_uri_space(site: Path, void: Graph) -> None:
    endpoint = URIRef(SITE_BASE + "sparql")
    assert (DATASET, VOID.sparqlEndpoint, endpoint) in void
    (service,) = void.subjects(DCAT.servesDataset, DATASET)
    assert (service, RDF.type, DCAT.DataService) in void
    assert void.value(service, DCAT.endpointURL) == endpoint
    assert void.value(service, DCTERMS.license) == void.value(DATASET, DCTERMS.license)
    assert str(void.value(DATASET, VOID.uriSpace)) == str(ID)
    examples = set(void.objects(DATASET, VOID.exampleResource))
    assert examples
    for example in examples:
        assert (site / (str(example)[len(SITE_BASE) :] + ".html")).is_file(), example


# --- the home page ----------------------------------------------------------------------


def test_home_page_has_a_schema_org_dataset(home: Element, void: Graph) -> None:
    blocks = [s for s in home.iter("script") if s.attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    block = json.loads(blocks[0].text())
    assert block["@type"] == "Dataset"
    assert block["@context"] in ("https://schema.org/", "https://schema.org")
    assert block["license"] == str(void.value(DATASET, DCTERMS.license))
    assert block["name"] and block["description"]
    urls = {d["contentUrl"] for d in block["distribution"]}
    assert urls == {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    assert all(d["@type"] == "DataDownload" and d["encodingFormat"] for d in block["distribution"])


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


# --- resource pages ---------------------------------------------------------------------


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


def test_resource_turtle_is_its_concise_bounded_description(site: Path, data_graph: Graph) -> None:
    things = sorted({s for s in data_graph.subjects() if str(s).startswith(str(ID))})
    for thing in things:
        stem = site / str(thing)[len(SITE_BASE) :]
        parsed = Graph().parse(stem.with_name(stem.name + ".ttl"), format="turtle")
        assert isomorphic(parsed, _cbd(data_graph, thing)), thing


@pytest.mark.parametrize(
    "thing",
    [
        FIRST_SYMPOSIUM,
        STRATEGIC_MEMORANDUM,
        ID["country/china"],
        ID["source/wenchang-news-article/p1"],
    ],
)
def test_resource_rdf_files_parse_to_the_same_graph(site: Path, thing: URIRef) -> None:
    stem = site / str(thing)[len(SITE_BASE) :]
    turtle = Graph().parse(stem.with_name(stem.name + ".ttl"), format="turtle")
    assert len(turtle) > 2
    for extension, fmt in (("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")):
        parsed = Graph().parse(stem.with_name(f"{stem.name}.{extension}"), format=fmt)
        assert isomorphic(parsed, turtle), extension


# --- the ontology page, links, no external resources ------------------------------------


def _ids(page: Element) -> set[str]:
    return {e.attrs["id"] for e in page.iter() if "id" in e.attrs}


def test_ontology_page_has_an_anchor_for_every_own_term(site: Path, dataset: Dataset) -> None:
    ontology = dataset.graph(GRAPH_ONTOLOGY)
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    kinds += (RDFS.Datatype, OWL.NamedIndividual)
    terms = {
        str(t)[len(str(SCO)) :]
        for kind in kinds
        for t in ontology.subjects(RDF.type, kind)
        if str(t).startswith(str(SCO))
    }
    assert len(terms) > 40
    anchors = _ids(read_page(site, "def.html"))
    assert terms <= anchors, sorted(terms - anchors)


def test_every_relative_link_resolves_to_a_file_and_anchor(site: Path) -> None:
    anchors: dict[str, set[str]] = {}
    checked = 0
    for path in _pages(site):
        here = str(path.relative_to(site))
        page = parse_html(path.read_text(encoding="utf-8"))
        ids = [e.attrs["id"] for e in page.iter() if "id" in e.attrs]
        assert len(ids) == len(set(ids)), f"{here}: duplicate ids"
        for element in page.iter():
            for attribute in ("href", "src", "action"):
                target = element.attrs.get(attribute)
                if target is None or re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue
                assert not target.startswith("/"), f"{here}: site-absolute link {target}"
                file, _, fragment = target.partition("#")
                resolved = href_target(here, file) if file else here
                if SERVED_ONLY.match(resolved):
                    continue
                assert attribute != "action", f"{here}: form posts to {target}"
                assert (site / resolved).is_file(), f"{here}: broken link {target}"
                if fragment:
                    if resolved not in anchors:
                        anchors[resolved] = _ids(read_page(site, resolved))
                    assert fragment in anchors[resolved], f"{here}: no anchor for {target}"
                checked += 1
    assert checked > 1000


def test_pages_load_nothing_from_other_hosts(site: Path) -> None:
    for path in _pages(site):
        page = parse_html(path.read_text(encoding="utf-8"))
        for script in page.iter("script"):
            assert "src" not in script.attrs, path
            assert script.attrs.get("type") == "application/ld+json", path
        for element in page.iter():
            for attribute in ("src", "srcset", "data"):
                assert attribute not in element.attrs or not re.match(
                    r"^(https?:)?//", element.attrs[attribute]
                ), path
        for link in page.iter("link"):
            if link.attrs.get("rel") in ("stylesheet", "preload", "modulepreload"):
                assert not re.match(r"^(https?:)?//", link.attrs["href"]), path
    css = (site / "static" / "style.css").read_text(encoding="utf-8")
    assert "@import" not in css and "http" not in css


def test_queries_page_lists_every_saved_query(site: Path, repo_root: Path) -> None:
    saved = catalogue.catalogue(repo_root)
    page = read_page(site, "catalogue.html")
    for name, query in saved.items():
        section = page.by_id(name)
        assert query.summary in section.text()
        inputs = {i.attrs["name"] for i in section.iter("input")}
        assert inputs == {p.name for p in query.parameters}, name
    examples = Graph().parse(site / "catalogue.ttl", format="turtle")
    executables = set(examples.subjects(RDF.type, SH.SPARQLExecutable))
    assert len(executables) == len(saved)
    described = set(examples.subjects(RDF.type, SPEX.SPARQLDescribeExecutable))
    assert described <= executables
    assert (site / ".well-known/sparql-examples/index.ttl").read_bytes() == (
        site / "catalogue.ttl"
    ).read_bytes()


def _apache_redirect(rules: str, path: str, accept: str) -> str | None:
    """Where mod_rewrite sends ``path`` for ``accept``: a tiny evaluator of our rule shapes."""
    conditions: list[tuple[str, bool]] = []
    for line in rules.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "RewriteCond":
            assert words[1] == "%{HTTP_ACCEPT}", line
            conditions.append((words[2], "[OR]" in words[3:]))
        elif words[0] == "RewriteRule":
            pattern, target, flags = words[1], words[2], words[3]
            # Only chains of [OR]-ed conditions are written (and understood) here.
            assert all(chained for _, chained in conditions[:-1]), line
            holds = not conditions or any(re.search(r, accept) for r, _ in conditions)
            conditions = []
            found = re.search(pattern, path)
            if holds and found:
                assert "R=303" in flags, line
                return found.expand(re.sub(r"\$(\d)", r"\\\1", target))
    return None


@pytest.mark.parametrize(
    ("accept", "extension"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("*/*", "html"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "rdf"),
    ],
)
def test_htaccess_negotiates_like_the_server(site: Path, accept: str, extension: str) -> None:
    rules = (site / ".htaccess").read_text(encoding="utf-8")
    assert "RewriteEngine on" in rules
    for path in ("id/event/first-symposium-2018", "id/source/wenchang-news-article/p1", "def"):
        target = _apache_redirect(rules, path, accept)
        assert target == f"{path}.{extension}"
        assert (site / target).is_file()
    assert _apache_redirect(rules, "id/event/first-symposium-2018.ttl", accept) is None
    assert _apache_redirect(rules, "index.html", accept) is None


# --- throwaway repositories: escaping, atomicity, refusal -------------------------------

SCRIPT = "<script>alert(1)</script>"


def _tiny_repo(make_repo: Any, repo_root: Path, data: str) -> Path:
    return make_repo(
        {
            "ontology/spacecoop.ttl": (repo_root / "ontology" / "spacecoop.ttl").read_text(
                encoding="utf-8"
            ),
            "data/things.ttl": data,
        }
    )


TINY_DATA = f"""\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

<https://w3id.org/spacecoop/id/organisation/evil> a sco:Organisation ;
    rdfs:label "{SCRIPT}"@en ;
    rdfs:comment "a \\"quoted\\" & <b>bold</b> comment"@en .

<https://w3id.org/spacecoop/id/organisation/good> a sco:Organisation ;
    rdfs:label "Good"@en ;
    sco:subOrganisationOf <https://w3id.org/spacecoop/id/organisation/evil> .
"""


def test_labels_are_escaped_in_pages(make_repo: Any, repo_root: Path, tmp_path: Path) -> None:
    root = _tiny_repo(make_repo, repo_root, TINY_DATA)
    out = tmp_path / "dist"
    build(load(root), out)
    evil = (out / "id" / "organisation" / "evil.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil
    assert "&lt;b&gt;bold&lt;/b&gt;" in evil
    for page in _pages(out):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
        assert "<b>bold" not in text, page
    assert "&lt;script&gt;alert(1)" in (out / "index.html").read_text(encoding="utf-8")


def test_a_failed_build_leaves_the_previous_site_intact(
    site: Path, dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    shutil.copytree(site, out)
    before = _snapshot(out)
    calls = 0
    real = html.resource_page

    def failing(*args: Any, **kwargs: Any) -> str:
        nonlocal calls
        calls += 1
        if calls > 5:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(html, "resource_page", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build(dataset, out)
    assert calls > 5  # it failed midway, after writing some pages
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_a_successful_build_replaces_the_previous_site(
    make_repo: Any, repo_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "stale.html").write_text("old", encoding="utf-8")
    mark(out)  # a previous build, which wrote stale.html
    build(load(_tiny_repo(make_repo, repo_root, TINY_DATA)), out)
    assert not (out / "stale.html").exists()
    assert (out / "id" / "organisation" / "good.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


INCONSISTENT_DATA = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

<https://w3id.org/spacecoop/id/organisation/a> a sco:Organisation ;
    rdfs:label "A"@en ;
    owl:sameAs <https://w3id.org/spacecoop/id/organisation/b> ;
    owl:differentFrom <https://w3id.org/spacecoop/id/organisation/b> .

<https://w3id.org/spacecoop/id/organisation/b> a sco:Organisation ;
    rdfs:label "B"@en .
"""


def test_an_inconsistent_closure_is_not_published(
    make_repo: Any, repo_root: Path, tmp_path: Path
) -> None:
    root = _tiny_repo(make_repo, repo_root, INCONSISTENT_DATA)
    ds = load(root)
    # the premise: owlrl sees the clash
    assert owlrl_engine.inconsistencies(owlrl_engine.closure(ds))
    out = tmp_path / "dist"
    out.mkdir()
    (out / "index.html").write_text("previous", encoding="utf-8")
    mark(out)
    before = _snapshot(out)
    with pytest.raises(PublishError, match="inconsistent"):
        build(ds, out)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_build_refuses_an_inconsistent_dataset(
    make_repo: Any, repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tiny_repo(make_repo, repo_root, INCONSISTENT_DATA)
    out = tmp_path / "dist"
    assert main(["build", "--root", str(root), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "inconsistency" in captured.err and "organisation/a" in captured.err
    assert captured.err.rstrip().endswith("the data does not conform; nothing was published")
    assert not out.exists()


def test_cli_build_validates_first_and_publishes_nothing_that_does_not_conform(
    make_repo: Any, repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entity that cites no source breaks a shape: the build stops before writing."""
    root = _tiny_repo(make_repo, repo_root, TINY_DATA)
    shutil.copyfile(repo_root / "ontology" / "shapes.ttl", root / "ontology" / "shapes.ttl")
    out = tmp_path / "dist"
    assert main(["build", "--root", str(root), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "things.ttl:" in err and "organisation/good" in err
    assert "nothing was published" in err
    assert not out.exists()


def test_cli_build_writes_the_site_and_says_what_it_wrote(
    make_repo: Any, repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tiny_repo(make_repo, repo_root, TINY_DATA)
    out = tmp_path / "site"
    assert main(["build", "--root", str(root), "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(
        rf"built {re.escape(str(out))}: 2 resource pages, \d+ triples, 7 dumps", line
    )
    assert (out / "index.html").is_file() and (out / "id/organisation/good.ttl").is_file()
