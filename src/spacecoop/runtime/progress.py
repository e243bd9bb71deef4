"""Progress bars for long steps: shown on a terminal, silent in CI, in pipes and with --quiet."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")
QUIET_ENV = "SPACECOOP_QUIET"
"""Set (to anything non-empty) by ``--quiet``; honoured by every command."""


def quiet() -> bool:
    """No bars when asked, when CI says so, or when stderr is not a terminal."""
    return bool(os.environ.get(QUIET_ENV) or os.environ.get("CI")) or not sys.stderr.isatty()


def bar(items: Iterable[T], *, total: int | None = None, what: str = "") -> Iterator[T]:
    """Iterate over ``items``, drawing a bar on stderr unless :func:`quiet`.

    tqdm only starts drawing after ``mininterval``, so steps that finish in
    well under a couple of seconds never flash a bar.
    """
    yield from tqdm(items, total=total, desc=what, unit="", disable=quiet(), delay=2.0, leave=False)
