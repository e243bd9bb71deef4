"""The repository is read once: every source file is parsed exactly one time per command.

Counted at the parsers themselves (pyoxigraph's loader and streaming parser, rdflib's
``Graph.parse``), so a module that reads a file behind the repository's back is caught
whichever way it does it.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from spacecoop import cli
from spacecoop.repository import store
from spacecoop.repository.files import find_sources


@pytest.fixture
def copy(repo_root: Path, tmp_path: Path) -> Path:
    """The repository's sources in a folder of their own (the build writes beside them)."""
    root = tmp_path / "repo"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(repo_root / folder, root / folder)
    return root


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch, copy: Path) -> Iterator[Counter[Path]]:
    """How many times each file under the copy is parsed, by any parser."""
    counted: Counter[Path] = Counter()
    sources = {path.resolve() for path in find_sources(copy).all}

    def note(path: object) -> None:
        if isinstance(path, str) and path.startswith("file://"):
            path = path.removeprefix("file://")
        if isinstance(path, str | Path) and Path(path).resolve() in sources:
            counted[Path(path).resolve()] += 1

    def counting(original: Callable[..., object], where: Callable[..., object]) -> Callable:
        def wrapper(*args: object, **kwargs: object) -> object:
            note(where(*args, **kwargs))
            return original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        store, "load_file", counting(store.load_file, lambda _store, path, *_: path)
    )
    monkeypatch.setattr(
        rdflib.Graph,
        "parse",
        counting(rdflib.Graph.parse, lambda _g, source=None, **kw: kw.get("publicID", source)),
    )
    monkeypatch.setattr(
        pyoxigraph, "parse", counting(pyoxigraph.parse, lambda *a, **kw: kw.get("base_iri"))
    )
    yield counted


def _once_each(copy: Path, counted: Counter[Path]) -> None:
    expected = {path.resolve(): 1 for path in find_sources(copy).all}
    assert dict(counted) == expected


@pytest.mark.parametrize("plan", ["reference", "fast"])
def test_validate_parses_each_file_once(
    copy: Path, parses: Counter[Path], plan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPACECOOP_PLAN", plan)
    assert cli.main(["validate", "--root", str(copy)]) == cli.ExitStatus.OK
    _once_each(copy, parses)


@pytest.mark.parametrize("plan", ["reference", "fast"])
def test_build_parses_each_file_once(
    copy: Path, parses: Counter[Path], plan: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPACECOOP_PLAN", plan)
    out = tmp_path / "dist"
    assert cli.main(["build", "--root", str(copy), "--out", str(out)]) == cli.ExitStatus.OK
    assert (out / "index.html").is_file()
    _once_each(copy, parses)


def test_serve_parses_each_file_once(
    copy: Path, parses: Counter[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve`` without ``--dist`` builds the site it serves from one reading."""
    import spacecoop.serve

    built: list[Path] = []

    def serve_once(site: Callable[[Path], Path], *_: object, **__: object) -> None:
        built.append(site(tmp_path))  # build as the server would, then return at once

    monkeypatch.setattr(spacecoop.serve, "serve", serve_once)
    assert cli.main(["serve", "--root", str(copy), "--port", "1"]) == cli.ExitStatus.OK
    assert (built[0] / "index.html").is_file()
    _once_each(copy, parses)
