"""The server under attack: malformed and hostile requests get a 4xx, never a 5xx; writes
are refused; queries are limited in size, time and result; labels render inert; every
response carries the security headers. Requests go to the ASGI app as uvicorn hands them
over (raw paths included), and, for what only a real server sees, to ``spacecoop serve``."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import re
import shutil
import socket
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from checkout import ROOT
from spacecoop import serve
from spacecoop.cli import build_parser
from spacecoop.publish.build import build
from spacecoop.queries import catalogue as queries
from spacecoop.repository.load import load
from spacecoop.serve import Limits, create_app, query_service
from spacecoop.serve.app import MAX_BODY_BYTES, SECURITY_HEADERS

LIMITS = Limits(timeout=2, max_result_bytes=50_000, max_query_chars=2_000)
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


async def _call(
    app: Starlette, method: str, raw_path: bytes, query: bytes, headers: list, body: bytes
) -> Answer:
    """One request to the ASGI app, built as uvicorn builds it from the request line."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    messages: list[dict] = []
    delivered = False

    async def receive() -> dict:
        nonlocal delivered
        if delivered:  # the client stays connected until the answer is complete
            await asyncio.Event().wait()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        messages.append(message)

    await app(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    sent = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    content = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return Answer(start["status"], sent, content)


def request(
    app: Starlette,
    method: str,
    target: str | bytes,
    *,
    headers: dict[str, str | bytes] | None = None,
    body: bytes = b"",
) -> Answer:
    """Send ``method target`` (a raw request target: path and query, not normalised)."""
    raw = target.encode("ascii") if isinstance(target, str) else target
    path, _, query = raw.partition(b"?")
    pairs = [
        (k.lower().encode("latin-1"), v if isinstance(v, bytes) else v.encode("latin-1"))
        for k, v in (headers or {}).items()
    ]
    if body:
        pairs.append((b"content-length", str(len(body)).encode()))
    return asyncio.run(_call(app, method, path, query, pairs, body))


@pytest.fixture(scope="module")
def app(site: Path) -> Iterator[Starlette]:
    """The application over the repository's built site: one query worker, tight limits."""
    service = query_service(site, workers=1, limits=LIMITS)
    yield create_app(site, service, queries.catalogue(ROOT))
    service.close()


# --- routes, methods and headers ------------------------------------------------------------

PAGES = [
    "/",
    "/index.html",
    "/def",
    "/def.ttl",
    "/id/event/first-symposium-2018",
    "/id/event/first-symposium-2018.html",
    "/id/event/first-symposium-2018.jsonld",
    "/.well-known/void",
    "/.well-known/sparql-examples/",
    "/queries/events-in-year",
    "/queries.html",
    "/static/style.css",
    "/spacecoop.trig",
]


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", [*PAGES, "/id/event/new-thing"])
def test_writes_are_refused_on_every_route(app: Starlette, method: str, path: str) -> None:
    answer = request(app, method, path, body=b"<urn:a> <urn:b> <urn:c> .")
    assert answer.status == 405


@pytest.mark.parametrize(
    ("method", "status"), [("PUT", 405), ("DELETE", 405), ("PATCH", 405), ("POST", 415)]
)
def test_graph_store_writes_to_the_endpoint_are_refused(
    app: Starlette, method: str, status: int
) -> None:
    target = "/sparql?graph=https%3A%2F%2Fw3id.org%2Fspacecoop%2Fgraph%2Fdata"
    headers = {"content-type": "text/turtle"}
    answer = request(app, method, target, headers=headers, body=b"<urn:a> <urn:b> <urn:c> .")
    assert answer.status == status


@pytest.mark.parametrize("path", PAGES)
def test_head_answers_like_get_and_options_is_refused(app: Starlette, path: str) -> None:
    get = request(app, "GET", path)
    assert get.status in (200, 303)
    assert request(app, "HEAD", path).status == get.status
    assert request(app, "OPTIONS", path).status == 405


def test_options_on_the_endpoint_is_a_cors_preflight(app: Starlette) -> None:
    answer = request(app, "OPTIONS", "/sparql")
    assert answer.status == 204
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    "path", ["/index.html", "/id/event/first-symposium-2018", "/nowhere", "/sparql"]
)
def test_every_response_carries_the_security_headers(app: Starlette, path: str) -> None:
    for method in ("GET", "DELETE"):
        answer = request(app, method, path)
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers[name.lower()] == value, (method, path, answer.status)
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'none'" in csp and "default-src 'self'" in csp


