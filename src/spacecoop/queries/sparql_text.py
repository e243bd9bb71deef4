"""What a SPARQL query does, read from its token structure the way pyoxigraph reads it.

The endpoint must know, before a worker sees a query, whether it calls another server
(``SERVICE``), is an update, names its own dataset (``FROM``/``FROM NAMED``) and how deeply
its brackets nest. Regular expressions over the text get this wrong (an IRI may hold a
quote, a string may hold ``SERVICE``), and rdflib's parser is too slow for every request,
so this module tokenizes the query with the terminals of SPARQL 1.1 (§19.8) as pyoxigraph
0.5 implements them:

- no §19.2 code-point pre-pass: ``\\u`` escapes count only inside strings and IRIs
  (elsewhere they do not tokenize; the pre-pass reading is checked for SERVICE too);
- whitespace is space, tab, CR and LF only (U+00A0, U+3000 … do not tokenize);
- keywords are matched case-insensitively *as prefixes*, with no word boundary:
  pyoxigraph reads ``trueSERVICE:a {`` as ``true SERVICE :a {``;
- a local name has at most one run of dots (``ex:a.b.SERVICE`` is ``ex:a.b . SERVICE``);
- an IRI is ``<`` up to the next ``>``, valid when no excluded character remains after
  decoding its escapes; otherwise ``<`` is an operator.

Text that does not tokenize, or whose reading is ambiguous in a way that could hide
something, raises ``QuerySyntaxError`` with the position.

It is the one module that reads SPARQL text: saved queries (their form, parameters and
``SERVICE`` endpoints), the ``VALUES`` block a bound query gets and the SHACL-SPARQL
rewrites use its tokens and the helpers at the end (:func:`query_form`,
:func:`top_level_groups`, :func:`closing`, :func:`service_endpoints`,
:func:`without_comments`) instead of regular expressions of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL_CHAR = rf"[{_PN_CHARS}:]|{_PLX}"
_HEX4 = "[0-9A-Fa-f]{4}"
_UCHAR = rf"\\u{_HEX4}|\\U[0-9A-Fa-f]{{8}}"
_ECHAR = r"""\\[tbnrf"'\\]"""

# Possessive quantifiers (``*+``) because pyoxigraph's PEG parser never backtracks into
# a repetition: ``'''a''''`` is the string ``'''a'''`` followed by ``'``, as there.
_TOKEN = re.compile(
    rf"""
    (?P<space>[ \t\r\n]++)
  | (?P<comment>\#[^\r\n]*+)
  | (?P<string>
        '''(?:(?:''|')?+(?:[^'\\]|{_ECHAR}|{_UCHAR}))*+'''
      | \"\"\"(?:(?:\"\"|\")?+(?:[^"\\]|{_ECHAR}|{_UCHAR}))*+\"\"\"
      | '(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*+'
      | "(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*+"
    )
  | (?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+)
  | (?P<bnode>_:[{_PN_CHARS_U}0-9][{_PN_CHARS}]*+(?:\.++[{_PN_CHARS}]++)*+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*+)
  | (?P<number>[0-9]++\.[0-9]*+[eE][+-]?+[0-9]++|\.[0-9]++[eE][+-]?+[0-9]++
        |[0-9]++[eE][+-]?+[0-9]++|[0-9]*+\.[0-9]++|[0-9]++)
  | (?P<langtag>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?+)
  | (?P<punct>\)>>|<<\(|<<|>>|\{{\||\|\}}|\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\].,;=<>!+\-*/|^?~])
    """,
    re.VERBOSE,
)
_PREFIX_RUN = rf"[{_PN_CHARS_BASE}][{_PN_CHARS}]*+(?:\.++[{_PN_CHARS}]++)*+"
_PNAME = re.compile(
    rf"(?P<prefix>(?:{_PREFIX_RUN})?+)"
    rf":(?:(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:{_LOCAL_CHAR})*+(?:\.++(?:{_LOCAL_CHAR})++)?+)?+"
)
_NOT_A_PREFIX = re.compile(_PREFIX_RUN)
_IRI_CONTENT = re.compile(rf"""(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*+""")
_CODEPOINT = re.compile(rf"\\u({_HEX4})|\\U([0-9A-Fa-f]{{8}})")
_LINE_END = re.compile(r"[\r\n]")
_COMMENT = re.compile(r"#[^\r\n]*+")  # applied only between tokens, where "#" starts one
_EXCLUDED_IN_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20]')

