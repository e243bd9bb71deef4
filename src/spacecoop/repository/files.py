"""The repository's files: where the root is, which files make up each graph, how to read them.

:func:`find_root` is the one rule for where the repository is; :func:`find_sources` lists
its ontology, shapes and data files. Reading is careful: only regular files are opened
(a FIFO or a device would block or never end), text must be UTF-8 (located at the first
bad byte), and every failure is a :class:`LoadError` that names the file, line and column.
The graphs themselves are parsed by pyoxigraph into one store (:mod:`.load`);
:func:`parse_file` reads one file into an rdflib Graph, for ``spacecoop fmt``, with
pyoxigraph's located error when either parser refuses it.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from .nt_reader import parse_ntriples
from .turtle_reader import TURTLE

__all__ = [
    "ROOT_ENV_VAR",
    "LoadError",
    "MESSAGE_LIMIT",
    "RepoFiles",
    "check_regular_file",
    "find_root",
    "find_sources",
    "parse_file",
    "read_regular_file",
    "read_source",
    "read_text_file",
]

ROOT_ENV_VAR = "SPACECOOP_ROOT"
"""Environment variable that overrides where the repository root is."""

# file suffix -> (rdflib parser name, pyoxigraph format); anything else is read as Turtle,
# by rdflib's Turtle parser with its literals read in linear time (turtle_reader).
_FORMATS: dict[str, tuple[str, pyoxigraph.RdfFormat]] = {
    ".ttl": (TURTLE, pyoxigraph.RdfFormat.TURTLE),
    ".nt": ("nt", pyoxigraph.RdfFormat.N_TRIPLES),
}
_TURTLE = _FORMATS[".ttl"]

# Byte-order marks of the encodings a text editor may save in instead of UTF-8.
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

# pyoxigraph messages start with their location, which LoadError reports separately:
# "Parser error at line 3 between columns 1 and 6: ..." / "... between line 4 column 11 and ...: "
_OXI_LOCATION = re.compile(r"^Parser error (?:at|between) line [^:]*:\s*")


MESSAGE_LIMIT = 300
"""The most characters of a parser's message that a :class:`LoadError` shows."""


@dataclass(eq=False)
class LoadError(Exception):
    """A file that could not be read or parsed.

    ``line`` and ``column`` are 1-based (columns count characters) and are
    ``None`` when the problem has no position, e.g. a missing file.
    ``str()`` gives ``path:line:column: message``, the form editors and CI
    annotations understand. The message is kept to one short printable line: a
    newline or a terminal escape quoted from a hostile file is shown escaped, and
    a parser's quote of a 20 MB line is cut to its first :data:`MESSAGE_LIMIT` characters.
    """

    path: Path
    line: int | None
    column: int | None
    message: str

    def __post_init__(self) -> None:
        message = self.message
        if len(message) > MESSAGE_LIMIT:
            message = message[:MESSAGE_LIMIT] + "…"
        self.message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        super().__init__(str(self))

    def __str__(self) -> str:
        location = str(self.path)
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        return f"{location}: {self.message}"


@dataclass(frozen=True)
class RepoFiles:
    """The source files of a repository, grouped by the named graph they load into."""

    root: Path
    ontology: tuple[Path, ...]
    shapes: tuple[Path, ...]
    data: tuple[Path, ...]

    @property
    def all(self) -> tuple[Path, ...]:
        """Every source file: ontology, then shapes, then data."""
        return self.ontology + self.shapes + self.data


def _is_root(directory: Path) -> bool:
    return (directory / "ontology").is_dir() and (directory / "data").is_dir()


_PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED_SCHEMA = Path(sys.prefix) / "share" / "spacecoop"
"""Where ``pip install`` puts a copy of ``ontology/`` (see ``data-files`` in pyproject.toml)."""


def find_root(root: Path | None = None, *, schema_only: bool = False) -> Path:
    """The repository root, by one rule: ``root`` if given, else ``$SPACECOOP_ROOT``, else
    the source checkout this package runs from, else

    - for the repository itself, the nearest folder with ``ontology/`` and ``data/`` above
      the working directory;
    - for only the ontology and shapes (``schema_only``, to check other repositories'
      files against ours), the copy installed with the package. Never the working
      directory: the files being checked must not be able to replace the rules they are
      checked by.

    Raises :class:`LoadError` when there is none.
    """
    if root is not None:
        return Path(root)
    override = os.environ.get(ROOT_ENV_VAR)
    if override:
        return Path(override)
    for directory in _PACKAGE_DIR.parents:
        if _is_root(directory) and (directory / "ontology" / "spacecoop.ttl").is_file():
            return directory
    if schema_only:
        if (_INSTALLED_SCHEMA / "ontology" / "spacecoop.ttl").is_file():
            return _INSTALLED_SCHEMA
        message = "the spacecoop ontology and shapes are not installed; reinstall the package"
        raise LoadError(_INSTALLED_SCHEMA, None, None, f"{message} or set {ROOT_ENV_VAR}")
    for directory in (Path.cwd().resolve(), *Path.cwd().resolve().parents):
        if _is_root(directory):
            return directory
    raise LoadError(
        Path.cwd(),
        None,
        None,
        f"no repository root found (a directory with ontology/ and data/); "
        f"pass --root or set {ROOT_ENV_VAR}",
    )


