"""Deadlines as revised task lists write them (issue 17): every form with the last day it allows."""

from __future__ import annotations

import datetime as dt

import pytest

from tui.core.deadlines import deadline_warnings, read_deadline, unreadable_deadlines
from tui.core.model import Status, Task

D = dt.date

# (完成时限 as written, the last day allowed; None: continuing, never overdue)
READABLE = [
    # years and ranges of years: the last year ends it
    ("2025", D(2025, 12, 31)),
    ("2024年", D(2024, 12, 31)),
    ("2023—2025年", D(2025, 12, 31)),
    ("2022—2025年", D(2025, 12, 31)),  # read as 2022-12-31 before issue 17
    ("2023-2025年", D(2025, 12, 31)),
    ("2023-2025", D(2025, 12, 31)),
    ("2023至2025年", D(2025, 12, 31)),
    ("2023～2025年", D(2025, 12, 31)),
    ("2023~2025年", D(2025, 12, 31)),
    ("2023年—2025年", D(2025, 12, 31)),
    ("2023—25年", D(2025, 12, 31)),
    ("２０２３—２０２５年", D(2025, 12, 31)),
    ("2026年底前", D(2026, 12, 31)),
    ("2026年底", D(2026, 12, 31)),
    ("2026年末", D(2026, 12, 31)),
    ("2026年前", D(2026, 12, 31)),
    ("2026 年", D(2026, 12, 31)),
    ("“十四五”期间", D(2025, 12, 31)),
    # halves and quarters
    ("2026年上半年", D(2026, 6, 30)),
    ("2026年下半年", D(2026, 12, 31)),
    ("2026年年中", D(2026, 6, 30)),
    ("2026年第一季度", D(2026, 3, 31)),
    ("2026年一季度", D(2026, 3, 31)),
    ("2026年第二季度", D(2026, 6, 30)),
    ("2026年第三季度", D(2026, 9, 30)),
    ("2026年三季度", D(2026, 9, 30)),
    ("2026年四季度末", D(2026, 12, 31)),
    ("2026年第3季度", D(2026, 9, 30)),
    ("2026年Q3", D(2026, 9, 30)),
    # months and days
    ("2026年6月", D(2026, 6, 30)),
    ("2026年6月底前", D(2026, 6, 30)),
    ("2026年6月底", D(2026, 6, 30)),
    ("2026年6月末", D(2026, 6, 30)),
    ("2026年6月前", D(2026, 6, 30)),
    ("2026年2月底前", D(2026, 2, 28)),
    ("2028年2月底前", D(2028, 2, 29)),
    ("2026年六月底前", D(2026, 6, 30)),
    ("2026年十二月", D(2026, 12, 31)),
    ("２０２６年６月底前", D(2026, 6, 30)),
    ("2026.6", D(2026, 6, 30)),
    ("2026/6", D(2026, 6, 30)),
    ("2026-6", D(2026, 6, 30)),
    ("２０２６．６", D(2026, 6, 30)),
    ("2026年6月30日前", D(2026, 6, 30)),
    ("2026年6月15日", D(2026, 6, 15)),
    ("2026.6.30", D(2026, 6, 30)),
    ("2026-06-30", D(2026, 6, 30)),
    ("2026年1—6月", D(2026, 6, 30)),
    ("2026年1月至6月", D(2026, 6, 30)),
    ("2026年10月—2027年3月", D(2027, 3, 31)),
    ("2026年上半年—2027年上半年", D(2027, 6, 30)),
    # several dates in one text: the last ends it
    ("2024年完成试点，2025年全覆盖", D(2025, 12, 31)),
    ("2026年6月底前完成试点，2026年底前全覆盖", D(2026, 12, 31)),
    ("2025年完成试点，12月底前验收", D(2025, 12, 31)),
    ("2026年3月底前制定方案，6月30日前完成", D(2026, 6, 30)),
    ("2025年起草方案", D(2025, 12, 31)),  # 起草 is a word, not “from 2025 on”
    # continuing forms: no end
    ("", None),
    ("   ", None),
    ("持续实施", None),
    ("长期", None),
    ("长期坚持", None),
    ("常态化", None),
    ("常态化推进", None),
    ("每年", None),
    ("每季度", None),
    ("每月", None),
    ("每年12月底前", None),
    ("2024年起", None),
    ("2024年起持续实施", None),
    ("自2025年开始长期坚持", None),
]

