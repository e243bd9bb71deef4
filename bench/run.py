"""``make bench``: our fast path against the rdflib/pySHACL baseline, in one run, on this machine.

For each size (10^4, 10^5, 10^6 triples by default) it generates data with
``bench/generate.py`` and measures each stage twice, baseline and ours, each
in a fresh process so that peak memory (``ru_maxrss``) belongs to that stage
alone. A baseline that overruns ``--cap`` seconds is stopped and reported as
a lower bound (``>cap``), which makes its ratio a lower bound too.

Stages, timed after loading unless the stage is the load itself:
  load      rdflib parse of the repository        vs repository.load (pyoxigraph)
  validate  pySHACL on an rdflib graph            vs our fast SHACL engine
  queries   every saved query on rdflib's engine  vs the same on pyoxigraph
  dumps     rdflib serialisation, five syntaxes   vs publish.dumps (pyoxigraph)
  build     `spacecoop build` on the reference path vs the same on the fast path (the
            whole command: load, validate, entailments, dumps, every page; never repeated
            past REPEAT_BELOW, so one run at 10^6)
References from pyoxigraph alone: its bulk load, the catalogue on its engine
with the answers read but not turned into rdflib terms, and its load plus a
``Store.dump`` of each syntax (its fastest way to write them).

Each figure is the median of up to ``--repeat`` runs (5), each in a fresh
process; a run over ``REPEAT_BELOW`` seconds is not repeated (long runs vary
little, and repeating them would make ``make bench`` hours long).

The dumps and build stages write into ``--scratch``, by default a RAM disk where
there is one (see :func:`default_scratch`).

Writes ``bench/results.md`` (the table) and ``bench/results.png`` (log-log plot).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scratch import RAM_DISK, SCRATCH_ENV

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

STAGES = ("load", "validate", "queries", "dumps", "build")
REFERENCED = ("load", "queries", "dumps")  # stages with a pyoxigraph-alone reference
WRITING_STAGES = ("dumps", "build")  # stages that write files, into --scratch
SINGLE_GRAPH_SYNTAXES = ("TURTLE", "N_TRIPLES", "JSON_LD", "RDF_XML")


# --- what one child process measures ------------------------------------------------


def default_scratch() -> Path:
    """Where the dumps and build stages write: in RAM where the machine has a RAM disk.

    The figures are then our work, not the disk's: on this project's VM, ext4
    spends 150-370 µs of kernel time creating a file (about 20 µs in RAM), and the
    build creates five files a resource, 760,000 at 10^6 triples. On that disk a
    build of 10^5 triples took 47-66 s instead of 15 s, and one of 10^6 ran past
    the cap. ``--scratch DIR`` measures on another file system.
    """
    usable = RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK)
    return RAM_DISK if usable else Path(tempfile.gettempdir())


def _scratch(prefix: str) -> tempfile.TemporaryDirectory[str]:
    where = os.environ.get(SCRATCH_ENV) or default_scratch()
    return tempfile.TemporaryDirectory(prefix=prefix, dir=where)


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def measure(stage: str, path: str, root: Path) -> float:
    """Seconds for one stage on one path; loading is excluded except for the load stage."""
    import pyoxigraph as ox

    from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES
    from spacecoop.queries import catalogue as queries
    from spacecoop.queries.runner import run
    from spacecoop.repository.load import load

    data_file = root / "data" / "synthetic.ttl"
    if stage == "load":
        if path == "baseline":
            return _timed(lambda: _rdflib_load(root))
        if path == "ours":
            return _timed(lambda: load(root, plan="fast"))
        if path == "reference":  # pyoxigraph's own bulk load of the same data
            return _timed(
                lambda: ox.Store().bulk_load(path=str(data_file), format=ox.RdfFormat.TURTLE)
            )
    if stage == "validate":  # the SHACL step alone: pySHACL on rdflib vs ours on pyoxigraph
        from spacecoop.validation import pyshacl_engine, shacl_sparql

        if path == "baseline":
            ds = _rdflib_load(root)
            graphs = [ds.graph(g) for g in (GRAPH_DATA, GRAPH_SHAPES, GRAPH_ONTOLOGY)]
            return _timed(lambda: pyshacl_engine.validate_shapes(*graphs))
        repository = load(root, plan="fast")
        shapes = repository.graph(GRAPH_SHAPES)
        return _timed(lambda: shacl_sparql.validate_store(repository.store, shapes))
    if stage == "queries":
        catalogue = [q for q in queries.catalogue(root).values() if not q.services]
        if path == "baseline":
            slow = load(root, plan="reference")
            slow.graph(GRAPH_DATA)  # the rdflib copy, made once as the old loader parsed once
            return _timed(lambda: [run(q, {}, slow) for q in catalogue])
        repository = load(root, plan="fast")
        quads = repository.store
        if path == "reference":  # Oxigraph's engine alone: every answer read, nothing converted
            default = [ox.NamedNode(str(GRAPH_ONTOLOGY)), ox.NamedNode(str(GRAPH_DATA))]

            def engine_alone() -> None:
                for saved in catalogue:
                    answer = quads.query(_with_defaults(saved), default_graph=default)
                    if not isinstance(answer, ox.QueryBoolean):
                        for _ in answer:
                            pass

            return _timed(engine_alone)
        return _timed(lambda: [run(q, {}, repository) for q in catalogue])
    if stage == "dumps":
        with _scratch("bench-dumps-") as scratch:
            return _timed(_dumps_work(path, root, data_file, Path(scratch)))
    if stage == "build":
        with _scratch("bench-build-") as scratch:
            return _timed(lambda: _build_site(path, root, Path(scratch) / "dist"))
    raise SystemExit(f"unknown stage/path: {stage}/{path}")


def _rdflib_load(root: Path) -> object:
    """The repository parsed by rdflib, as the reference path read it before the repository
    wing parsed every file once with pyoxigraph: the baseline the load is measured against."""
    from rdflib import Dataset

    from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_SHAPES
    from spacecoop.repository.files import find_sources, parse_file

    files = find_sources(root)
    ds = Dataset()
    for graph_iri, paths in (
        (GRAPH_ONTOLOGY, files.ontology),
        (GRAPH_SHAPES, files.shapes),
        (GRAPH_DATA, files.data),
    ):
        for source in paths:
            parse_file(source, ds.graph(graph_iri), strict=True)
    return ds


def _build_site(path: str, root: Path, out: Path) -> None:
    """``spacecoop build`` as a user runs it: load, validate, entailments, dumps and pages.

    The baseline is the same command kept on the reference path whatever the
    size: rdflib parsing, pySHACL and owlrl.
    """
    from spacecoop import cli

    if path == "baseline":
        os.environ["SPACECOOP_PLAN"] = "reference"  # the one override (a child process)
    elif path != "ours":
        raise SystemExit(f"unknown stage/path: build/{path}")
    status = cli.main(["build", "--root", str(root), "--out", str(out)])
    if status != 0:
        raise SystemExit(f"spacecoop build exited with {status}")


def _dumps_work(path: str, root: Path, data_file: Path, out: Path) -> Callable[[], object]:
    """The dumps stage on one path, writing into ``out`` (removed by the caller)."""
    import pyoxigraph as ox

    from spacecoop.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY
    from spacecoop.reasoning import sparql_rules
    from spacecoop.repository.load import load

    if path == "baseline":
        ds = _rdflib_load(root)
        union = ds.graph(GRAPH_ONTOLOGY) + ds.graph(GRAPH_DATA)

        def rdflib_dumps() -> None:
            for fmt, name in (
                ("turtle", "x.ttl"),
                ("nt", "x.nt"),
                ("json-ld", "x.jsonld"),
                ("xml", "x.rdf"),
            ):
                union.serialize(out / name, format=fmt, encoding="utf-8")
            ds.serialize(out / "x.trig", format="trig", encoding="utf-8")

        return rdflib_dumps
    if path == "ours":
        from spacecoop.publish import dumps

        def ours() -> None:  # includes the load: the goal compares load + dumps
            repository = load(root, plan="fast")
            # The entailments alone, as the stage has always measured: reason() also runs
            # the clash rules (0.44 s of 3.4 s at 10^5), which the build stage times.
            sparql_rules.materialise(repository.store)
            dumps.write_dumps(repository.store, out)

        return ours
    if path == "reference":  # pyoxigraph alone, its fastest way: load, then dump each syntax

        def reference() -> None:
            quads = ox.Store()
            quads.bulk_load(path=str(data_file), format=ox.RdfFormat.TURTLE)
            for n, name in enumerate(SINGLE_GRAPH_SYNTAXES):
                quads.dump(
                    out / f"ref{n}",
                    format=getattr(ox.RdfFormat, name),
                    from_graph=ox.DefaultGraph(),
                )
            quads.dump(out / "ref.trig", format=ox.RdfFormat.TRIG)

        return reference
    raise SystemExit(f"unknown stage/path: dumps/{path}")


def _with_defaults(saved: object) -> str:
    """A saved query's text with its default parameter values, as queries.run sends it."""
    from spacecoop.queries.params import bind, inject_values

    return inject_values(saved.body, bind(saved.parameters, {}))  # type: ignore[attr-defined]


