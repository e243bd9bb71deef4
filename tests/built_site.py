"""What the tests of a built site share: the things they look at, the dumps, a folder's snapshot."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from spacecoop.namespaces import ID

FIRST_SYMPOSIUM = ID["event/first-symposium-2018"]
STRATEGIC_MEMORANDUM = ID["memorandum/preparatory-meeting-2018-05-strategic"]

DUMPS = {
    # file: (rdflib format, pyoxigraph format)
    "spacecoop.ttl": ("turtle", ox.RdfFormat.TURTLE),
    "spacecoop.nt": ("nt", ox.RdfFormat.N_TRIPLES),
    "spacecoop.jsonld": ("json-ld", ox.RdfFormat.JSON_LD),
    "spacecoop.rdf": ("xml", ox.RdfFormat.RDF_XML),
}


def snapshot(directory: Path) -> dict[str, str]:
    """Every file under ``directory`` (hidden ones too) by relative path, with the SHA-256 of
    its bytes: two snapshots are equal only if no file was added, removed or changed."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