# --- SPARQL Update is refused, however it is sent -------------------------------------------

UPDATES = [
    "DROP ALL",
    "drop all",
    "# a comment first\nCLEAR DEFAULT",
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>\nINSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
]


@pytest.mark.parametrize("update", UPDATES)
def test_sparql_update_is_refused_and_changes_nothing(app: Starlette, update: str) -> None:
    before = request(app, "GET", f"/sparql?query={quote(COUNT_QUERY)}").body
    form = {"content-type": "application/x-www-form-urlencoded"}
    attempts = [
        request(app, "GET", f"/sparql?update={quote(update)}"),
        request(app, "POST", "/sparql", headers=form, body=f"update={quote(update)}".encode()),
        request(
            app,
            "POST",
            "/sparql",
            headers={"content-type": "application/sparql-update"},
            body=update.encode(),
        ),
        request(app, "GET", f"/sparql?query={quote(update)}"),
        request(
            app,
            "POST",
            "/sparql",
            headers={"content-type": "application/sparql-query"},
            body=update.encode(),
        ),
    ]
    assert [a.status for a in attempts] == [403] * len(attempts)
    assert request(app, "GET", f"/sparql?query={quote(COUNT_QUERY)}").body == before


# --- limits on size, time and result ----------------------------------------------------------


def test_a_query_longer_than_the_limit_is_refused(app: Starlette) -> None:
    text = "ASK {}" + " " * LIMITS.max_query_chars
    answer = request(app, "GET", f"/sparql?query={quote(text)}")
    assert answer.status == 413 and str(LIMITS.max_query_chars) in answer.text


def test_a_result_larger_than_the_limit_is_refused(app: Starlette) -> None:
    answer = request(app, "GET", f"/sparql?query={quote('SELECT * WHERE { ?s ?p ?o }')}")
    assert answer.status == 413 and "LIMIT" in answer.text


def test_a_query_that_runs_too_long_is_stopped_and_the_next_one_answers(app: Starlette) -> None:
    answer = request(app, "GET", f"/sparql?query={quote(SLOW_QUERY)}")
    assert answer.status == 503 and f"within {LIMITS.timeout:g} s" in answer.text
    assert request(app, "GET", f"/sparql?query={quote(COUNT_QUERY)}").status == 200


def test_a_body_announced_larger_than_the_limit_is_refused_unread(app: Starlette) -> None:
    headers = {
        "content-type": "application/sparql-query",
        "content-length": str(100 * MAX_BODY_BYTES),
    }
    assert request(app, "POST", "/sparql", headers=headers).status == 413
    form = {"content-type": "application/sparql-query"}
    big = b"ASK {}" + b" " * MAX_BODY_BYTES
    assert request(app, "POST", "/sparql", headers=form, body=big).status == 413


# --- malformed requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/id/%00", 404),
        ("/id/a.html%00.ttl", 404),
        ("/id/" + "a" * 300, 404),
        ("/id/" + "a/" * 3000, 404),
        ("/" + "a" * 300, 404),
        ("/%ZZ", 404),
        ("/id/%ZZ%", 404),
        ("/%FF%FE", 404),
        ("/queries/%00", 404),
        ("/sparql", 400),
        ("/sparql?query=%FF%FE", 400),
        ("/sparql?query=ASK%00%7B%7D", 400),
        ("/sparql?query=ASK%7B%7D&query=ASK%7B%7D", 400),
        ("/sparql?query=" + "A" * 100_000, 413),
        ("/queries/events-in-year?year=20x9", 400),
        ("/queries/events-in-year?year=2019&year=2018", 400),
        ("/queries/events-in-year?colour=red", 400),
        ("/queries/describe-entity?entity=http%3A%2F%2Fx%3E%20%7D%20DROP%20ALL", 400),
    ],
)
def test_a_malformed_request_gets_a_4xx(app: Starlette, target: str, status: int) -> None:
    assert request(app, "GET", target).status == status


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/sparql-query", b"\xff\xfeASK {}", 400),
        ("application/x-www-form-urlencoded", b"query=%FF%ZZ", 400),
        ("application/x-www-form-urlencoded", b"\x00\x01\x02", 400),
        ("text/plain", b"ASK {}", 415),
        ("application/json", b'{"query": "ASK {}"}', 415),
        ("", b"ASK {}", 415),
        ("\xff;;;charset", b"ASK {}", 415),
        ("application/sparql-query", b"", 400),
    ],
)
def test_a_malformed_post_gets_a_4xx(
    app: Starlette, content_type: str, body: bytes, status: int
) -> None:
    headers = {"content-type": content_type.encode("latin-1")}
    assert request(app, "POST", "/sparql", headers=headers, body=body).status == status


