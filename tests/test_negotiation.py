"""``Accept`` header parsing and the choice of a representation (RFC 9110 §12.5.1)."""

from __future__ import annotations

import pytest

from spacecoop.serve.negotiation import MediaRange, choose, parse_accept

OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]


def test_parse_accept_reads_q_values_and_skips_malformed_parts() -> None:
    assert parse_accept(None) == [MediaRange("*", "*", 1.0)]
    assert parse_accept("  ") == [MediaRange("*", "*", 1.0)]
    assert parse_accept("Text/Turtle;Q=0.5, application/ld+json") == [
        MediaRange("text", "turtle", 0.5),
        MediaRange("application", "ld+json", 1.0),
    ]
    assert parse_accept("text/turtle;charset=utf-8;q=0.3") == [MediaRange("text", "turtle", 0.3)]
    assert parse_accept("garbage, /x, x/, text/turtle") == [MediaRange("text", "turtle", 1.0)]
    assert parse_accept("text/turtle;q=abc") == [MediaRange("text", "turtle", 0.0)]
    assert parse_accept("a/b;q=7, c/d;q=-1") == [
        MediaRange("a", "b", 1.0),
        MediaRange("c", "d", 0.0),
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "text/html"),
        ("", "text/html"),
        ("*/*", "text/html"),
        ("text/turtle", "text/turtle"),
        ("text/turtle;q=0.9, application/ld+json", "application/ld+json"),
        ("text/turtle;q=0.9, application/ld+json;q=0.9", "text/turtle"),  # tie: server order
        ("application/*", "application/ld+json"),
        ("application/*;q=0.5, application/n-triples", "application/n-triples"),
        ("text/*, text/html;q=0", "text/turtle"),  # the specific range wins over the wildcard
        ("*/*;q=0.1, text/turtle;q=0", "text/html"),
        ("text/turtle;q=0, text/html;q=0, application/*;q=0", None),
        ("image/png", None),
        ("garbage", None),
        ("garbage, text/turtle", "text/turtle"),
        ("text/turtle;q=abc, application/ld+json;q=0.1", "application/ld+json"),
        ("TEXT/TURTLE", "text/turtle"),
    ],
)
def test_choose(header: str | None, expected: str | None) -> None:
    assert choose(header, OFFERED) == expected
