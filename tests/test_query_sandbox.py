"""The query workers' walls: SERVICE found on pyoxigraph's real token structure (a hostile
corpus and Hypothesis mixes, sent through real worker processes and the HTTP app to a
local listener that must receive nothing), workers that cannot reach the network even
when handed a SERVICE query directly, memory and nesting limits, and the dataset rules of
SPARQL 1.1 Protocol §2.1.4."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spacecoop.queries.sparql_text import QuerySyntaxError, analyse
from spacecoop.serve import DEFAULT_GRAPHS, Limits, create_app, query_service
from spacecoop.serve.sparql import QueryService
from test_http_hostile import request

JSON = "application/sparql-results+json"
# As in test_fuzz.py: ``SPACECOOP_FUZZ_SCALE=N`` multiplies every example count.
SCALE = int(os.environ.get("SPACECOOP_FUZZ_SCALE", "1"))
SHAPES = "https://w3id.org/spacecoop/graph/shapes"


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.sock.close()


@pytest.fixture(scope="module")
def service(site: Path) -> Iterator[QueryService]:
    service = query_service(site, workers=1, limits=Limits(timeout=20))
    try:
        yield service
    finally:
        service.close()


def _disguises(port: int) -> list[str]:
    """SERVICE calls to the listener, dressed up to slip past a scanner of the text."""
    url = f"http://127.0.0.1:{port}/internal"
    at = f"<{url}>"
    prologue = f"PREFIX : <http://127.0.0.1:{port}/> PREFIX ex: <http://example.org/> "
    group = "{ ?a ?b ?c }"
    spaces = [chr(c) for c in (0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F)]
    spaces += [chr(c) for c in (0x205F, 0x3000, 0xFEFF, 0x85, 0x0B, 0x0C)]
    cases = [
        # The reproduction from issue 16: a quote after U+3000 inside an IRI.
        f"SELECT * WHERE {{ OPTIONAL {{ ?s ?p <http://x/\u3000'> }} SERVICE {at} {group}"
        " OPTIONAL { ?s ?p <http://x/'> } }",
        f"SELECT * WHERE {{ SERVICE {at} {group} }}",
        f"select * where {{ service {at} {group} }}",
        f"SELECT * WHERE {{ SeRvIcE SiLeNt {at} {group} }}",
        f"SELECT * WHERE {{SERVICE{at}{group}}}",
        f"SELECT * WHERE {{ SERVICE#{at}\n{at} {group} }}",
        f"{prologue}SELECT * WHERE {{ ?s ?p ?o SERVICE :x {group} }}",
        f"{prologue}SELECT * WHERE {{ service:x {group} }}",  # SERVICE + :x
        f"{prologue}SELECT * WHERE {{ SERVICEsilent:x {group} }}",
        f"{prologue}SELECT * WHERE {{ ?s ?p true }} {{ ?s ?p trueSERVICE :x {group} }}",
        f"{prologue}SELECT * WHERE {{ ?s ?p ex:a.b.SERVICE :x {group} }}",
        f"{prologue}SELECT * WHERE {{ ?s ?p 1SERVICE :x {group} }}",
        f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <x> {group} }}",
        f"SELECT * WHERE {{ BIND({at} AS ?e) SERVICE ?e {group} }}",
        f"ASK {{ SERVICE {at} {{ }} }}",
        f"CONSTRUCT {{ ?a ?b ?c }} WHERE {{ SERVICE {at} {group} }}",
        f"SELECT * WHERE {{ FILTER EXISTS {{ SERVICE {at} {group} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE {at} {group} }} }} }}",
        f"SELECT * WHERE {{ BIND('''a ' '' ''' AS ?x) SERVICE {at} {group} }}",
        f'SELECT * WHERE {{ BIND("a\\" # " AS ?x) SERVICE {at} {group} }}',
        f"{prologue}SELECT * WHERE {{ BIND(ex:a\\' AS ?x) SERVICE {at} {group} }}",
        f"{prologue}SELECT * WHERE {{ BIND(ex:a%27 AS ?x) SERVICE {at} {group} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<'x>') SERVICE {at} {group} FILTER(?a = 'y') }}",
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<#>\n) SERVICE {at} {group} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<#>'''\n) SERVICE {at} {group} \n''') }}",
        # A comment for pyoxigraph ("<" is "less than"), an IRI for a naive reader, and a
        # bracket on the rest of the line that would put the two readings out of step.
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<#>)\n2 && ?a<'x>') SERVICE {at} {group}"
        " FILTER(?a = 'y') }",
        f"SELECT * WHERE {{ \\u0053ERVICE {at} {group} }}",
        f"SELECT * WHERE {{ \\U00000053ERVICE {at} {group} }}",
        f"SELECT * WHERE {{ BIND('\\u0027' AS ?x) SERVICE {at} {group} }}",
        f"SELECT * WHERE {{ ?s ?p <http://x/\\u0027> SERVICE {at} {group} }}",
        # After EXISTS { } pyoxigraph reads "<" as "less than": an IRI to a naive reader
        # hides ")SERVICE:" and a "#" that comments out the closing ">" (red team).
        f"{prologue}SELECT * WHERE {{ FILTER(NOT EXISTS{{}}<1)SERVICE:#>)\n{group} }}",
    ]
    for space in spaces:
        cases.append(
            f"SELECT * WHERE {{ OPTIONAL {{ ?s ?p <http://x/{space}'> }} SERVICE {at} {group}"
            " OPTIONAL { ?s ?p <http://x/'> } }"
        )
        cases.append(f"SELECT * WHERE {{ SERVICE{space}{at} {group} }}")
    return cases


# Queries that merely mention the word must still run.
INNOCENT = [
    "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:1/> { }' } LIMIT 1",
    'SELECT * WHERE { ?s ?p """ SERVICE <http://127.0.0.1:1/> {} """ } LIMIT 1',
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } LIMIT 1",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:p ?o } LIMIT 1",
    "PREFIX service: <http://example.org/> SELECT * WHERE { service:x ?p ?o } LIMIT 1",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ex:SERVICE } LIMIT 1",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ex:web-service } LIMIT 1",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # SERVICE <http://127.0.0.1:1/> {}",
    "SELECT * WHERE { ?s ?p _:service } LIMIT 1",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o != 'service') } LIMIT 1",
    "SELECT * WHERE { ?s ?p ?o FILTER(STR(?o) < 'SERVICE') } LIMIT 1",
]