@pytest.mark.parametrize(
    "target",
    [
        "/../../../../etc/passwd",
        "/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/id/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/id/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/static/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/id/....//....//etc/passwd",
        "/%2Fetc%2Fpasswd",
        "//etc/passwd",
    ],
)
def test_path_traversal_is_refused(app: Starlette, target: str) -> None:
    answer = request(app, "GET", target)
    assert answer.status == 404
    assert b"root:" not in answer.body


def test_a_file_outside_the_site_is_not_served_through_a_link(site: Path, tmp_path: Path) -> None:
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    (tmp_path / "secret.html").write_text("secret", encoding="utf-8")
    (copy / "id" / "leak.html").symlink_to(tmp_path / "secret.html")
    (copy / "leak.html").symlink_to(tmp_path / "secret.html")
    service = query_service(copy, workers=1)
    try:
        linked = create_app(copy, service)
        for target in ("/id/leak", "/id/leak.html", "/leak.html"):
            answer = request(linked, "GET", target)
            assert answer.status == 404 and b"secret" not in answer.body
    finally:
        service.close()


# --- fuzzing the HTTP layer -------------------------------------------------------------------

SEGMENTS = [
    "id", "event", "first-symposium-2018", "organisation", "def", "sparql", "queries",
    "events-in-year", "static", "style.css", ".well-known", "void", "sparql-examples",
    "index.html", "def.ttl", "..", "%2e%2e", "%2F", "%00", "%ZZ", "%", "%C3%A9", "%FF",
    "a" * 300, "x.html", "x.ttl", "x.jsonld", "~", ";", "%3F",
]  # fmt: skip
ROUTES = [
    "/id/event/first-symposium-2018", "/id/event/", "/id/", "/def", "/sparql", "/queries/",
    "/queries/events-in-year", "/static/", "/.well-known/void", "/.well-known/sparql-examples/",
]  # fmt: skip
URL_CHARS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%/"
paths = st.one_of(
    st.lists(
        st.one_of(st.sampled_from(SEGMENTS), st.text(alphabet=URL_CHARS, max_size=12)), max_size=8
    ).map(lambda parts: "/" + "/".join(parts)),
    st.builds(str.__add__, st.sampled_from(ROUTES), st.text(alphabet=URL_CHARS, max_size=20)),
    st.sampled_from(ROUTES),
)
query_strings = st.one_of(
    st.text(alphabet=URL_CHARS + "?", max_size=60),
    st.sampled_from(["query=ASK%7B%7D", "query=SELECT", "update=DROP%20ALL", "query=%FF%FE"]),
    st.builds(lambda q: "query=" + q, st.text(alphabet=URL_CHARS, max_size=60)),
)
header_values = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=255), max_size=60),
    st.sampled_from(
        [
            "text/html",
            "text/turtle;q=0.5, */*;q=0.1",
            "application/sparql-query",
            "application/x-www-form-urlencoded",
            "*/*;q=nan",
            "text/*;q=1e400",
            ";;,,",
        ]
    ),
).map(lambda text: text.encode("latin-1"))
METHODS = ["GET"] * 10 + ["HEAD", "POST"] * 2 + ["PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"]


@settings(
    max_examples=400 * int(os.environ.get("SPACECOOP_FUZZ_SCALE", "1")),  # see test_fuzz.py
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(METHODS),
    path=paths,
    query=query_strings,
    accept=header_values,
    content_type=header_values,
    body=st.one_of(st.binary(max_size=300), st.sampled_from([b"query=ASK%7B%7D", b"ASK {}"])),
)
def test_no_request_makes_the_server_fail(
    app: Starlette,
    method: str,
    path: str,
    query: str,
    accept: bytes,
    content_type: bytes,
    body: bytes,
) -> None:
    headers = {"accept": accept, "content-type": content_type}
    answer = request(app, method, f"{path}?{query}", headers=headers, body=body)
    event(f"HTTP {answer.status}")
    assert 200 <= answer.status < 500
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers[name.lower()] == value


# --- labels render inert ----------------------------------------------------------------------

