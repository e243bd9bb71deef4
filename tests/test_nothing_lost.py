"""Nothing lost: a build killed or interrupted midway leaves the previous ``dist/`` byte for
byte as it was, the next build cleans up after it, and no command but ``fmt`` (on request)
writes into the sources: ``ontology/``, ``data/`` and ``queries/``."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from built_site import snapshot
from checkout import SPACECOOP
from sigint import ctrl_c_raises
from spacecoop.cli import ExitStatus, main
from spacecoop.publish.build import atomic_directory

SOURCES = ("ontology", "data", "queries")


def _build(repo_root: Path, out: Path) -> subprocess.Popen[bytes]:
    """Start ``spacecoop build`` with SIGINT at its default, however the suite was launched."""
    with ctrl_c_raises():
        return subprocess.Popen(
            [SPACECOOP, "build", "--root", repo_root, "--out", out],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )


def _wait_until_writing(
    process: subprocess.Popen[bytes], parent: Path, stale: Path | None = None
) -> Path:
    """Poll until the build has started writing into its temporary directory (not the
    ``stale`` one a killed build left); return it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the build finished before it could be stopped"
        for tmp in parent.glob(".dist.tmp-*"):
            if tmp != stale and any(tmp.iterdir()):
                return tmp
        time.sleep(0.002)
    pytest.fail("the build never started writing its temporary directory")


def test_a_build_killed_or_interrupted_midway_leaves_the_previous_dist_intact(
    repo_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    assert _build(repo_root, out).wait(timeout=120) == 0
    before = snapshot(out)

    killed = _build(repo_root, out)
    tmp = _wait_until_writing(killed, tmp_path)
    killed.send_signal(signal.SIGKILL)
    assert killed.wait(timeout=30) == -signal.SIGKILL
    assert tmp.exists()  # killed midway: its half-written site is still there
    assert snapshot(out) == before

    interrupted = _build(repo_root, out)  # also cleans up after the killed build
    _wait_until_writing(interrupted, tmp_path, stale=tmp)
    interrupted.send_signal(signal.SIGINT)
    assert interrupted.wait(timeout=30) == ExitStatus.INTERRUPTED
    assert interrupted.stderr is not None
    assert interrupted.stderr.read() == b"error: interrupted\n"
    assert snapshot(out) == before
    assert list(tmp_path.glob(".dist.*")) == []  # Ctrl-C removes its own temporary site


def test_a_site_moved_aside_by_a_killed_swap_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    old = tmp_path / ".dist.old-12345"  # the swap was killed after its first rename
    old.mkdir()
    (old / "index.html").write_text("the previous site", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_directory(out) as site:
        (site / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("the new build failed")
    assert (out / "index.html").read_text(encoding="utf-8") == "the previous site"
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_no_command_writes_into_the_sources(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    for name in SOURCES:
        shutil.copytree(repo_root / name, root / name)
    before = {name: snapshot(root / name) for name in SOURCES}
    runs = [
        ["stats"],
        ["query", "list"],
        ["query", "export"],
        ["query", "events-in-year", "--param", "year=2019", "--format", "csv"],
        ["validate"],
        ["fmt", "--check"],
        ["build", "--out", str(tmp_path / "dist")],
    ]
    for argv in runs:
        assert main([*argv, "--root", str(root)]) in (0, 1), argv
    capsys.readouterr()
    assert {name: snapshot(root / name) for name in SOURCES} == before
    assert sorted(os.listdir(root)) == sorted(SOURCES)  # nothing new beside them either
