"""The ``spacecoop`` command line: parses arguments, calls one function, prints the answer.

For every command that loads the repository the function is in :mod:`.pipeline`.

Each subcommand is one ``*_command`` function that adds its parser and sets the
function to run; list it in :data:`COMMANDS` to enable it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from pathlib import Path

from . import __version__, fmt, pipeline, stats
from .publish.reproducible import SourceDateError
from .publish.site_folder import TargetRefused
from .queries import catalogue as queries
from .queries import endpoint, results
from .queries.endpoint import EndpointError
from .queries.runner import Endpoint
from .repository.files import LoadError
from .repository.load import PlanError
from .runtime import progress
from .validation import writers
from .validation.pyshacl_engine import ShapesError

__all__ = ["COMMANDS", "ExitStatus", "build_parser", "main"]


class ExitStatus(IntEnum):
    """What ``spacecoop`` exits with: one name for each status."""

    OK = 0
    FAILED = 1
    """The answer is no: validation found violations (or warnings, with --strict), so
    nothing was published; files are not canonical; or a remote endpoint or Graph Store
    is down, too slow, or answering badly."""
    USAGE = 2
    """Bad arguments or unreadable input (argparse uses 2 for usage errors too)."""
    INTERNAL = 3
    """A bug: an exception no command expected (``$SPACECOOP_DEBUG`` shows its traceback)."""
    OS = 4
    """The operating system refused: a file that cannot be read or written, a full disk."""
    INTERRUPTED = 130
    """Stopped with Ctrl-C: 128 + SIGINT, as shells report it."""
    BROKEN_PIPE = 141
    """The reader of the output went away (``spacecoop query list | head -1``): 128 + SIGPIPE."""


Subparsers = argparse._SubParsersAction  # argparse exposes no public name for it.


def _add_root_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        metavar="DIR",
        help="repository root holding ontology/ and data/ "
        "(default: $SPACECOOP_ROOT or found from the package location)",
    )


def stats_command(subparsers: Subparsers) -> None:
    """``spacecoop stats``: triples per named graph and entities per class."""
    parser = subparsers.add_parser("stats", help="count triples per graph and entities per class")
    _add_root_option(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")

    def run(args: argparse.Namespace) -> int:
        result = pipeline.stats(args.root)
        if args.format == "json":
            print(json.dumps(result.to_dict(), indent=2))
        else:
            print(stats.format_text(result), end="")
        return ExitStatus.OK

    parser.set_defaults(run=run)


def validate_command(subparsers: Subparsers) -> None:
    """``spacecoop validate``: SHACL shapes, ontology checks and OWL RL consistency."""
    parser = subparsers.add_parser(
        "validate",
        help="check the repository, or given Turtle files, against the ontology and shapes",
        description="Without PATHS, validate the repository. With PATHS, validate those "
        "Turtle files as data against the spacecoop ontology and shapes. Exit status: 0 "
        "conforms, 1 violations (warnings too with --strict), 2 unreadable input.",
    )
    _add_root_option(parser)
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATHS", help="Turtle files")
    parser.add_argument("--format", choices=tuple(writers.FORMATS), default="text")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--endpoint", metavar="URL", help="validate the data graph held by this SPARQL endpoint"
    )
    _add_remote_options(parser, timeout=60.0)

    def run(args: argparse.Namespace) -> int:
        if args.endpoint and args.paths:
            return _fail("give PATHS or --endpoint, not both", ExitStatus.USAGE)
        if args.endpoint:
            try:
                report = pipeline.check_endpoint(_endpoint(args), args.root)
            except EndpointError as error:
                return _fail(error, ExitStatus.FAILED)
        else:
            report = pipeline.check(args.paths, args.root)
        text = writers.render(report, args.format, strict=args.strict)
        if args.output is not None:
            args.output.write_text(text, encoding="utf-8")
        else:
            print(text, end="")
        return ExitStatus.FAILED if report.fails(args.strict) else ExitStatus.OK

    parser.set_defaults(run=run)


def fmt_command(subparsers: Subparsers) -> None:
    """``spacecoop fmt``: rewrite Turtle in canonical form, or check that it is."""
    parser = subparsers.add_parser(
        "fmt",
        help="write Turtle files in canonical form (default: the repository's own)",
        description="Rewrite each file in one sorted, canonical Turtle form, after checking "
        "that the result holds exactly the same triples. With --check, write nothing, list "
        "the files that differ and exit 1 if there are any.",
    )
    _add_root_option(parser)
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATHS", help="Turtle files")
    parser.add_argument("--check", action="store_true", help="only list files not in form")

    def run(args: argparse.Namespace) -> int:
        paths = args.paths or pipeline.turtle_files(args.root)
        try:
            if args.check:
                differing = fmt.check(paths)
                for path in differing:
                    print(f"{path}: not in canonical form (run: spacecoop fmt {path})")
                return ExitStatus.FAILED if differing else ExitStatus.OK
            for path in fmt.format_files(paths):
                print(f"formatted {path}")
        except fmt.FormatError as error:
            return _fail(error, ExitStatus.USAGE)
        return ExitStatus.OK

    parser.set_defaults(run=run)


def _fail(message: object, status: int) -> int:
    """Print ``error: message`` on stderr and return ``status``."""
    print(f"error: {message}", file=sys.stderr)
    return status


def _param_pair(text: str) -> tuple[str, str]:
    """One ``--param NAME=VALUE``, split; argparse reports a malformed one with the usage."""
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    return name, value


def _params(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The ``--param`` pairs as a mapping; a name given twice is an error."""
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise queries.QueryError(f"--param {name!r} given twice")
        params[name] = value
    return params