def _run(service: QueryService, text: str) -> int:
    return service.run(text, JSON).status


def test_every_disguise_is_refused_and_the_listener_hears_nothing(
    service: QueryService, listener: Listener
) -> None:
    before = listener.connections
    statuses = {text: _run(service, text) for text in _disguises(listener.port)}
    time.sleep(0.5)
    assert listener.connections == before
    assert {t: s for t, s in statuses.items() if s not in (400, 403)} == {}
    # The reproduction from the issue is recognised as SERVICE, not merely malformed.
    assert statuses[_disguises(listener.port)[0]] == 403


@pytest.mark.parametrize("text", INNOCENT)
def test_queries_that_merely_mention_service_run(service: QueryService, text: str) -> None:
    outcome = service.run(text, JSON)
    assert outcome.status == 200, outcome.body


_ATOMS = [
    "SERVICE", "service", "SeRvIcE", "SILENT", " ", "\n", "\t", "\u3000", "\u00a0", "'", '"',
    "'''", '"""', "#", "<", ">", "<http://x/'>", "<http://x/\u3000'>", "{", "}", "(", ")",
    "\\", "\\u0053", "\\u0027", "?service", "ex:", "service:x", "ex:SERVICE", ":", ".",
    "true", "1", "ex:a.b.", "FILTER(?a<", "BIND(", " AS ?z)", "?a", "@en",
]  # fmt: skip


@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.sampled_from(_ATOMS), max_size=12), st.lists(st.sampled_from(_ATOMS), max_size=8)
)
def test_mixes_around_a_real_service_call_are_refused(
    service: QueryService, listener: Listener, before: list[str], after: list[str]
) -> None:
    before_count = listener.connections
    text = (
        "PREFIX ex: <http://example.org/> SELECT * WHERE { "
        + "".join(before)
        + f" SERVICE <http://127.0.0.1:{listener.port}/> {{ ?a ?b ?c }} "
        + "".join(after)
        + " }"
    )
    assert _run(service, text) != 200 or listener.connections == before_count
    assert listener.connections == before_count


