"""HTML rendering with Jinja2 (autoescaping on): one function per kind of page."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib import Graph, URIRef

from ..namespaces import curie
from . import browse, ontology_docs, resources, visuals
from .paths import relative


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("spacecoop.publish", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["curie"] = lambda iri: curie(str(iri))
    env.filters["thousands"] = lambda number: f"{number:,}"
    return env


def _root(path: str) -> str:
    """Relative prefix from the page at ``path`` back to the site root."""
    depth = path.count("/")
    return "../" * depth


def render(template: str, path: str, **context: Any) -> str:
    return environment().get_template(template).render(root=_root(path), **context)


def resource_page(graph: Graph, iri: URIRef, labels: resources.Labels | None = None) -> str:
    view = resources.view(graph, iri, labels)
    stem = posixpath.basename(view.path).removesuffix(".html")
    return render("resource.html.j2", view.path, title=view.label, r=view, stem=stem)


def ontology_page(ontology: Graph) -> str:
    doc = ontology_docs.document(ontology)
    return render("ontology.html.j2", "def.html", title="Ontology", doc=doc)


def home_page(
    graph: Graph,
    kinds: Sequence[browse.Kind],
    labels: resources.Labels,
    *,
    description: str,
    licence: str,
    figures: dict[str, int],
    dumps: list[Any],
    schema_dataset: str,
) -> str:
    """The home page: figures, timeline, network, every kind to browse, the downloads.

    ``labels`` are those of ``graph``, shared with :func:`browse.kinds`.
    """
    path = "index.html"
    return render(
        "home.html.j2",
        path,
        title="Home",
        description=description,
        licence=licence,
        figures=figures,
        dumps=dumps,
        schema_dataset=schema_dataset,
        timeline=visuals.timeline(graph, path, labels),
        network=visuals.network(graph, path, labels),
        browse=browse.home_entries(kinds, path),
        events_href=relative(browse.first_page("event"), ""),
        memoranda_href=relative(browse.first_page("memorandum"), ""),
    )


def browse_page(page: browse.BrowsePage) -> str:
    """One page of the list of a kind's things."""
    return render("browse.html.j2", page.path, title=page.kind.title, p=page)


def queries_page(saved_queries: list[Any]) -> str:
    """The catalogue of saved queries, each with a form to run it on the served site."""
    return render("queries.html.j2", "queries.html", title="Saved queries", queries=saved_queries)


def query_results_page(saved: Any, path: str, **context: Any) -> str:
    """One saved query's answer: a table of rows, a yes/no, or a graph in Turtle."""
    return render("query_results.html.j2", path, title=saved.summary, q=saved, **context)
