"""The saved-query catalogue: ``queries/*.rq`` with their metadata, and how to run them.

Each file holds one SPARQL query behind a grlc header (``#+ summary:``,
``#+ description:``, ``#+ tags:``, ``#+ defaults:`` ...), so the folder works
as a grlc API as it is. Parameters are the query's grlc-style variables (see
:mod:`.params`); :mod:`.runner` runs them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import URIRef

from ..namespaces import QUERY
from ..repository.files import find_root, read_text_file
from .params import Parameter, ParameterError, parameter_from_variable
from .results import QueryKind
from .sparql_text import QuerySyntaxError, query_form, service_endpoints, tokenize

__all__ = [
    "CatalogueError",
    "QueryError",
    "SavedQuery",
    "catalogue",
    "get",
    "listing",
    "parse_saved_query",
]

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for a remote endpoint."""

_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_RESERVED = frozenset({"list", "export"})  # subcommands of `spacecoop query`
_REQUIRED_KEYS = ("summary", "description", "tags")
_HEADER_KEY = re.compile(r"([a-z_]+):\s*(.*)")
_HEADER_ITEM = re.compile(r"\s+-\s+(.*)")


class CatalogueError(Exception):
    """A saved-query file that is malformed or lacks its metadata (names file and line)."""


class QueryError(Exception):
    """A query that cannot be run as asked: unknown name, bad parameter, unsuitable option."""


@dataclass(frozen=True)
class SavedQuery:
    """One ``queries/NAME.rq`` file: its metadata, parameters and text."""

    name: str
    path: Path
    summary: str
    description: str
    tags: tuple[str, ...]
    kind: QueryKind
    parameters: tuple[Parameter, ...]
    text: str
    """The whole file, header included (the header is made of SPARQL comments)."""
    decorators: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    """Every ``#+`` decorator as written, for grlc keys this module does not interpret."""

    @property
    def iri(self) -> URIRef:
        """The query's identifier in the published catalogue."""
        return QUERY[self.name]

    @property
    def body(self) -> str:
        """The query without its ``#+`` header: what a SPARQL editor needs."""
        lines = self.text.splitlines()
        while lines and (lines[0].startswith("#+") or not lines[0].strip()):
            lines.pop(0)
        return "\n".join(lines) + "\n"

    @property
    def services(self) -> tuple[str, ...]:
        """Endpoints the query calls with ``SERVICE`` (a federated query)."""
        return service_endpoints(tokenize(self.text))


def parse_saved_query(path: Path) -> SavedQuery:
    """Read one ``.rq`` file; raise :class:`CatalogueError` for a bad name, header or form."""
    path = Path(path)
    name = path.stem
    if not _NAME.fullmatch(name) or name in _RESERVED:
        raise CatalogueError(f"{path}: query names are kebab-case and not list/export")
    text = read_text_file(path)  # a regular file of UTF-8, else a LoadError
    decorators = _read_header(path, text)
    for key in _REQUIRED_KEYS:
        if not decorators.get(key):
            raise CatalogueError(f"{path}: the header lacks '#+ {key}:'")
    tags = decorators["tags"]
    if isinstance(tags, str):
        raise CatalogueError(f"{path}: '#+ tags:' must be a list ('#+   - tag' lines)")
    try:
        tokens = tokenize(text)
    except QuerySyntaxError as error:
        raise CatalogueError(f"{path}: {error}") from None
    form = query_form(tokens)
    if form is None:
        raise CatalogueError(f"{path}: no SELECT, ASK, CONSTRUCT or DESCRIBE found")
    defaults = _defaults(path, decorators.get("defaults", ()))
    # grlc's rule: a variable whose name starts with "_" is a parameter.
    names = (t.text[1:] for t in tokens if t.kind == "var" and t.text[1:].startswith("_"))
    variables = tuple(dict.fromkeys(names))
    try:
        parameters = tuple(parameter_from_variable(v) for v in variables)
    except ParameterError as error:
        raise CatalogueError(f"{path}: {error}") from None
    unknown = sorted(set(defaults) - {p.name for p in parameters})
    if unknown:
        raise CatalogueError(f"{path}: default for {unknown[0]!r}, which no variable declares")
    parameters = tuple(replace(p, default=defaults.get(p.name)) for p in parameters)
    for parameter in parameters:
        if parameter.default is not None:
            try:
                parameter.term(parameter.default)
            except ParameterError as error:
                raise CatalogueError(f"{path}: default {error}") from None
    return SavedQuery(
        name=name,
        path=path,
        summary=str(decorators["summary"]),
        description=str(decorators["description"]),
        tags=tuple(tags),
        kind=QueryKind(form),
        parameters=parameters,
        text=text,
        decorators=decorators,
    )


def catalogue(root: Path | None = None) -> dict[str, SavedQuery]:
    """Every saved query of the repository at ``root``, by name, in name order."""
    directory = find_root(root) / "queries"
    return {q.name: q for q in map(parse_saved_query, sorted(directory.glob("*.rq")))}


def listing(queries: Mapping[str, SavedQuery]) -> str:
    """One line per query: its name, padded, then its summary."""
    width = max((len(name) for name in queries), default=0)
    return "".join(f"{name.ljust(width)}  {q.summary}\n" for name, q in queries.items())


def get(name: str, root: Path | None = None) -> SavedQuery:
    """The saved query called ``name``; :class:`QueryError` if there is none."""
    queries = catalogue(root)
    if name not in queries:
        raise QueryError(
            f"no saved query named {name!r} (`spacecoop query list` shows the {len(queries)})"
        )
    return queries[name]


def _read_header(path: Path, text: str) -> dict[str, str | tuple[str, ...]]:
    """Parse the leading ``#+`` lines: ``key: value`` or ``key:`` then ``  - item`` lines."""
    decorators: dict[str, str | tuple[str, ...]] = {}
    key = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            if line.strip():
                break
            continue
        content = line[2:].removeprefix(" ")
        item = _HEADER_ITEM.fullmatch(content)
        pair = _HEADER_KEY.fullmatch(content)
        if item and key is not None and isinstance(decorators[key], tuple):
            decorators[key] = (*decorators[key], item.group(1).strip())
        elif pair and not content.startswith(" "):
            key, value = pair.groups()
            if key in decorators:
                raise CatalogueError(f"{path}:{number}: '#+ {key}:' given twice")
            decorators[key] = value.strip() or ()
        else:
            raise CatalogueError(f"{path}:{number}: not a '#+ key: value' or '#+   - item' line")
    return decorators


def _defaults(path: Path, items: str | tuple[str, ...]) -> dict[str, str]:
    """Read ``#+ defaults:`` items (``- name: value``) into a mapping."""
    if isinstance(items, str):
        raise CatalogueError(f"{path}: '#+ defaults:' must be a list of '- name: value' items")
    defaults = {}
    for item in items:
        name, colon, value = item.partition(":")
        if not colon or not name.strip() or not value.strip():
            raise CatalogueError(f"{path}: default {item!r} is not 'name: value'")
        defaults[name.strip()] = value.strip()
    return defaults