def test_http_app_refuses_disguises(site: Path, service: QueryService, listener: Listener) -> None:
    before = listener.connections
    app = create_app(site, service, {})
    for text in _disguises(listener.port):
        for answer in (
            request(app, "GET", "/sparql?" + urlencode({"query": text}), headers={"Accept": JSON}),
            request(
                app,
                "POST",
                "/sparql",
                body=text.encode(),
                headers={"Content-Type": "application/sparql-query"},
            ),
        ):
            assert answer.status in (400, 403), (text, answer.text)
    for text in INNOCENT:
        answer = request(app, "GET", "/sparql?" + urlencode({"query": text}))
        assert answer.status == 200, (text, answer.text)
    assert listener.connections == before


@settings(max_examples=100 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_ATOMS), max_size=12))
def test_mixes_through_the_http_app_reach_nothing(
    site: Path, service: QueryService, listener: Listener, mix: list[str]
) -> None:
    before = listener.connections
    text = (
        "PREFIX ex: <http://example.org/> SELECT * WHERE { "
        + "".join(mix)
        + f" SERVICE <http://127.0.0.1:{listener.port}/> {{ ?a ?b ?c }} }}"
    )
    answer = request(create_app(site, service, {}), "GET", "/sparql?" + urlencode({"query": text}))
    assert answer.status < 500 or answer.status == 503
    assert listener.connections == before


def test_a_worker_handed_a_service_query_directly_reaches_nothing(
    service: QueryService, listener: Listener
) -> None:
    """The second wall: the filter bypassed, the worker itself cannot connect."""
    assert service.network_wall in ("network namespace", "seccomp filter")
    before = listener.connections
    text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/x> {{ ?a ?b ?c }} }}"
    outcome = service._dispatch((text, JSON, None, None), threading.Event())
    time.sleep(0.5)
    assert listener.connections == before
    assert outcome.status == 400
    assert re.search(rb"unreachable|denied|refused", outcome.body, re.IGNORECASE), outcome.body


def test_seccomp_fallback_denies_inet_sockets() -> None:
    """The fallback wall on its own, in a fresh process."""
    program = (
        "import ctypes, ctypes.util, socket\n"
        "from spacecoop.serve import sandbox\n"
        "libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)\n"
        "assert sandbox._deny_inet_sockets(libc)\n"
        "for family in (socket.AF_INET, socket.AF_INET6):\n"
        "    try:\n"
        "        socket.socket(family)\n"
        "    except PermissionError:\n"
        "        continue\n"
        "    raise SystemExit('socket allowed')\n"
        "socket.socketpair()\n"
        "print('walled')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "walled", done.stderr


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE " + "{" * 9000 + "}" * 9000,
        "SELECT * WHERE { FILTER(" + "(" * 9000 + "1" + ")" * 9000 + ") }",
        "SELECT * WHERE { ?s ?p " + "[?p" * 4000 + "?o" + "]" * 4000 + " }",
        "SELECT * WHERE { FILTER(" + "!" * 18000 + "true) }",  # a segfault before
        "SELECT * WHERE " + "{" * 129 + "}" * 129,
    ],
)
def test_deep_nesting_is_refused_before_a_worker_sees_it(service: QueryService, text: str) -> None:
    outcome = service.run(text, JSON)
    assert outcome.status == 400
    assert b"deeper than 128" in outcome.body
    assert service.run("ASK { }", JSON).status == 200


@pytest.mark.parametrize(
    "text",
    [
        "SELECT (" + "+".join(["1"] * 9990) + " AS ?x) {}",  # 9,000 "+" segfaulted a worker
        "SELECT (" + "||".join(["1"] * 6660) + " AS ?x) {}",
        "ASK { " + "MINUS{}" * 2850 + " }",  # 2,800 MINUS segfaulted a worker
    ],
)
def test_long_chains_at_the_length_limit_run_without_losing_the_worker(
    service: QueryService, text: str
) -> None:
    """Red team of issue 16: pyoxigraph recurses once per link of an operator chain or a
    MINUS sequence, which no nesting bound sees; the worker's stack must hold the longest."""
    assert len(text) <= Limits().max_query_chars
    outcome = service.run(text, JSON)
    assert outcome.status == 200, outcome.body


