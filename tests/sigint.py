"""Ctrl-C in tests, whatever started the suite.

A shell starts a background job (``make test &``, a CI runner's script) with
SIGINT ignored, and every process below it inherits that: ``interrupt_main()``
and ``send_signal(SIGINT)`` then do nothing. A test that needs Ctrl-C to land
installs Python's own handler for as long as it runs, with :func:`ctrl_c_raises`.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def ctrl_c_raises() -> Iterator[None]:
    """SIGINT raises ``KeyboardInterrupt`` here, and starts at its default in child programs.

    A handled signal is reset to its default when a process execs (POSIX), so a
    program started inside this block gets SIGINT at its default, not ignored,
    and Python installs its own handler in it at start-up. The previous handler
    is put back on the way out.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
