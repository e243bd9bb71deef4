"""SHACL-SPARQL: ``sh:sparql`` constraints and ``sh:SPARQLTarget`` targets, rewritten for one run.

pySHACL runs a constraint's ``sh:select`` once per focus node with ``$this``
pre-bound (SHACL §5.3.1). Here it runs once for all of them: ``$this`` becomes
``?this``, and the shape's focus nodes are joined in first, at the start of the
outermost group, so ``?this`` is bound wherever the text uses it, also inside
``FILTER NOT EXISTS`` (which :mod:`.antijoin` turns into ``MINUS`` where that is
equivalent and faster). ``$PATH`` becomes the property shape's path; ``$value`` is
an ordinary variable, as it is for constraints (not pre-bound). Constructs for
which pre-binding and joining could differ (nested ``SELECT``, ``MINUS``,
``VALUES``, ``SERVICE``) are refused, as pySHACL refuses them.

Prefixes are those pySHACL declares itself (rdf, rdfs, owl) plus the ``sh:declare``
entries of each ``sh:prefixes`` value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import OWL, RDF, RDFS, SH
from .antijoin import after_string, not_exists_as_minus
from .expressions import ShaclPath
from .vocabulary import UnsupportedShapeError, describe

__all__ = ["SparqlConstraint", "merge_prefixes", "prologue", "read_constraint", "target_pattern"]

_DEFAULT_PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
_THIS = re.compile(r"[$?]this\b")
_PATH = re.compile(r"[$?]PATH\b")
_SELECT = re.compile(r"(?<![\w:?$])SELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?", re.IGNORECASE)
_REFUSED = {
    "a nested SELECT": re.compile(r"(?<![\w:?$])SELECT\b", re.IGNORECASE),
    "MINUS": re.compile(r"(?<![\w:?$])MINUS\b", re.IGNORECASE),
    "VALUES": re.compile(r"(?<![\w:?$])VALUES\b", re.IGNORECASE),
    "SERVICE": re.compile(r"(?<![\w:?$])SERVICE\b", re.IGNORECASE),
    "PREFIX or BASE in the text": re.compile(r"(?<![\w:?$])(PREFIX|BASE)\b", re.IGNORECASE),
    "$shapesGraph": re.compile(r"[$?]shapesGraph\b"),
    "$currentShape": re.compile(r"[$?]currentShape\b"),
    "?failure": re.compile(r"[$?]failure\b"),
}


@dataclass(frozen=True)
class SparqlConstraint:
    """One ``sh:sparql`` constraint of one shape, ready to take that shape's focus nodes."""

    node: Node
    """The constraint (the value of ``sh:sparql``): the result's ``sh:sourceConstraint``."""
    text: str
    """The ``sh:select`` text with ``?this`` and ``$PATH`` substituted, ``?this`` projected."""
    focus_at: int
    """Where in ``text`` the focus pattern goes: just inside the outermost group."""
    prefixes: dict[str, str]
    messages: tuple[str, ...]
    this_projected: bool
    """Whether the text itself selects ``$this`` (pySHACL then substitutes ``{$this}``)."""

    def query(self, focus: str) -> str:
        """The query for the focus nodes that the group pattern ``focus`` binds to ``?this``."""
        text = f"{self.text[: self.focus_at]}\n{focus}\n{self.text[self.focus_at :]}"
        return not_exists_as_minus(text, self.focus_at - 1)


def read_constraint(
    shapes: Graph, shape: Node, node: Node, path: ShaclPath | None
) -> SparqlConstraint | None:
    """The constraint ``node`` of ``shape`` rewritten for one run, None if deactivated."""
    where = f"{describe(shape)} (sh:sparql {describe(node, shape)})"
    if shapes.value(node, SH.deactivated) == Literal(True):
        return None
    _refuse_other_terms(shapes, node, _CONSTRAINT_TERMS, where)
    select = _only(shapes, node, SH.select, where)
    if select is None:
        raise UnsupportedShapeError(where, "a SPARQL constraint without sh:select")
    text = str(select)
    if len(_REFUSED["a nested SELECT"].findall(text)) != 1:
        raise UnsupportedShapeError(where, "a nested SELECT")
    for construct, pattern in _REFUSED.items():
        if construct != "a nested SELECT" and pattern.search(text):
            raise UnsupportedShapeError(where, construct)
    if not _THIS.search(text):
        raise UnsupportedShapeError(where, "a SPARQL constraint that never mentions $this")
    text = _THIS.sub("?this", text)
    if _PATH.search(text):
        if path is None:
            raise UnsupportedShapeError(where, "$PATH in a node shape's constraint")
        text = _PATH.sub(lambda _: path.sparql, text)
    select_at = _SELECT.search(text)
    if select_at is None:
        raise UnsupportedShapeError(where, "a sh:select that is not a SELECT query")
    group_at = text.index("{", select_at.end())
    if _this_unbound_somewhere(text, group_at):
        raise UnsupportedShapeError(
            where, "$this in a nested group (other than EXISTS or an OPTIONAL in it)"
        )
    projection = text[select_at.end() : group_at]
    this_projected = projection.strip() == "*" or "?this" in projection.split()
    if not this_projected:
        text = f"{text[: select_at.end()]}?this {text[select_at.end() :]}"
        group_at += len("?this ")
    return SparqlConstraint(
        node=node,
        text=text,
        focus_at=group_at + 1,
        prefixes=declared_prefixes(shapes, node, where),
        messages=tuple(sorted(str(m) for m in shapes.objects(node, SH.message))),
        this_projected=this_projected,
    )


