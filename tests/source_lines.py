"""Where a statement stands in a source file, to check the line a result or an error names."""

from __future__ import annotations

from pathlib import Path


def line_of(path: Path, start: str) -> int:
    """1-based number of the first line of ``path`` that starts with ``start``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))
