"""Where each IRI lives in ``dist/`` and how pages link to one another.

``dist/`` mirrors the IRI paths under ``https://w3id.org/spacecoop/``: the thing
``…/id/event/x`` is published as ``id/event/x.html``, ``.ttl`` and ``.jsonld``.
Links between pages are relative, so the site works from any host or folder.
"""

from __future__ import annotations

import posixpath

from ..namespaces import ID, ONTOLOGY_IRI, SCO

SITE_BASE = "https://w3id.org/spacecoop/"
ONTOLOGY_PAGE = "def.html"
FOLLOWABLE = ("http://", "https://", "mailto:")
"""Schemes an IRI may have to become a link; a ``javascript:`` or ``data:`` IRI never does."""


def is_local(iri: str) -> bool:
    """True for things this dataset publishes a page for (under ``…/id/``)."""
    return iri.startswith(str(ID))


def resource_path(iri: str) -> str:
    """Site-relative path of a published thing, without extension: ``id/event/x``."""
    if not is_local(iri):
        raise ValueError(f"not a published resource: {iri}")
    return iri[len(SITE_BASE) :]


def href(iri: str, from_path: str) -> str:
    """The link to ``iri`` from the page at site-relative ``from_path`` (e.g. ``id/event/x.html``).

    Our things link to their HTML page, vocabulary terms to the ontology page's
    anchor, other web IRIs to themselves, and anything else (``javascript:``,
    ``data:``, ``urn:`` ...) to nowhere: ``""``, the page itself.
    """
    here = posixpath.dirname(from_path)
    if is_local(iri):
        return relative(resource_path(iri) + ".html", here)
    if iri.startswith(str(SCO)):
        return relative(ONTOLOGY_PAGE, here) + "#" + iri[len(str(SCO)) :]
    if iri == str(ONTOLOGY_IRI):
        return relative(ONTOLOGY_PAGE, here)
    return iri if iri.lower().startswith(FOLLOWABLE) else ""


_UNUSUAL_SEGMENTS = {"", ".", ".."}


def relative(target: str, here: str) -> str:
    """``posixpath.relpath(target, here)`` for the file ``target`` and the folder ``here``.

    Both are site-relative. ``posixpath.relpath`` asks the operating system for
    the working directory on every call, a fifth of the time a resource page
    took to render; two plain paths only need their common folders counted.
    Paths with empty, ``.`` or ``..`` segments still go to ``posixpath.relpath``.
    """
    up = here.split("/") if here else []
    down = target.split("/")
    if _UNUSUAL_SEGMENTS.intersection(up) or _UNUSUAL_SEGMENTS.intersection(down):
        return posixpath.relpath(target, here or ".")
    common = 0
    while common < min(len(up), len(down) - 1) and up[common] == down[common]:
        common += 1
    return "/".join([".."] * (len(up) - common) + down[common:])
