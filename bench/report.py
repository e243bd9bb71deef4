"""Turn ``bench/results.json`` into the Markdown table and the log-log plot."""

from __future__ import annotations

import json
import math
from pathlib import Path

from scratch import RAM_DISK

GOALS = {
    "load": "ours ≤ 2× pyoxigraph's bulk load",
    "validate": "≥ 10× faster than pySHACL",
    "queries": "≥ 10× faster than rdflib",
    "dumps": "ours (load + dumps) ≤ 3× pyoxigraph load + serialise",
    "build": "the whole `spacecoop build` in minutes, peak < 3 GB",
}


def _seconds(figure: dict[str, float | None], cap: float) -> str:
    return f">{cap:g}" if figure["seconds"] is None else f"{figure['seconds']:.2f}"


def _speedup(baseline: dict, ours: dict, cap: float) -> str:
    if ours["seconds"] is None:
        return "n/a"
    if baseline["seconds"] is None:
        return f"≥ {cap / ours['seconds']:.1f}×"
    return f"{baseline['seconds'] / ours['seconds']:.1f}×"


def _growth(rows: list[dict], stage: str, path: str = "ours") -> str:
    """Time ratio of ``path`` between consecutive sizes (10× data should cost ≤ 12×)."""
    mine = [(r["size"], r[path]["seconds"]) for r in rows if r["stage"] == stage and r.get(path)]
    steps = []
    for (n0, t0), (n1, t1) in zip(mine, mine[1:], strict=False):
        if t0 and t1:
            steps.append(f"{t1 / t0:.1f}× ({_power(n0)} → {_power(n1)} triples)")
    return "; ".join(steps) or "n/a"


def _scratch_note(rows: list[dict]) -> list[str]:
    """Where the stages that write files wrote, as the run recorded it."""
    places = sorted({r["scratch"] for r in rows if "scratch" in r})
    if not places:
        return []
    where = " and ".join(f"`{p}`" for p in places)
    if places == [str(RAM_DISK)]:
        where += " (a RAM disk, so that the figures are our work, not the disk's)"
    return [f"The dumps and build stages wrote into {where}."]


def _power(size: int) -> str:
    """10^k for a size generated as about 10^k triples."""
    return f"10^{round(math.log10(size))}"


def write_report(results: Path, markdown: Path, plot: Path) -> None:
    doc = json.loads(results.read_text(encoding="utf-8"))
    cap, rows = doc["cap"], doc["rows"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py) on this project's 2-core machine. Each figure is",
        "the median of five runs, each in a fresh process (a run over a minute is not repeated);",
        "seconds exclude loading except for the load, dumps and build stages. `>"
        f"{cap:g}` means the run was stopped",
        'at the cap: its speed-up is a lower bound. "pyoxigraph alone" is its bulk load (load),',
        "its engine answering the catalogue with nothing converted (queries), and its load plus",
        "`Store.dump` of each syntax (dumps). Our dumps stage also computes the entailed graph.",
        "The build stage is the whole `spacecoop build` (load, validation, entailments, dumps",
        "and a page per resource); its baseline is the same command on the reference path",
        "(rdflib, pySHACL, owlrl). Peak memory is the process's own peak, or for the build,",
        "if larger, the most that it and its forked page workers held at once (their summed",
        "PSS, sampled 4 times a second: the store the workers share counts once).",
        *_scratch_note(rows),
        "",
        "| triples | stage | baseline s | ours s | speed-up | ours peak MB "
        "| pyoxigraph alone s | ours / pyoxigraph |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ref = r.get("reference")
        ours = r["ours"]
        vs = (
            f"{ours['seconds'] / ref['seconds']:.2f}×"
            if ref and ref["seconds"] and ours["seconds"]
            else ""
        )
        cells = [
            f"{r['size']:,}",
            r["stage"],
            _seconds(r["baseline"], cap),
            _seconds(ours, cap),
            _speedup(r["baseline"], ours, cap),
            f"{ours['peak_mb']:.0f}" if ours["peak_mb"] else "n/a",
            _seconds(ref, cap) if ref else "",
            vs,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Goals and growth", ""]
    lines += ["| stage | goal | growth of ours | growth of pyoxigraph alone |", "|---|---|---|---|"]
    for stage, goal in GOALS.items():
        alone = _growth(rows, stage, "reference")
        lines.append(f"| {stage} | {goal} | {_growth(rows, stage)} | {alone} |")
    lines += ["", "![time against size, log-log](results.png)", ""]
    markdown.write_text("\n".join(lines), encoding="utf-8")
    _plot(rows, cap, plot)


def _plot(rows: list[dict], cap: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = list(dict.fromkeys(r["stage"] for r in rows))
    fig, axes = plt.subplots(1, len(stages), figsize=(4 * len(stages), 3.6), sharey=True)
    for ax, stage in zip(axes, stages, strict=True):
        mine = [r for r in rows if r["stage"] == stage]
        for key, style, name in (
            ("baseline", "o--", "baseline"),
            ("ours", "s-", "ours"),
            ("reference", "^:", "pyoxigraph alone"),
        ):
            points = [(r["size"], r[key]["seconds"] or cap) for r in mine if r.get(key)]
            if points:
                ax.plot(*zip(*points, strict=True), style, label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(stage)
        ax.set_xlabel("triples")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("seconds")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
