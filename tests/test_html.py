"""The queries page: every saved query with its summary and parameters, and its SPARQL examples."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, SH

from html_tree import read_page
from spacecoop.namespaces import SPEX
from spacecoop.queries import catalogue


def test_queries_page_lists_every_saved_query(site: Path, repo_root: Path) -> None:
    saved = catalogue.catalogue(repo_root)
    page = read_page(site, "queries.html")
    for name, query in saved.items():
        section = page.by_id(name)
        assert query.summary in section.text()
        inputs = {i.attrs["name"] for i in section.iter("input")}
        assert inputs == {p.name for p in query.parameters}, name
    examples = Graph().parse(site / "queries.ttl", format="turtle")
    executables = set(examples.subjects(RDF.type, SH.SPARQLExecutable))
    assert len(executables) == len(saved)
    described = set(examples.subjects(RDF.type, SPEX.SPARQLDescribeExecutable))
    assert described <= executables
    assert (site / ".well-known/sparql-examples/index.ttl").read_bytes() == (
        site / "queries.ttl"
    ).read_bytes()
