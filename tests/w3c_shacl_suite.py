"""The W3C SHACL test suite, read from pySHACL's source distribution: download, manifests, reports.

The suite is not copied into this repository. pySHACL's sdist carries it
(``test/resources/sht_tests``, the W3C ``data-shapes-test-suite/tests`` folder),
so :func:`suite_folder` downloads the sdist of the installed pySHACL once with
pip, keeps the suite in a cache folder and reuses it on later runs.
:func:`load_tests` then walks the manifests of ``core/`` and ``sparql/`` and
gives each ``sht:Validate`` test that carries an expected validation report (the
ones expecting ``sht:Failure`` are left out) with its data graph, shapes graph
and expected report.

Reports are compared as the suite's own runners do, by the set of (focus node,
result path, source constraint component) and ``sh:conforms``. A blank-node focus
node is compared as "a blank node": the expected report and the engines' results
name different blank nodes for the same node when the data graph is another file.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import Node

from spacecoop.namespaces import RDF, RDFS, SH, XSD

__all__ = [
    "BLANK",
    "ResultKey",
    "SuiteReport",
    "SuiteTest",
    "SuiteUnavailable",
    "load_tests",
    "path_text",
    "report_of",
    "suite_folder",
]

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

SECTIONS = ("core", "sparql")
"""The suite's folders with tests for SHACL Core and SHACL-SPARQL (the others are empty)."""

BLANK = "_:"
"""How a blank-node focus node is written in a :data:`ResultKey`."""

ResultKey = tuple[str, str | None, str]
"""One validation result as the suite compares it: focus node, result path, component."""


class SuiteUnavailable(RuntimeError):
    """The suite could not be downloaded or read (the message says why)."""


@dataclass(frozen=True)
class SuiteReport:
    conforms: bool
    results: frozenset[ResultKey]


@dataclass(frozen=True)
class SuiteTest:
    name: str
    """The test's IRI relative to the suite folder, e.g. ``core/node/class-001``."""
    label: str
    data: Graph
    shapes: Graph
    expected: SuiteReport


def suite_folder(cache: Path) -> Path:
    """The suite's folder (with ``manifest.ttl``) for the installed pySHACL, downloaded
    into ``cache`` on first use; raises :class:`SuiteUnavailable` saying why it cannot be."""
    version = importlib.metadata.version("pyshacl")
    folder = cache / f"pyshacl-{version}" / "sht_tests"
    if (folder / "manifest.ttl").is_file():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        sdist = _download_sdist(version, Path(scratch))
        extracted = Path(scratch) / "sht_tests"
        _extract_suite(sdist, extracted)
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        extracted.rename(folder)  # whole or not at all: a later run never sees half a suite
    return folder


def _download_sdist(version: str, into: Path) -> Path:
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--no-binary", ":all:", f"pyshacl=={version}", "--dest", str(into),
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SuiteUnavailable(f"cannot run pip to download pyshacl=={version}: {error}") from error
    found = sorted(into.glob("pyshacl-*.tar.gz"))
    if done.returncode != 0 or not found:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SuiteUnavailable(
            f"`pip download pyshacl=={version}` (source distribution) failed: {last}"
        )
    return found[0]


def _extract_suite(sdist: Path, into: Path) -> None:
    """Only ``test/resources/sht_tests`` of the sdist, as plain files."""
    try:
        with tarfile.open(sdist) as archive:
            members = [m for m in archive.getmembers() if _suite_part(m.name) is not None]
            if not members:
                raise SuiteUnavailable(f"{sdist.name} holds no test/resources/sht_tests folder")
            for member in members:
                member.name = str(_suite_part(member.name))
            archive.extractall(into, members=members, filter="data")
    except (OSError, tarfile.TarError) as error:
        raise SuiteUnavailable(f"cannot read {sdist.name}: {error}") from error


def _suite_part(name: str) -> Path | None:
    """The path of an sdist member inside ``sht_tests``, None for other members."""
    parts = Path(name).parts
    if len(parts) > 4 and parts[1:4] == ("test", "resources", "sht_tests"):
        return Path(*parts[4:])
    return None