_OPENERS = {"{": "}", "(": ")", "[": "]", "<<": ">>", "<<(": ")>>", "{|": "|}"}
_CLOSERS = {closer: opener for opener, closer in _OPENERS.items()}
# Unary operators (and the inverse path ``^``), each one more level of recursion.
_PREFIX_OPERATORS = {"!", "-", "+", "^"}
# Tokens after which, inside parentheses, pyoxigraph may read ``<`` as "less than".
_OPERANDS = {"var", "string", "number", "iri", "pname", "word", "bnode", "langtag"}
# "}" ends ``EXISTS { … }``, a value: read as an IRI, ``<1)SERVICE:#>`` after it hid a call.
_OPERAND_PUNCT = {")", "]", ">>", ")>>", "}"}
# What a query may not start with (after its prologue): the SPARQL Update operations.
_UPDATE_KEYWORDS = (
    *("insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with"),
)


class QuerySyntaxError(ValueError):
    """The text is not a SPARQL query this endpoint can read unambiguously."""

    def __init__(self, text: str, position: int, message: str) -> None:
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        super().__init__(f"line {line}, column {column}: {message}")
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # iri, string, var, bnode, pname, word, number, langtag, punct
    text: str
    start: int
    # For a prefixed name, its prefix (before the colon).
    prefix: str = ""


@dataclass(frozen=True)
class QueryShape:
    """What the endpoint needs to know about a query before running it."""

    is_update: bool
    uses_service: bool
    has_dataset: bool
    depth: int


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (whitespace and comments dropped), or QuerySyntaxError."""
    tokens: list[Token] = []
    stack: list[str] = []
    # Beside each open bracket: whether it holds only RDF terms (a VALUES variable list,
    # data block or row), where pyoxigraph never reads "less than".
    terms_only: list[bool] = []
    # Set by an ambiguous IRI holding "#": pyoxigraph may read a comment from there to
    # this position (the end of the line), so we may see no token before it either.
    shadow_end = -1
    # Memos that keep the scan linear: the next ">" at or after a position, and the end
    # of a run of name characters known not to be followed by ":" (``a.a.a…``).
    next_close = -1
    no_prefix_until = -1
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            if next_close < position:
                found = text.find(">", position)
                next_close = found if found >= 0 else len(text)
            if (iri_end := _iri_end(text, position, next_close)) is not None:
                if _ambiguous(tokens, stack, terms_only):
                    shadow_end = _check_ambiguous_iri(text, position, iri_end, shadow_end)
                tokens.append(Token("iri", text[position:iri_end], position))
                position = iri_end
                continue
        if position >= no_prefix_until or char == ":":
            if (name := _PNAME.match(text, position)) is not None:
                if position < shadow_end:
                    raise QuerySyntaxError(text, position, _AMBIGUOUS)
                tokens.append(Token("pname", name.group(), position, name.group("prefix")))
                position = name.end()
                continue
            if (run := _NOT_A_PREFIX.match(text, position)) is not None:
                no_prefix_until = run.end()
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QuerySyntaxError(text, position, f"unexpected character {char!r}")
        kind = match.lastgroup or ""
        end = match.end()
        if position < shadow_end and kind not in ("space", "comment"):
            raise QuerySyntaxError(text, position, _AMBIGUOUS)
        if kind in ("space", "comment"):
            position = end
            continue
        value = match.group()
        if kind == "punct":
            value = _split_closer(value, stack)
            end = position + len(value)
            if value.startswith("<<") and _ambiguous(tokens, stack, terms_only):
                if _iri_end(text, position + 1, next_close) is not None:
                    raise QuerySyntaxError(text, position, _AMBIGUOUS)
            if value in _OPENERS:
                terms_only.append(_holds_terms(value, tokens, stack, terms_only))
            elif value in _CLOSERS and terms_only:
                terms_only.pop()
            _nest(text, position, value, stack)
        tokens.append(Token(kind, value, position))
        position = end
    if stack:
        raise QuerySyntaxError(text, len(text), f"{stack[-1]!r} is never closed")
    return tokens


_AMBIGUOUS = (
    "ambiguous '<' after a value inside parentheses: write '< ' (with a space) for"
    " 'less than', and an IRI holding ' ( ) [ ] or # in this place as a prefixed name"
)


def _iri_end(text: str, start: int, close: int) -> int | None:
    """Where the IRI starting at ``start`` ends, if pyoxigraph would read one there;
    ``close`` is the position of the next ``>`` (beyond the text if there is none)."""
    if close >= len(text):
        return None
    content = text[start + 1 : close]
    if _IRI_CONTENT.fullmatch(content) is None:
        return None
    if _EXCLUDED_IN_IRI.search(_decode_codepoints(content)):
        return None
    return close + 1


def _ambiguous(tokens: list[Token], stack: list[str], terms_only: list[bool]) -> bool:
    """Could ``<`` here be "less than"? Only inside parentheses, right after an operand."""
    if not stack or stack[-1] not in ("(", "<<(") or not tokens or terms_only[-1]:
        return False
    last = tokens[-1]
    return last.kind in _OPERANDS or (last.kind == "punct" and last.text in _OPERAND_PUNCT)


def _holds_terms(
    opener: str, tokens: list[Token], stack: list[str], terms_only: list[bool]
) -> bool:
    """Does the bracket being opened belong to inline data (``VALUES (?a ?b) { (…) }``)?"""
    last = tokens[-1] if tokens else None
    if last is None:
        return False
    after_values = last.kind == "word" and last.text.lower() == "values"
    if opener == "(":
        in_data_block = bool(stack) and stack[-1] == "{" and terms_only[-1]
        return after_values or in_data_block
    if opener == "{" and len(tokens) >= 2:
        before = tokens[-2]
        one_variable = last.kind == "var" and before.kind == "word"
        return (one_variable and before.text.lower() == "values") or (
            last.text == ")" and _closed_values_list(tokens)
        )
    return False


def _closed_values_list(tokens: list[Token]) -> bool:
    """Did the ``)`` just read close ``VALUES ( ?a ?b … )``?"""
    index = len(tokens) - 2
    while index >= 0 and tokens[index].kind == "var":
        index -= 1
    return (
        index >= 1
        and tokens[index].text == "("
        and tokens[index - 1].kind == "word"
        and tokens[index - 1].text.lower() == "values"
    )


def _check_ambiguous_iri(text: str, start: int, end: int, shadow_end: int) -> int:
    """Refuse an IRI that would change the token structure if read as ``<`` … ``>``.

    Read as operators, a quote inside starts a string and brackets change the nesting;
    a ``#`` starts a comment to the end of the line, which the caller enforces.
    """
    content = text[start + 1 : end - 1]
    if any(c in content for c in "'()[]"):
        raise QuerySyntaxError(text, start, _AMBIGUOUS)
    if "#" in content:
        line_end = _LINE_END.search(text, end)
        return max(shadow_end, line_end.start() if line_end else len(text))
    return shadow_end


def _split_closer(value: str, stack: list[str]) -> str:
    """``>>``, ``)>>`` and ``|}`` close only what they match; otherwise read their first part."""
    if value in _CLOSERS and (not stack or stack[-1] != _CLOSERS[value]):
        return value[0]
    return value


def _nest(text: str, position: int, value: str, stack: list[str]) -> None:
    if value in _OPENERS:
        stack.append(value)
    elif value in _CLOSERS:
        if not stack or stack[-1] != _CLOSERS[value]:
            raise QuerySyntaxError(text, position, f"{value!r} closes nothing")
        stack.pop()


def _decode_codepoints(text: str) -> str:
    """SPARQL 1.1 §19.2: ``\\uXXXX`` and ``\\UXXXXXXXX`` replaced by their characters."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _CODEPOINT.sub(replace, text)