def _descendants(pid: int) -> list[int]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in children.read_text().split()]
        except OSError:  # the task ended meanwhile
            continue
    return found + [d for child in found for d in _descendants(child)]


def _pss_mb(pid: int) -> float:
    """Proportional set size: shared pages split among the processes that share them."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    kb = next((line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:")), "0")
    return int(kb) / 1024


class TreeMemory(threading.Thread):
    """The largest memory this process and its children (forked page workers) held at
    once, sampled four times a second. Each process counts its PSS, so the store that
    forked workers share with their parent counts once, not once per process."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self._done.wait(0.25):
            total = sum(_pss_mb(pid) for pid in [me, *_descendants(me)])
            self.peak_mb = max(self.peak_mb, total)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak_mb


SAMPLED_STAGES = ("build",)
"""Stages whose peak memory is sampled (they fork page workers). Only these: reading
``smaps_rollup`` walks the page tables of the process under measurement, and 4 times a
second at 10^6 triples that slowed a 4 s load by up to a second."""


def child(stage: str, path: str, root: Path) -> None:
    sampler = TreeMemory() if stage in SAMPLED_STAGES else None
    if sampler:
        sampler.start()
    seconds = measure(stage, path, root)
    # ru_maxrss is exact for this process alone; the sampler adds forked workers.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if sampler:
        peak_mb = max(peak_mb, sampler.stop())
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


