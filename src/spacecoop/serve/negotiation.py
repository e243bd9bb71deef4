"""HTTP ``Accept`` header parsing and choice of a representation (RFC 9110 §12.5.1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse ``Accept``; a missing or empty header accepts anything. Malformed parts are skipped."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        kind, slash, sub = fields[0].lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q))
    return ranges


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers most, or ``None`` if it accepts none.

    For each offer the most specific matching range sets its quality; ties go
    to the server's order of preference (the order of ``offered``).
    """
    ranges = parse_accept(header)
    best: tuple[float, int] | None = None
    chosen = None
    for index, media_type in enumerate(offered):
        matching = [r for r in ranges if r.matches(media_type)]
        if not matching:
            continue
        q = max(matching, key=lambda r: r.specificity).q
        if q > 0 and (best is None or (q, -index) > best):
            best, chosen = (q, -index), media_type
    return chosen
