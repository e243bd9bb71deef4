"""The steps a command runs, each over one :class:`Repository`: the CLI's only door.

Each function takes plain values (paths, names, options), reads the repository once
(:func:`repository.load`), calls the wings in pipeline order and returns a value for the
CLI to print. Policy lives here or in the wings, never in the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import fmt
from . import stats as statistics
from .publish import reproducible
from .publish.site_folder import check_target
from .queries import endpoint as remote
from .queries.catalogue import QueryError, SavedQuery, catalogue, get
from .queries.catalogue import listing as listing_of
from .queries.results import GRAPH_FORMATS, QueryResult
from .queries.runner import Endpoint, run
from .queries.sparql_examples import catalogue_graph
from .repository.files import find_root
from .repository.load import Repository, load, load_data
from .validation import remote as remote_validation
from .validation.report import Report
from .validation.run import validate

if TYPE_CHECKING:
    from .publish.build import BuildResult

__all__ = [
    "Built",
    "NotASite",
    "NotConforming",
    "build",
    "check",
    "check_endpoint",
    "export",
    "listing",
    "load_into_store",
    "query",
    "serve",
    "stats",
    "turtle_files",
]


class NotConforming(Exception):
    """The repository does not validate, so nothing was published."""

    def __init__(self, report: Report) -> None:
        super().__init__("the data does not conform; nothing was published")
        self.report = report


class NotASite(Exception):
    """``serve --dist`` was given a folder that no build wrote."""


@dataclass(frozen=True)
class Built:
    site: BuildResult
    report: Report


def check(paths: Sequence[Path] = (), root: Path | None = None) -> Report:
    """Validate the repository at ``root``, or, given ``paths``, those files as data against
    the ontology and shapes of ``root`` (default: ours)."""
    repository = load_data(paths, schema=root) if paths else load(root)
    return validate(repository)


def check_endpoint(endpoint: Endpoint, root: Path | None) -> Report:
    """Validate the data graph held at ``endpoint`` against the ontology and shapes of
    ``root`` (default: ours)."""
    return remote_validation.validate_endpoint(endpoint, root=root)


def build(root: Path | None, out: Path) -> Built:
    """Validate the repository, then publish it into ``out`` (raises :class:`NotConforming`).

    The target is checked first: refusing it takes no time, validating may.
    """
    root = find_root(root)
    check_target(out, root)
    repository = load(root)
    modified = reproducible.modified_date(repository.files.all)  # a bad $SOURCE_DATE_EPOCH
    report = validate(repository)  # is refused before this, which takes the time
    if report.fails():
        raise NotConforming(report)
    saved = catalogue(repository.root)
    return Built(_publish(repository, out, saved, today=modified), report)


def _publish(
    repository: Repository,
    out: Path,
    saved: Mapping[str, SavedQuery],
    *,
    today: dt.date | None = None,
) -> BuildResult:
    from .publish.build import build as publish  # jinja2 and the templates: only to publish

    return publish(repository, out, saved_queries=list(saved.values()), today=today)


def serve(
    root: Path | None,
    site: Path | None,
    *,
    host: str,
    port: int,
    workers: int,
    timeout: float,
    queue: int,
    worker_memory: int,
    on_listening: Callable[[str], None],
) -> None:
    """Serve the built ``site``, or else a fresh build of the repository at ``root``, with
    ``workers`` query workers, each query given ``timeout`` seconds and ``worker_memory``
    bytes, and at most ``queue`` queries waiting. Raises :class:`NotASite` for a ``site``
    that no build wrote."""
    from .serve import Limits  # uvicorn and starlette: only to serve
    from .serve import serve as serve_site

    if site is not None and not (site / "index.html").is_file():
        raise NotASite(f"{site} is not a built site (no index.html)")
    saved = catalogue(root)
    if site is not None:
        target: Path | Callable[[Path], Path] = site
    else:
        repository = load(root)

        def target(folder: Path) -> Path:
            return _publish(repository, folder / "site", saved).out

    serve_site(
        target,
        saved,
        host=host,
        port=port,
        workers=workers,
        limits=Limits(timeout=timeout, queue=queue, worker_memory=worker_memory),
        on_listening=on_listening,
    )


def query(
    name: str,
    params: Mapping[str, str],
    root: Path | None,
    *,
    endpoint: Endpoint | None = None,
    infer: bool = False,
) -> QueryResult:
    """Run the saved query ``name`` on the repository at ``root``, or at ``endpoint``."""
    saved = get(name, root)
    return run(saved, params, load(root) if endpoint is None else endpoint, infer=infer)


def listing(root: Path | None) -> str:
    """One line per saved query: its name and the question it answers."""
    return listing_of(catalogue(root))


def export(root: Path | None, endpoint: str | None, syntax: str) -> str:
    """The catalogue as sparql-examples RDF in ``syntax`` (turtle or jsonld), naming
    ``endpoint`` as the queries' target when given."""
    if syntax not in GRAPH_FORMATS:
        raise QueryError("the catalogue is a graph: use --format turtle|jsonld")
    graph = catalogue_graph(endpoint, queries=catalogue(root).values())
    return graph.serialize(format="json-ld" if syntax == "jsonld" else "turtle")


def turtle_files(root: Path | None) -> list[Path]:
    """The repository's own Turtle files, which ``spacecoop fmt`` keeps canonical."""
    return fmt.default_paths(find_root(root))


def stats(root: Path | None) -> statistics.Stats:
    return statistics.compute(load(root).dataset())


def load_into_store(
    root: Path | None, url: str, store_url: str | None, endpoint: Endpoint, batch_size: int
) -> list[remote.LoadedGraph]:
    """Put the repository's graphs into the Graph Store at ``store_url`` (default: ``url``),
    then count them through the query endpoint ``url``."""
    dataset = load(root).dataset()
    loaded = remote.load_graphs(
        store_url or url,
        dataset,
        batch_size=batch_size,
        timeout=endpoint.timeout,
        backoff=endpoint.backoff,
        max_bytes=endpoint.max_bytes,
    )
    remote.verify(
        url,
        loaded,
        timeout=endpoint.timeout,
        backoff=endpoint.backoff,
        max_bytes=endpoint.max_bytes,
    )
    return loaded