def _depth(tokens: list[Token]) -> int:
    """How deeply pyoxigraph's parser will recurse: brackets, plus runs of prefix
    operators (``!!!…true`` recurses once per ``!`` and 18,000 of them crash it)."""
    depth = deepest = run = 0
    for token in tokens:
        run = run + 1 if token.kind == "punct" and token.text in _PREFIX_OPERATORS else 0
        if token.kind == "punct" and token.text in _OPENERS:
            depth += 1
        elif token.kind == "punct" and token.text in _CLOSERS:
            depth -= 1
        deepest = max(deepest, depth + run)
    return deepest


def _calls_service(tokens: list[Token]) -> bool:
    """True when pyoxigraph could read a SERVICE keyword somewhere in ``tokens``.

    Keywords are matched as prefixes, so a bare word holding "service" anywhere
    (``SERVICE``, ``trueSERVICE``, ``ServiceSilent``) counts, and so does a prefixed
    name whose prefix holds it when a group follows (``service:x {`` is
    ``SERVICE :x {``); ``?service``, ``ex:service`` and ``service:p`` as a
    predicate are names.
    """
    for index, token in enumerate(tokens):
        if token.kind == "word" and "service" in token.text.lower():
            return True
        if token.kind == "pname" and "service" in token.prefix.lower():
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is not None and following.text in ("{", "{|"):
                return True
    return False


