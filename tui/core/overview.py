"""The overview's figures (the app's `d` screen): the whole ledger, each section, then each unit (townships
included) with its own rows' statuses, its overdue tasks and 本期未报送, sorted with the most behind first —
the 催办 list. Pure: the screen only draws these rows.

For the whole ledger and a section, statuses and overdue are the tasks' overall ones, and `not_reported` counts
the tasks no unit reported in the period (本期未更新). For a unit they are its own rows' (the lead's row is the
overall one), and `not_reported` counts its tasks on which it wrote no note and changed no status this period
(本期未报送; `tui.core.unit_progress`). The ledger must be loaded with its notes (`Ledger.notes_loaded`), the
history is `Store.history()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from tui.core.model import Event, Ledger, Status, Task
from tui.core.report import Period
from tui.core.unit_progress import PeriodProgress

__all__ = ["ALL_TASKS", "OverviewChoice", "OverviewRow", "overview_rows", "unit_overview_rows"]

ALL_TASKS = "全部任务"


@dataclass(frozen=True)
class OverviewChoice:
    """Where choosing a row takes the tree: one section, one unit, or everything."""

    kind: Literal["all", "section", "unit"]
    name: str = ""


@dataclass(frozen=True)
class OverviewRow:
    choice: OverviewChoice
    label: str
    total: int
    by_status: dict[Status, int]  # every status, in Status order (a unit's own rows)
    overdue: int
    # A section or the whole: tasks no unit reported in the period (本期未更新); a unit: its tasks it did not
    # report on (本期未报送).
    not_reported: int

    @property
    def finished(self) -> int:
        return self.by_status[Status.DONE] + self.by_status[Status.CLOSED]

    @property
    def not_reported_share(self) -> float:
        return self.not_reported / self.total if self.total else 0.0


def _task_row(choice: OverviewChoice, label: str, tasks: list[Task], today: dt.date, progress: PeriodProgress) -> OverviewRow:
    by_status = dict.fromkeys(Status, 0)
    for task in tasks:
        by_status[task.status] += 1
    return OverviewRow(
        choice=choice,
        label=label,
        total=len(tasks),
        by_status=by_status,
        overdue=sum(task.is_overdue(today) for task in tasks),
        not_reported=sum(not progress.updated(task) for task in tasks),
    )


def _unit_row(unit: str, tasks: list[Task], today: dt.date, progress: PeriodProgress) -> OverviewRow:
    by_status = dict.fromkeys(Status, 0)
    for task in tasks:
        by_status[task.status_for(unit)] += 1
    return OverviewRow(
        choice=OverviewChoice("unit", unit),
        label=unit,
        total=len(tasks),
        by_status=by_status,
        overdue=sum(task.is_overdue_for(unit, today) for task in tasks),
        not_reported=sum(not progress.reported(task, unit) for task in tasks),
    )


def _behind_first(row: OverviewRow) -> tuple[float, int, int, int]:
    """The most behind first: the largest share of its tasks not reported this period, then the most overdue,
    the most tasks not reported, the most tasks not finished."""
    return (-row.not_reported_share, -row.overdue, -row.not_reported, -(row.total - row.finished))


def unit_overview_rows(
    ledger: Ledger, today: dt.date, history: Iterable[Event], period: Period | None = None
) -> list[OverviewRow]:
    """The 催办 list: one row per unit and township with tasks, the most behind first (`_behind_first`; the
    ledger's unit order among equals). `history`: the events (`Store.history()`); `period`: this month's."""
    progress = PeriodProgress(ledger.tasks, history, period or Period.of(today))
    return _unit_rows(ledger, today, progress)


def _unit_rows(ledger: Ledger, today: dt.date, progress: PeriodProgress) -> list[OverviewRow]:
    rows = []
    for unit, _count in ledger.units():
        tasks = [task for task in ledger.tasks if task.has_unit(unit)]
        if tasks:
            rows.append(_unit_row(unit, tasks, today, progress))
    return sorted(rows, key=_behind_first)


def overview_rows(
    ledger: Ledger, today: dt.date, history: Iterable[Event], period: Period | None = None
) -> list[OverviewRow]:
    """The whole ledger, each section in document order, then the units (`unit_overview_rows`)."""
    progress = PeriodProgress(ledger.tasks, history, period or Period.of(today))
    rows = [_task_row(OverviewChoice("all"), ALL_TASKS, list(ledger.tasks), today, progress)]
    for section in dict.fromkeys(task.section for task in ledger.tasks):
        tasks = [task for task in ledger.tasks if task.section == section]
        rows.append(_task_row(OverviewChoice("section", section), section, tasks, today, progress))
    return rows + _unit_rows(ledger, today, progress)
