"""Publishing: everything that turns the repository into ``dist/`` and web pages.

:func:`.build.build` writes the static site; the render functions it uses are shared
with :mod:`spacecoop.serve`, so a page served live and a page in ``dist/`` are the same.
Nothing is imported here, so that reading :mod:`.reproducible` or :mod:`.site_folder`
does not load the page templates.
"""