def _prologue_end(tokens: list[Token]) -> int:
    """Index of the first token after ``BASE <…>``, ``PREFIX p: <…>`` and ``VERSION "…"``."""
    index = 0
    while index < len(tokens):
        word = tokens[index].text.lower() if tokens[index].kind == "word" else ""
        if word == "base" and index + 1 < len(tokens):
            index += 2
        elif word == "prefix" and index + 2 < len(tokens):
            index += 3
        elif word == "version" and index + 1 < len(tokens):
            index += 2
        else:
            break
    return index


def analyse(text: str) -> QueryShape:
    """Tokenize ``text`` and say what it does; QuerySyntaxError when it does not tokenize."""
    tokens = tokenize(text)
    first = tokens[_prologue_end(tokens)] if _prologue_end(tokens) < len(tokens) else None
    is_update = (
        first is not None
        and first.kind in ("word", "pname")
        and first.text.lower().startswith(_UPDATE_KEYWORDS)
    )
    uses_service = _calls_service(tokens) or _service_after_codepoint_escapes(text)
    has_dataset = any(t.kind == "word" and t.text.lower().startswith("from") for t in tokens)
    return QueryShape(is_update, uses_service, has_dataset, _depth(tokens))


def _service_after_codepoint_escapes(text: str) -> bool:
    """Would a parser that applies the §19.2 pre-pass (pyoxigraph can be built so) see SERVICE?"""
    if "\\u" not in text and "\\U" not in text:
        return False
    try:
        return _calls_service(tokenize(_decode_codepoints(text)))
    except QuerySyntaxError:
        return False  # such a parser would refuse the text as well


# --- Where things are: for the modules that read or rewrite query text -------------------
# Working on tokens, none of them mistakes a "#" in an IRI for a comment, or a keyword in
# a string or a prefixed name for a keyword.

_FORMS = ("select", "ask", "construct", "describe")


def is_keyword(token: Token, *words: str) -> bool:
    """Whether ``token`` is the bare word of one of the keywords ``words`` (lower case)."""
    return token.kind == "word" and token.text.lower() in words


def query_form(tokens: list[Token]) -> str | None:
    """``select``, ``ask``, ``construct`` or ``describe``: the first of these keywords."""
    return next((t.text.lower() for t in tokens if is_keyword(t, *_FORMS)), None)


def closing(tokens: list[Token], opening: int) -> int:
    """The index of the token that closes the bracket ``tokens[opening]``."""
    depth = 0
    for index in range(opening, len(tokens)):
        token = tokens[index]
        if token.kind == "punct" and token.text in _OPENERS:
            depth += 1
        elif token.kind == "punct" and token.text in _CLOSERS:
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"{tokens[opening].text!r} at {tokens[opening].start} is never closed")


def top_level_groups(tokens: list[Token]) -> list[int]:
    """Indexes of the ``{`` tokens outside every bracket: a CONSTRUCT template, the WHERE
    group, a trailing ``VALUES`` block."""
    found: list[int] = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.kind != "punct":
            continue
        if token.text in _OPENERS:
            if depth == 0 and token.text == "{":
                found.append(index)
            depth += 1
        elif token.text in _CLOSERS:
            depth -= 1
    return found


def iri(token: Token) -> str:
    """The IRI an ``iri`` token writes, its ``\\u`` escapes decoded."""
    return _decode_codepoints(token.text[1:-1])


def service_endpoints(tokens: list[Token]) -> tuple[str, ...]:
    """The IRIs named after ``SERVICE`` or ``SERVICE SILENT``, each once, in order.

    A service named by a prefixed name or a variable is not listed; :func:`analyse`
    still sees that the query calls one.
    """
    found: list[str] = []
    for index, token in enumerate(tokens):
        if not is_keyword(token, "service"):
            continue
        following = tokens[index + 1 : index + 3]
        if following and is_keyword(following[0], "silent"):
            following = following[1:]
        if following and following[0].kind == "iri":
            found.append(iri(following[0]))
    return tuple(dict.fromkeys(found))


def without_comments(text: str) -> str:
    """``text`` with its comments removed, line breaks and every token kept (a ``#`` in an
    IRI or a string stays); QuerySyntaxError when it does not tokenize."""
    pieces: list[str] = []
    at = 0
    for token in tokenize(text):
        pieces += [_COMMENT.sub("", text[at : token.start]), token.text]
        at = token.start + len(token.text)
    pieces.append(_COMMENT.sub("", text[at:]))
    return "".join(pieces)