HOSTILE_TTL = """\
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/spacecoop/id/organisation/evil> a sco:Organisation ;
    rdfs:label "<script>alert(1)</script>"@en ;
    rdfs:comment "\\" onmouseover=\\"alert(2)"@en ;
    rdfs:seeAlso <javascript:alert(3)> .

<https://w3id.org/spacecoop/id/event/evil-meeting> a sco:Symposium ;
    rdfs:label "<img src=x onerror=alert(4)>"@en ;
    sco:startDate "2018-05-01"^^xsd:date ;
    sco:host <https://w3id.org/spacecoop/id/organisation/evil> .

<https://w3id.org/spacecoop/id/memorandum/evil-mou> a sco:Memorandum ;
    rdfs:label "</title><script>alert(5)</script>"@en ;
    sco:signatory <https://w3id.org/spacecoop/id/organisation/evil> .
"""
PAYLOADS = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(2)',
    'href="javascript:',  # a link that would run code when followed
    "<img src=x onerror=alert(4)>",
    "</title><script>alert(5)</script>",
]
ESCAPED = [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#34; onmouseover=&#34;alert(2)",
    "&lt;img src=x onerror=alert(4)&gt;",
    "&lt;/title&gt;&lt;script&gt;alert(5)&lt;/script&gt;",
]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built from a throwaway repository whose labels are script injections."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "ontology").mkdir()
    (root / "data").mkdir()
    shutil.copyfile(ROOT / "ontology" / "spacecoop.ttl", root / "ontology" / "spacecoop.ttl")
    (root / "data" / "hostile.ttl").write_text(HOSTILE_TTL, encoding="utf-8")
    catalogue = queries.catalogue(ROOT)
    return build(load(root), root / "dist", saved_queries=list(catalogue.values())).out


@pytest.fixture(scope="module")
def hostile_app(hostile_site: Path) -> Iterator[Starlette]:
    service = query_service(hostile_site, workers=1)
    yield create_app(hostile_site, service, queries.catalogue(ROOT))
    service.close()


@pytest.mark.parametrize(
    "target",
    [
        "/index.html",
        "/id/organisation/evil.html",
        "/id/event/evil-meeting.html",
        "/id/memorandum/evil-mou.html",
        "/queries/find-by-name?text=alert",
    ],
)
def test_hostile_labels_render_inert(hostile_app: Starlette, target: str) -> None:
    answer = request(hostile_app, "GET", target, headers={"accept": "text/html"})
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/html")
    page = answer.text
    for payload in PAYLOADS:
        assert payload not in page
    assert any(escaped in page for escaped in ESCAPED)  # shown, as text
    assert answer.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_no_built_page_has_a_script_or_loads_anything_from_elsewhere(
    hostile_site: Path, site: Path
) -> None:
    loads = re.compile(r"<(?:script|img|iframe|link|source|embed|object)\b[^>]*>", re.IGNORECASE)
    for page in [*site.rglob("*.html"), *hostile_site.rglob("*.html")]:
        text = page.read_text(encoding="utf-8")
        for tag in loads.findall(text):
            if tag.lower().startswith("<script"):
                assert 'type="application/ld+json"' in tag, (page, tag)  # data, not code
                continue
            for url in re.findall(r'(?:src|href)="([^"]*)"', tag):
                assert not urlsplit(url).scheme and not url.startswith("//"), (page, tag)
        assert 'href="javascript:' not in text.lower(), page


# --- a real server: loopback by default, and what only uvicorn sees ---------------------------


def test_the_server_binds_the_loopback_address_by_default() -> None:
    args = build_parser().parse_args(["serve"])
    assert isinstance(args, argparse.Namespace) and args.host == "127.0.0.1"
    assert inspect.signature(serve.serve).parameters["host"].default == "127.0.0.1"


def _raw(base: str, data: bytes) -> bytes:
    """Send raw bytes to the server; return the status line of its answer."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n")[0]


@pytest.mark.parametrize(
    "data",
    [
        b"GET /id/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"GET /sparql?query=" + b"A" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 1000000000\r\n\r\nASK",
        b"GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET http://elsewhere.example/ HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
    ids=["non-utf8-path", "garbage", "huge-query", "huge-body", "traversal", "proxy"],
)
def test_the_real_server_answers_malformed_requests_with_a_4xx(server: str, data: bytes) -> None:
    status_line = _raw(server, data)
    assert re.fullmatch(rb"HTTP/1\.1 4\d\d .*", status_line), status_line