UNREADABLE = ["春节前", "上半年", "三季度", "6月底前", "年底前", "2026年13月", "2026年0月", "2026.0", "2026年2月30日", "适时", "按上级要求"]


@pytest.mark.parametrize(("text", "end"), READABLE, ids=[text or "blank" for text, _end in READABLE])
def test_each_form_ends_on_the_last_day_it_allows(text: str, end: dt.date | None) -> None:
    deadline = read_deadline(text)
    assert (deadline.end, deadline.unreadable) == (end, False)
    assert deadline.continuing is (end is None)


@pytest.mark.parametrize("text", UNREADABLE)
def test_unreadable_forms_have_no_end_and_say_so(text: str) -> None:
    deadline = read_deadline(text)
    assert (deadline.end, deadline.unreadable, deadline.continuing) == (None, True, False)
    assert deadline.label() == f"{text}（无法识别日期，不计逾期）"


def test_the_label_shows_the_day_it_was_read_as_unless_the_text_is_that_day() -> None:
    assert read_deadline("2026年上半年").label() == "2026年上半年（至 2026-06-30）"
    assert read_deadline("2025").label() == "2025（至 2025-12-31）"
    assert read_deadline("2026-06-30").label() == "2026-06-30"
    assert read_deadline("持续实施").label() == "持续实施"
    assert read_deadline("").label() == "未填写"


def _task(no: int, deadline: str, status: Status = Status.NOT_STARTED) -> Task:
    return Task(id=f"T{no}", no=no, section="", subsection="", content="", units=(), deadline=deadline, status=status)


@pytest.mark.parametrize(("text", "end"), [(text, end) for text, end in READABLE if end is not None])
def test_overdue_from_the_day_after_the_end(text: str, end: dt.date) -> None:
    task = _task(1, text)
    assert not task.is_overdue(end)
    assert task.is_overdue(end + dt.timedelta(days=1))
    assert not _task(1, text, Status.DONE).is_overdue(end + dt.timedelta(days=1))


@pytest.mark.parametrize("text", [*(text for text, end in READABLE if end is None), *UNREADABLE])
def test_continuing_and_unreadable_deadlines_are_never_overdue(text: str) -> None:
    assert not _task(1, text).is_overdue(dt.date(2099, 1, 1))


def test_json_gives_the_end_day_or_null() -> None:
    today = dt.date(2026, 11, 28)
    assert _task(1, "2026年上半年").to_json(today)["deadline_end"] == "2026-06-30"
    assert _task(1, "持续实施").to_json(today)["deadline_end"] is None
    assert _task(1, "春节前").to_json(today)["deadline_end"] is None


def test_warnings_name_each_unreadable_deadline_once_then_what_to_write() -> None:
    tasks = [_task(1, "2025"), _task(2, "春节前"), _task(3, "持续实施"), _task(4, "上半年")]
    assert unreadable_deadlines(tasks) == [(2, "春节前"), (4, "上半年")]
    lines = deadline_warnings(unreadable_deadlines(tasks))
    assert lines[:2] == [
        "2 号任务的完成时限“春节前”无法识别为日期，不计逾期。",
        "4 号任务的完成时限“上半年”无法识别为日期，不计逾期。",
    ]
    assert len(lines) == 3 and "2026年6月底前" in lines[2]
    assert deadline_warnings(unreadable_deadlines(tasks[:1])) == []
