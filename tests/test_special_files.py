"""Only regular files are read: a FIFO, a socket, a device, a folder or a broken link where
a file is expected is refused by name (exit 2) before it is opened, never read or waited on.

A FIFO blocks whoever opens it until a writer comes, so the command-line tests run the
CLI in a subprocess with a timeout: a regression fails them instead of hanging the suite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkout import SPACECOOP
from spacecoop.repository.files import (
    LoadError,
    check_regular_file,
    find_sources,
    read_regular_file,
)
from spacecoop.repository.load import PLAN_ENV_VAR

MINIMAL = "@prefix ex: <http://example.org/> .\nex:s ex:p ex:o .\n"
FIFO = "is a FIFO (named pipe), not a regular file"
TIMEOUT = 60  # seconds; a refusal takes well under one, a hang takes forever


def _run(*argv: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SPACECOOP, *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "p.ttl"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "s.ttl"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        yield path


# --- files named on the command line ----------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["validate"], ["fmt"], ["fmt", "--check"]], ids=["validate", "fmt", "fmt-check"]
)
def test_a_fifo_given_as_input_is_refused_by_name(command: list[str], fifo: Path) -> None:
    done = _run(*command, fifo)
    assert (done.returncode, done.stderr) == (2, f"error: {fifo}: {FIFO}\n")


@pytest.mark.parametrize("command", [["validate"], ["fmt", "--check"]], ids=["validate", "fmt"])
def test_devices_sockets_and_folders_given_as_input_are_refused_by_name(
    command: list[str], tmp_path: Path, unix_socket: Path
) -> None:
    for path, kind in (
        (Path("/dev/zero"), "a character device"),
        (unix_socket, "a socket"),
        (tmp_path, "a directory"),
    ):
        done = _run(*command, path)
        assert (done.returncode, done.stderr) == (
            2,
            f"error: {path}: is {kind}, not a regular file\n",
        )


# --- entries of the repository ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "argv"),
    [
        ("data/p.ttl", ["validate"]),
        ("data/p.ttl", ["stats"]),
        ("ontology/spacecoop.ttl", ["validate"]),
        ("ontology/shapes/p.ttl", ["validate"]),
        ("queries/p.rq", ["query", "list"]),
    ],
)
@pytest.mark.parametrize("fast", [False, True], ids=["reference", "fast"])
def test_a_fifo_inside_the_repository_is_refused_by_name(
    entry: str, argv: list[str], fast: bool, make_repo, ontology_ttl: str
) -> None:
    files: dict[str, str | bytes] = {"ontology/spacecoop.ttl": ontology_ttl, "data/d.ttl": MINIMAL}
    files.pop(entry, None)
    root = make_repo(files)
    (root / entry).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / entry)
    # The fast plan, asked for, sends even this tiny data through the SPARQL engines.
    done = _run(*argv, "--root", root, env={PLAN_ENV_VAR: "fast" if fast else "reference"})
    assert (done.returncode, done.stderr) == (2, f"error: {root / entry}: {FIFO}\n")


def test_a_broken_link_in_data_is_refused_not_skipped(make_repo, ontology_ttl: str) -> None:
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl})
    (root / "data" / "gone.ttl").symlink_to("moved.ttl")
    with pytest.raises(LoadError) as caught:
        find_sources(root)
    assert (
        str(caught.value)
        == f"{root / 'data' / 'gone.ttl'}: is a broken symbolic link (to moved.ttl)"
    )


def test_an_editor_lock_file_in_data_is_not_data(make_repo, ontology_ttl: str) -> None:
    root = make_repo({"ontology/spacecoop.ttl": ontology_ttl, "data/d.ttl": MINIMAL})
    (root / "data" / ".#d.ttl").symlink_to("someone@host.1234:1700000000")  # as Emacs does
    assert find_sources(root).data == (root / "data" / "d.ttl",)


def test_a_link_to_a_regular_file_is_read(tmp_path: Path) -> None:
    target = tmp_path / "real.ttl"
    target.write_text(MINIMAL, encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(target)
    check_regular_file(link)
    assert read_regular_file(link) == MINIMAL.encode()


def test_a_file_swapped_for_a_fifo_after_the_check_is_still_not_waited_on(fifo: Path) -> None:
    """The type is checked again on the open file, opened without waiting for a writer."""
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from spacecoop.repository import files as dataset\n"
        "dataset.check_regular_file = lambda path: None  # the check saw a regular file\n"
        "try:\n"
        "    dataset.read_regular_file(Path(sys.argv[1]))\n"
        "except dataset.LoadError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(fifo)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert (done.returncode, done.stdout) == (0, f"{fifo}: {FIFO}\n")
