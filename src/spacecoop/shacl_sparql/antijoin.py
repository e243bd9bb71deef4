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

import re

__all__ = ["after_string", "not_exists_as_minus"]

_NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{", re.IGNORECASE)
_FILTER = re.compile(r"FILTER\s*(\w*)\s*\(", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$](\w+)")
_GROUPING = re.compile(
    r"(?<![\w:?$])(OPTIONAL|UNION|MINUS|BIND|VALUES|GRAPH|SERVICE|SELECT|EXISTS)\b", re.IGNORECASE
)


def not_exists_as_minus(text: str, group_open: int) -> str:
    """``text`` with each safe ``FILTER NOT EXISTS`` of the group whose ``{`` is at
    ``group_open`` turned into a ``MINUS`` at the end of that group."""
    blocks: list[tuple[int, int, str]] = []
    depth, i = 0, group_open
    while i < len(text):
        char = text[i]
        if char in "\"'":
            i = after_string(text, i)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                break
        elif depth == 1 and (match := _NOT_EXISTS.match(text, i)) and _starts_word(text, i):
            end = _closing(text, match.end() - 1, "{", "}")
            inner = text[match.end() : end]
            if _safe(inner):
                blocks.append((i, end + 1, inner))
            i = end + 1
            continue
        i += 1
    if not blocks:
        return text
    close = i
    pieces, at = [], 0
    for start, end, _ in blocks:
        pieces.append(text[at:start])
        at = end
    pieces.append(text[at:close])
    pieces.extend(f"\n  MINUS {{ {inner.strip()} }}" for _, _, inner in blocks)
    pieces.append("\n" + text[close:])
    return "".join(pieces)


def _safe(inner: str) -> bool:
    if "{" in inner or _GROUPING.search(inner):
        return False
    triples, filters = _split_filters(inner)
    bound = set(_VARIABLE.findall(triples))
    read = {v for f in filters for v in _VARIABLE.findall(f)}
    return "this" in bound and read <= bound


def _split_filters(inner: str) -> tuple[str, list[str]]:
    """The triples of a group's text, and the text of each of its ``FILTER``s."""
    filters, rest, at = [], [], 0
    for match in _FILTER.finditer(inner):
        if match.start() < at or not _starts_word(inner, match.start()):
            continue
        end = _closing(inner, match.end() - 1, "(", ")")
        rest.append(inner[at : match.start()])
        filters.append(inner[match.start() : end + 1])
        at = end + 1
    rest.append(inner[at:])
    return " ".join(rest), filters


def _closing(text: str, opening: int, open_char: str, close_char: str) -> int:
    """The index of the bracket that closes the one at ``opening`` (strings skipped)."""
    depth, i = 0, opening
    while i < len(text):
        char = text[i]
        if char in "\"'":
            i = after_string(text, i)
            continue
        if char == open_char:
            depth += 1
        elif char == close_char:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced {open_char!r} in SPARQL text: {text[opening : opening + 60]!r}")


def after_string(text: str, start: int) -> int:
    """The index just past the string literal that starts at ``start``."""
    quote = text[start]
    long_quote = text.startswith(quote * 3, start)
    delimiter = quote * 3 if long_quote else quote
    i = start + len(delimiter)
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(delimiter, i):
            return i + len(delimiter)
        i += 1
    return i


def _starts_word(text: str, i: int) -> bool:
    return i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_:?$")
