"""Dates written in a question: 2021年, 2021年底, 2023-06, in 2021, before 2023, 2021年到2023年.

A year or a month stands for its last day (the memberships in force by then) unless the
question says its start (年初, early, start of); "before" a period is the day before it
starts. Each date keeps the words it was read from, so the answer can say how it was read.

>>> [d.as_of.isoformat() for d in find("2021年底川南渝西有哪些成员")]
['2021-12-31']
>>> [d.as_of.isoformat() for d in find("members of 万达开 before 2023")]
['2022-12-31']
>>> [d.as_of.isoformat() for d in find("2021年到2023-06年的变化")]
['2021-12-31', '2023-06-30']
>>> [d.as_of.isoformat() for d in find("as of 2020年9月1日")]
['2020-09-01']
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_DATE = re.compile(
    r"(?P<before>before|prior to|until|截至|截止到?)?\s*"
    r"(?P<start>年初|early|start of|beginning of|the start of)?\s*"
    r"(?<!\d)(?P<year>(?:19|20)\d{2})(?!\d)"
    r"(?:\s*(?:年|-|/|\.)\s*(?P<month>1[0-2]|0?[1-9])(?!\d)"
    r"(?:\s*(?:月|-|/|\.)\s*(?P<day>3[01]|[12]\d|0?[1-9])(?!\d)\s*日?)?\s*月?)?"
    r"\s*年?\s*(?P<edge>年初|初|年底|底|年末|末|上半年|下半年)?"
    r"\s*(?P<before_zh>以前|之前|前(?![\d一二三四五六七八九十]))?")


@dataclass(frozen=True)
class DatePart:
    """A date in a question: the text, the date used (``as_of``) and how it was read."""

    text: str
    as_of: dt.date
    reading: str  # end | start | day | before

    def describe(self) -> dict:
        return {"text": self.text, "as_of": self.as_of.isoformat(), "read_as": self.reading}


def _period(year: int, month: str | None, day: str | None) -> tuple[dt.date, dt.date]:
    """First and last day of the year, month or day written."""
    if day:
        date = dt.date(year, int(month), int(day))
        return date, date
    if month:
        last = calendar.monthrange(year, int(month))[1]
        return dt.date(year, int(month), 1), dt.date(year, int(month), last)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _read(match: re.Match) -> DatePart | None:
    parts = match.groupdict()
    try:
        first, last = _period(int(parts["year"]), parts["month"], parts["day"])
    except ValueError:  # 2023-02-30: not a date
        return None
    edge = parts["edge"] or ""
    if edge == "上半年":
        first, last = first, dt.date(first.year, 6, 30)
    elif edge == "下半年":
        first = dt.date(first.year, 7, 1)
    text = match.group(0).strip()
    if parts["before"] or parts["before_zh"]:
        return DatePart(text, first - dt.timedelta(days=1), "before")
    if parts["start"] or edge in ("年初", "初"):
        return DatePart(text, first, "start")
    return DatePart(text, last, "day" if first == last else "end")


def find(text: str) -> list[DatePart]:
    """Every date written in ``text``, in order."""
    return [part for part in map(_read, _DATE.finditer(text)) if part is not None]


def strip(text: str) -> str:
    """``text`` with its dates blanked out, same length (so their digits are not read as
    distances or names, and positions in it are positions in ``text``)."""
    return _DATE.sub(lambda m: " " * len(m.group(0)) if _read(m) else m.group(0), text)