def test_nesting_up_to_the_bound_runs(service: QueryService) -> None:
    assert service.run("SELECT * WHERE " + "{" * 128 + "}" * 128, JSON).status == 200


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o \u00a0}",
        "SELECT * WHERE { ?s ?p 'open }",
        "SELECT * WHERE { ?s ?p ?o",
    ],
)
def test_text_that_does_not_tokenize_is_400_with_its_position(
    service: QueryService, text: str
) -> None:
    outcome = service.run(text, JSON)
    assert outcome.status == 400
    assert re.search(rb"line 1, column \d+", outcome.body), outcome.body


def test_tokenizer_position_is_line_and_column() -> None:
    with pytest.raises(QuerySyntaxError, match="line 2, column 3"):
        analyse("SELECT *\n  \u3000 WHERE {}")


COUNT = "SELECT (COUNT(*) AS ?n) DATASET WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) DATASET WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(service: QueryService, text: str, *graphs: list[str] | None) -> int:
    outcome = service.run(text, JSON, *graphs)
    assert outcome.status == 200, outcome.body
    return int(re.search(rb'"value":"(\d+)"', outcome.body).group(1))  # type: ignore[union-attr]


def test_dataset_rules_of_the_protocol(service: QueryService) -> None:
    default = _count(service, COUNT.replace("DATASET", ""))
    shapes = _count(service, COUNT.replace("DATASET", f"FROM <{SHAPES}>"))
    nowhere = _count(service, COUNT.replace("DATASET", "FROM <http://nowhere/empty>"))
    assert default > 0 and shapes > 0 and nowhere == 0 and shapes != default
    # Protocol parameters override the query's FROM.
    assert (
        _count(service, COUNT.replace("DATASET", "FROM <http://nowhere/empty>"), [SHAPES]) == shapes
    )
    assert _count(service, COUNT.replace("DATASET", f"FROM <{SHAPES}>"), DEFAULT_GRAPHS) == default
    # Only named-graph-uri given: the default graph is empty.
    assert _count(service, COUNT.replace("DATASET", ""), None, [SHAPES]) == 0
    assert _count(service, COUNT_NAMED.replace("DATASET", ""), None, [SHAPES]) == shapes
    # FROM NAMED alone: only that named graph, and an empty default graph.
    assert _count(service, COUNT_NAMED.replace("DATASET", f"FROM NAMED <{SHAPES}>")) == shapes
    assert _count(service, COUNT.replace("DATASET", f"FROM NAMED <{SHAPES}>")) == 0
    # Nothing given: every named graph is available.
    assert _count(service, COUNT_NAMED.replace("DATASET", "")) > shapes


_SEEDS = [
    "SELECT * WHERE {{ ?s ?p ?o SERVICE {at} {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ ?s ?p true SERVICE :x {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ ?s ?p 1 . SERVICE SILENT :x {{ }} }}",
    "SELECT * WHERE {{ ?s ?p ex:a . service:x {{ }} }}",
    "SELECT * WHERE {{ BIND(1 AS ?z) FILTER(?z < 2) SERVICE {at} {{ }} }}",
    "SELECT * WHERE {{ ?s ?p 'x' OPTIONAL {{ ?s ?p <http://x/'> }} SERVICE {at} {{ }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER(?o<'x') SERVICE {at} {{ }} }}",
    "SELECT * WHERE {{ VALUES (?v ?w) {{ (1 <http://x/#>) }} SERVICE {at} {{ }} }}",
    "SELECT * WHERE {{ FILTER(EXISTS {{ }} < 1) SERVICE {at} {{ }} }}",
]
_INSERTS = [
    *("", " ", "\n", "'", '"', "'''", "#", "<", ">", "\\", "\\u0027", "\u3000", "\u00a0"),
    *("ex:", "true", "1", ".", "(", ")", "<http://x/'>", "<#>", "service", "SERVICE", ":"),
    *("a", "?", "$", "e", "_", "-", "%27", "\\'", "{", "}", "[", "]", ";", ",", "~", "|", "@en"),
]


