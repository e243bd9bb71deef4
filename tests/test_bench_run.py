"""bench/run.py: each stage runs in a child process on generated data and reports its figures.

Not a timing test: it checks that every stage of ``make bench`` still runs on
both paths (a renamed function would otherwise break the benchmark unseen until
its next, long, run) and that the whole build it times publishes every page.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))
import generate  # noqa: E402
import report  # noqa: E402
import run  # noqa: E402


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "kg"
    generate.generate(1_500, root)
    return root


@pytest.mark.parametrize("stage", run.STAGES)
@pytest.mark.parametrize("path", ["baseline", "ours"])
def test_every_stage_runs_on_both_paths(small_repo: Path, stage: str, path: str) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--child", stage, path, str(small_repo)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["seconds"] > 0
    assert figures["peak_mb"] > 10


def test_the_timed_build_publishes_every_page(small_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    run._build_site("ours", small_repo, out)
    pages = list((out / "id").rglob("*.html"))
    assert len(pages) > 100
    assert (out / "spacecoop.nt.gz").is_file()


def _hold_memory(megabytes: int) -> None:
    block = bytearray(megabytes << 20)
    block[::4096] = b"x" * len(block[::4096])  # touch every page, so it is resident
    time.sleep(1.5)


def test_peak_memory_counts_forked_workers() -> None:
    sampler = run.TreeMemory()
    sampler.start()
    worker = multiprocessing.get_context("fork").Process(target=_hold_memory, args=(300,))
    worker.start()
    worker.join()
    assert sampler.stop() > 250


@pytest.mark.parametrize("stage", ["load", "build"])
def test_only_the_build_is_sampled_while_it_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stage: str
) -> None:
    """A sampler reading the measured process's page tables slows it; single-process
    stages need none, since their own ``ru_maxrss`` is their peak."""
    started = []

    class Recorded(run.TreeMemory):
        def start(self) -> None:
            started.append(stage)
            super().start()

    monkeypatch.setattr(run, "TreeMemory", Recorded)
    monkeypatch.setattr(run, "measure", lambda *_: 0.5)
    run.child(stage, "ours", Path("unused"))
    assert started == ([stage] if stage in run.SAMPLED_STAGES else [])
    assert started == ([] if stage == "load" else ["build"])
    assert json.loads(capsys.readouterr().out)["seconds"] == 0.5


def test_files_are_written_into_ram_where_there_is_a_ram_disk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(run, "RAM_DISK", tmp_path)
    assert run.default_scratch() == tmp_path
    monkeypatch.setattr(run, "RAM_DISK", tmp_path / "missing")
    assert run.default_scratch() == Path(tempfile.gettempdir())


def test_the_stages_that_write_use_the_scratch_the_run_was_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(run.SCRATCH_ENV, str(tmp_path))
    with run._scratch("bench-build-") as scratch:
        assert Path(scratch).parent == tmp_path


def test_the_report_says_where_the_files_were_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(report, "_plot", lambda *_: None)  # matplotlib is a bench extra
    figure = {"seconds": 1.0, "peak_mb": 50.0, "runs": 1}
    rows = [
        {"size": 10_000, "stage": "load", "baseline": figure, "ours": figure},
        {"size": 10_000, "stage": "build", "baseline": figure, "ours": figure, "scratch": "/x"},
    ]
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"cap": 300, "rows": rows}), encoding="utf-8")
    report.write_report(results, tmp_path / "results.md", tmp_path / "results.png")
    text = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "The dumps and build stages wrote into `/x`." in text
