"""The pyoxigraph store that holds the repository: loading a file into it, its default
graph, rdflib copies and views of it, and the one conversion of terms between
pyoxigraph and rdflib.

pyoxigraph parses ~10x faster than rdflib and queries ~10x faster too, so every file is
read into the store (:func:`load_file`), and rdflib code gets copies or views of it.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import (
    DEFAULT_GRAPH,
    GRAPH_DATA,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    bind_prefixes,
)
from .files import (
    LoadError,
    check_regular_file,
    locate_syntax_error,
    parse_file,
    read_source,
)

_FORMATS = {".nt": ox.RdfFormat.N_TRIPLES}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


# What RDF 1.2 adds to the data model. pyoxigraph 0.5 parses RDF 1.2 Turtle; rdflib,
# the public model and the reference plan, does not, so the repository must not use it.
_RDF_12_TERMS = "ASK { GRAPH ?g { ?s ?p ?o FILTER(isTRIPLE(?o) || hasLANGDIR(?o)) } }"


def refuse_rdf_12(store: ox.Store, paths: Iterable[Path]) -> None:
    """Raise a :class:`LoadError` naming the file if ``store``, loaded from ``paths``, holds
    RDF 1.2 triple terms or text directions, which the rdflib copies cannot hold.

    Not part of loading: the scan costs half a second per million triples, which
    validation and rdflib copies pay (:meth:`load.Repository.refuse_rdf_12`) and queries
    on the store need not.
    """
    if not store.query(_RDF_12_TERMS):
        return
    paths = list(paths)
    for path in paths:  # the slow rdflib parse, only once RDF 1.2 is known to be there
        parse_file(path, Graph(), strict=True)
    message = "uses RDF 1.2 (triple terms or text direction), which rdflib cannot read"
    raise LoadError(paths[0], None, None, message)  # rdflib read them all: not expected


def load_file(store: ox.Store, path: Path, graph_iri: URIRef) -> None:
    """Bulk-load one Turtle or N-Triples file into ``graph_iri`` of ``store``.

    pyoxigraph reads the file itself: handing it the bytes from Python cost a copy
    of the file in memory and, at 10^6 triples, 0.3 s of a 3 s load. The file is
    read here only when it starts with a UTF-8 byte-order mark, which pyoxigraph
    refuses and rdflib (the reference plan) skips, when it holds a token longer
    than pyoxigraph's file buffer (16 MiB), or to say why it was refused.
    """
    fmt = _FORMATS.get(path.suffix.lower(), ox.RdfFormat.TURTLE)
    into = {
        "format": fmt,
        "base_iri": path.resolve().as_uri(),
        "to_graph": ox.NamedNode(str(graph_iri)),
    }
    check_regular_file(path)  # before anything opens it: a FIFO would block the open
    try:
        if _starts_with_utf8_bom(path):
            store.bulk_load(read_source(path), **into)
        else:
            try:
                store.bulk_load(path=str(path), **into)
            except MemoryError:
                # Reading a file, pyoxigraph keeps a token in a buffer of at most 16 MiB and
                # fails on a longer literal, which is legal Turtle; from bytes it has no such
                # limit. A failed bulk load leaves the store as it was (tested), so the
                # retry does not add the file's blank nodes twice.
                store.bulk_load(read_source(path), **into)
    except (SyntaxError, ValueError, OSError) as exc:
        raw = read_source(path)  # an unreadable or non-UTF-8 file raises its own error
        error = locate_syntax_error(path, raw, fmt)
        raise (error or LoadError(path, None, None, str(exc))) from exc
    except MemoryError as exc:
        raise LoadError(path, None, None, f"not enough memory to load ({exc})") from exc


def _starts_with_utf8_bom(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8


def add_triples(
    store: ox.Store, triples: Iterable[tuple[Node, Node, Node]], graph_iri: URIRef
) -> None:
    """Add rdflib ``triples`` to the named graph ``graph_iri`` of ``store``."""
    graph = ox.NamedNode(str(graph_iri))
    store.extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)  # type: ignore[arg-type]
        for s, p, o in triples
    )


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equivalent pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: object) -> Node | None:
    """A pyoxigraph term (or ``None`` for unbound) as the equivalent rdflib term."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # rdflib keeps simple literals untyped
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def default_graph(*, infer: bool = False) -> list[ox.NamedNode]:
    """:data:`namespaces.DEFAULT_GRAPH` (and the inferred graph with ``infer``) for pyoxigraph."""
    graphs = (*DEFAULT_GRAPH, GRAPH_INFERRED) if infer else DEFAULT_GRAPH
    return [ox.NamedNode(str(graph)) for graph in graphs]


def to_rdflib_graph(store: ox.Store, graph_iri: URIRef) -> Graph:
    """One named graph of ``store`` as an rdflib Graph (to hand results to rdflib-based code)."""
    graph = bind_prefixes(Graph())
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph_iri))):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def rdflib_view(store: ox.Store, graph_iri: URIRef | ox.NamedNode) -> Graph:
    """One named graph of ``store`` behind rdflib's Graph API, copying nothing.

    For code written against rdflib (page models, visuals) that reads a few
    triples at a time: each lookup goes to the store, so a million triples
    cost no rdflib memory, where a copy (:func:`to_rdflib_graph`) costs ~2 GB.
    """
    identifier = URIRef(graph_iri.value if isinstance(graph_iri, ox.NamedNode) else graph_iri)
    return bind_prefixes(Graph(store=OxigraphStore(store=store), identifier=identifier))


@contextmanager
def ontology_merged_into_data(store: ox.Store) -> Iterator[ox.NamedNode]:
    """The data graph, holding the ontology's triples too for as long as the block runs.

    What is published is the union of ontology and data. The ontology is
    small, so copying it into the data graph (and removing exactly the copies
    afterwards, even on error) costs little, where copying a million data
    triples out to a graph of their own would cost as much as loading them.
    Nested uses copy nothing more.
    """
    data = ox.NamedNode(str(GRAPH_DATA))
    ontology = store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPH_ONTOLOGY)))
    copies = [ox.Quad(q.subject, q.predicate, q.object, data) for q in ontology]
    copies = [quad for quad in copies if quad not in store]  # the data may state them too
    store.extend(copies)
    try:
        yield data
    finally:
        for quad in copies:
            store.remove(quad)
