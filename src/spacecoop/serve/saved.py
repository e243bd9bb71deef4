"""Saved queries over HTTP, as grlc serves them: ``/queries/NAME?param=value``.

Parameters are checked and bound as RDF terms by :func:`..queries.runner.bound`, as for
every other target (a ``VALUES`` block, never pasted text); the query then runs on the same
sandboxed workers as ``/sparql``. Browsers get an HTML table, other clients
the SPARQL results or RDF they ask for.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from ..publish import html
from ..publish.paths import href
from ..queries.catalogue import QueryError, SavedQuery
from ..queries.runner import bound
from .negotiation import choose
from .sparql import GRAPH_TYPES, RESULT_TYPES, Outcome, QueryService


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None


def answer(
    service: QueryService,
    saved: SavedQuery,
    given: Mapping[str, str],
    accept: str | None,
    *,
    cancelled: threading.Event | None = None,
) -> Outcome:
    """Run ``saved`` with the ``given`` parameters and answer as the client prefers.

    Setting ``cancelled`` (the client went away) stops the query.
    """
    try:
        query = bound(saved, given)
    except QueryError as error:
        return _text(400, str(error))
    text, bindings = query.text, query.bindings
    machine = list(GRAPH_TYPES if saved.kind.returns_graph else RESULT_TYPES)
    # Machine formats first: "*/*" (curl, libraries) gets data; browsers ask for HTML by name.
    wanted = choose(accept, [*machine, "text/html"])
    if wanted is None:
        return _text(406, "available: text/html, " + ", ".join(machine))
    if wanted != "text/html":
        return service.run(text, wanted, cancelled=cancelled)
    outcome = service.run(
        text,
        "text/turtle" if saved.kind.returns_graph else "application/sparql-results+json",
        cancelled=cancelled,
    )
    if outcome.status != 200:
        return outcome
    path = f"queries/{saved.name}.html"
    shown = [
        (p.name, str(bindings[p.variable])) for p in saved.parameters if p.variable in bindings
    ]
    if saved.kind.returns_graph:
        page = html.query_results_page(
            saved, path, bindings=shown, boolean=None, graph_text=outcome.body.decode("utf-8")
        )
    else:
        results = json.loads(outcome.body)
        variables = results.get("head", {}).get("vars", [])
        rows = [
            [_cell(row.get(v), path) for v in variables]
            for row in results.get("results", {}).get("bindings", [])
        ]
        page = html.query_results_page(
            saved,
            path,
            bindings=shown,
            boolean=results.get("boolean"),
            graph_text=None,
            variables=variables,
            rows=rows,
        )
    return Outcome(200, "text/html; charset=utf-8", page.encode("utf-8"))


def _cell(term: Mapping[str, str] | None, path: str) -> Cell:
    if term is None:
        return Cell("")
    value = term.get("value", "")
    if term.get("type") == "uri":
        return Cell(value, href(value, path))
    return Cell(value)


def _text(status: int, message: str) -> Outcome:
    return Outcome(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))
