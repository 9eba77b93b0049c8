"""What each unit did in one reporting period: its notes, its status changes, whether it reported a task.

A task's progress is kept in rows, one per unit (`Task.unit_rows`); the lead's row is the overall one. A unit
*reported* a task in the period when it wrote a note on its row or changed its row's status (a change that was
undone does not count, nor the undo). The period's status changes are one net change per task and row, first
-> last, with undo pairs and round trips dropped. The report (`tui.core.report`) and the overview
(`tui.core.overview`) read the period through `PeriodProgress`. Pure: no files, no terminal UI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.model import Event, Note, Status, Task, UnitRole

if TYPE_CHECKING:
    from tui.core.report import Period

__all__ = ["PeriodProgress", "StatusChange", "UnitReporting", "number_ranges"]

# A row of a task as the journal names it: (task id, "" for the overall row, which is the lead's, else the unit).
RowKey = tuple[str, str]


@dataclass(frozen=True)
class StatusChange:
    """The net status change of one row of a task in the period: the status before its first change there ->
    the status after its last one (`at` and `who` are of the last change)."""

    at: str
    who: str
    task: Task
    unit: str  # whose row: the unit, or the lead unit for the overall row
    role: UnitRole | None  # None: a unit no longer on the task (a township dropped since)
    old: Status
    new: Status

    @property
    def change_text(self) -> str:
        return f"{self.old.label} → {self.new.label}"


def number_ranges(numbers: Sequence[int]) -> str:
    """`1–11、13、15–72`: 序号 in order, runs of consecutive ones as ranges."""
    parts: list[str] = []
    ordered = sorted(numbers)
    start = 0
    for index in range(1, len(ordered) + 1):
        if index == len(ordered) or ordered[index] != ordered[index - 1] + 1:
            first, last = ordered[start], ordered[index - 1]
            parts.append(str(first) if first == last else f"{first}–{last}")
            start = index
    return "、".join(parts)


@dataclass(frozen=True)
class UnitReporting:
    """One unit's reporting in the period (本期报送情况): its tasks, and those it reported nothing on."""

    unit: str
    tasks: tuple[Task, ...]
    missing: tuple[Task, ...]

    @property
    def reported(self) -> int:
        return len(self.tasks) - len(self.missing)

    @property
    def missing_numbers(self) -> str:
        return number_ranges([task.no for task in self.missing])


def _when(note: Note) -> str:
    return note.at


class PeriodProgress:
    """The period's notes and status changes of `tasks`, by row; `events` is the history (any span: those
    outside the period are skipped, undos anywhere count)."""

    def __init__(self, tasks: Iterable[Task], events: Iterable[Event], period: Period) -> None:
        self.period = period
        self.tasks = tuple(tasks)
        by_id = {task.id: task for task in self.tasks}
        self._notes: dict[RowKey, list[Note]] = {}
        self._task_notes: dict[str, tuple[Note, ...]] = {}
        for task in self.tasks:
            noted = tuple(sorted((n for n in (*task.notes, *task.unit_notes) if period.contains(n.at)), key=_when))
            if noted:
                self._task_notes[task.id] = noted
            for note in noted:
                self._notes.setdefault((task.id, note.unit), []).append(note)
        events = [event for event in events if event.task in by_id]
        undone = {event.ref for event in events if event.kind == "undo"}
        in_period = [event for event in events if period.contains(event.at)]
        self._changed: set[RowKey] = {
            (event.task, event.unit) for event in in_period if event.kind == "status" and event.id not in undone
        }
        first: dict[RowKey, Event] = {}
        last: dict[RowKey, Event] = {}
        for event in in_period:
            if event.kind in ("status", "undo") and event.new:
                first.setdefault((event.task, event.unit), event)
                last[(event.task, event.unit)] = event
        self._net = [(by_id[key[0]], key[1], first[key], last[key]) for key in last]
        self._net.sort(key=lambda item: item[3].at)
        self._updated = {task_id for task_id, _row in (*self._notes, *self._changed)}

    @staticmethod
    def row_of(task: Task, unit: str | None) -> str:
        """The journal's name of a unit's row of `task`: "" for the overall row (the lead's)."""
        return task.row_key(unit) or ""

    def notes(self, task: Task, unit: str | None = None) -> tuple[Note, ...]:
        """The period's notes on a unit's row (the overall row for the lead or None), oldest first."""
        return tuple(self._notes.get((task.id, self.row_of(task, unit)), ()))

    def reported(self, task: Task, unit: str | None = None) -> bool:
        """Whether the unit (the lead for None) wrote a note on its row or changed its row's status."""
        key = (task.id, self.row_of(task, unit))
        return key in self._notes or key in self._changed

    def updated(self, task: Task) -> bool:
        """Whether any unit reported the task: it is not 本期未更新."""
        return task.id in self._updated

    def task_notes(self, task: Task) -> tuple[Note, ...]:
        """Every note of the task in the period, on any row, oldest first."""
        return self._task_notes.get(task.id, ())

    def grouped_lines(self, task: Task, line: Callable[[Note], str]) -> tuple[str, ...]:
        """`【区民政局】11月3日 张三：……；11月20日 张三：……`, one line per unit with notes in the period, in the order of
        the rows (the lead first); `line` words one note."""
        return tuple(
            f"【{row.unit}】" + "；".join(line(note) for note in notes)
            for row in task.unit_rows()
            if (notes := self.notes(task, row.unit))
        )

    def status_changes(self, who: Callable[[str], str]) -> list[StatusChange]:
        """The net change of every row whose status the period changed, in the order of their last changes;
        rows back where they started (an undo, a round trip) are left out."""
        changes = []
        for task, row, first, last in self._net:
            try:
                old, new = Status(first.old), Status(last.new)
            except ValueError:
                continue
            if old is new:
                continue
            unit = row or task.lead_unit
            changes.append(StatusChange(last.at, who(last.by), task, unit, task.role_of(unit) if unit else None, old, new))
        return changes

    def reporting(self, units: Iterable[str]) -> list[UnitReporting]:
        """本期报送情况 of each of `units` (in that order) over its tasks among these."""
        result = []
        for unit in units:
            tasks = tuple(task for task in self.tasks if task.has_unit(unit))
            if tasks:
                missing = tuple(task for task in tasks if not self.reported(task, unit))
                result.append(UnitReporting(unit, tasks, missing))
        return result