def query_command(subparsers: Subparsers) -> None:
    """``spacecoop query list | export | NAME``: the saved SPARQL queries."""
    parser = subparsers.add_parser(
        "query",
        help="list, run or export the saved SPARQL queries",
        description="NAME runs a saved query; 'list' shows them all; 'export' writes the "
        "catalogue as RDF (sparql-examples form).",
    )
    _add_root_option(parser)
    parser.add_argument("name", metavar="NAME", help="a saved query, or list, or export")
    parser.add_argument(
        "--param",
        action="append",
        type=_param_pair,
        default=[],
        metavar="NAME=VALUE",
        help="a query parameter",
    )
    parser.add_argument(
        "--infer",
        action="store_true",
        help="also query the inferred graph: what the ontology's alignments entail",
    )
    parser.add_argument("--endpoint", metavar="URL", help="run on this SPARQL 1.1 endpoint")
    _add_remote_options(parser, timeout=queries.DEFAULT_TIMEOUT)
    parser.add_argument(
        "--format",
        choices=(*results.SOLUTION_FORMATS, *results.GRAPH_FORMATS),
        help="table|csv|tsv|json for SELECT, turtle|jsonld for graphs and export",
    )

    def run(args: argparse.Namespace) -> int:
        try:
            if args.name == "list":
                print(pipeline.listing(args.root), end="")
            elif args.name == "export":
                print(pipeline.export(args.root, args.endpoint, args.format or "turtle"), end="")
            else:
                answer = pipeline.query(
                    args.name,
                    _params(args.param),
                    args.root,
                    endpoint=_endpoint(args) if args.endpoint else None,
                    infer=args.infer,
                )
                print(results.render(answer, args.format), end="")
        except (queries.QueryError, queries.CatalogueError, ValueError) as error:
            return _fail(error, ExitStatus.USAGE)
        except EndpointError as error:
            return _fail(error, ExitStatus.FAILED)
        return ExitStatus.OK

    parser.set_defaults(run=run)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text}")
    return value


def _retries(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"cannot be negative: {value}")
    return value


def _endpoint(args: argparse.Namespace) -> Endpoint:
    """The bounds given by ``--timeout``, ``--retries`` and ``--max-bytes``, for ``--endpoint``."""
    return Endpoint(
        args.endpoint,
        timeout=args.timeout,
        backoff=endpoint.Backoff(retries=args.retries),
        max_bytes=args.max_bytes,
    )


def _add_remote_options(
    parser: argparse.ArgumentParser, *, timeout: float, per: str = "attempt"
) -> None:
    """``--timeout``, ``--max-bytes`` and ``--retries``: the bounds on every remote request."""
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=timeout,
        metavar="S",
        help=f"seconds for each {per} at the endpoint, all of it: connecting, sending and "
        "receiving the whole answer (default: %(default)g)",
    )
    parser.add_argument(
        "--max-bytes",
        type=_positive_int,
        default=endpoint.DEFAULT_MAX_BYTES,
        metavar="N",
        help="refuse an answer whose body is more than N bytes, before reading it if its "
        "size is announced, else as it arrives (default: %(default)d, 100 MB)",
    )
    _add_retries_option(parser)


def _add_retries_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--retries",
        type=_retries,
        default=endpoint.DEFAULT_BACKOFF.retries,
        metavar="N",
        help="repeat a request up to N times after no connection, a timeout or HTTP 5xx, "
        "waiting longer each time (default: %(default)d)",
    )


def load_command(subparsers: Subparsers) -> None:
    """``spacecoop load``: put the named graphs into a SPARQL 1.1 Graph Store."""
    parser = subparsers.add_parser(
        "load",
        help="put the ontology, data and shapes graphs into a SPARQL 1.1 Graph Store",
        description="Replace each named graph in the Graph Store (HTTP PUT, then POST per "
        "batch), then count its triples through the query endpoint.",
    )
    _add_root_option(parser)
    parser.add_argument("--endpoint", required=True, metavar="URL", help="SPARQL query endpoint")
    parser.add_argument(
        "--store", metavar="URL", help="Graph Store Protocol endpoint (default: --endpoint)"
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        default=50_000,
        metavar="N",
        help="triples per request (default: %(default)d)",
    )
    _add_remote_options(parser, timeout=60.0, per="request")

    def run(args: argparse.Namespace) -> int:
        try:
            loaded = pipeline.load_into_store(
                args.root, args.endpoint, args.store, _endpoint(args), args.batch_size
            )
        except EndpointError as error:
            return _fail(error, ExitStatus.FAILED)
        for item in loaded:
            print(f"{item.graph}: {item.triples} triples in {item.requests} request(s)")
        return ExitStatus.OK

    parser.set_defaults(run=run)


