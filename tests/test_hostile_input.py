"""Bad input where it enters: hostile Turtle and bad command lines give one located
``error:`` line and a distinct exit status, never a traceback and never a hang."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal

import spacecoop.repository.load
from spacecoop import cli
from spacecoop.cli import main
from spacecoop.namespaces import GRAPH_DATA
from spacecoop.queries.catalogue import CatalogueError
from spacecoop.repository import files as repository_files
from spacecoop.repository import store
from spacecoop.repository.files import LoadError, parse_file
from spacecoop.repository.load import Plan, load, load_data
from spacecoop.repository.locate import subject_lines

FIXTURES = Path(__file__).parent / "fixtures"
NESTING = 10_000
HUGE_LITERAL = 20_000_000
PREFIX = "@prefix ex: <http://example.org/> .\n"


def _deep(opening: str, closing: str) -> str:
    """Turtle with ``NESTING`` levels of ``opening`` ... ``closing`` on line 2."""
    return f"{PREFIX}ex:s ex:p {opening * NESTING}ex:o{closing * NESTING} .\n"


GENERATED = {
    "deep_blank_nodes.ttl": lambda: _deep("[ ex:p ", " ]"),
    "deep_collections.ttl": lambda: _deep("( ", " )"),
}

# fixture -> (line, column, part of the message); None where the problem has no position.
LOCATED = {
    "broken_syntax.ttl": (8, 78, "is not a valid subject"),
    "undefined_prefix.ttl": (7, 5, "prefix schema: has not been declared"),
    "bad_encoding.ttl": (6, 35, "invalid UTF-8 byte 0xe9 (files must be UTF-8 encoded)"),
    "utf16_bom.ttl": (1, 1, "file is UTF-16 encoded"),
    "binary_garbage.ttl": (1, 1, "invalid UTF-8 byte 0x89"),
    "iri_with_space.ttl": (5, 1, "Invalid IRI code point ' '"),
}


def _content(name: str) -> bytes:
    if name in GENERATED:
        return GENERATED[name]().encode("utf-8")
    return (FIXTURES / name).read_bytes()


def _location(path: Path, line: int | None, column: int | None) -> str:
    return str(path) + "".join(f":{n}" for n in (line, column) if n is not None)


# --- the loader -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LOCATED))
def test_hostile_turtle_is_a_located_load_error(
    name: str, make_repo, ontology_ttl: str, capsys: pytest.CaptureFixture[str]
) -> None:
    line, column, message = LOCATED[name]
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl, f"data/{name}": _content(name)})
    path = root / "data" / name

    with pytest.raises(LoadError) as caught:
        load(root)
    assert (caught.value.path, caught.value.line, caught.value.column) == (path, line, column)
    assert message in caught.value.message

    assert main(["stats", "--root", str(root)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: {_location(path, line, column)}: ")
    assert message in captured.err and len(captured.err.splitlines()) == 1
    assert captured.out == ""


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_deep_nesting_loads_and_validates_on_both_plans(
    name: str, make_repo, ontology_ttl: str
) -> None:
    """pyoxigraph follows any nesting and the rdflib copies are made from its store, so
    10,000 levels are only a problem for rdflib's own recursive parser (``spacecoop fmt``),
    which says so in one line."""
    from spacecoop.validation.run import validate

    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl, f"data/{name}": _content(name)})
    reports = []
    for plan in Plan:
        repository = load(root, plan=plan)
        assert len(repository.graph(GRAPH_DATA)) > NESTING
        reports.append(validate(repository))
    assert reports[0] == reports[1]
    undeclared = {r.focus_node for r in reports[0].results if r.constraint == "undeclared_term"}
    assert undeclared == {"http://example.org/s"}  # the first user of the undeclared ex:p
    with pytest.raises(LoadError, match="nesting too deep"):
        parse_file(root / "data" / name, Graph())


@pytest.mark.parametrize("name", sorted(LOCATED))
def test_the_loader_and_fmt_locate_hostile_turtle_alike(
    name: str, make_repo, ontology_ttl: str
) -> None:
    """The repository's one parse (pyoxigraph) and ``spacecoop fmt``'s (rdflib, strict)
    name the same file, line, column and reason."""
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl, f"data/{name}": _content(name)})
    with pytest.raises(LoadError) as loaded:
        load(root)
    with pytest.raises(LoadError) as formatted:
        parse_file(root / "data" / name, Graph(), strict=True)
    assert str(loaded.value) == str(formatted.value)


def test_the_fast_path_skips_a_utf8_byte_order_mark_too(make_repo, ontology_ttl: str) -> None:
    marked = make_repo(
        {
            "ontology/spacecoop.ttl": ontology_ttl,
            "data/d.ttl": (FIXTURES / "utf8_bom.ttl").read_bytes(),
        }
    )
    plain = make_repo(
        {
            "ontology/spacecoop.ttl": ontology_ttl,
            "data/d.ttl": (FIXTURES / "valid_minimal.ttl").read_bytes(),
        }
    )
    data = ox.NamedNode(str(GRAPH_DATA))
    with_mark = set(load(marked, plan="fast").store.quads_for_pattern(None, None, None, data))
    without = set(load(plain, plan="fast").store.quads_for_pattern(None, None, None, data))
    assert with_mark == without and len(with_mark) == 3


def test_the_fast_path_names_a_directory_where_a_file_should_be(make_repo) -> None:
    root = make_repo({"ontology/spacecoop.ttl/readme.txt": "not Turtle"})
    with pytest.raises(LoadError, match="is a directory, not a regular file"):
        load(root, plan="fast")


def test_an_iri_with_a_space_passes_rdflib_but_not_the_repository_loader(make_repo) -> None:
    path = FIXTURES / "iri_with_space.ttl"
    assert len(parse_file(path, Graph())) == 2  # rdflib alone lets it through
    root = make_repo({"ontology/spacecoop.ttl": path.read_bytes()})
    with pytest.raises(LoadError, match="Invalid IRI code point"):
        load(root)


def test_validate_refuses_an_iri_with_a_space_in_other_repositories_files_too() -> None:
    """``spacecoop validate PATHS`` parses as strictly as the repository loader."""
    from spacecoop.validation.run import validate

    with pytest.raises(LoadError, match="Invalid IRI code point") as caught:
        validate(load_data([FIXTURES / "iri_with_space.ttl"]))
    assert caught.value.line == 5


def _huge_literal(tail: str = " .") -> str:
    """Turtle whose line 3 holds a literal of ``HUGE_LITERAL`` characters, then ``tail``.

    Longer than pyoxigraph's 16 MiB buffer for reading a file, which made the fast
    path fail with exit 3 (MemoryError, no file named) and strict parsing refuse it.
    """
    return f'{PREFIX}[ ex:q "blank" ] ex:p ex:o .\nex:s ex:p "{"x" * HUGE_LITERAL}"{tail}\n'


@pytest.mark.parametrize("fast", [False, True], ids=["reference", "fast"])
def test_a_20_mb_literal_loads_on_both_paths(
    fast: bool,
    make_repo,
    ontology_ttl: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl, "data/huge.ttl": _huge_literal()})
    threshold = 1_000_000 if fast else 10 * HUGE_LITERAL
    monkeypatch.setattr(spacecoop.repository.load, "FAST_PATH_BYTES", threshold)
    repository = load(root)
    assert repository.plan is (Plan.FAST if fast else Plan.REFERENCE)
    if fast:
        data = ox.NamedNode(str(GRAPH_DATA))
        quads = list(repository.store.quads_for_pattern(None, None, None, data))
        lengths = sorted(len(q.object.value) for q in quads if isinstance(q.object, ox.Literal))
    else:
        graph = repository.graph(GRAPH_DATA)
        quads = list(graph)
        lengths = sorted(len(o) for o in graph.objects() if isinstance(o, Literal))
    # Exactly three triples: the retry after the buffer ran out added no blank node twice.
    assert len(quads) == 3 and lengths == [len("blank"), HUGE_LITERAL]

    # The toy ontology lacks ex:p.
    assert main(["validate", "--root", str(root)]) == cli.ExitStatus.FAILED
    captured = capsys.readouterr()
    assert "error:" not in captured.err and "undeclared_term" in captured.out


def test_a_syntax_error_after_a_20_mb_literal_is_located_on_both_paths(
    make_repo,
    ontology_ttl: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = _huge_literal(tail=" ex:oops .")
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl, "data/huge.ttl": broken})
    path = root / "data" / "huge.ttl"
    with pytest.raises(LoadError) as slow:
        load(root, plan="reference")
    with pytest.raises(LoadError) as fast:
        load(root, plan="fast")
    column = len('ex:s ex:p ""') + HUGE_LITERAL + 2
    assert (slow.value.path, slow.value.line, slow.value.column) == (path, 3, column)
    assert "A dot is expected" in slow.value.message and str(fast.value) == str(slow.value)

    # the CLI takes the fast plan
    monkeypatch.setattr(spacecoop.repository.load, "FAST_PATH_BYTES", 1_000_000)
    assert main(["validate", "--root", str(root)]) == cli.ExitStatus.USAGE
    assert capsys.readouterr().err.startswith(f"error: {path}:3:{column}: A dot is expected")


class _OutOfMemory:
    """A store, or pyoxigraph itself, that runs out of memory whatever it is given."""

    def Store(self) -> _OutOfMemory:  # noqa: N802 (stands in for pyoxigraph.Store)
        return self

    def bulk_load(self, *args: object, **kwargs: object) -> None:
        raise MemoryError("no more memory")

    def parse(self, *args: object, **kwargs: object) -> None:
        raise MemoryError("no more memory")


def test_running_out_of_memory_names_the_file_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "d.ttl"
    path.write_text(f"{PREFIX}ex:s ex:p ex:o .\n", encoding="utf-8")
    with pytest.raises(LoadError) as fast:
        store.load_file(_OutOfMemory(), path, GRAPH_DATA)  # type: ignore[arg-type]
    assert str(fast.value) == f"{path}: not enough memory to load (no more memory)"

    monkeypatch.setattr(repository_files, "pyoxigraph", _OutOfMemory())
    with pytest.raises(LoadError) as strict:
        parse_file(path, Graph(), strict=True)
    assert str(strict.value) == f"{path}: not enough memory to parse (no more memory)"


def test_an_empty_file_is_an_empty_graph() -> None:
    assert len(parse_file(FIXTURES / "empty.ttl", Graph(), strict=True)) == 0


def test_a_utf8_byte_order_mark_is_ignored() -> None:
    with_mark = parse_file(FIXTURES / "utf8_bom.ttl", Graph(), strict=True)
    without = parse_file(FIXTURES / "valid_minimal.ttl", Graph(), strict=True)
    assert set(with_mark) == set(without) and len(with_mark) == 3


def test_utf32_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "utf32.ttl"
    path.write_bytes(f"{PREFIX}ex:s ex:p ex:o .\n".encode("utf-32"))
    with pytest.raises(LoadError, match="file is UTF-32 encoded"):
        parse_file(path, Graph())


def test_a_directory_named_like_the_ontology_is_a_load_error(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"ontology/spacecoop.ttl/readme.txt": "not Turtle"})
    assert main(["stats", "--root", str(root)]) == 2
    expected = f"error: {root / 'ontology' / 'spacecoop.ttl'}: is a directory, not a regular file\n"
    assert capsys.readouterr().err == expected


def test_nesting_that_rdflib_can_follow_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "nested.ttl"
    path.write_text(f"{PREFIX}ex:s ex:p {'[ ex:p ' * 20}ex:o{' ]' * 20} .\n", encoding="utf-8")
    assert len(parse_file(path, Graph(), strict=True)) == 21


def test_a_recursion_error_is_reported_without_a_location(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def overflow(*args: object, **kwargs: object) -> Graph:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(Graph, "parse", overflow)
    with pytest.raises(LoadError) as caught:
        parse_file(FIXTURES / "valid_minimal.ttl", Graph())
    assert (caught.value.line, caught.value.column) == (None, None)
    assert caught.value.message.startswith("nesting too deep")


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["no-such-command"],
        ["stats", "--bogus"],
        ["query"],
        ["serve", "--port", "abc"],
        ["serve", "--port", "0"],
        ["serve", "--port", "65536"],
        ["serve", "--workers", "0"],
        ["serve", "--timeout", "-1"],
        ["query", "topics", "--timeout", "0"],
        ["query", "topics", "--timeout", "inf"],
        ["query", "topics", "--timeout", "nan"],
        ["query", "topics", "--param", "year"],
        ["query", "topics", "--param", "=2019"],
        ["query", "topics", "--retries", "-1"],
        ["query", "topics", "--retries", "many"],
        ["query", "topics", "--format", "xml"],
        ["load", "--batch-size", "10"],
        ["load", "--endpoint", "http://127.0.0.1:9/", "--batch-size", "0"],
    ],
)
def test_bad_arguments_exit_2_with_the_usage(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: spacecoop") and "error:" in err and "Traceback" not in err


def test_an_unknown_query_exits_2_naming_it(
    repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "no-such-query", "--root", str(repo_root)]) == 2
    assert capsys.readouterr().err.startswith("error: no saved query named 'no-such-query'")


@pytest.mark.parametrize(
    ("raised", "status", "message"),
    [
        (
            CatalogueError("queries/x.rq: the header lacks '#+ summary:'"),
            cli.ExitStatus.USAGE,
            "error: queries/x.rq: the header lacks '#+ summary:'\n",
        ),
        (KeyboardInterrupt(), cli.ExitStatus.INTERRUPTED, "error: interrupted\n"),
        (
            PermissionError(13, "Permission denied", "/site/dist"),
            cli.ExitStatus.OS,
            "error: /site/dist: Permission denied\n",
        ),
        (
            OSError(28, "No space left on device"),
            cli.ExitStatus.OS,
            "error: No space left on device\n",
        ),
        (
            RuntimeError("boom\nsecond line"),
            cli.ExitStatus.INTERNAL,
            "error: internal error (RuntimeError: boom); set SPACECOOP_DEBUG=1 for the traceback\n",
        ),
    ],
    ids=["bad-saved-query", "ctrl-c", "permission", "disk-full", "bug"],
)
def test_an_unexpected_failure_is_one_line_and_a_distinct_status(
    raised: BaseException,
    status: int,
    message: str,
    make_repo,
    ontology_ttl: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def fail(*args: object) -> None:
        raise raised

    monkeypatch.delenv(cli.DEBUG_ENV_VAR, raising=False)
    monkeypatch.setattr(cli.stats, "compute", fail)
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl})
    assert main(["stats", "--root", str(root)]) == status
    assert capsys.readouterr().err == message


def test_the_debug_variable_shows_the_traceback(
    make_repo, ontology_ttl: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setenv(cli.DEBUG_ENV_VAR, "1")
    monkeypatch.setattr(cli.stats, "compute", fail)
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl})
    with pytest.raises(RuntimeError, match="boom"):
        main(["stats", "--root", str(root)])


def test_a_reader_that_goes_away_ends_the_command_quietly(repo_root: Path) -> None:
    script = Path(sys.executable).with_name("spacecoop")
    process = subprocess.Popen(
        [script, "query", "export", "--root", repo_root],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head -0`: nobody reads the output
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == cli.ExitStatus.BROKEN_PIPE
    assert err == ""


# --- locating results in files with huge tokens -----------------------------------------------

LONG_TOKEN = 2_000_000
HUGE_TOKENS = {
    "literal": 'ex:s ex:p "' + "x" * LONG_TOKEN + '" .\n',
    "long-literal-with-escapes": 'ex:s ex:p """' + 'a\\"b\n' * (LONG_TOKEN // 5) + '""" .\n',
    "dotted-local-name": "ex:s ex:p ex:" + "a." * (LONG_TOKEN // 2) + "a .\n",
}


@pytest.mark.parametrize("statement", HUGE_TOKENS.values(), ids=HUGE_TOKENS.keys())
def test_locating_subjects_needs_no_memory_per_character_of_a_token(statement: str) -> None:
    """The tokenizer's patterns once kept a backtracking entry per character of a string
    or word: ~270 bytes each, 5 GB and half a minute for a 20 MB literal."""
    text = f"{PREFIX}{statement}ex:t ex:p 1 .\n"
    tracemalloc.start()
    try:
        found = subject_lines(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == {"http://example.org/s": 2, "http://example.org/t": 2 + statement.count("\n")}
    assert peak < 4 * len(text)  # the token itself, copied once or twice
