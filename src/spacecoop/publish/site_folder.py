"""The folder a build replaces: which folders it may replace, one build at a time, atomically.

A build never deletes what it did not write. It replaces only a folder that is
absent, empty, or a previous build holding only what it wrote (listed in :data:`MARKER`),
and never the repository, a folder above it, or one of its source folders.
Builds into one folder take turns under a lock, so a second build waits for
the first instead of removing its half-written site as if it were stale.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MARKER = ".spacecoop-build"
"""Written at the top of every build, listing every file the build wrote: this folder may
be replaced by the next build as long as it holds nothing else."""
MARKER_TEXT = (
    "Written by `spacecoop build`; the next build replaces this folder whole, unless it\n"
    "holds a file not listed below. Files written:\n"
)
SOURCE_FOLDERS = (".ci", ".git", ".venv", "bench", "data", "ontology", "queries", "src", "tests")
"""Folders of the repository that a build must neither replace nor write into."""
LOCK_WAIT_SECONDS = 600.0
"""How long a build waits for another one into the same folder (a large build takes minutes)."""
_POLL_SECONDS = 0.1


class TargetRefused(Exception):
    """The output folder is one a build must not replace; the message names it and says why."""


def check_target(out: Path, repository: Path | None = None) -> None:
    """Raise :class:`TargetRefused` unless a build may replace ``out``.

    ``repository`` is the root the sources are read from: it, every folder
    above it and every folder in or below its :data:`SOURCE_FOLDERS` are refused.
    """
    target = out.resolve()
    if repository is not None:
        root = repository.resolve()
        if target == root:
            raise TargetRefused(f"{out}: is the repository; choose another --out, such as dist")
        if root.is_relative_to(target):
            raise TargetRefused(f"{out}: holds the repository {root}; choose another --out")
        for name in SOURCE_FOLDERS:
            if target.is_relative_to(root / name):
                where = "is" if target == root / name else "is inside"
                raise TargetRefused(f"{out}: {where} the repository's source folder {name}/")
    if not target.exists():
        return
    if not target.is_dir():
        raise TargetRefused(f"{out}: is not a folder")
    if not any(target.iterdir()):
        return
    if (target / MARKER).is_file():
        listed = _listed(target)
        if listed is None:
            raise TargetRefused(
                f"{out}: its {MARKER} lists no files (an older build's, or not a build's);"
                " empty it or choose another --out"
            )
        stranger = next((name for name in sorted(_files(target)) if name not in listed), None)
        if stranger is None:
            return
        raise TargetRefused(
            f"{out}: holds {stranger}, which no build wrote (it is not listed in {MARKER});"
            " move it away or choose another --out"
        )
    raise TargetRefused(
        f"{out}: is not empty and is not a previous build (it has no {MARKER}); "
        "empty it or choose another --out"
    )


@contextmanager
def atomic_directory(out: Path, *, repository: Path | None = None) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``out`` only if the block succeeds.

    ``out`` must pass :func:`check_target`; it is checked again once the lock is
    held. A build killed between moving the old ``out`` aside and moving the new
    one in leaves only ``.{name}.old-*``: that is put back first, so ``out`` is never lost.
    """
    check_target(out, repository)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        check_target(out, repository)  # it may have changed while this build waited
        _clean_up_after_killed_builds(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
        tmp.chmod(0o755)
        try:
            (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            yield tmp
            mark(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if out.exists():
            os.rename(out, old)
        os.rename(tmp, out)
        shutil.rmtree(old, ignore_errors=True)


def mark(site: Path) -> None:
    """Write :data:`MARKER` into ``site``, listing every file it holds: what the next build
    may delete. (A marker alone is not enough: copied along with a site into a folder of
    other files, with ``cp -r dist/. ~/www``, it would hand them all to the next build.)"""
    written = "".join(f"{name}\n" for name in sorted(_files(site)) if name != MARKER)
    (site / MARKER).write_text(MARKER_TEXT + written, encoding="utf-8")


def _files(folder: Path) -> Iterator[str]:
    """The relative paths of the files (and links, never followed) under ``folder``."""
    for directory, subfolders, names in os.walk(folder):
        here = Path(directory)
        links = [name for name in subfolders if (here / name).is_symlink()]
        for name in (*names, *links):
            yield (here / name).relative_to(folder).as_posix()


def _listed(site: Path) -> set[str] | None:
    """What ``site``'s :data:`MARKER` says the build wrote (the marker included), or None
    if it is not a marker that lists them."""
    text = (site / MARKER).read_text(encoding="utf-8", errors="replace")
    if not text.startswith(MARKER_TEXT):
        return None
    return {MARKER, *text.removeprefix(MARKER_TEXT).splitlines()}


@contextmanager
def _lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock for builds into ``out``, waiting at most :data:`LOCK_WAIT_SECONDS`.

    The lock is ``flock`` on the folder that holds ``out`` (so builds into two
    folders side by side take turns too): it leaves no file behind, and the
    kernel releases it when its holder ends, however it ends.
    """
    handle = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        waiting = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BlockingIOError(
                        errno.EAGAIN,
                        f"another build has been writing it for over {LOCK_WAIT_SECONDS:g} s; "
                        "nothing was written",
                        str(out),
                    ) from None
                if not waiting:
                    print(f"waiting for another build into {out} to finish", file=sys.stderr)
                    waiting = True
                time.sleep(_POLL_SECONDS)
        yield
    finally:
        os.close(handle)  # releases the lock


def _clean_up_after_killed_builds(out: Path) -> None:
    """Remove the temporary sites of builds that died, and put back a site a killed swap moved.

    Called with the lock held, so no other build of this version is writing;
    a temporary site whose owner is still alive (a build that takes no lock) is left alone.
    """
    for stale in out.parent.glob(f".{out.name}.tmp-*"):
        owner = _owner(stale, out.name)
        if owner is not None and (owner == os.getpid() or not _alive(owner)):
            shutil.rmtree(stale, ignore_errors=True)
    for stale in sorted(out.parent.glob(f".{out.name}.old-*")):
        if out.exists():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            os.rename(stale, out)


def _owner(tmp: Path, name: str) -> int | None:
    """The process id in a temporary site's name (``.{name}.tmp-{pid}-…``), if it has one."""
    found = re.fullmatch(rf"\.{re.escape(name)}\.tmp-(\d+)-.*", tmp.name)
    return int(found.group(1)) if found else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
