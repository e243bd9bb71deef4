"""``build --out DIR`` never deletes what it did not write, and builds into one folder take turns.

A build replaces only a folder that is absent, empty or a previous build (it
carries the marker file); it refuses the repository, its source folders and
any folder above them with exit 2 and one line. A lock makes a second build
wait for the first; only temporary sites whose owner is dead are swept.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from built_site import snapshot
from checkout import SPACECOOP
from spacecoop.cli import ExitStatus, main
from spacecoop.publish import site_folder
from spacecoop.publish.site_folder import MARKER, MARKER_TEXT, atomic_directory

TINY_DATA = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sco: <https://w3id.org/spacecoop/def#> .

<https://w3id.org/spacecoop/id/organisation/good> a sco:Organisation ;
    rdfs:label "Good"@en .
"""


@pytest.fixture
def repository(repo_root: Path, tmp_path: Path) -> Path:
    """A copy of the repository's sources, with a ``.git`` and a ``src`` of its own."""
    root = tmp_path / "repo"
    for name in ("ontology", "data", "queries"):
        shutil.copytree(repo_root / name, root / name)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (root / "src").mkdir()
    (root / "src" / "module.py").write_text("print('mine')\n", encoding="utf-8")
    return root


@pytest.fixture
def tiny(make_repo: Any, repo_root: Path) -> Path:
    """A repository with the real ontology and one organisation: it builds in a second."""
    ontology = (repo_root / "ontology" / "spacecoop.ttl").read_text(encoding="utf-8")
    return make_repo({"ontology/spacecoop.ttl": ontology, "data/things.ttl": TINY_DATA})


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``spacecoop build`` and return its one error line, checking it was refused."""
    status = main(["build", *argv])
    captured = capsys.readouterr()
    assert status == ExitStatus.USAGE, captured.err
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize(
    ("out", "why"),
    [
        (".", "is the repository"),
        ("ontology", "source folder ontology/"),
        ("data", "source folder data/"),
        (".git", "source folder .git/"),
        ("src/site", "source folder src/"),  # absent, but inside a source folder
        ("..", "holds the repository"),
    ],
)
def test_build_refuses_the_repository_its_source_folders_and_the_folders_above(
    repository: Path,
    out: str,
    why: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(repository)  # ``--out .`` as typed in the repository
    before = snapshot(repository.parent)
    line = _refused(["--root", str(repository), "--out", out], capsys)
    assert line.startswith(f"error: {out}: ") and why in line
    assert snapshot(repository.parent) == before
    assert (
        main(["validate", "--root", str(repository)]) == ExitStatus.OK
    )  # shapes.ttl and all still there
    capsys.readouterr()


def test_build_refuses_the_repository_reached_through_a_symbolic_link(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(repository, target_is_directory=True)
    before = snapshot(repository)
    for out, why in (
        (alias, "is the repository"),
        (alias / "ontology", "source folder ontology/"),
        (alias / "src" / ".." / "data" / "site", "source folder data/"),
    ):
        line = _refused(["--root", str(repository), "--out", str(out)], capsys)
        assert line.startswith(f"error: {out}: ") and why in line, line
    assert snapshot(repository) == before


def test_build_refuses_a_folder_holding_files_it_did_not_write(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "thesis.txt").write_text("three years of work", encoding="utf-8")
    before = snapshot(out)
    line = _refused(["--root", str(tiny), "--out", str(out)], capsys)
    assert line.startswith(f"error: {out}: is not empty and is not a previous build")
    assert MARKER in line
    assert snapshot(out) == before


def test_build_refuses_a_marked_folder_holding_files_the_build_did_not_write(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Red team of issue 16: a site copied with its marker into a folder of one's own
    (``cp -r dist/. ~/www``), or a marker forged there, handed every file to the next build."""
    site = tmp_path / "site"
    assert main(["build", "--root", str(tiny), "--out", str(site)]) == ExitStatus.OK
    capsys.readouterr()
    www = tmp_path / "www"
    shutil.copytree(site, www)
    (www / "notes").mkdir()
    (www / "notes" / "thesis.txt").write_text("three years of work", encoding="utf-8")
    forged = tmp_path / "forged"
    forged.mkdir()
    (forged / MARKER).write_text("a previous build", encoding="utf-8")
    (forged / "thesis.txt").write_text("three years of work", encoding="utf-8")
    for out, reason in ((www, "holds notes/thesis.txt, which no build wrote"), (forged, "its")):
        before = snapshot(out)
        line = _refused(["--root", str(tiny), "--out", str(out)], capsys)
        assert line.startswith(f"error: {out}: {reason}"), line
        assert snapshot(out) == before
    forged_list = MARKER_TEXT + "index.html\n"  # a forged list does not cover thesis.txt
    (forged / MARKER).write_text(forged_list, encoding="utf-8")
    line = _refused(["--root", str(tiny), "--out", str(forged)], capsys)
    assert line.startswith(f"error: {forged}: holds thesis.txt, which no build wrote"), line
    # Its own build folder, listed by its marker, is fine.
    assert main(["build", "--root", str(tiny), "--out", str(site)]) == ExitStatus.OK
    capsys.readouterr()


