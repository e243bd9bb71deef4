"""Shared fixtures: the repository and its loaded graphs, fixture files, throwaway repositories,
the built site and the server, and what the tests of the site and the server read from them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph, URIRef

from html_tree import Element, read_page
from local_servers import descendants, free_port, stop
from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, bind_prefixes
from spacecoop.reasoning import owlrl_engine
from spacecoop.repository.files import ROOT_ENV_VAR
from spacecoop.repository.load import PLAN_ENV_VAR, Repository, load

FIXTURES = Path(__file__).parent / "fixtures"

MakeRepo = Callable[[dict[str, str | bytes]], Path]

ONTOLOGY_TTL = """\
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/spacecoop/def> a owl:Ontology .

sco:Organisation a owl:Class ;
    rdfs:label "organisation"@en .

sco:Event a owl:Class ;
    rdfs:label "event"@en .
"""


@pytest.fixture
def ontology_ttl() -> str:
    """A tiny ontology for throwaway repositories: two classes labelled in English."""
    return ONTOLOGY_TTL


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The spacecoop-kg repository root (the directory holding pyproject.toml)."""
    return Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repository(repo_root: Path) -> Repository:
    """The repository, loaded once per test session on the reference plan.

    Shared between tests: do not modify its store (reasoning over it is fine: that is
    done once and adds only the inferred graph). Load your own for anything else.
    """
    return load(repo_root, plan="reference")


@pytest.fixture(scope="session")
def fast_repository(repo_root: Path) -> Repository:
    """The repository loaded once per session on the fast plan; shared like ``repository``."""
    return load(repo_root, plan="fast")


@pytest.fixture(scope="session")
def dataset(repository: Repository) -> Dataset:
    """The repository's own ontology, shapes and data as an rdflib Dataset, once per session.

    Shared between tests: do not modify it; copy a graph first (``Graph() + g``).
    """
    return repository.dataset()


@pytest.fixture(scope="session")
def kg(repo_root: Path) -> Dataset:
    """The repository loaded for SPARQL: the default graph is the union of the named graphs,
    so queries need no ``GRAPH`` clause. Shared between tests: do not modify it."""
    ds = load(repo_root).dataset()
    ds.default_union = True
    return ds


@pytest.fixture(scope="session")
def closed(dataset: Dataset) -> Graph:
    """The OWL RL closure of the repository's ontology and data, computed once per session.

    Shared between tests: do not modify it.
    """
    return owlrl_engine.closure(dataset)


def _copy(ds: Dataset, graph_iri: URIRef) -> Graph:
    return bind_prefixes(Graph() + ds.graph(graph_iri))


@pytest.fixture
def ontology(dataset: Dataset) -> Graph:
    """A private copy of the repository's ontology graph."""
    return _copy(dataset, GRAPH_ONTOLOGY)


@pytest.fixture
def data(dataset: Dataset) -> Graph:
    """A private copy of the repository's data graph."""
    return _copy(dataset, GRAPH_DATA)


@pytest.fixture
def fixtures_dir() -> Path:
    """The directory of small input files, each showing one mistake (or none)."""
    return FIXTURES


@pytest.fixture(autouse=True)
def _no_root_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's $SPACECOOP_ROOT and $SPACECOOP_PLAN from leaking into tests."""
    monkeypatch.delenv(ROOT_ENV_VAR, raising=False)
    monkeypatch.delenv(PLAN_ENV_VAR, raising=False)


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """Factory: write ``{relative path: content}`` under a fresh root and return the root.

    ``ontology/`` and ``data/`` always exist; add ``ontology/spacecoop.ttl``
    yourself (the ``ontology_ttl`` fixture is a ready-made one).
    """
    counter = 0

    def make(files: dict[str, str | bytes]) -> Path:
        nonlocal counter
        counter += 1
        root = tmp_path / f"repo{counter}"
        (root / "ontology").mkdir(parents=True)
        (root / "data").mkdir()
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make


class LineScanCounter:
    """Stands in for rdflib's N-Triples line pattern, counting the characters it is given."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.scanned = 0

    def match(self, text: str) -> re.Match[str] | None:
        self.scanned += len(text)
        return self.pattern.match(text)


@pytest.fixture
def nt_line_scans(monkeypatch: pytest.MonkeyPatch) -> LineScanCounter:
    """Counts the characters rdflib's N-Triples reader searches for line ends, a measure
    of its work that does not depend on the machine's speed."""
    from rdflib.plugins.parsers import ntriples

    counter = LineScanCounter(ntriples.r_line)
    monkeypatch.setattr(ntriples, "r_line", counter)
    return counter


# --- Publishing and serving (issue 6) -------------------------------------------------


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    """The repository's site, built once per session into a temporary ``dist/``.

    Shared between tests: do not modify it; copy it first (``shutil.copytree``).
    """
    from spacecoop.publish.build import build
    from spacecoop.queries import catalogue

    out = tmp_path_factory.mktemp("site") / "dist"
    build(load(repo_root), out, saved_queries=list(catalogue.catalogue(repo_root).values()))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="session")
def server(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``spacecoop serve --dist <site> --timeout 2`` on a free local port; yields its base URL.

    Started once per session; stopped at the end, and its query workers with it.
    """
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    port = free_port()
    command = [
        str(Path(sys.executable).parent / "spacecoop"),
        "serve",
        "--dist",
        str(site),
        "--port",
        str(port),
        "--timeout",
        "2",
    ]
    log = tmp_path_factory.mktemp("server") / "stderr.log"
    with log.open("wb") as stderr:  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"spacecoop serve exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/index.html", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("spacecoop serve did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        workers = descendants(process.pid)
        stop(process, timeout=15)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        leftover = sorted(pid for pid in workers if _alive(pid))
        assert not leftover, f"query workers left running after the server stopped: {leftover}"


# --- What the tests of the built site and of the server read ---------------------------


def _source(dataset: Dataset) -> Graph:
    """What the single-graph dumps hold: ontology ∪ data."""
    return Graph() + dataset.graph(GRAPH_ONTOLOGY) + dataset.graph(GRAPH_DATA)


@pytest.fixture(scope="module")
def source(dataset: Dataset) -> Graph:
    return _source(dataset)


@pytest.fixture(scope="module")
def data_graph(dataset: Dataset) -> Graph:
    return Graph() + dataset.graph(GRAPH_DATA)


@pytest.fixture(scope="module")
def home(site: Path) -> Element:
    return read_page(site, "index.html")


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, follow_redirects=False, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def asserted(dataset: Dataset) -> Graph:
    """What /sparql queries by default: ontology ∪ data."""
    return owlrl_engine.asserted(dataset)
