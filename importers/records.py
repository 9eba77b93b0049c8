"""Plain records an importer produces: the document's title and its task rows.

Nothing here knows about storage or the terminal UI; the store turns these into tasks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

__all__ = [
    "TASK_FIELDS",
    "DocumentError",
    "LedgerDocument",
    "TaskRecord",
    "district_note_coverage",
    "district_note_start",
    "is_district_note",
]


class DocumentError(Exception):
    """A document that cannot be imported; the message is one line of Chinese for the user."""


@dataclass(frozen=True)
class TaskRecord:
    """One row of the ledger table, as written in the document."""

    no: int
    section: str
    subsection: str
    content: str
    units: tuple[str, ...]
    deadline: str
    # Lines of the unit cell that are notes, not units (e.g. task 1's district-wide note).
    remarks: tuple[str, ...] = ()

    @property
    def lead_unit(self) -> str:
        return self.units[0] if self.units else ""


# A task's fields as the document gives them, in the table's column order (the ledger's Task adds its id,
# status and notes to these).
TASK_FIELDS = tuple(f.name for f in fields(TaskRecord))


def is_district_note(remark: str) -> bool:
    """Whether a remark of a unit cell is the district-wide note (`以下均需各乡镇（街道）落实，不再列出。`)."""
    return "各乡镇" in remark or "不再列出" in remark


def district_note_start(remarks: Iterable[Sequence[str]]) -> int | None:
    """Where the district-wide note's reach begins: the index of the first row (rows in the document's order,
    each given by its unit cell's remarks) that carries it. It covers that row and every row after it to the
    end of the table; None when no row carries it."""
    return next((index for index, row in enumerate(remarks) if any(map(is_district_note, row))), None)


def district_note_coverage(tasks: Sequence[TaskRecord]) -> tuple[int, ...]:
    """The 序号 of the tasks the district-wide note covers (`district_note_start`), `tasks` in the document's
    order. Every township carries these tasks as well as the units listed; () when there is no such note."""
    start = district_note_start(task.remarks for task in tasks)
    return () if start is None else tuple(task.no for task in tasks[start:])


@dataclass(frozen=True)
class LedgerDocument:
    """Everything an importer reads from one document."""

    title: str
    tasks: tuple[TaskRecord, ...]
    extra_columns: tuple[str, ...] = field(default=())

    @property
    def district_note(self) -> str:
        """The note that applies to every task (written in task 1's unit cell), or ""."""
        for task in self.tasks:
            for remark in task.remarks:
                if is_district_note(remark):
                    return remark
        return ""

    @property
    def district_tasks(self) -> tuple[int, ...]:
        """The 序号 of the tasks the district note covers (`district_note_coverage`): all 72 in the source."""
        return district_note_coverage(self.tasks)
