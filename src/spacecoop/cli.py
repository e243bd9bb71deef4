"""The ``spacecoop`` command line: parses arguments and calls the modules; no logic of its own.

Each subcommand is one ``*_command`` function that adds its parser and sets the
function to run; list it in :data:`COMMANDS` to enable it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__, dataset, stats
from .dataset import LoadError

__all__ = ["COMMANDS", "build_parser", "main"]

EXIT_OK = 0
EXIT_USAGE = 2
"""Bad arguments or unreadable input (argparse uses 2 for usage errors too)."""

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
        result = stats.compute(dataset.load(args.root))
        if args.format == "json":
            print(json.dumps(result.to_dict(), indent=2))
        else:
            print(stats.format_text(result), end="")
        return EXIT_OK

    parser.set_defaults(run=run)


COMMANDS: tuple[Callable[[Subparsers], None], ...] = (stats_command,)
"""Every subcommand, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand in :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="spacecoop", description="Work with the spacecoop knowledge graph."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (the console script exits with it)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except LoadError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
