"""Build ``dist/``: dumps, VoID/DCAT, one page per resource, ontology docs, queries page.

Everything is written into a fresh temporary directory beside the target and
swapped in only when complete, so an interrupted or failed build leaves the
previous ``dist/`` as it was (:mod:`.site_folder`, which also refuses to
replace a folder that is not a previous build).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources as package_files
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import GRAPH_ONTOLOGY
from ..queries.catalogue import SavedQuery
from ..queries.sparql_examples import catalogue_graph
from ..reasoning.reasoner import reason
from ..repository.load import Repository
from ..repository.store import ontology_merged_into_data, rdflib_view
from . import browse, describe, dumps, html, pages, resources
from .htaccess import RULES
from .reproducible import canonical_triples, modified_date
from .site_folder import atomic_directory, check_target

__all__ = ["BuildResult", "PublishError", "atomic_directory", "build"]

_ONTOLOGY = ox.NamedNode(str(GRAPH_ONTOLOGY))


class PublishError(Exception):
    """The dataset cannot be published (for example, it does not validate)."""


@dataclass
class BuildResult:
    out: Path
    pages: int
    triples: int
    dumps: list[dumps.Dump] = field(default_factory=list)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build(
    repository: Repository,
    out: Path,
    *,
    saved_queries: Sequence[SavedQuery] = (),
    today: dt.date | None = None,
) -> BuildResult:
    """Write the whole site for ``repository`` into ``out`` atomically and describe it.

    The entailments come from :func:`reasoning.reason`, which validation has usually run
    already (it runs once per repository); an inconsistent repository is refused with
    :class:`PublishError`. Everything is published from the store (dumps, entailments,
    VoID figures, pages), so both plans publish the same site.

    ``out`` must be absent, empty or a previous build, and not the repository's root, a
    folder above it or one of its source folders: else :class:`site_folder.TargetRefused`
    is raised and nothing is written. ``today`` is the VoID ``dcterms:modified`` (default:
    ``$SOURCE_DATE_EPOCH``, else today); ``spacecoop build`` passes
    :func:`reproducible.modified_date`.
    """
    check_target(out, repository.root)  # before the reasoning, which takes a while on big data
    problems = reason(repository).inconsistencies
    if problems:
        messages = "; ".join(problem.message for problem in problems)
        raise PublishError(f"the OWL RL closure is inconsistent: {messages}")
    quads = repository.store

    with atomic_directory(out, repository=repository.root) as site:
        written = dumps.write_dumps(quads, site)
        counted = describe.figures(quads)
        void = describe.void_graph(counted, written, today or modified_date(()))
        void.serialize(site / "void.ttl", format="turtle", encoding="utf-8")
        (site / ".well-known").mkdir()
        shutil.copyfile(site / "void.ttl", site / ".well-known" / "void")

        with ontology_merged_into_data(quads) as published:
            shown = pages.published_resources(quads, published)
            try:
                page_count = pages.write_pages(quads, published, site, shown)
            except pages.WorkerDied as died:
                raise PublishError(f"{died}; nothing was published") from died
            union = rdflib_view(quads, published)
            _write(site / "def.html", html.ontology_page(rdflib_view(quads, _ONTOLOGY)))
            ontology = quads.quads_for_pattern(None, None, None, _ONTOLOGY)
            pages.write_rdf(canonical_triples(quad.triple for quad in ontology), site / "def")
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