def load_tests(folder: Path) -> list[SuiteTest]:
    """Every test of ``core/`` and ``sparql/`` that expects a validation report, by name."""
    root = folder.resolve().as_uri() + "/"
    tests = [
        test
        for section in SECTIONS
        for manifest in _manifests(folder / section / "manifest.ttl")
        for test in _tests_of(manifest, root)
    ]
    return sorted(tests, key=lambda t: t.name)


def _parse(path: Path) -> Graph:
    if not path.is_file():
        raise SuiteUnavailable(f"the suite has no file {path}")
    return Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())


def _manifests(path: Path) -> Iterator[tuple[Path, Graph]]:
    """The manifest at ``path`` and every manifest it includes, each parsed once."""
    graph = _parse(path)
    yield path, graph
    for included in sorted(graph.objects(None, MF.include), key=str):
        yield from _manifests(_file_of(included))


def _file_of(iri: Node) -> Path:
    if not (isinstance(iri, URIRef) and iri.startswith("file://")):
        raise SuiteUnavailable(f"the suite refers to {iri}, not a local file")
    return Path(iri.removeprefix("file://"))


def _tests_of(manifest: tuple[Path, Graph], root: str) -> Iterator[SuiteTest]:
    path, graph = manifest
    for head in graph.objects(None, MF.entries):
        for entry in RdfList(graph, head):
            if (entry, RDF.type, SHT.Validate) not in graph:
                continue
            report = graph.value(entry, MF.result)
            if report is None or (report, RDF.type, SH.ValidationReport) not in graph:
                continue  # sht:Failure: the engine must refuse the shapes graph
            action = graph.value(entry, MF.action)
            yield SuiteTest(
                name=str(entry).removeprefix(root),
                label=str(graph.value(entry, RDFS.label) or ""),
                data=_graph_of(graph, path, graph.value(action, SHT.dataGraph)),
                shapes=_graph_of(graph, path, graph.value(action, SHT.shapesGraph)),
                expected=report_of(graph, report),
            )



def _graph_of(manifest: Graph, manifest_path: Path, iri: Node) -> Graph:
    """The graph the action names: the manifest's own file (``<>``), or another one."""
    path = _file_of(iri)
    return manifest if path == manifest_path.resolve() else _parse(path)


def report_of(graph: Graph, report: Node) -> SuiteReport:
    """A ``sh:ValidationReport`` in ``graph`` (expected, or pySHACL's) as the suite compares it."""
    conforms = graph.value(report, SH.conforms)
    results = frozenset(
        (
            focus_text(graph.value(result, SH.focusNode)),
            path_text(graph, graph.value(result, SH.resultPath)),
            str(graph.value(result, SH.sourceConstraintComponent)),
        )
        for result in graph.objects(report, SH.result)
    )
    return SuiteReport(conforms == Literal(True, datatype=XSD.boolean), results)


def focus_text(node: Node | None) -> str:
    """A focus node as :data:`ResultKey` writes it: the IRI, a literal in N-Triples form,
    or :data:`BLANK`."""
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, Literal):
        return node.n3()
    return BLANK


_PATH_OPERATORS = {
    SH.inversePath: "^{}",
    SH.zeroOrMorePath: "{}*",
    SH.oneOrMorePath: "{}+",
    SH.zeroOrOnePath: "{}?",
}


def path_text(graph: Graph, path: Node | None) -> str | None:
    """A SHACL path as text: an IRI, ``^IRI`` for its inverse (as report Results write
    paths), and SPARQL-like text for the other kinds."""
    if path is None or isinstance(path, URIRef):
        return None if path is None else str(path)
    if isinstance(path, BNode) and (path, RDF.first, None) in graph:
        return "(" + " / ".join(str(path_text(graph, p)) for p in RdfList(graph, path)) + ")"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        members = [str(path_text(graph, p)) for p in RdfList(graph, alternatives)]
        return "(" + " | ".join(members) + ")"
    for operator, form in _PATH_OPERATORS.items():
        inner = graph.value(path, operator)
        if inner is not None:
            return form.format(path_text(graph, inner))
    return path.n3()
