"""The repository under test and its installed command, for tests that need them at import time
(in a ``parametrize``, or to start ``spacecoop`` in a process of its own)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The spacecoop-kg repository root (the directory holding pyproject.toml)."""

SPACECOOP = Path(sys.executable).with_name("spacecoop")
"""The ``spacecoop`` command installed beside the running Python."""
