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
from rdflib import Dataset

from .. import reason, reason_fast
from .. import store as fast_store
from ..namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY
from ..queries import SavedQuery
from ..sparql_examples import catalogue_graph
from . import browse, describe, dumps, html, pages, resources
from .htaccess import RULES

_ONTOLOGY = ox.NamedNode(str(GRAPH_ONTOLOGY))
_INFERRED = ox.NamedNode(str(GRAPH_INFERRED))


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
    ``spacecoop validate`` has already checked. A store that already has its
    ``inferred`` graph (:func:`validate.validate_store` fills it) is published
    with it as it is. Everything is published from a store either way (dumps,
    entailments, VoID figures, pages), so both paths publish the same site.
    """
    if isinstance(source, Dataset):
        _refuse_inconsistent(source)
        quads = fast_store.from_dataset(source)
    else:
        quads = source
    if not quads.contains_named_graph(_INFERRED):  # else filled by validate.validate_store
        reason_fast.materialise(quads)

    with atomic_directory(out) as site:
        written = dumps.write_dumps(quads, site)
        counted = describe.figures(quads)
        void = describe.void_graph(counted, written, today or dt.date.today())
        void.serialize(site / "void.ttl", format="turtle", encoding="utf-8")
        (site / ".well-known").mkdir()
        shutil.copyfile(site / "void.ttl", site / ".well-known" / "void")

        with fast_store.ontology_merged_into_data(quads) as published:
            shown = pages.published_resources(quads, published)
            try:
                page_count = pages.write_pages(quads, published, site, shown)
            except pages.WorkerDied as died:
                raise PublishError(f"{died}; nothing was published") from died
            union = fast_store.rdflib_view(quads, published)
            _write(site / "def.html", html.ontology_page(fast_store.rdflib_view(quads, _ONTOLOGY)))
            ontology = quads.quads_for_pattern(None, None, None, _ONTOLOGY)
            pages.write_rdf([quad.triple for quad in ontology], site / "def")
            home_figures = {
                "triples": counted.triples,
                "entities": counted.entities,
                "classes": counted.classes_in_data,
            }
            labels = resources.Labels(union).prefetch()
            kinds = browse.kinds(shown, labels)
            (site / browse.FOLDER).mkdir()
            for kind in kinds:
                for page in browse.browse_pages(kind):
                    _write(site / page.path, html.browse_page(page))
            _write(
                site / "index.html",
                html.home_page(
                    union,
                    kinds,
                    labels,
                    description=describe.DESCRIPTION,
                    licence=str(describe.LICENSE),
                    figures=home_figures,
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
    return BuildResult(out=out, pages=page_count, triples=counted.triples, dumps=written)
