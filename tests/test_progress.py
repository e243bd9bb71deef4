"""Progress bars appear only where a person watches: a terminal, outside CI, without --quiet."""

from __future__ import annotations

import io

import pytest

from spacecoop.cli import main
from spacecoop.runtime import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_unless_ci_or_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(progress.QUIET_ENV, raising=False)
    monkeypatch.setattr("sys.stderr", _Terminal())
    assert progress.quiet() is False
    monkeypatch.setenv("CI", "true")
    assert progress.quiet() is True
    monkeypatch.delenv("CI")
    monkeypatch.setenv(progress.QUIET_ENV, "1")
    assert progress.quiet() is True


def test_a_pipe_gets_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(progress.QUIET_ENV, raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert progress.quiet() is True


def test_the_bar_yields_every_item_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(progress.QUIET_ENV, "1")
    assert list(progress.bar(range(5), total=5, what="x")) == [0, 1, 2, 3, 4]


def test_quiet_option_silences_every_command(monkeypatch: pytest.MonkeyPatch, repo_root) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(progress.QUIET_ENV, "")  # so the test's end restores the environment
    assert main(["--quiet", "stats", "--root", str(repo_root)]) == 0
    assert progress.quiet() is True
