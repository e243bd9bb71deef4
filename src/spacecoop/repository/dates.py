"""Dates at the precision the source gives: a day, a month or a year.

A month-precision date is the whole month, not its first day; comparing two
dates therefore means comparing intervals. Display follows the precision too.
"""

from __future__ import annotations

import calendar
import datetime as dt

from rdflib import Literal

from ..namespaces import XSD

PRECISION = {XSD.date: "day", XSD.gYearMonth: "month", XSD.gYear: "year"}


def interval(value: Literal) -> tuple[dt.date, dt.date]:
    """The first and last day that ``value`` may denote."""
    text = str(value)
    if value.datatype == XSD.date:
        day = dt.date.fromisoformat(text[:10])
        return day, day
    if value.datatype == XSD.gYearMonth:
        year, month = int(text[:4]), int(text[5:7])
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    if value.datatype == XSD.gYear:
        year = int(text[:4])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    raise ValueError(f"not a date at a known precision: {value!r}")


def precision(value: Literal) -> str:
    """``day``, ``month`` or ``year``."""
    return PRECISION[value.datatype]


def display(start: Literal, end: Literal | None = None) -> str:
    """Human-readable date or range at the source's precision: ``29–30 January 2018``."""
    first, _ = interval(start)
    kind = precision(start)
    if kind == "year":
        text = str(first.year)
    elif kind == "month":
        text = f"{calendar.month_name[first.month]} {first.year}"
    else:
        text = f"{first.day} {calendar.month_name[first.month]} {first.year}"
    if end is None or end == start:
        return text
    last, _ = interval(end)
    if kind == precision(end) == "day" and (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {calendar.month_name[first.month]} {first.year}"
    return f"{text} – {display(end)}"
