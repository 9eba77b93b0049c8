"""Plain records an importer produces: the document's title and its task rows.

Nothing here knows about storage or the terminal UI; the store turns these into tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

__all__ = ["TASK_FIELDS", "DocumentError", "LedgerDocument", "TaskRecord"]


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
                if "各乡镇" in remark or "不再列出" in remark:
                    return remark
        return ""
