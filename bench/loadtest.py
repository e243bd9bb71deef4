"""Bounded load test of ``spacecoop serve``: N concurrent clients for T seconds.

Each client keeps one HTTP/1.1 connection open and loops over a mix of work:
linked-data pages and RDF reached by content negotiation (the 303 and the
document it points to), and SPARQL queries, raw on ``/sparql`` and saved ones
on ``/queries/NAME``. Any answer other than the expected one, and any
connection failure, counts as an error. The report gives requests served,
errors, throughput and latency percentiles, per kind and in all.

    python bench/loadtest.py --url http://127.0.0.1:8000 --clients 20 --duration 30
    python bench/loadtest.py --dist dist          # starts its own server on a free port

Only the standard library is used, so the clients add no dependency; the
exit status is 0 only if no request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

SITE = "https://w3id.org/spacecoop/"
ID_PREFIX = SITE + "id/"
RESOURCES_QUERY = (
    f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID_PREFIX}")) }} ORDER BY ?s'
)
SPARQL_QUERIES = (
    "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }",
    "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label LIMIT 50",
)
SAVED_QUERIES = ("events-timeline", "dataset-statistics", "events-in-year?year=2019")
RDF_TYPES = ("text/turtle", "application/ld+json", "application/n-triples")
SPARQL_JSON = "application/sparql-results+json"
KINDS = {"page": 0.4, "rdf": 0.3, "sparql": 0.3}
"""Share of each kind of work in the mix."""


@dataclass
class Tally:
    """What one client saw: latencies in seconds per kind, and errors described."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: list[str] = field(default_factory=list)


class Client:
    """One simulated user on one keep-alive connection."""

    def __init__(self, base: str, paths: list[str], seed: int, timeout: float) -> None:
        address = urlsplit(base)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.paths = paths
        self.random = random.Random(seed)
        self.timeout = timeout
        self.tally = Tally()
        self.connection: http.client.HTTPConnection | None = None

    def run_until(self, deadline: float) -> Tally:
        kinds, weights = list(KINDS), list(KINDS.values())
        while time.monotonic() < deadline:
            kind = self.random.choices(kinds, weights)[0]
            try:
                getattr(self, f"_{kind}")()
            except (OSError, http.client.HTTPException) as error:
                self.tally.errors.append(f"{kind}: {type(error).__name__}: {error}")
                self._close()
        self._close()
        return self.tally

    def _page(self) -> None:
        self._negotiate("page", self.random.choice(self.paths), "text/html", "text/html")

    def _rdf(self) -> None:
        wanted = self.random.choice(RDF_TYPES)
        self._negotiate("rdf", self.random.choice(self.paths), wanted, wanted)

    def _sparql(self) -> None:
        if self.random.random() < 0.5:
            text = self.random.choice(SPARQL_QUERIES)
            self._expect("sparql", f"/sparql?query={quote(text)}", SPARQL_JSON, 200, SPARQL_JSON)
        else:
            name = self.random.choice(SAVED_QUERIES)
            self._expect("sparql", f"/queries/{name}", SPARQL_JSON, 200, SPARQL_JSON)

    def _negotiate(self, kind: str, path: str, accept: str, expected: str) -> None:
        """The IRI answers 303 to the representation; then the representation itself."""
        location = self._expect(kind, path, accept, 303, None)
        if location is not None:
            self._expect(kind, location, accept, 200, expected)

    def _expect(
        self, kind: str, path: str, accept: str, status: int, media_type: str | None
    ) -> str | None:
        """GET ``path``; record its latency, or an error if the answer is not as expected.
        Returns the Location header of a redirect."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        self.connection.request("GET", path, headers={"Accept": accept})
        response = self.connection.getresponse()
        response.read()
        self.tally.latencies[kind].append(time.perf_counter() - started)
        answered = (response.getheader("Content-Type") or "").split(";")[0]
        if response.status != status or (media_type and answered != media_type):
            self.tally.errors.append(f"{kind}: GET {path} answered {response.status} {answered}")
            return None
        return response.getheader("Location")

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def resource_paths(base: str, timeout: float) -> list[str]:
    """The site paths of every published resource, found with one SPARQL query."""
    url = f"{base}/sparql?query={quote(RESOURCES_QUERY)}"
    request = urllib.request.Request(url, headers={"Accept": SPARQL_JSON})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        bindings = json.load(response)["results"]["bindings"]
    paths = ["/" + quote(b["s"]["value"].removeprefix(SITE)) for b in bindings]
    if not paths:
        raise SystemExit(f"{base}: the endpoint lists no resources under {ID_PREFIX}")
    return paths


def run(base: str, clients: int, duration: float, timeout: float = 30) -> dict:
    """Run ``clients`` concurrent clients for ``duration`` seconds; return the report."""
    paths = resource_paths(base, timeout)
    workers = [Client(base, paths, seed, timeout) for seed in range(clients)]
    started = time.monotonic()
    deadline = started + duration
    threads = [threading.Thread(target=w.run_until, args=(deadline,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return report([w.tally for w in workers], clients, elapsed)


def report(tallies: list[Tally], clients: int, elapsed: float) -> dict:
    """Requests, errors, throughput and latency percentiles (ms), per kind and in all."""
    errors = [e for t in tallies for e in t.errors]
    kinds = {k: [x for t in tallies for x in t.latencies[k]] for k in KINDS}
    every = [x for latencies in kinds.values() for x in latencies]
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(every),
        "errors": len(errors),
        "first_errors": errors[:5],
        "requests_per_second": round(len(every) / elapsed, 1),
        "latency_ms": _percentiles(every),
        "by_kind": {
            k: {"requests": len(v), "latency_ms": _percentiles(v)} for k, v in kinds.items()
        },
    }


def _percentiles(seconds: list[float]) -> dict[str, float]:
    if len(seconds) < 2:
        return {}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {
        "p50": round(cuts[49] * 1000, 1),
        "p99": round(cuts[98] * 1000, 1),
        "max": round(max(seconds) * 1000, 1),
    }


def format_text(result: dict) -> str:
    """The report as a short table."""
    lines = [
        f"{result['clients']} clients for {result['seconds']} s: {result['requests']} requests, "
        f"{result['errors']} errors, {result['requests_per_second']} requests/s",
        f"{'kind':8} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}",
    ]
    rows = [*result["by_kind"].items(), ("all", result)]
    for kind, figures in rows:
        latency = figures["latency_ms"]
        lines.append(
            f"{kind:8} {figures['requests']:>9} {latency.get('p50', '-'):>8} "
            f"{latency.get('p99', '-'):>8} {latency.get('max', '-'):>8}"
        )
    lines += [f"error: {e}" for e in result["first_errors"]]
    return "\n".join(lines) + "\n"


@contextmanager
def own_server(dist: Path, timeout: float = 60) -> Iterator[str]:
    """``spacecoop serve --dist DIST`` on a free loopback port, as a second process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [Path(sys.executable).with_name("spacecoop"), "serve", "--dist", dist]
    server = subprocess.Popen([*command, "--port", str(port)], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(base + "/index.html", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"spacecoop serve did not start on {base}") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8000")
    target.add_argument("--dist", type=Path, help="a built site: start a server on it")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30, metavar="SECONDS")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.url:
        result = run(args.url.rstrip("/"), args.clients, args.duration)
    else:
        with own_server(args.dist) as base:
            result = run(base, args.clients, args.duration)
    print(json.dumps(result, indent=2) if args.json else format_text(result).rstrip("\n"))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