def build_command(subparsers: Subparsers) -> None:
    """``spacecoop build``: write the published site and dumps to ``dist/``."""
    parser = subparsers.add_parser(
        "build", help="validate, then build dist/: dumps, VoID/DCAT, pages, docs"
    )
    _add_root_option(parser)
    parser.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR")

    def run(args: argparse.Namespace) -> int:
        from .publish.build import PublishError  # jinja2 and the templates: only to publish

        try:
            built = pipeline.build(args.root, args.out)
        except (TargetRefused, SourceDateError) as error:
            return _fail(error, ExitStatus.USAGE)
        except pipeline.NotConforming as failed:
            print(writers.render(failed.report, "text"), end="", file=sys.stderr)
            return _fail(failed, ExitStatus.FAILED)
        except PublishError as error:
            return _fail(error, ExitStatus.FAILED)
        site = built.site
        print(
            f"built {site.out}: {site.pages} resource pages, {site.triples} triples, "
            f"{len(site.dumps)} dumps"
        )
        return ExitStatus.OK

    parser.set_defaults(run=run)


def serve_command(subparsers: Subparsers) -> None:
    """``spacecoop serve``: linked-data pages and a SPARQL endpoint, on 127.0.0.1 by default."""
    parser = subparsers.add_parser("serve", help="serve pages and /sparql over HTTP")
    _add_root_option(parser)
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument("--port", type=_port, default=8000)
    parser.add_argument("--dist", type=Path, metavar="DIR", help="serve this built site")
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=10.0,
        metavar="S",
        help="longest a SPARQL query may run (default: %(default)g)",
    )
    parser.add_argument("--workers", type=_positive_int, default=2, help="query worker processes")
    parser.add_argument(
        "--queue",
        type=_positive_int,
        default=32,
        metavar="N",
        help="queries that may wait for a worker; more get 503 at once (default: %(default)s)",
    )
    parser.add_argument(
        "--worker-memory",
        type=_positive_int,
        default=1024,
        metavar="MIB",
        help="address space of each query worker, in MiB; a query that needs more"
        " loses its worker (503) (default: %(default)s)",
    )

    def run(args: argparse.Namespace) -> int:
        from .serve.sparql import WorkerStartError  # uvicorn and starlette: only to serve

        try:
            pipeline.serve(
                args.root,
                args.dist,
                host=args.host,
                port=args.port,
                workers=args.workers,
                timeout=args.timeout,
                queue=args.queue,
                worker_memory=args.worker_memory << 20,
                # Said only once the port is ours: a busy one is an error line instead.
                on_listening=lambda url: print(f"serving on {url} (Ctrl-C stops)", file=sys.stderr),
            )
        except (WorkerStartError, pipeline.NotASite) as error:
            return _fail(error, ExitStatus.USAGE)
        return ExitStatus.OK

    parser.set_defaults(run=run)


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"not a TCP port: {text}")
    return value


COMMANDS: tuple[Callable[[Subparsers], None], ...] = (
    stats_command,
    validate_command,
    fmt_command,
    query_command,
    load_command,
    build_command,
    serve_command,
)
"""Every subcommand, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand in :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="spacecoop", description="Work with the spacecoop knowledge graph."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bars (also off in CI and pipes)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


DEBUG_ENV_VAR = "SPACECOOP_DEBUG"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (the console script exits with it).

    Whatever goes wrong ends in one ``error:`` line on stderr and a status that
    says what kind of failure it was, never a traceback (unless
    ``$SPACECOOP_DEBUG`` is set, for a bug report).
    """
    args = build_parser().parse_args(argv)
    if args.quiet:
        os.environ[progress.QUIET_ENV] = "1"
    try:
        return int(args.run(args))
    # Unreadable input, wherever it is read; shapes that are not SHACL are input too.
    except (LoadError, queries.CatalogueError, ShapesError, PlanError) as error:
        return _fail(error, ExitStatus.USAGE)
    except KeyboardInterrupt:
        return _fail("interrupted", ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        # Point stdout at /dev/null so that flushing it at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitStatus.BROKEN_PIPE
    except OSError as error:
        if os.environ.get(DEBUG_ENV_VAR):
            raise
        where = f"{error.filename}: " if error.filename else ""
        return _fail(f"{where}{error.strerror or error}", ExitStatus.OS)
    except Exception as error:
        if os.environ.get(DEBUG_ENV_VAR):
            raise
        detail = f"{type(error).__name__}: {error}".splitlines()[0]
        return _fail(
            f"internal error ({detail}); set {DEBUG_ENV_VAR}=1 for the traceback",
            ExitStatus.INTERNAL,
        )


if __name__ == "__main__":
    sys.exit(main())
