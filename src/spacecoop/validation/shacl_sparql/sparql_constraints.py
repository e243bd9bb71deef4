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

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ...namespaces import OWL, RDF, RDFS, SH
from ...queries.sparql_text import QuerySyntaxError, Token, analyse, is_keyword, tokenize
from .antijoin import not_exists_as_minus
from .paths import ShaclPath
from .vocabulary import UnsupportedShapeError, describe

__all__ = ["SparqlConstraint", "merge_prefixes", "prologue", "read_constraint", "target_pattern"]

_DEFAULT_PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}


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
    tokens = _tokens(text, where)
    if sum(is_keyword(t, "select") for t in tokens) != 1:
        raise UnsupportedShapeError(where, "a nested SELECT")
    if refused := _refused_constructs(text, tokens):
        raise UnsupportedShapeError(where, refused[0])
    if not _mentions(tokens, "this"):
        raise UnsupportedShapeError(where, "a SPARQL constraint that never mentions $this")
    if _mentions(tokens, "PATH") and path is None:
        raise UnsupportedShapeError(where, "$PATH in a node shape's constraint")
    text = _substitute(text, tokens, {"this": "?this", **({"PATH": path.sparql} if path else {})})
    tokens = _tokens(text, where)
    select = next(i for i, t in enumerate(tokens) if is_keyword(t, "select"))
    if select + 1 < len(tokens) and is_keyword(tokens[select + 1], "distinct", "reduced"):
        select += 1
    group = next((i for i in range(select, len(tokens)) if tokens[i].text == "{"), None)
    if group is None:
        raise UnsupportedShapeError(where, "a sh:select that is not a SELECT query")
    if _this_unbound_somewhere(tokens, group):
        raise UnsupportedShapeError(
            where, "$this in a nested group (other than EXISTS or an OPTIONAL in it)"
        )
    projection_at, group_at = tokens[select + 1].start, tokens[group].start
    projection = text[projection_at:group_at]
    this_projected = projection.strip() == "*" or "?this" in projection.split()
    if not this_projected:
        text = f"{text[:projection_at]}?this {text[projection_at:]}"
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
    if select is None:
        raise UnsupportedShapeError(where, "a SPARQL target without a plain sh:select")
    refused = _refused_constructs(str(select), _tokens(str(select), where))
    if "PREFIX or BASE in the text" in refused:
        raise UnsupportedShapeError(where, "a SPARQL target without a plain sh:select")
    for construct in ("$shapesGraph", "$currentShape"):
        if construct in refused:
            raise UnsupportedShapeError(where, construct)
    # Nested twice, so that only ?this leaves the target's own variables' scope.
    pattern = f"{{ SELECT DISTINCT ?this WHERE {{ {{ {select} }} }} }}"
    return pattern, declared_prefixes(shapes, target, where)


def _tokens(text: str, where: str) -> list[Token]:
    """The tokens of a ``sh:select``; text that does not tokenize goes to pySHACL."""
    try:
        return tokenize(text)
    except QuerySyntaxError as error:
        raise UnsupportedShapeError(where, f"a sh:select that does not parse ({error})") from None


def _refused_constructs(text: str, tokens: list[Token]) -> list[str]:
    """What ``text`` uses of the constructs pySHACL refuses, in the order refusals name
    them; SERVICE as the endpoint reads it (:func:`spacecoop.queries.sparql_text.analyse`)."""
    words = {t.text.lower() for t in tokens if t.kind == "word"}
    variables = {t.text[1:] for t in tokens if t.kind == "var"}
    uses = {
        "MINUS": "minus" in words,
        "VALUES": "values" in words,
        "SERVICE": analyse(text).uses_service,
        "PREFIX or BASE in the text": bool(words & {"prefix", "base"}),
        "$shapesGraph": "shapesGraph" in variables,
        "$currentShape": "currentShape" in variables,
        "?failure": "failure" in variables,
    }
    return [construct for construct, used in uses.items() if used]


def _mentions(tokens: list[Token], name: str) -> bool:
    """Whether ``tokens`` hold the variable ``name`` (as ``?name`` or ``$name``)."""
    return any(t.kind == "var" and t.text[1:] == name for t in tokens)


def _substitute(text: str, tokens: list[Token], values: dict[str, str]) -> str:
    """``text`` with each variable named in ``values`` replaced by the text given for it."""
    pieces, at = [], 0
    for token in tokens:
        if token.kind == "var" and token.text[1:] in values:
            pieces += [text[at : token.start], values[token.text[1:]]]
            at = token.start + len(token.text)
    return "".join(pieces) + text[at:]


def _this_unbound_somewhere(tokens: list[Token], group_open: int) -> bool:
    """Whether ``?this`` occurs in the group ``tokens[group_open]`` opens where joining
    the focus nodes in at the group's start would leave it unbound, though pre-binding
    binds it.

    An ``EXISTS`` group sees the bindings of the solution it filters, and an
    ``OPTIONAL`` group's ``FILTER`` sees those of the left side; any other nested
    group (a ``UNION`` branch, ``{ … }``, ``GRAPH``) is evaluated on its own first, so a
    ``FILTER`` or ``BIND`` there would read an unbound ``?this``. So ``?this`` may sit in
    the group itself, in ``EXISTS`` groups in it, and in one ``OPTIONAL`` innermost.
    """
    kinds: list[str] = []
    for index in range(group_open, len(tokens)):
        token = tokens[index]
        if token.text == "{":
            before = tokens[index - 1]
            kinds.append(before.text.upper() if is_keyword(before, "exists", "optional") else "")
        elif token.text == "}":
            kinds.pop()
            if not kinds:
                return False
        elif token.kind == "var" and token.text == "?this":
            nested = kinds[1:]
            if nested and not (
                all(k == "EXISTS" for k in nested[:-1]) and nested[-1] in ("EXISTS", "OPTIONAL")
            ):
                return True
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
