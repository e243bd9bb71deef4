"""One model for query results, wherever they were computed, and its output formats.

Local runs (rdflib) and remote runs (any SPARQL 1.1 endpoint) both end as a
:class:`QueryResult`, so the command line writes them the same way and tests
compare them directly: solutions as RDF terms, a boolean, or a graph.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Node

from ..namespaces import bind_prefixes, curie

__all__ = [
    "GRAPH_FORMATS",
    "SOLUTION_FORMATS",
    "QueryKind",
    "QueryResult",
    "render",
    "results_json",
]


class QueryKind(StrEnum):
    """The four SPARQL query forms."""

    SELECT = "select"
    ASK = "ask"
    CONSTRUCT = "construct"
    DESCRIBE = "describe"

    @property
    def returns_graph(self) -> bool:
        """Whether the query form answers with an RDF graph."""
        return self in (QueryKind.CONSTRUCT, QueryKind.DESCRIBE)


SOLUTION_FORMATS = ("table", "csv", "tsv", "json")
"""Output formats for SELECT results (``json`` is SPARQL 1.1 Query Results JSON)."""
GRAPH_FORMATS = ("turtle", "jsonld")
"""Output formats for CONSTRUCT and DESCRIBE results."""

Row = tuple[Node | None, ...]


@dataclass(frozen=True)
class QueryResult:
    """What a query answered: solutions (SELECT), a boolean (ASK) or a graph."""

    kind: QueryKind
    variables: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    """One tuple per solution, in ``variables`` order; ``None`` where a variable is unbound."""
    boolean: bool | None = None
    graph: Graph | None = None

    @classmethod
    def from_rdflib(cls, kind: QueryKind, result: Result) -> QueryResult:
        """Wrap an rdflib result (local run, or a parsed remote answer)."""
        if kind is QueryKind.ASK:
            return cls(kind, boolean=bool(result.askAnswer))
        if kind.returns_graph:
            graph = bind_prefixes(Graph())
            for triple in result.graph or ():
                graph.add(triple)
            return cls(kind, graph=graph)
        variables = tuple(str(v) for v in result.vars or ())
        rows = tuple(tuple(row) for row in result)  # type: ignore[arg-type]
        return cls(kind, variables=variables, rows=rows)


def results_json(result: QueryResult) -> dict[str, Any]:
    """The SPARQL 1.1 Query Results JSON document for a SELECT or ASK result."""
    if result.kind is QueryKind.ASK:
        return {"head": {}, "boolean": result.boolean}
    bindings = [
        {
            var: _json_term(term)
            for var, term in zip(result.variables, row, strict=True)
            if term is not None
        }
        for row in result.rows
    ]
    return {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}


def render(result: QueryResult, fmt: str | None = None) -> str:
    """Write ``result`` in ``fmt`` (default: table for SELECT, Turtle for graphs).

    ASK results are ``true`` or ``false`` whatever the format. Raises
    ValueError when ``fmt`` does not suit the query form.
    """
    if result.kind is QueryKind.ASK:
        if fmt == "json":
            return json.dumps(results_json(result)) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if result.kind.returns_graph:
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise ValueError(
                f"a {result.kind.upper()} result is a graph: use --format turtle or jsonld"
            )
        assert result.graph is not None
        return result.graph.serialize(format="json-ld" if fmt == "jsonld" else "turtle")
    fmt = fmt or "table"
    if fmt not in SOLUTION_FORMATS:
        raise ValueError(f"a SELECT result is a table: use --format {'|'.join(SOLUTION_FORMATS)}")
    if fmt == "json":
        return json.dumps(results_json(result), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(result.variables, _csv_cells(result.rows))
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        lines += ["\t".join(_tsv_term(term) for term in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    return _table(result)


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _csv_cells(rows: Iterable[Row]) -> Iterable[list[str]]:
    """SPARQL 1.1 CSV: IRIs and literals by their plain value, blank nodes as ``_:id``."""
    for row in rows:
        yield ["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t)) for t in row]


def _tsv_term(term: Node | None) -> str:
    """SPARQL 1.1 TSV: a term in N-Triples form, with tabs and line breaks escaped."""
    if term is None:
        return ""
    if not isinstance(term, Literal):
        return f"_:{term}" if isinstance(term, BNode) else f"<{term}>"
    text = str(term)
    for raw, escaped in _TSV_ESCAPES:
        text = text.replace(raw, escaped)
    if term.language:
        return f'"{text}"@{term.language}'
    return f'"{text}"^^<{term.datatype}>' if term.datatype else f'"{text}"'


_TSV_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))


def _csv(header: Sequence[str], rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _table(result: QueryResult) -> str:
    """An aligned plain-text table, IRIs shortened to prefixes where one fits."""
    header = list(result.variables)
    cells = [[_table_cell(term) for term in row] for row in result.rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, ["-" * w for w in widths], *cells]
    ]
    count = len(result.rows)
    lines.append(f"({count} {'row' if count == 1 else 'rows'})")
    return "\n".join(lines) + "\n"


def _table_cell(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return curie(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)
