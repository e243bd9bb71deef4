"""VoID and DCAT figures of the published graph, and the home page's schema.org ``Dataset``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from built_site import DUMPS
from html_tree import Element
from spacecoop.namespaces import ID, SCO
from spacecoop.publish.paths import SITE_BASE

DATASET = URIRef(SITE_BASE + "dataset")


@pytest.fixture(scope="module")
def void(site: Path) -> Graph:
    return Graph().parse(site / "void.ttl", format="turtle")


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
