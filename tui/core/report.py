"""The report model: what a report on one period says, whatever file it is written to. No files here.

A reporting round is a calendar month (`Period`): its notes are the period's progress (进展情况),
grouped by unit (the lead first); a task on which no unit wrote a note or changed its status in the period
is flagged 本期未更新. After the table: which units reported nothing on which of their tasks (本期报送情况),
the period's net status change of each task's rows, then the revisions imported in the period, with the
words they changed. What each unit did in the period is `tui.core.unit_progress`.
`build_report` gathers all of it for the tasks the filters select (`ExportFilters`, the same filters
as `taizhang list` and the app's tree). The writers are `tui.core.report_word` (.docx) and
`tui.core.report_data` (.csv, .json); `tui.core.export` writes the file. The app's overview counts
with the same periods.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tui.core.history import field_changes
from tui.core.model import Event, Ledger, Note, Status, Task
from tui.core.unit_progress import PeriodProgress, StatusChange, UnitReporting

__all__ = [
    "COLUMNS",
    "NOT_UPDATED",
    "ExportError",
    "ExportFilters",
    "Period",
    "Progress",
    "Report",
    "ReportRow",
    "StatusChange",
    "TaskRevision",
    "UnitReporting",
    "build_report",
    "month_day",
    "period_notes",
]

COLUMNS = ("序号", "工作任务", "具体项目", "主要内容", "责任单位", "完成时限", "当前状态", "进展情况")
NOT_UPDATED = "本期未更新"

# Called with (tasks written, tasks in the report); once more with (total, total) when the file is saved.
Progress = Callable[[int, int], None]


class ExportError(Exception):
    """An export that cannot be made; the message is one line of Chinese for the user."""


# ---------------------------------------------------------------------- periods


_PERIOD = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting round: one calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise ExportError(f"报告期“{text}”格式不对。请写成 年-月，如 2026-11。")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    @property
    def key(self) -> str:
        """`2026-11`: the same prefix as an ISO timestamp taken in this month."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def contains(self, at: str) -> bool:
        """Whether an ISO timestamp (as notes and events store it, in the writer's local time) falls in it."""
        return at[:7] == self.key


def period_notes(task: Task, period: Period) -> tuple[Note, ...]:
    """The task's notes written in the period, oldest first: its progress for that round."""
    return tuple(note for note in task.notes if period.contains(note.at))


# ---------------------------------------------------------------------- filters and the report


@dataclass(frozen=True)
class ExportFilters:
    """Which tasks go into the report: the same filters as `taizhang list` and the app's tree."""

    unit: str | None = None
    statuses: tuple[Status, ...] | None = None
    overdue: bool = False
    search: str | None = None

    def select(self, ledger: Ledger, today: dt.date) -> list[Task]:
        return ledger.select(
            today=today, unit=self.unit, statuses=self.statuses, overdue=self.overdue, search=self.search
        )

    def describe(self) -> list[str]:
        """The filters as the report's subtitle says them, e.g. ["责任单位：区卫健局", "仅列逾期任务"]."""
        parts = []
        if self.unit:
            parts.append(f"责任单位：{self.unit}")
        if self.statuses:
            parts.append("状态：" + "、".join(status.label for status in self.statuses))
        if self.overdue:
            parts.append("仅列逾期任务")
        if self.search:
            parts.append(f"含“{self.search}”")
        return parts

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "statuses": [status.value for status in self.statuses] if self.statuses else None,
            "overdue": self.overdue,
            "search": self.search,
        }


@dataclass(frozen=True)
class ReportRow:
    task: Task
    progress: tuple[Note, ...]  # the period's notes on every row, oldest first
    progress_lines: tuple[str, ...]  # the same by unit, as printed: `【区民政局】11月3日 张三：……；11月20日 ……`
    overdue: bool
    # No unit wrote a note or changed its row's status in the period.
    not_updated: bool = False


@dataclass(frozen=True)
class TaskRevision:
    """A revised task list's change to a task (or its return from the archive), imported in the period."""

    at: str
    who: str
    task: Task
    event: Event
    # `主要内容 …建设{+，2026年底前实现全覆盖+}。`, `完成时限 2025 → 2026`: the words that changed, as the
    # import preview and `taizhang history` show them.
    changes: tuple[str, ...]

    @property
    def restored(self) -> bool:
        return self.event.kind == "restore"


@dataclass(frozen=True)
class Report:
    title: str
    as_of: dt.date
    period: Period
    filters: ExportFilters
    rows: tuple[ReportRow, ...]
    status_changes: tuple[StatusChange, ...] = ()
    revisions: tuple[TaskRevision, ...] = ()
    # 本期报送情况: each unit of the selected tasks (only the filter's unit when there is one), the ledger's order.
    reporting: tuple[UnitReporting, ...] = ()

    @property
    def not_updated_count(self) -> int:
        return sum(row.not_updated for row in self.rows)


def _day(at: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(at[:10])
    except ValueError:
        return None


def month_day(at: str) -> str:
    """`11月3日`: the day of a stored time as the report writes it."""
    day = _day(at)
    return f"{day.month}月{day.day}日" if day else at[:10]


def _same_person(login: str) -> str:
    return login


def build_report(
    ledger: Ledger,
    *,
    today: dt.date,
    period: Period | None = None,
    filters: ExportFilters | None = None,
    history: Iterable[Event] = (),
    display_name: Callable[[str], str] | None = None,
) -> Report:
    """What the report says, independent of the file format."""
    period = period or Period.of(today)
    filters = filters or ExportFilters()
    who = display_name or _same_person
    events = list(history)
    selected = filters.select(ledger, today)
    progress = PeriodProgress(selected, events, period)

    def line(note: Note) -> str:
        return f"{month_day(note.at)} {who(note.by)}：{note.text}"

    rows = [
        ReportRow(
            task=task,
            progress=progress.task_notes(task),
            progress_lines=progress.grouped_lines(task, line),
            overdue=task.is_overdue(today),
            not_updated=not progress.updated(task),
        )
        for task in selected
    ]
    by_id = {row.task.id: row.task for row in rows}
    units = [filters.unit] if filters.unit else [name for name, _count in ledger.units()]
    return Report(
        title=ledger.title,
        as_of=today,
        period=period,
        filters=filters,
        rows=tuple(rows),
        status_changes=tuple(progress.status_changes(who)),
        reporting=tuple(progress.reporting(units)),
        revisions=tuple(
            TaskRevision(event.at, who(event.by), by_id[event.task], event, tuple(field_changes(event)))
            for event in events
            if event.kind in ("import", "restore") and period.contains(event.at) and event.task in by_id
        ),
    )

