"""Where the benchmark's stages that write files write: shared by ``run`` and ``report``.

``run`` chooses the folder (a RAM disk where there is one) and passes it to its
child processes in :data:`SCRATCH_ENV`; ``report`` says in the results whether
the figures were taken there. Kept apart so that neither imports the other.
"""

from __future__ import annotations

from pathlib import Path

SCRATCH_ENV = "SPACECOOP_BENCH_SCRATCH"
RAM_DISK = Path("/dev/shm")
