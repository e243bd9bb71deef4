"""``spacecoop.runtime.parallel``: jobs run side by side, answers in order, failures not lost."""

from __future__ import annotations

import _thread
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sigint import ctrl_c_raises
from spacecoop.runtime.parallel import run_all, usable_cores


def test_usable_cores_is_at_least_one() -> None:
    assert usable_cores() >= 1


def test_results_come_back_in_the_order_of_the_jobs() -> None:
    assert run_all([lambda n=n: n * n for n in range(20)], workers=4) == [n * n for n in range(20)]


def test_jobs_really_run_at_the_same_time() -> None:
    both_started = threading.Barrier(2, timeout=10)  # breaks (and fails) if run one after the other
    assert run_all([both_started.wait, both_started.wait], workers=2) in ([0, 1], [1, 0])


def test_a_failing_job_raises_after_the_others_finish() -> None:
    finished: list[int] = []

    def fail() -> None:
        raise ValueError("bad job")

    def slow(n: int) -> None:
        threading.Event().wait(0.05)
        finished.append(n)

    with pytest.raises(ValueError, match="bad job"):
        run_all([fail, lambda: slow(1), lambda: slow(2)], workers=2)
    assert sorted(finished) == [1, 2]


def test_ctrl_c_waits_for_the_running_jobs_before_raising() -> None:
    started: list[str] = []
    finished: list[str] = []

    def job(name: str, interrupt: bool) -> None:
        started.append(name)
        if interrupt:
            _thread.interrupt_main()  # as Ctrl-C would, while the caller waits
        time.sleep(0.2)
        finished.append(name)

    with ctrl_c_raises(), pytest.raises(KeyboardInterrupt):
        run_all([lambda: job("first", True), lambda: job("second", False)], workers=2)
    assert "first" in started
    assert sorted(finished) == sorted(started)  # each job finished or never began


def test_the_ctrl_c_tests_pass_when_started_with_sigint_ignored() -> None:
    """Issue 16: a shell starts background jobs with SIGINT ignored; the two tests that
    depend on Ctrl-C failed when the suite was started that way. Here they are run so,
    in a child pytest, whatever this run was started with."""
    tests = Path(__file__).parent
    program = (
        "import signal, sys, pytest\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"  # as `make test &` starts it
        "sys.exit(pytest.main(sys.argv[1:]))\n"
    )
    finished = subprocess.run(
        [
            sys.executable,
            "-c",
            program,
            "-q",
            "-p",
            "no:cacheprovider",
            f"{tests}/test_parallel.py::test_ctrl_c_waits_for_the_running_jobs_before_raising",
            f"{tests}/test_nothing_lost.py::"
            "test_a_build_killed_or_interrupted_midway_leaves_the_previous_dist_intact",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tests.parent,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-2000:]
    assert "2 passed" in finished.stdout
