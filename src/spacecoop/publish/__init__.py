"""Publishing: everything that turns the loaded dataset into ``dist/`` and web pages.

``build`` writes the static site; the render functions it uses are shared with
:mod:`spacecoop.serve`, so a page served live and a page in ``dist/`` are the same.
"""

from .build import BuildResult, build

__all__ = ["BuildResult", "build"]
