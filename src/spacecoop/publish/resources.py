"""What a resource page shows: a view model built from the graph, free of HTML.

Labels in every language, types, each property as a link, incoming links, and
the source paragraphs the resource cites. Templates only lay this out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import ID, PROV, RDF, RDFS, SCO, curie
from .paths import href, resource_path

# Shown in their own sections rather than in the property table.
_SECTIONED = {RDF.type, RDFS.label, PROV.wasDerivedFrom}


@dataclass(frozen=True)
class Link:
    """A link to a node: where it goes, what it says, and the IRI behind it."""

    href: str
    text: str
    iri: str


@dataclass(frozen=True)
class Value:
    """One object value: either a link or a literal with its language or datatype."""

    text: str
    link: Link | None = None
    lang: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class PropertyRow:
    prop: Link
    values: list[Value]


@dataclass(frozen=True)
class Citation:
    """A source paragraph the resource cites."""

    paragraph: Link
    document: Link | None
    number: int | None
    summary: str | None


@dataclass
class ResourceView:
    """Everything a resource page shows."""

    iri: str
    path: str
    label: str
    labels: list[Value] = field(default_factory=list)
    types: list[Link] = field(default_factory=list)
    properties: list[PropertyRow] = field(default_factory=list)
    incoming: list[tuple[Link, Link]] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)


# Built-in terms the ontology does not (and need not) label.
_BUILTIN_LABELS = {RDFS.comment: "comment", RDF.type: "type", RDFS.label: "label"}


def label(graph: Graph, node: Node, lang: str = "en") -> str:
    """The node's label in ``lang`` (else any label, else its CURIE or IRI).

    Where several labels qualify, the first in code-point order wins, so the
    choice does not depend on the order a store happens to return them in.
    """
    if node in _BUILTIN_LABELS:
        return _BUILTIN_LABELS[node]
    chosen = _choose(graph.objects(node, RDFS.label), lang)
    return curie(str(node)) if chosen is None else chosen


def _choose(labels: Iterable[Node], lang: str) -> str | None:
    """Which of a node's ``labels`` :func:`label` shows (None when there are none)."""
    ranked = sorted((not (isinstance(c, Literal) and c.language == lang), str(c)) for c in labels)
    return ranked[0][1] if ranked else None


_ALL_LABELS = f"SELECT ?node ?label WHERE {{ ?node <{RDFS.label}> ?label }}"


class Labels:
    """:func:`label` of each node of one graph, looked up once.

    Pages link to the same properties, classes and neighbours again and again;
    when the graph is a view of a store, each lookup is a query.
    """

    def __init__(self, graph: Graph, lang: str = "en") -> None:
        self.graph = graph
        self.lang = lang
        self._known: dict[Node, str] = dict(_BUILTIN_LABELS)
        self._complete = False  # every label of the graph is in _known

    def prefetch(self) -> Labels:
        """Look up every label of the graph at once: one query instead of one per node.

        For pages that name thousands of things (the home and browse pages).
        On a store's view the query runs on the store's own engine.
        """
        found: dict[Node, list[Node]] = defaultdict(list)
        for node, text in self.graph.query(_ALL_LABELS):  # type: ignore[misc]
            if node not in _BUILTIN_LABELS:
                found[node].append(text)
        for node, texts in found.items():
            self._known[node] = _choose(texts, self.lang)  # type: ignore[assignment]
        self._complete = True
        return self

    def __call__(self, node: Node) -> str:
        known = self._known.get(node)
        if known is None:
            # After a prefetch, a node not met has no label: no need to ask the graph.
            unlabelled = self._complete
            known = curie(str(node)) if unlabelled else label(self.graph, node, self.lang)
            self._known[node] = known
        return known


def _link(labels: Labels, node: Node, from_path: str) -> Link:
    return Link(href=href(str(node), from_path), text=labels(node), iri=str(node))


def _value(labels: Labels, node: Node, from_path: str) -> Value:
    if isinstance(node, Literal):
        return Value(
            text=str(node),
            lang=node.language,
            datatype=curie(str(node.datatype)) if node.datatype else None,
        )
    if isinstance(node, BNode):
        return Value(text="(anonymous node)")
    return Value(text=labels(node), link=_link(labels, node, from_path))


def _sort_key(value: Value) -> tuple[str, str]:
    return (value.text.casefold(), value.lang or "")


def view(graph: Graph, iri: URIRef, labels: Labels | None = None) -> ResourceView:
    """Build the page model of ``iri`` from ``graph`` (ontology + data, for labels).

    Pass the same ``labels`` (of ``graph``) for many pages to look each label up once.
    """
    names = Labels(graph) if labels is None else labels
    path = resource_path(str(iri)) + ".html"
    result = ResourceView(iri=str(iri), path=path, label=names(iri))
    result.labels = sorted(
        (_value(names, lbl, path) for lbl in graph.objects(iri, RDFS.label)),
        key=lambda v: (v.lang != "en", v.lang or "", v.text),
    )
    result.types = sorted(
        (_link(names, t, path) for t in graph.objects(iri, RDF.type)), key=lambda x: x.text
    )
    props: dict[Node, list[Value]] = {}
    for prop, obj in graph.predicate_objects(iri):
        if prop not in _SECTIONED:
            props.setdefault(prop, []).append(_value(names, obj, path))
    result.properties = sorted(
        (
            PropertyRow(_link(names, p, path), sorted(vals, key=_sort_key))
            for p, vals in props.items()
        ),
        key=lambda row: row.prop.text.casefold(),
    )
    result.incoming = sorted(
        (
            (_link(names, s, path), _link(names, p, path))
            for s, p in graph.subject_predicates(iri)
            if isinstance(s, URIRef)
        ),
        key=lambda pair: (pair[1].text.casefold(), pair[0].text.casefold()),
    )
    result.citations = [
        _citation(graph, names, para, path) for para in graph.objects(iri, PROV.wasDerivedFrom)
    ]
    result.citations.sort(key=lambda c: (c.document.text if c.document else "", c.number or 0))
    return result


def _citation(graph: Graph, labels: Labels, paragraph: Node, path: str) -> Citation:
    document = graph.value(paragraph, SCO.inDocument)
    number = graph.value(paragraph, SCO.paragraphNumber)
    summary = graph.value(paragraph, SCO.summary)
    return Citation(
        paragraph=_link(labels, paragraph, path),
        document=_link(labels, document, path) if document is not None else None,
        number=int(number) if number is not None else None,
        summary=str(summary) if summary is not None else None,
    )


def kind_of(iri: str) -> str:
    """The ``{kind}`` segment of a thing's IRI: ``event``, ``organisation``, …"""
    return iri[len(str(ID)) :].split("/", 1)[0]