def target_pattern(shapes: Graph, shape: Node, target: Node) -> tuple[str, dict[str, str]]:
    """A ``sh:SPARQLTarget`` of ``shape``: a group pattern binding ``?this``, and its prefixes."""
    where = f"{describe(shape)} (sh:target {describe(target, shape)})"
    if (target, RDF.type, SH.SPARQLTarget) not in shapes:
        raise UnsupportedShapeError(where, "a sh:target that is not a sh:SPARQLTarget")
    _refuse_other_terms(shapes, target, _TARGET_TERMS, where)
    select = _only(shapes, target, SH.select, where)
    if select is None or _REFUSED["PREFIX or BASE in the text"].search(str(select)):
        raise UnsupportedShapeError(where, "a SPARQL target without a plain sh:select")
    for construct in ("$shapesGraph", "$currentShape"):
        if _REFUSED[construct].search(str(select)):
            raise UnsupportedShapeError(where, construct)
    # Nested twice, so that only ?this leaves the target's own variables' scope.
    pattern = f"{{ SELECT DISTINCT ?this WHERE {{ {{ {select} }} }} }}"
    return pattern, declared_prefixes(shapes, target, where)


_GROUP_KIND = re.compile(r"(?<![\w:?$])(EXISTS|OPTIONAL)\s*$", re.IGNORECASE)


def _this_unbound_somewhere(text: str, group_open: int) -> bool:
    """Whether ``?this`` occurs in the group at ``group_open`` where joining the focus
    nodes in at the group's start would leave it unbound, though pre-binding binds it.

    An ``EXISTS`` group sees the bindings of the solution it filters, and an
    ``OPTIONAL`` group's ``FILTER`` sees those of the left side; any other nested
    group (a ``UNION`` branch, ``{ … }``, ``GRAPH``) is evaluated on its own first, so a
    ``FILTER`` or ``BIND`` there would read an unbound ``?this``. So ``?this`` may sit in
    the group itself, in ``EXISTS`` groups in it, and in one ``OPTIONAL`` innermost.
    """
    kinds: list[str] = []
    i = group_open
    while i < len(text):
        char = text[i]
        if char in "\"'":
            i = after_string(text, i)
            continue
        if char == "{":
            kind = _GROUP_KIND.search(text, 0, i)
            kinds.append(kind.group(1).upper() if kind else "GROUP")
        elif char == "}":
            kinds.pop()
            if not kinds:
                return False
        elif text.startswith("?this", i) and _THIS.match(text, i):
            nested = kinds[1:]
            if nested and not (
                all(k == "EXISTS" for k in nested[:-1]) and nested[-1] in ("EXISTS", "OPTIONAL")
            ):
                return True
        i += 1
    return False


_CONSTRAINT_TERMS = frozenset((SH.select, SH.message, SH.prefixes, SH.deactivated))
_TARGET_TERMS = frozenset((SH.select, SH.prefixes))


def _refuse_other_terms(shapes: Graph, node: Node, known: frozenset[URIRef], where: str) -> None:
    """Raise for a SHACL predicate on ``node`` (``sh:ask``, ``sh:resultAnnotation`` …) that
    the engine would otherwise leave unread."""
    for predicate in sorted(set(shapes.predicates(node))):
        if (
            isinstance(predicate, URIRef)
            and predicate.startswith(str(SH))
            and predicate not in known
        ):
            raise UnsupportedShapeError(where, f"the SHACL term {predicate}")


def _only(shapes: Graph, node: Node, predicate: URIRef, where: str) -> Node | None:
    """The one value of ``predicate`` on ``node``, None if there is none; several raise."""
    values = list(shapes.objects(node, predicate))
    if len(values) > 1:
        raise UnsupportedShapeError(where, f"more than one {predicate}")
    return values[0] if values else None


def declared_prefixes(shapes: Graph, node: Node, where: str) -> dict[str, str]:
    """pySHACL's default prefixes plus those declared through ``node``'s ``sh:prefixes``."""
    prefixes = dict(_DEFAULT_PREFIXES)
    # SHACL §5.2.1: the declarations are the values of sh:prefixes/owl:imports*/sh:declare.
    holders = _imports_closure(shapes, shapes.objects(node, SH.prefixes))
    for holder in sorted(holders, key=str):
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is None or namespace is None:
                raise UnsupportedShapeError(
                    where, "a sh:declare without sh:prefix and sh:namespace"
                )
            prefixes = merge_prefixes(prefixes, {str(prefix): str(namespace)}, where=where)
    return prefixes


def _imports_closure(shapes: Graph, starts: Iterable[Node]) -> set[Node]:
    """``starts`` and every node they reach through ``owl:imports`` in ``shapes``."""
    seen: set[Node] = set()
    pending = list(starts)
    while pending:
        node = pending.pop()
        if node not in seen:
            seen.add(node)
            pending.extend(shapes.objects(node, OWL.imports))
    return seen


def merge_prefixes(*parts: dict[str, str], where: str) -> dict[str, str]:
    """One prefix map from several; a prefix bound to two namespaces raises."""
    merged: dict[str, str] = {}
    for part in parts:
        for prefix, namespace in part.items():
            if merged.setdefault(prefix, namespace) != namespace:
                raise UnsupportedShapeError(
                    where, f"prefix {prefix}: for both <{merged[prefix]}> and <{namespace}>"
                )
    return merged


def prologue(prefixes: dict[str, str]) -> str:
    """``PREFIX`` lines for a query."""
    return "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in sorted(prefixes.items()))
