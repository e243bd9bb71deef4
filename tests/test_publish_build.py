"""``spacecoop build``: the files in ``dist/``, links that resolve, nothing from other hosts,
escaping, and an all-or-nothing build that publishes only consistent, conforming data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from built_site import snapshot
from html_tree import element_ids, href_target, parse_html, read_page
from spacecoop.cli import main
from spacecoop.namespaces import GRAPH_ONTOLOGY, ID
from spacecoop.publish import html
from spacecoop.publish.build import PublishError, build
from spacecoop.publish.paths import SITE_BASE
from spacecoop.publish.site_folder import mark
from spacecoop.reasoning import owlrl_engine
from spacecoop.repository.load import load

EXPECTED_FILES = (
    "index.html",
    "def.html",
    "def.ttl",
    "def.jsonld",
    "def.nt",
    "def.rdf",
    "queries.html",
    "queries.ttl",
    "browse/event.html",
    "void.ttl",
    ".well-known/void",
    ".well-known/sparql-examples/index.ttl",
    ".htaccess",
    "context.jsonld",
    "static/style.css",
    "spacecoop.ttl",
    "spacecoop.nt",
    "spacecoop.nt.gz",
    "spacecoop.jsonld",
    "spacecoop.rdf",
    "spacecoop.trig",
    "inferred.ttl",
)


RESOURCE_EXTENSIONS = ("html", "ttl", "jsonld", "nt", "rdf")


# Links that exist only on the served site (``spacecoop serve``), not as files.
SERVED_ONLY = re.compile(r"^(sparql|queries/[a-z0-9-]+)$")


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.mark.parametrize("relative", EXPECTED_FILES)
def test_site_has_the_expected_file(site: Path, relative: str) -> None:
    assert (site / relative).is_file()
    assert (site / relative).stat().st_size > 0


def test_every_published_resource_has_its_pages_and_nothing_else(
    site: Path, data_graph: Graph
) -> None:
    things = {str(s) for s in data_graph.subjects() if str(s).startswith(str(ID))}
    assert len(things) > 50
    for extension in RESOURCE_EXTENSIONS:
        pages = {
            SITE_BASE + str(p.relative_to(site)).removesuffix("." + extension)
            for p in (site / "id").rglob(f"*.{extension}")
        }
        assert pages == things, extension


def test_no_temporary_directory_is_left_beside_the_site(site: Path) -> None:
    assert [p.name for p in site.parent.iterdir()] == [site.name]


@pytest.mark.parametrize(
    ("extension", "fmt"), [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")]
)
def test_ontology_files_hold_the_ontology(
    site: Path, dataset: Dataset, extension: str, fmt: str
) -> None:
    parsed = Graph().parse(site / f"def.{extension}", format=fmt)
    assert isomorphic(parsed, Graph() + dataset.graph(GRAPH_ONTOLOGY))


def test_every_relative_link_resolves_to_a_file_and_anchor(site: Path) -> None:
    anchors: dict[str, set[str]] = {}
    checked = 0
    for path in _pages(site):
        here = str(path.relative_to(site))
        page = parse_html(path.read_text(encoding="utf-8"))
        ids = [e.attrs["id"] for e in page.iter() if "id" in e.attrs]
        assert len(ids) == len(set(ids)), f"{here}: duplicate ids"
        for element in page.iter():
            for attribute in ("href", "src", "action"):
                target = element.attrs.get(attribute)
                if target is None or re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue
                assert not target.startswith("/"), f"{here}: site-absolute link {target}"
                file, _, fragment = target.partition("#")
                resolved = href_target(here, file) if file else here
                if SERVED_ONLY.match(resolved):
                    continue
                assert attribute != "action", f"{here}: form posts to {target}"
                assert (site / resolved).is_file(), f"{here}: broken link {target}"
                if fragment:
                    if resolved not in anchors:
                        anchors[resolved] = element_ids(read_page(site, resolved))
                    assert fragment in anchors[resolved], f"{here}: no anchor for {target}"
                checked += 1
    assert checked > 1000


def test_pages_load_nothing_from_other_hosts(site: Path) -> None:
    for path in _pages(site):
        page = parse_html(path.read_text(encoding="utf-8"))
        for script in page.iter("script"):
            assert "src" not in script.attrs, path
            assert script.attrs.get("type") == "application/ld+json", path
        for element in page.iter():
            for attribute in ("src", "srcset", "data"):
                assert attribute not in element.attrs or not re.match(
                    r"^(https?:)?//", element.attrs[attribute]
                ), path
        for link in page.iter("link"):
            if link.attrs.get("rel") in ("stylesheet", "preload", "modulepreload"):
                assert not re.match(r"^(https?:)?//", link.attrs["href"]), path
    css = (site / "static" / "style.css").read_text(encoding="utf-8")
    assert "@import" not in css and "http" not in css


SCRIPT = "<script>alert(1)</script>"


def _tiny_repo(make_repo: Any, repo_root: Path, data: str) -> Path:
    return make_repo(
        {
            "ontology/spacecoop.ttl": (repo_root / "ontology" / "spacecoop.ttl").read_text(
                encoding="utf-8"
            ),
            "data/things.ttl": data,
        }
    )


TINY_DATA = f"""\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