def find_sources(root: Path) -> RepoFiles:
    """List the files under ``root`` that make up the knowledge graph.

    The ontology file is always listed, present or not, so that loading a
    repository without one fails loudly; shapes (``ontology/shapes*.ttl``, then
    ``ontology/shapes/*.ttl``) and data (``data/*.ttl``) are sorted and may be empty.
    Raises :class:`LoadError` for a listed name that is not a regular file (a FIFO, a
    device, a folder, a broken link): skipping it would drop its triples without a word.
    """
    root = Path(root)
    ontology_dir = root / "ontology"
    shapes = _listed(ontology_dir, "shapes*.ttl") + _listed(ontology_dir / "shapes", "*.ttl")
    data = _listed(root / "data", "*.ttl")
    for path in (*shapes, *data):
        check_regular_file(path)
    return RepoFiles(
        root=root,
        ontology=(ontology_dir / "spacecoop.ttl",),
        shapes=tuple(shapes),
        data=tuple(data),
    )


def _listed(directory: Path, pattern: str) -> list[Path]:
    """The names in ``directory`` matching ``pattern``, sorted, without editor lock files.

    Emacs marks a file it is editing with a broken link ``.#NAME``: not data, and no
    reason to refuse the repository while someone edits it.
    """
    return sorted(p for p in directory.glob(pattern) if not p.name.startswith(".#"))


def parse_file(path: Path, into_graph: Graph, *, strict: bool = False) -> Graph:
    """Parse one Turtle (``.ttl``) or N-Triples (``.nt``) file into ``into_graph`` and return it.

    With ``strict``, the file must also satisfy pyoxigraph's parser, which
    rejects things rdflib lets through (literal subjects, spaces in IRIs).
    A UTF-8 byte-order mark is allowed and ignored.
    Raises :class:`LoadError`; on error ``into_graph`` may hold part of the file.
    """
    path = Path(path)
    raw = _check_utf8(path, read_regular_file(path))
    rdflib_format, oxigraph_format = _FORMATS.get(path.suffix.lower(), _TURTLE)
    base_iri = path.resolve().as_uri()
    if strict:
        error = _oxigraph_error(path, raw, oxigraph_format, base_iri)
        if error is not None:
            raise error
    try:
        if rdflib_format == "nt":  # rdflib's own N-Triples reader is quadratic in a line's length
            parse_ntriples(raw.decode("utf-8"), into_graph)
        else:
            into_graph.parse(data=raw, format=rdflib_format, publicID=base_iri)
    except Exception as exc:  # rdflib raises many types; all mean "cannot parse".
        error = _oxigraph_error(path, raw, oxigraph_format, base_iri)
        raise (error or _rdflib_error(path, exc)) from exc
    return into_graph