# --- the parent: run every measurement in its own process --------------------------


REPEAT_BELOW = 60.0
"""Seconds: a run longer than this is not repeated."""


@dataclass
class Figure:
    seconds: float | None  # None: did not finish within the cap
    peak_mb: float | None
    runs: int = 1

    def text(self, cap: float) -> str:
        return f">{cap:g}" if self.seconds is None else f"{self.seconds:.2f}"


def run_child(stage: str, path: str, root: Path, cap: float) -> Figure:
    command = [sys.executable, __file__, "--child", stage, path, str(root)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=cap, check=True)
    except subprocess.TimeoutExpired:
        return Figure(None, None)
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"{stage}/{path} failed:\n{error.stderr[-3000:]}") from None
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return Figure(answer["seconds"], answer["peak_mb"])


def measure_repeated(stage: str, path: str, root: Path, cap: float, repeat: int) -> Figure:
    """The median time and the largest peak of up to ``repeat`` runs (see REPEAT_BELOW)."""
    runs: list[Figure] = []
    while len(runs) < repeat:
        figure = run_child(stage, path, root, cap)
        if figure.seconds is None:
            return figure
        runs.append(figure)
        if figure.seconds > REPEAT_BELOW:
            break
    seconds = statistics.median(f.seconds for f in runs if f.seconds is not None)
    peak = max(f.peak_mb or 0.0 for f in runs)
    return Figure(seconds, peak, len(runs))


def ratio(baseline: Figure, ours: Figure, cap: float) -> str:
    if ours.seconds is None:
        return "n/a"
    if baseline.seconds is None:
        return f"≥{cap / ours.seconds:.1f}×"
    return f"{baseline.seconds / ours.seconds:.1f}×"


def _save(path: Path, cap: float, rows: list[dict]) -> None:
    """Write ``rows``, keeping earlier rows for (size, stage) pairs this run did not measure."""
    earlier = json.loads(path.read_text(encoding="utf-8"))["rows"] if path.is_file() else []

    def key(row: dict) -> tuple[int, str]:  # by power of ten: the generator may change
        return round(math.log10(row["size"])), row["stage"]

    fresh = {key(r) for r in rows}
    kept = [r for r in earlier if key(r) not in fresh]
    merged = sorted(kept + rows, key=lambda r: (r["size"], STAGES.index(r["stage"])))
    path.write_text(json.dumps({"cap": cap, "rows": merged}, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the fast path against the baseline.")
    parser.add_argument(
        "--child", nargs=3, metavar=("STAGE", "PATH", "ROOT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="triples, comma-separated")
    parser.add_argument("--stages", default=",".join(STAGES), help="stages, comma-separated")
    parser.add_argument("--cap", type=float, default=300.0, help="seconds before a run is stopped")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median taken)")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "spacecoop-bench"
    )
    parser.add_argument(
        "--scratch",
        type=Path,
        default=default_scratch(),
        help="where the dumps and build stages write (default: RAM, where there is a RAM disk)",
    )
    args = parser.parse_args(argv)
    if args.child:
        stage, path, root = args.child
        child(stage, path, Path(root))
        return 0

    from generate import generate
    from report import write_report

    os.environ[SCRATCH_ENV] = str(args.scratch)  # read by the child processes

    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for size in sizes:
        root = args.work / f"kg-{size}"
        triples = generate(size, root)
        for stage in args.stages.split(","):
            figures = {
                path: measure_repeated(stage, path, root, args.cap, args.repeat)
                for path in ("baseline", "ours", *(("reference",) if stage in REFERENCED else ()))
            }
            row = {"size": triples, "stage": stage, **{k: v.__dict__ for k, v in figures.items()}}
            if stage in WRITING_STAGES:
                row["scratch"] = str(args.scratch)
            rows.append(row)
            line = (
                f"{triples:>9} {stage:<9} baseline {figures['baseline'].text(args.cap):>8} s   "
                f"ours {figures['ours'].text(args.cap):>8} s   speed-up "
                f"{ratio(figures['baseline'], figures['ours'], args.cap):>7}   "
                f"peak {figures['ours'].peak_mb or 0:>6.0f} MB"
            )
            if "reference" in figures:
                ref = figures["reference"]
                line += f"   pyoxigraph alone {ref.text(args.cap)} s"
                if ref.seconds and figures["ours"].seconds:
                    line += f" (ours/pyoxigraph {figures['ours'].seconds / ref.seconds:.2f}×)"
            print(line, flush=True)
    _save(HERE / "results.json", args.cap, rows)
    write_report(HERE / "results.json", HERE / "results.md", HERE / "results.png")
    print(f"wrote {HERE / 'results.md'} and {HERE / 'results.png'}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SPACECOOP_QUIET", "1")
    sys.exit(main())
