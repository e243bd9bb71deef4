"""The HTTP application: linked-data pages with content negotiation, and a SPARQL endpoint.

Pages and RDF files come from a built site (``publish.build``); an IRI without
an extension is answered 303 See Other to the representation the client's
``Accept`` header prefers. ``/sparql`` implements the SPARQL 1.1 Protocol
(query only) on pyoxigraph workers with time and size limits; queries run on
threads of their own (:mod:`.query_threads`), so pages never wait behind them.
Files answer conditional requests (``If-None-Match``, ``If-Modified-Since``)
with 304, and every answer chosen by ``Accept`` says so with ``Vary: Accept``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..queries.catalogue import SavedQuery
from . import saved as saved_queries
from .negotiation import choose
from .query_threads import RETRY_AFTER_SECONDS, QueryThreads
from .sparql import Outcome, QueryService

# Representation media type -> file extension, in the server's order of preference.
# (No application/xhtml+xml: the pages are HTML, not XML, and are served as text/html.)
REPRESENTATIONS = {
    "text/html": "html",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
}
_EXTENSIONS = set(REPRESENTATIONS.values())
MAX_BODY_BYTES = 64_000

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    """Add security headers to every response, and CORS to GET/HEAD ones.

    A plain ASGI middleware that edits only the response's start message, not
    Starlette's ``BaseHTTPMiddleware``, which runs the application in a task of
    its own and relays every message through a stream and a wrapped ``receive``:
    extra machinery between a running query and the news that its client left,
    and between a response and the socket.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cors = scope["method"] in ("GET", "HEAD")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if cors:
                    headers["Access-Control-Allow-Origin"] = "*"
                message = {**message, "headers": headers.raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _inside(site: Path, relative: str) -> Path | None:
    """The file for ``relative`` if it exists inside ``site`` (no path traversal).

    A path the file system cannot even look up (a NUL byte, a name too long)
    names no file either.
    """
    try:
        candidate = (site / relative).resolve()
        if candidate.is_file() and candidate.is_relative_to(site):
            return candidate
    except (OSError, ValueError):
        pass
    return None


def create_app(
    site: Path, queries: QueryService, catalogue: Mapping[str, SavedQuery] | None = None
) -> Starlette:
    """The application serving the built ``site``, answering SPARQL and saved queries."""
    catalogue = catalogue or {}
    site = site.resolve()
    static = StaticFiles(directory=site, html=True)
    threads = QueryThreads(queries.capacity)

    def file(request: Request, path: Path, media_type: str) -> Response:
        """``path`` as StaticFiles would answer it: 304 when the client's copy is current."""
        response = FileResponse(path, media_type=media_type, stat_result=os.stat(path))
        if static.is_not_modified(response.headers, request.headers):
            return NotModifiedResponse(response.headers)
        return response

    def negotiate(request: Request, stem: str) -> Response:
        extension = stem.rsplit(".", 1)[-1] if "." in stem.rsplit("/", 1)[-1] else None
        if extension is not None:
            found = _inside(site, stem) if extension in _EXTENSIONS else None
            if found is None:
                return PlainTextResponse(f"not found: /{stem}\n", status_code=404)
            return file(request, found, _media_type(extension))
        if _inside(site, stem + ".html") is None:
            return PlainTextResponse(f"no such resource: /{stem}\n", status_code=404)
        chosen = choose(request.headers.get("accept"), list(REPRESENTATIONS))
        if chosen is None:
            offered = ", ".join(dict.fromkeys(REPRESENTATIONS))
            return PlainTextResponse(
                f"not acceptable; available: {offered}\n", status_code=406, headers=VARY
            )
        return RedirectResponse(f"/{stem}.{REPRESENTATIONS[chosen]}", status_code=303, headers=VARY)

    async def resource(request: Request) -> Response:
        return negotiate(request, "id/" + request.path_params["path"])

    async def ontology(request: Request) -> Response:
        return negotiate(request, "def")

    async def void(request: Request) -> Response:
        return file(request, site / "void.ttl", "text/turtle; charset=utf-8")

    async def sparql(request: Request) -> Response:
        form = await _sparql_request(request)
        if isinstance(form, Response):
            return form
        if "update" in form:
            return PlainTextResponse(
                "this endpoint is read-only: SPARQL Update is not accepted\n", 403
            )
        texts = form.get("query", [])
        if len(texts) != 1:
            return PlainTextResponse("give exactly one 'query' parameter\n", status_code=400)
        accept = request.headers.get("accept")
        default_graphs = form.get("default-graph-uri") or None
        named_graphs = form.get("named-graph-uri") or None
        outcome = await threads.run(
            lambda cancelled: queries.run(
                texts[0], accept, default_graphs, named_graphs, cancelled=cancelled
            ),
            request.receive,
        )
        return _answer(outcome)

    async def saved_query(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in catalogue:
            return PlainTextResponse(f"no saved query named {name!r}\n", status_code=404)
        given = dict(request.query_params)
        if len(given) != len(request.query_params.multi_items()):
            return PlainTextResponse("give each parameter once\n", status_code=400)
        accept = request.headers.get("accept")
        outcome = await threads.run(
            lambda cancelled: saved_queries.answer(
                queries, catalogue[name], given, accept, cancelled=cancelled
            ),
            request.receive,
        )
        return _answer(outcome)

    async def examples(request: Request) -> Response:
        index = site / ".well-known" / "sparql-examples" / "index.ttl"
        return file(request, index, "text/turtle; charset=utf-8")

    async def preflight(request: Request) -> Response:
        return Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                "Access-Control-Allow-Headers": "Accept",
            },
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        threads.close()
        queries.close()

    routes = [
        Route("/id/{path:path}", resource, methods=["GET", "HEAD"]),
        Route("/def", ontology, methods=["GET", "HEAD"]),
        Route("/.well-known/void", void, methods=["GET", "HEAD"]),
        Route("/.well-known/sparql-examples", examples, methods=["GET", "HEAD"]),
        Route("/.well-known/sparql-examples/", examples, methods=["GET", "HEAD"]),
        Route("/queries/{name}", saved_query, methods=["GET", "HEAD"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/sparql", preflight, methods=["OPTIONS"]),
        Mount("/", static),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)


VARY = {"Vary": "Accept"}
"""On every answer whose form ``Accept`` chose, so that caches keep one per form."""


def _answer(outcome: Outcome) -> Response:
    """A query's outcome as a response: its form depends on ``Accept``; a 503 says when to retry."""
    headers = dict(VARY)
    if outcome.status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return Response(
        outcome.body, status_code=outcome.status, media_type=outcome.media_type, headers=headers
    )


def _media_type(extension: str) -> str:
    for media_type, ext in REPRESENTATIONS.items():
        if ext == extension:
            return media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    raise KeyError(extension)


async def _body_within(request: Request, limit: int) -> bytes | None:
    """The request body, or None if it is (or says it will be) longer than ``limit`` bytes.

    Reading stops at the limit, so a client that announces or sends a huge body
    costs no more memory than ``limit``; one that goes away gets an empty body.
    """
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > limit:
        return None
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return None
    except ClientDisconnect:
        return b""
    return bytes(body)


async def _sparql_request(request: Request) -> dict[str, list[str]] | Response:
    """The protocol parameters of a GET or POST SPARQL request, or an error response."""
    if request.method in ("GET", "HEAD"):
        return {k: request.query_params.getlist(k) for k in request.query_params}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await _body_within(request, MAX_BODY_BYTES)
    if body is None:
        return PlainTextResponse(
            f"request body larger than {MAX_BODY_BYTES} bytes\n", status_code=413
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return PlainTextResponse("request body is not UTF-8\n", status_code=400)
    params = {k: request.query_params.getlist(k) for k in request.query_params}
    if content_type == "application/x-www-form-urlencoded":
        params.update(parse_qs(text, keep_blank_values=True))
    elif content_type == "application/sparql-query":
        params["query"] = [text]
    elif content_type == "application/sparql-update":
        params["update"] = [text]
    else:
        return PlainTextResponse(
            "POST needs Content-Type application/x-www-form-urlencoded"
            " or application/sparql-query\n",
            status_code=415,
        )
    return params
