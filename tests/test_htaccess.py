"""The ``.htaccess`` rules of a static host negotiate as ``spacecoop serve`` does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def _apache_redirect(rules: str, path: str, accept: str) -> str | None:
    """Where mod_rewrite sends ``path`` for ``accept``: a tiny evaluator of our rule shapes."""
    conditions: list[tuple[str, bool]] = []
    for line in rules.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "RewriteCond":
            assert words[1] == "%{HTTP_ACCEPT}", line
            conditions.append((words[2], "[OR]" in words[3:]))
        elif words[0] == "RewriteRule":
            pattern, target, flags = words[1], words[2], words[3]
            # Only chains of [OR]-ed conditions are written (and understood) here.
            assert all(chained for _, chained in conditions[:-1]), line
            holds = not conditions or any(re.search(r, accept) for r, _ in conditions)
            conditions = []
            found = re.search(pattern, path)
            if holds and found:
                assert "R=303" in flags, line
                return found.expand(re.sub(r"\$(\d)", r"\\\1", target))
    return None


@pytest.mark.parametrize(
    ("accept", "extension"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("*/*", "html"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "rdf"),
    ],
)
def test_htaccess_negotiates_like_the_server(site: Path, accept: str, extension: str) -> None:
    rules = (site / ".htaccess").read_text(encoding="utf-8")
    assert "RewriteEngine on" in rules
    for path in ("id/event/first-symposium-2018", "id/source/wenchang-news-article/p1", "def"):
        target = _apache_redirect(rules, path, accept)
        assert target == f"{path}.{extension}"
        assert (site / target).is_file()
    assert _apache_redirect(rules, "id/event/first-symposium-2018.ttl", accept) is None
    assert _apache_redirect(rules, "index.html", accept) is None
