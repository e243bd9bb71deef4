"""Build ``dist/``: dumps, VoID/DCAT, one page per resource, ontology docs, queries page.

Everything is written into a fresh temporary directory beside the target and
swapped in only when complete, so an interrupted or failed build leaves the
previous ``dist/`` as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources as package_files
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from .. import progress, reason, reason_fast
from .. import store as fast_store
from ..namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, RDF, bind_prefixes
from ..queries import SavedQuery
from ..sparql_examples import catalogue_graph
from . import describe, dumps, html
from .htaccess import RULES
from .paths import resource_path
from .resources import describe as describe_resource
from .resources import published_resources

_RDF_FORMATS = (("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml"))


class PublishError(Exception):
    """The dataset cannot be published (for example, it does not validate)."""


@dataclass
class BuildResult:
    out: Path
    pages: int
    triples: int
    dumps: list[dumps.Dump] = field(default_factory=list)


@contextmanager
def atomic_directory(out: Path) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``out`` only if the block succeeds.

    A build killed between moving the old ``out`` aside and moving the new one
    in leaves only ``.{name}.old-*``: that is put back first, so ``out`` is never lost.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.tmp-*"):  # left by a killed build
        shutil.rmtree(stale, ignore_errors=True)
    for stale in sorted(out.parent.glob(f".{out.name}.old-*")):
        if out.exists():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            os.rename(stale, out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def _refuse_inconsistent(ds: Dataset) -> None:
    problems = reason.inconsistencies(reason.closure(ds))
    if problems:
        raise PublishError("the OWL RL closure is inconsistent: " + "; ".join(problems))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _serialise(graph: Graph, stem: Path) -> None:
    """Write ``graph`` beside ``stem`` in every RDF syntax we publish per resource."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    for extension, fmt in _RDF_FORMATS:
        target = stem.with_name(f"{stem.name}.{extension}")
        if fmt == "json-ld":
            graph.serialize(
                target, format=fmt, context=dumps.context()["@context"], auto_compact=True
            )
        else:
            graph.serialize(target, format=fmt, encoding="utf-8")


def build(
    source: Dataset | ox.Store,
    out: Path,
    *,
    saved_queries: Sequence[SavedQuery] = (),
    today: dt.date | None = None,
) -> BuildResult:
    """Write the whole site for ``source`` into ``out`` atomically and describe what was written.

    ``source`` is the rdflib Dataset (small data: its OWL RL closure is checked
    for consistency here) or, on the fast path, a pyoxigraph store whose data
    ``spacecoop validate`` has already checked. Dumps and the entailed graph
    are computed with pyoxigraph either way, so both paths publish the same files.
    """
    if isinstance(source, Dataset):
        _refuse_inconsistent(source)
        quads = fast_store.from_dataset(source)
        ontology = bind_prefixes(Graph() + source.graph(GRAPH_ONTOLOGY))
        data = bind_prefixes(Graph() + source.graph(GRAPH_DATA))
    else:
        quads = source
        ontology = fast_store.to_rdflib_graph(quads, GRAPH_ONTOLOGY)
        data = fast_store.to_rdflib_graph(quads, GRAPH_DATA)
    reason_fast.materialise(quads)
    union = bind_prefixes(ontology + data)

    with atomic_directory(out) as site:
        written = dumps.write_dumps(quads, site)
        void = describe.void_graph(data, ontology, written, today or dt.date.today())
        void.serialize(site / "void.ttl", format="turtle", encoding="utf-8")
        (site / ".well-known").mkdir()
        shutil.copyfile(site / "void.ttl", site / ".well-known" / "void")

        pages = 0
        resources = published_resources(data)
        for iri in progress.bar(resources, total=len(resources), what="pages"):
            stem = site / resource_path(str(iri))
            _write(stem.with_name(stem.name + ".html"), html.resource_page(union, iri))
            _serialise(describe_resource(data, iri), stem)
            pages += 1

        _write(site / "def.html", html.ontology_page(ontology))
        _serialise(ontology, site / "def")
        figures = {
            "triples": len(union),
            "entities": len(describe.entities(data)),
            "classes": len(set(data.objects(None, RDF.type))),
        }
        _write(
            site / "index.html",
            html.home_page(
                union,
                description=describe.DESCRIPTION,
                licence=str(describe.LICENSE),
                figures=figures,
                dumps=written,
                schema_dataset=describe.schema_dataset(void),
            ),
        )
        _write(site / ".htaccess", RULES)
        static = package_files.files("spacecoop.publish") / "static"
        (site / "static").mkdir()
        for item in static.iterdir():
            (site / "static" / item.name).write_bytes(item.read_bytes())
        _write(site / "queries.html", html.queries_page(list(saved_queries)))
        examples = catalogue_graph(str(describe.SPARQL_ENDPOINT), queries=saved_queries)
        examples.serialize(site / "queries.ttl", format="turtle", encoding="utf-8")
        (site / ".well-known" / "sparql-examples").mkdir()
        shutil.copyfile(
            site / "queries.ttl", site / ".well-known" / "sparql-examples" / "index.ttl"
        )
    return BuildResult(out=out, pages=pages, triples=len(union), dumps=written)