@settings(max_examples=400 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(_SEEDS),
    st.lists(
        st.tuples(st.floats(0, 1), st.booleans(), st.sampled_from(_INSERTS)), min_size=1, max_size=4
    ),
)
def test_the_filter_alone_stops_whatever_pyoxigraph_would_send(
    listener: Listener, seed: str, edits: list[tuple[float, bool, str]]
) -> None:
    """The first wall on its own, against pyoxigraph itself: mutate a SERVICE query; run
    each mutant unfiltered, in this process; any that reaches the listener must have been
    refused by the filter (a SERVICE call, or text it cannot read unambiguously).

    pyoxigraph returns only once the listener has counted the connection and closed it,
    so the count is exact without waiting."""
    import pyoxigraph as ox

    text = seed.format(at=f"<http://127.0.0.1:{listener.port}/>")
    for where, insert, piece in edits:
        at = int(where * len(text))
        text = text[:at] + piece + text[at:] if insert else text[:at] + text[at + 1 :]
    text = (
        f"PREFIX : <http://127.0.0.1:{listener.port}/> PREFIX ex: <http://example.org/> "
        f"PREFIX service: <http://127.0.0.1:{listener.port}/s> " + text
    )
    store = ox.Store()
    subject = ox.NamedNode("http://example.org/a")
    for value in (ox.Literal(True), ox.Literal(1), subject):
        store.add(ox.Quad(subject, ox.NamedNode("http://e/p"), value))
    before = listener.connections
    try:
        results = store.query(text)
        if not isinstance(results, bool):
            list(results)
    except (SyntaxError, ValueError, OSError, RuntimeError):
        pass  # only whether it reached the listener matters
    if listener.connections > before:
        try:
            assert analyse(text).uses_service, text
        except QuerySyntaxError:
            pass


@pytest.mark.parametrize(
    ("text", "has_dataset"),
    [
        ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", True),
        ("select * from named <http://g> { graph ?g { ?s ?p ?o } }", True),
        ("SELECT ?from WHERE { ?from <http://x/from> 'FROM <g>' } # FROM <g>", False),
        ("PREFIX from: <http://x/> SELECT * WHERE { ?s from:p ?o }", False),
    ],
)
def test_dataset_clause_is_read_from_keyword_tokens(text: str, has_dataset: bool) -> None:
    assert analyse(text).has_dataset is has_dataset


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<'x>') }",  # '<' is "less than" to pyoxigraph
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<(1)>2) }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<#>) }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<<http://x/'>) }",
        "SELECT * WHERE { FILTER(NOT EXISTS{}<1)SERVICE:#>)\n{ } }",  # EXISTS is a value
        "SELECT * WHERE { FILTER(EXISTS { ?s ?p ?o } <'x>') }",
    ],
)
def test_ambiguous_less_than_is_refused(text: str) -> None:
    with pytest.raises(QuerySyntaxError, match="ambiguous '<'"):
        analyse(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 'x>') }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<3&&?o>1) }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o = <http://x/a#b>) }",
        "SELECT * WHERE { VALUES (?a ?b) { (<http://x/a#b> <http://x/c#d>) } }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (<http://x/a(b)>, <http://x/c'>)) }",
    ],
)
def test_unambiguous_angle_brackets_read(text: str) -> None:
    analyse(text)


def test_exists_as_a_value_before_less_than_cannot_hide_service(listener: Listener) -> None:
    """Red team of issue 16: ``EXISTS { }`` is a value, so the "<" after it is "less than"
    to pyoxigraph; read as an IRI it hid ``)SERVICE:`` and a "#" that comments out its
    ">". Unfiltered, pyoxigraph calls the listener; the filter must refuse the text."""
    import pyoxigraph as ox

    text = (
        f"PREFIX : <http://127.0.0.1:{listener.port}/internal>\n"
        "SELECT * WHERE { FILTER(NOT EXISTS{}<1)SERVICE:#>)\n{ ?a ?b ?c } }"
    )
    before = listener.connections
    with pytest.raises(OSError):
        list(ox.Store().query(text))
    assert listener.connections == before + 1  # the disguise is real
    with pytest.raises(QuerySyntaxError, match="ambiguous '<'"):
        analyse(text)