# What a path may be instead of a regular file, as told to the user.
_NOT_REGULAR: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def check_regular_file(path: Path) -> None:
    """Raise a :class:`LoadError` naming ``path`` unless it is a regular file or a link to one.

    Done before a file is opened: reading a FIFO waits for a writer that may never
    come, a character device like ``/dev/zero`` never ends, and opening a device
    can have effects of its own.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            target = os.readlink(path)
            raise LoadError(path, None, None, f"is a broken symbolic link (to {target})") from None
        raise LoadError(path, None, None, "no such file") from None
    except OSError as exc:  # a loop of links, a folder we may not enter, a name too long
        raise LoadError(path, None, None, exc.strerror or str(exc)) from None
    _refuse_unless_regular(path, mode)


def _refuse_unless_regular(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for is_kind, name in _NOT_REGULAR if is_kind(mode)), "a special file")
    raise LoadError(path, None, None, f"is {kind}, not a regular file")


def read_regular_file(path: Path) -> bytes:
    """The bytes of ``path``, refused with a :class:`LoadError` unless it is a regular file.

    The file is opened without blocking and checked again once open, so a path
    swapped for a FIFO after :func:`check_regular_file` cannot make the read hang.
    """
    path = Path(path)
    check_regular_file(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise LoadError(path, None, None, exc.strerror or str(exc)) from None
    with os.fdopen(descriptor, "rb") as file:
        _refuse_unless_regular(path, os.fstat(descriptor).st_mode)
        try:
            return file.read()
        except OSError as exc:
            raise LoadError(path, None, None, exc.strerror or str(exc)) from None


def read_text_file(path: Path) -> str:
    """The text of ``path`` as ``Path.read_text(encoding="utf-8")`` gives it (a byte-order
    mark kept, ``\r\n`` and ``\r`` read as ``\n``), refused with a :class:`LoadError`
    unless it is a regular file of UTF-8 (located at the first bad byte)."""
    path = Path(path)
    raw = read_regular_file(path)
    _check_utf8(path, raw)
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _check_utf8(path: Path, raw: bytes) -> bytes:
    """Return ``raw`` without a UTF-8 byte-order mark, or raise a LoadError at the first
    byte that is not UTF-8 (Turtle must be UTF-8), naming UTF-16 and UTF-32 by their mark."""
    for bom, encoding in _FOREIGN_BOMS:
        if raw.startswith(bom):
            message = f"file is {encoding} encoded (it starts with a {encoding} byte-order mark)"
            raise LoadError(path, 1, 1, f"{message}; files must be UTF-8 encoded")
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        message = f"invalid UTF-8 byte 0x{raw[exc.start]:02x} (files must be UTF-8 encoded)"
        raise LoadError(path, line, column, message) from None
    return raw


def _oxigraph_error(
    path: Path, raw: bytes, rdf_format: pyoxigraph.RdfFormat, base_iri: str
) -> LoadError | None:
    """Parse ``raw`` with pyoxigraph; return its first error as a LoadError, or None if valid.

    pyoxigraph raises the built-in SyntaxError with ``lineno`` and ``offset``
    (1-based line and character column of the start of the offending token)
    and ``msg`` prefixed by a human-readable location, which is stripped here.
    """
    try:
        try:
            for _ in pyoxigraph.parse(raw, format=rdf_format, base_iri=base_iri):
                pass
        except MemoryError:
            # pyoxigraph's streaming parser keeps a token in a buffer of at most 16 MiB,
            # so a longer literal, legal Turtle, fails there; its bulk loader parses bytes
            # in memory with no such limit, at the cost of holding the triples, paid only
            # for such files.
            pyoxigraph.Store().bulk_load(raw, format=rdf_format, base_iri=base_iri)
    except SyntaxError as exc:
        message = _OXI_LOCATION.sub("", exc.msg or str(exc)) or "syntax error"
        return LoadError(path, exc.lineno, exc.offset, message)
    except MemoryError as exc:
        return LoadError(path, None, None, f"not enough memory to parse ({exc})")
    return None


def _rdflib_error(path: Path, exc: Exception) -> LoadError:
    """Turn an rdflib parser exception into a LoadError.

    rdflib's Turtle parser raises ``BadSyntax`` (a SyntaxError subclass) with a
    0-based ``lines`` count, the reason in ``_why`` and the character offset
    ``_i`` into the parsed text ``_str``; other parsers give no position.
    rdflib's parser is recursive, so deeply nested brackets or collections
    exhaust Python's stack (RecursionError) even where the Turtle is valid.
    """
    if isinstance(exc, RecursionError):
        return LoadError(
            path, None, None, "nesting too deep: too many [ ] or ( ) inside one another"
        )
    if isinstance(exc, BadSyntax):
        line = getattr(exc, "lines", None)
        text = getattr(exc, "_str", None)
        offset = getattr(exc, "_i", None)
        column = None
        if isinstance(text, bytes) and isinstance(offset, int):
            text = text[: max(offset, 0)].decode("utf-8", errors="replace")
            offset = len(text)
        if isinstance(text, str) and isinstance(offset, int):
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        message = str(getattr(exc, "_why", "")) or "syntax error"
        return LoadError(path, None if line is None else line + 1, column, message)
    return LoadError(path, None, None, f"{type(exc).__name__}: {exc}")


def read_source(path: Path) -> bytes:
    """The bytes of a source file without a UTF-8 byte-order mark, checked to be readable
    UTF-8 (else a located LoadError)."""
    return _check_utf8(Path(path), read_regular_file(Path(path)))


def locate_syntax_error(
    path: Path, raw: bytes, rdf_format: pyoxigraph.RdfFormat
) -> LoadError | None:
    """The first syntax error in ``raw`` as a located LoadError, or None if it parses."""
    return _oxigraph_error(Path(path), raw, rdf_format, Path(path).resolve().as_uri())
