"""Rewrite ``FILTER NOT EXISTS { P }`` as ``MINUS { P }`` where the two are equivalent.

Oxigraph evaluates ``FILTER NOT EXISTS`` once per solution and, when ``P`` joins
two patterns (``?this prov:wasDerivedFrom ?p . ?p rdf:type/rdfs:subClassOf* …``),
rebuilds the inner join from scratch each time: quadratic, hours at a million
triples. ``MINUS`` evaluates ``P`` once and anti-joins. pySHACL runs each query
per focus node, where the difference does not matter; here all focus nodes go
through one query, so the rewrite matters.

The rewrite applies only where the results cannot change: the block sits
directly in the query's outermost group; ``P`` is triples, property paths and
``FILTER``s with no nested group; ``P`` binds ``?this`` (bound in every
solution, so each solution shares a variable with ``P``'s); every variable a
``FILTER`` in ``P`` reads is bound by ``P``'s own triples. The ``MINUS`` goes
at the end of the group, so it sees every variable the ``FILTER`` would have.
"""

from __future__ import annotations

from ...queries.sparql_text import (
    QuerySyntaxError,
    Token,
    closing,
    is_keyword,
    tokenize,
    without_comments,
)

__all__ = ["not_exists_as_minus"]

# Keywords after which a block's variables are not simply those of its triples.
_GROUPING = ("optional", "union", "minus", "bind", "values", "graph", "service", "select", "exists")


def not_exists_as_minus(text: str, group_open: int) -> str:
    """``text`` with each safe ``FILTER NOT EXISTS`` of the group whose ``{`` is at
    ``group_open`` turned into a ``MINUS`` at the end of that group."""
    try:
        tokens = tokenize(text)
    except QuerySyntaxError:
        return text  # the rewrite only speeds up; the engine will say what is wrong
    group = next((i for i, t in enumerate(tokens) if t.start == group_open), None)
    if group is None or tokens[group].text != "{":
        raise ValueError(f"no group opens at {group_open} of the SPARQL text")
    group_close = closing(tokens, group)
    blocks: list[tuple[int, int, str]] = []
    index = group + 1
    while index < group_close:
        if tokens[index].text in ("{", "("):  # a nested group or an expression: not ours
            index = closing(tokens, index) + 1
        elif _opens_not_exists(tokens, index):
            block_close = closing(tokens, index + 3)
            inner = tokens[index + 4 : block_close]
            if _safe(inner):
                start, end = tokens[index + 3].start + 1, tokens[block_close].start
                # Without its comments, a block's text can move to one line.
                blocks.append((tokens[index].start, end + 1, without_comments(text[start:end])))
            index = block_close + 1
        else:
            index += 1
    if not blocks:
        return text
    close = tokens[group_close].start
    pieces, at = [], 0
    for start, end, _ in blocks:
        pieces.append(text[at:start])
        at = end
    pieces.append(text[at:close])
    pieces.extend(f"\n  MINUS {{ {inner.strip()} }}" for _, _, inner in blocks)
    pieces.append("\n" + text[close:])
    return "".join(pieces)


def _opens_not_exists(tokens: list[Token], index: int) -> bool:
    """Do ``tokens[index:]`` start with ``FILTER NOT EXISTS {``?"""
    words = tokens[index : index + 3]
    return (
        len(tokens) > index + 3
        and all(is_keyword(t, w) for t, w in zip(words, ("filter", "not", "exists"), strict=True))
        and tokens[index + 3].text == "{"
    )


def _safe(inner: list[Token]) -> bool:
    """Is the block made of triples and ``FILTER``s only, binding ``?this`` and every
    variable its ``FILTER``s read?"""
    if any(t.text in ("{", "{|") or is_keyword(t, *_GROUPING) for t in inner):
        return False
    bound: set[str] = set()
    read: set[str] = set()
    index = 0
    while index < len(inner):
        token = inner[index]
        if is_keyword(token, "filter"):
            opening = _filter_expression(inner, index)
            if opening is None:
                return False
            end = closing(inner, opening)
            read |= _variables(inner[opening:end])
            index = end + 1
            continue
        if token.kind == "var":
            bound.add(token.text[1:])
        index += 1
    return "this" in bound and read <= bound


def _filter_expression(tokens: list[Token], index: int) -> int | None:
    """The index of the ``(`` of the ``FILTER`` at ``index``: ``FILTER (…)`` or a
    function call, ``FILTER regex(…)``, ``FILTER ex:f(…)``; None for anything else."""
    following = tokens[index + 1 : index + 3]
    if following and following[0].text == "(":
        return index + 1
    if len(following) == 2 and following[0].kind in ("word", "pname", "iri"):
        return index + 2 if following[1].text == "(" else None
    return None


def _variables(tokens: list[Token]) -> set[str]:
    return {t.text[1:] for t in tokens if t.kind == "var"}
