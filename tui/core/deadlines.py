"""Reading a 完成时限 as revised task lists write it: the last day it allows, or none.

Pure text rules: no storage, no terminal UI. `read_deadline` is the one reader; everything that asks
whether a task is overdue, or shows the date a deadline was read as, goes through it.

Forms read (full-width digits and any spacing as well):
- a year `2025`, `2025年`, `2025年底前`, `2025年末`; a range `2023—2025年`, `2023-2025`, `2023至2025年`,
  `2023～2025年`, `2023—25年`: the last year ends it;
- a half `2026年上半年` (30 June), `下半年`, `年中`; a quarter `2026年第三季度`, `三季度`, `3季度`, `Q3`;
- a month `2026年6月`, `2026年6月底前`, `2026.6`, `2026/6`, `2026-6`; a day `2026年6月30日前`,
  `2026.6.30`, `2026-06-30`; a month or day without a year takes the year written before it
  (`2026年1—6月`, `2025年完成试点，12月底前验收`);
- continuing forms without an end: blank, `持续实施`, `长期`/`长期坚持`, `常态化`/`常态化推进`, `每年`,
  `每季度`, `每月`, and a start without an end (`2024年起`).

When a text names several dates (`2024年完成试点，2025年全覆盖`), the latest ends it: a deadline is
never read as earlier than its text allows. `N月前` is read as the end of month N, for the same reason.
Anything else (`春节前`, `上半年` without a year, `2026年13月`) is unreadable: never overdue, and
reported by `taizhang check` and on import rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["DEADLINE_HINT", "Deadline", "deadline_end", "deadline_warnings", "read_deadline", "unreadable_deadlines"]

_FIRST_YEAR, _LAST_YEAR = 1949, 2199
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# Plan periods that name their last year.
_PLAN_PERIODS = {"十四五": 2025, "十五五": 2030}

_TOKEN_PATTERN = r"""
    (?P<continuing>持续|长期|常态|常年|长效|经常性|逐年|每年|每半年|每季|每月)
    | (?P<plan>十四五|十五五)
    | (?<!\d)(?P<range_from>\d{4})年?[-—–~至到](?P<range_to>\d{2})年                  # 2023—25年
    | (?<!\d)(?P<d_year>\d{4})(?:年|[./-])(?P<d_month>\d{1,2})(?:月|[./-])(?P<d_day>\d{1,2})(?:日|号)?(?!\d)
    | (?<!\d)(?P<m_year>\d{4})(?:年(?P<m_month>\d{1,2})月|[./-](?P<m_month2>\d{1,2})(?!\d))
    | (?<!\d)(?P<year>\d{4})(?!\d)(?:年(?![中底末终内]))?
    | (?P<half>上半年|下半年|年中|年底|年末|年终|年内|全年)
    | (?:第?(?P<quarter>[一二三四1-4])季度?|[Qq](?P<quarter2>[1-4]))
    | (?<!\d)(?P<month>\d{1,2}|十[一二]?|[一二三四五六七八九])月份?(?:(?P<day>\d{1,2})(?:日|号))?
    | (?P<start>起(?!草)|开始|以来|以后|之后)
    """


@functools.cache
def _tokens() -> re.Pattern[str]:
    # Compiled on first use: `taizhang mark` imports the model but never reads a deadline.
    return re.compile(_TOKEN_PATTERN, re.VERBOSE)


def _month_end(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month}")
    first_of_next = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def _month_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + _CHINESE_DIGITS.get(text[1:], 0)
    return _CHINESE_DIGITS[text]


@dataclass(frozen=True)
class Deadline:
    """A 完成时限 as read: `end` is the last day allowed (None: continuing, blank, or unreadable)."""

    text: str
    end: dt.date | None
    unreadable: bool = False

    @property
    def continuing(self) -> bool:
        return self.end is None and not self.unreadable

    @property
    def end_iso(self) -> str | None:
        return self.end.isoformat() if self.end is not None else None

    def label(self, blank: str = "未填写") -> str:
        """The text with the day it was read as: `2026年上半年（至 2026-06-30）`."""
        if not self.text:
            return blank
        if self.unreadable:
            return f"{self.text}（无法识别日期，不计逾期）"
        if self.end is not None and self.text != self.end.isoformat():
            return f"{self.text}（至 {self.end.isoformat()}）"
        return self.text


def _on_day(month: int, day: int) -> Callable[[int], dt.date]:
    """The end `day`.`month` of whichever year it is read in."""
    return lambda year: dt.date(year, month, day)


def _at_month_end(month: int) -> Callable[[int], dt.date]:
    return lambda year: _month_end(year, month)


class _Reader:
    """Folds the tokens of one text: a bare year waits to be refined by a month, half or quarter after it."""

    def __init__(self) -> None:
        self.ends: list[dt.date] = []
        self.year: int | None = None  # the year later months and quarters belong to
        self.pending: int | None = None  # a bare year not yet refined
        self.continuing = False
        self.started = False  # a date marked as a start (`2024年起`)
        self.orphan = False  # a month, half or quarter without any year before it
        self.invalid = False  # a month 13, 30 February, ...

    def flush(self) -> None:
        if self.pending is not None:
            self.ends.append(dt.date(self.pending, 12, 31))
            self.pending = None

    def set_year(self, year: int) -> bool:
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            return False
        self.flush()
        self.year = self.pending = year
        return True

    def add(self, make_end: Callable[[int], dt.date]) -> None:
        """An end in the current year (a month, a half, a quarter): it refines a bare year before it."""
        if self.year is None:
            self.orphan = True
            return
        try:
            end = make_end(self.year)
        except ValueError:
            self.invalid = True
            return
        if self.pending == self.year:
            self.pending = None
        self.ends.append(end)

    def add_dated(self, year: int, make_end: Callable[[int], dt.date]) -> None:
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            return
        self.flush()
        self.year = year
        try:
            self.ends.append(make_end(year))
        except ValueError:
            self.invalid = True

    def start(self) -> None:
        """The date just read is when the work starts, not when it ends."""
        if self.pending is not None:
            self.pending = None
            self.started = True
        elif self.ends:
            self.ends.pop()
            self.started = True

    def read(self, text: str) -> None:
        dated_until = -1  # where the last date ended: `起` right after it makes that date a start
        for match in _tokens().finditer(text):
            value = match.group
            if value("start"):
                if match.start() == dated_until:
                    self.start()
                continue
            if value("continuing"):
                self.continuing = True
                continue
            if value("plan"):
                self.set_year(_PLAN_PERIODS[value("plan")])
            elif value("range_from"):
                first = int(value("range_from"))
                if self.set_year(first):
                    self.set_year(first // 100 * 100 + int(value("range_to")))
            elif value("d_year"):
                month, day = int(value("d_month")), int(value("d_day"))
                self.add_dated(int(value("d_year")), _on_day(month, day))
            elif value("m_year"):
                month = int(value("m_month") or value("m_month2"))
                self.add_dated(int(value("m_year")), _at_month_end(month))
            elif value("year"):
                self.set_year(int(value("year")))
            elif value("half"):
                first_half = value("half") in ("上半年", "年中")
                self.add(_on_day(6, 30) if first_half else _on_day(12, 31))
            elif value("quarter") or value("quarter2"):
                quarter = value("quarter") or value("quarter2")
                number = int(quarter) if quarter.isdigit() else _CHINESE_DIGITS[quarter]
                self.add(_at_month_end(3 * number))
            elif value("month"):
                month = _month_number(value("month"))
                day_text = value("day")
                self.add(_on_day(month, int(day_text)) if day_text else _at_month_end(month))
            dated_until = match.end()
        self.flush()


@functools.lru_cache(maxsize=4096)
def read_deadline(text: str) -> Deadline:
    """The last day `text` allows, or none for a continuing, blank or unreadable deadline (see the module)."""
    normal = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    if not normal:
        return Deadline(text, None)
    reader = _Reader()
    reader.read(normal)
    if reader.invalid:
        return Deadline(text, None, unreadable=True)
    if reader.ends:
        return Deadline(text, max(reader.ends))
    if reader.continuing or reader.started:
        return Deadline(text, None)
    return Deadline(text, None, unreadable=True)


def deadline_end(text: str) -> dt.date | None:
    """The last day a deadline allows; None when it never ends or cannot be read."""
    return read_deadline(text).end


class _Dated(Protocol):
    @property
    def no(self) -> int: ...

    @property
    def deadline(self) -> str: ...


DEADLINE_HINT = "请在任务清单中写明日期，如 2026年6月底前、2026年第三季度、2023—2025年，或写 持续实施。"


def unreadable_deadlines(tasks: Iterable[_Dated]) -> list[tuple[int, str]]:
    """(序号, 完成时限) of every task whose deadline cannot be read as a date."""
    return [(task.no, task.deadline) for task in tasks if read_deadline(task.deadline).unreadable]


def deadline_warnings(unreadable: Iterable[tuple[int, str]]) -> list[str]:
    """One line of Chinese per unreadable deadline, then what to write instead; empty when there are none."""
    lines = [f"{no} 号任务的完成时限“{text}”无法识别为日期，不计逾期。" for no, text in unreadable]
    return [*lines, DEADLINE_HINT] if lines else []
