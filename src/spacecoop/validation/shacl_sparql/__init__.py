"""SHACL validation compiled to SPARQL and run on the pyoxigraph store: the fast plan's engine.

pySHACL (:mod:`spacecoop.validation.pyshacl_engine`) walks focus nodes one by one in Python; at a
million triples that takes many minutes. This engine compiles each constraint
of our shapes into one SPARQL SELECT query over all focus nodes
(:mod:`.compiler`; each constraint component as :mod:`.components` lists it,
from :mod:`.value_tests`, :mod:`.focus_checks`, :mod:`.sparql_constraints`) and runs
them in Oxigraph (:mod:`.runner`), giving the same report Results as pySHACL:
same focus nodes, paths, values, source shapes, constraint components,
severities and messages (``tests/test_shacl_sparql.py`` holds it to that).

It covers the SHACL that ``ontology/shapes.ttl`` uses, on shapes with any kind
of target; every other shape with focus nodes is refused with an
:class:`UnsupportedShapeError` naming the shape and the construct, so a new kind
of rule cannot be skipped silently; :mod:`..shacl_engines` checks each refused shape
with pySHACL instead, and says so. This package never imports pySHACL's adapter.
"""

from __future__ import annotations

from .compiler import Check, CompiledShapes, Refusal, compile_all, compile_shapes
from .runner import run_checks, subclass_lookup, validate_store
from .vocabulary import UnsupportedShapeError

__all__ = [
    "Check",
    "CompiledShapes",
    "Refusal",
    "UnsupportedShapeError",
    "compile_all",
    "compile_shapes",
    "run_checks",
    "subclass_lookup",
    "validate_store",
]