def test_build_refuses_a_file(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site.txt"
    out.write_text("not a folder", encoding="utf-8")
    assert _refused(["--root", str(tiny), "--out", str(out)], capsys) == (
        f"error: {out}: is not a folder"
    )
    assert out.read_text(encoding="utf-8") == "not a folder"


def test_build_writes_into_an_empty_folder_and_replaces_a_previous_build(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    assert main(["build", "--root", str(tiny), "--out", str(out)]) == ExitStatus.OK
    assert (out / MARKER).is_file() and (out / "index.html").is_file()
    (out / "left-over.html").write_text("from an older build", encoding="utf-8")
    site_folder.mark(out)  # as that older build would have listed it
    assert main(["build", "--root", str(tiny), "--out", str(out)]) == ExitStatus.OK
    assert not (out / "left-over.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo1", "site"]
    capsys.readouterr()


def test_a_second_build_waits_for_the_first_instead_of_sweeping_its_live_site(
    tiny: Path, tmp_path: Path
) -> None:
    """The first build is this test, inside ``atomic_directory``; the second is the CLI."""
    out = tmp_path / "dist"
    log = tmp_path / "second.err"
    with atomic_directory(out) as first:
        (first / "index.html").write_text("the first build", encoding="utf-8")
        with log.open("wb") as stderr:
            second = subprocess.Popen(
                [SPACECOOP, "build", "--root", tiny, "--out", out],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + 120
        while b"waiting for another build" not in log.read_bytes():
            if second.poll() is not None or time.monotonic() > deadline:
                break  # it did not wait: what it did to the first build shows below
            time.sleep(0.05)
        assert first.is_dir(), "the second build removed the first one's live site"
        (first / "void.ttl").write_text("still writing", encoding="utf-8")
    assert (out / "index.html").read_text(encoding="utf-8") == "the first build"
    assert second.wait(timeout=120) == ExitStatus.OK, log.read_text(encoding="utf-8")
    assert log.read_text(encoding="utf-8") == f"waiting for another build into {out} to finish\n"
    assert (out / MARKER).is_file() and (out / "id/organisation/good.ttl").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "repo1", "second.err"]


def test_two_cli_builds_to_one_folder_both_end_cleanly_with_one_complete_site(
    tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    builds = [
        subprocess.Popen(
            [SPACECOOP, "build", "--root", tiny, "--out", out],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for build in builds:
        _, err = build.communicate(timeout=180)
        assert build.returncode == ExitStatus.OK, err
    reference = tmp_path / "reference"
    assert main(["build", "--root", str(tiny), "--out", str(reference)]) == ExitStatus.OK
    assert snapshot(out) == snapshot(reference)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "reference", "repo1"]


def test_a_build_that_cannot_get_the_lock_in_time_refuses_with_one_line(
    tiny: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(site_folder, "LOCK_WAIT_SECONDS", 0.3)
    out = tmp_path / "dist"
    with atomic_directory(out):
        status = main(["build", "--root", str(tiny), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == ExitStatus.OS
    assert err.splitlines()[-1] == (
        f"error: {out}: another build has been writing it for over 0.3 s; nothing was written"
    )
    assert (out / MARKER).is_file()  # the first build's site, swapped in when it ended


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


def test_a_temporary_site_of_a_live_process_is_left_alone_and_of_a_dead_one_swept(
    tmp_path: Path,
) -> None:
    out = tmp_path / "dist"
    live, dead = _sleeper(), _sleeper()
    dead.kill()
    dead.wait(timeout=30)
    try:
        live_site = tmp_path / f".dist.tmp-{live.pid}-abcd"
        dead_site = tmp_path / f".dist.tmp-{dead.pid}-efgh"
        for folder in (live_site, dead_site):
            folder.mkdir()
            (folder / "index.html").write_text("half written", encoding="utf-8")
        with atomic_directory(out) as site:
            (site / "index.html").write_text("new", encoding="utf-8")
        assert live_site.is_dir() and (live_site / "index.html").is_file()
        assert not dead_site.exists()
    finally:
        live.kill()
        live.wait(timeout=30)
    with atomic_directory(out):  # its owner has died since: swept now
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