<https://w3id.org/spacecoop/id/organisation/evil> a sco:Organisation ;
    rdfs:label "{SCRIPT}"@en ;
    rdfs:comment "a \\"quoted\\" & <b>bold</b> comment"@en .

<https://w3id.org/spacecoop/id/organisation/good> a sco:Organisation ;
    rdfs:label "Good"@en ;
    sco:subOrganisationOf <https://w3id.org/spacecoop/id/organisation/evil> .
"""


def test_labels_are_escaped_in_pages(make_repo: Any, repo_root: Path, tmp_path: Path) -> None:
    root = _tiny_repo(make_repo, repo_root, TINY_DATA)
    out = tmp_path / "dist"
    build(load(root), out)
    evil = (out / "id" / "organisation" / "evil.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil
    assert "&lt;b&gt;bold&lt;/b&gt;" in evil
    for page in _pages(out):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
        assert "<b>bold" not in text, page
    assert "&lt;script&gt;alert(1)" in (out / "index.html").read_text(encoding="utf-8")


def test_a_failed_build_leaves_the_previous_site_intact(
    site: Path, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    shutil.copytree(site, out)
    before = snapshot(out)
    calls = 0
    real = html.resource_page

    def failing(*args: Any, **kwargs: Any) -> str:
        nonlocal calls
        calls += 1
        if calls > 5:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(html, "resource_page", failing)
    repository = load(repo_root)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build(repository, out)
    assert calls > 5  # it failed midway, after writing some pages
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_a_successful_build_replaces_the_previous_site(
    make_repo: Any, repo_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "stale.html").write_text("old", encoding="utf-8")
    mark(out)  # a previous build, which wrote stale.html
    build(load(_tiny_repo(make_repo, repo_root, TINY_DATA)), out)
    assert not (out / "stale.html").exists()
    assert (out / "id" / "organisation" / "good.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


INCONSISTENT_DATA = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sco: <https://w3id.org/spacecoop/def#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

<https://w3id.org/spacecoop/id/organisation/a> a sco:Organisation ;
    rdfs:label "A"@en ;
    owl:sameAs <https://w3id.org/spacecoop/id/organisation/b> ;
    owl:differentFrom <https://w3id.org/spacecoop/id/organisation/b> .

<https://w3id.org/spacecoop/id/organisation/b> a sco:Organisation ;
    rdfs:label "B"@en .
"""


@pytest.mark.parametrize("plan", ["reference", "fast"])
def test_an_inconsistent_closure_is_not_published(
    make_repo: Any, repo_root: Path, tmp_path: Path, plan: str
) -> None:
    root = _tiny_repo(make_repo, repo_root, INCONSISTENT_DATA)
    repository = load(root, plan=plan)
    # the premise: owlrl sees the clash
    assert owlrl_engine.inconsistencies(owlrl_engine.closure(repository.dataset()))
    out = tmp_path / "dist"
    out.mkdir()
    (out / "index.html").write_text("previous", encoding="utf-8")
    mark(out)
    before = snapshot(out)
    with pytest.raises(PublishError, match="inconsistent"):
        build(repository, out)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_build_refuses_an_inconsistent_dataset(
    make_repo: Any, repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tiny_repo(make_repo, repo_root, INCONSISTENT_DATA)
    out = tmp_path / "dist"
    assert main(["build", "--root", str(root), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "inconsistency" in captured.err and "organisation/a" in captured.err
    assert captured.err.rstrip().endswith("the data does not conform; nothing was published")
    assert not out.exists()


def test_cli_build_validates_first_and_publishes_nothing_that_does_not_conform(
    make_repo: Any, repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entity that cites no source breaks a shape: the build stops before writing."""
    root = _tiny_repo(make_repo, repo_root, TINY_DATA)
    shutil.copyfile(repo_root / "ontology" / "shapes.ttl", root / "ontology" / "shapes.ttl")
    out = tmp_path / "dist"
    assert main(["build", "--root", str(root), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "things.ttl:" in err and "organisation/good" in err
    assert "nothing was published" in err
    assert not out.exists()


def test_cli_build_writes_the_site_and_says_what_it_wrote(
    make_repo: Any, repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tiny_repo(make_repo, repo_root, TINY_DATA)
    out = tmp_path / "site"
    assert main(["build", "--root", str(root), "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(
        rf"built {re.escape(str(out))}: 2 resource pages, \d+ triples, 7 dumps", line
    )
    assert (out / "index.html").is_file() and (out / "id/organisation/good.ttl").is_file()
