"""The ledger's records: tasks, statuses, notes, history events, and the rules derived from them.

Pure data and rules: no storage, no terminal UI.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, NamedTuple, TypeVar

from importers.records import TaskRecord
from tui.core.deadlines import deadline_end, read_deadline
from tui.core.search import SearchIndex

__all__ = [
    "CONTINUOUS",
    "FIELD_LABELS",
    "NOTE_MAX_CHARS",
    "Event",
    "Ledger",
    "Note",
    "NoteError",
    "Status",
    "StatusError",
    "Task",
    "UnitRole",
    "UnitRow",
    "canonical_unit",
    "deadline_end",
    "minute_of",
    "note_text",
    "short_title",
    "status_counts",
    "without_controls",
    "without_controls_in",
    "without_item_number",
]

CONTINUOUS = "持续实施"

# A task's fields as the source document's column headers name them (history, import plans).
FIELD_LABELS = {
    "no": "序号",
    "section": "工作任务",
    "subsection": "具体项目",
    "content": "主要内容",
    "units": "责任单位",
    "deadline": "完成时限",
    "remarks": "备注",
}


# The longest note a task takes, in characters: a month's 进展情况 is a few hundred, and every later
# write of that month rewrites the note with its shard.
NOTE_MAX_CHARS = 2000

# What a terminal would act on instead of showing: the C0 controls but newline and tab (ESC starts
# escape sequences that retitle or clear the terminal, BEL ends them, CR rewrites the line), DEL, the
# C1 controls (U+009B is CSI to some terminals), and the bidirectional overrides and isolates, which
# reorder the text after them on screen.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def without_controls(text: str) -> str:
    """`text` with newlines and tabs kept and every other control character (and bidi override) removed.

    The one rule for text from users and files before it is stored or reaches a terminal or a report: the
    store applies it to all it writes, the CLI to all it prints, the exports to every text they hold, the
    app to all it shows (`tui.core.display.plain_text`, `terminal_safe`), so text stored before is covered too.
    """
    return _CONTROLS.sub("", text)


_Value = TypeVar("_Value")


def without_controls_in(value: _Value) -> _Value:
    """`value` with `without_controls` applied to every string in it: in lists, tuples (named ones too),
    dict keys and values, and dataclasses (a document an importer read, a JSON report)."""
    if isinstance(value, Enum):  # a Status is a str too
        return value
    if isinstance(value, str):
        return without_controls(value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [without_controls_in(item) for item in value]  # type: ignore[return-value]
    if isinstance(value, tuple):
        items = [without_controls_in(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        return {without_controls_in(key): without_controls_in(item) for key, item in value.items()}  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: without_controls_in(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


class NoteError(ValueError):
    """A note that cannot be saved as written (empty, too long); the message says what to do, in Chinese."""


def note_text(text: str) -> str:
    """The note as it is stored: controls removed, blank space around it stripped.

    Raises NoteError when nothing is left or it is longer than NOTE_MAX_CHARS characters.
    """
    cleaned = without_controls(text).strip()
    if not cleaned:
        raise NoteError("进展情况不能为空。请输入内容后再保存。")
    if len(cleaned) > NOTE_MAX_CHARS:
        raise NoteError(f"进展情况最多 {NOTE_MAX_CHARS} 字，这条有 {len(cleaned)} 字，请删减到 {NOTE_MAX_CHARS} 字以内。")
    return cleaned


class StatusError(ValueError):
    """An unknown status name; the message is for the user."""


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def finished(self) -> bool:
        """Done and closed tasks never go overdue."""
        return self in (Status.DONE, Status.CLOSED)

    @classmethod
    def parse(cls, text: str) -> Status:
        """A status from its key (`done`) or its label (`已完成`)."""
        wanted = text.strip()
        for status in cls:
            if wanted in (status.value, status.label):
                return status
        choices = "、".join(f"{s.value}（{s.label}）" for s in cls)
        raise StatusError(f"没有“{text}”这个状态。可用的状态：{choices}。")


_STATUS_LABELS = {
    Status.NOT_STARTED: "未启动",
    Status.IN_PROGRESS: "推进中",
    Status.DONE: "已完成",
    Status.BLOCKED: "受阻",
    Status.CLOSED: "已销号",
}

# Different spellings of one unit: filtered as one, displayed as written.
UNIT_ALIASES = {
    "区退役军人局": "区退役军人事务局",
}


def canonical_unit(name: str) -> str:
    return UNIT_ALIASES.get(name, name)


# The item number before a task's content, however a revision writes it: `3.` `3．` `3、` `3)` `(3)` `（3）`,
# full-width digits, `③` `⑶` `⒊`. It changes whenever a sibling is inserted, so it is not part of the task.
_ITEM_NUMBER = re.compile(r"^\s*(?:[(（]\s*\d+\s*[)）]|\d+\s*[.．、)）]|[\u2460-\u249b])\s*")
_CLAUSE_END = re.compile(r"[，。；：,;:]")


def without_item_number(content: str) -> str:
    """The content without its item number (`3.`, `（3）`, `③`): what stays when tasks are renumbered."""
    return _ITEM_NUMBER.sub("", content, count=1)


@functools.lru_cache(maxsize=8192)
def short_title(content: str) -> str:
    """The content's first clause, without its item number: `强化乡镇（街道）党（工）委责任`."""
    text = without_item_number(content.split("\n", 1)[0])
    return _CLAUSE_END.split(text, 1)[0].strip() or text.strip()


def minute_of(at: str) -> str:
    """A stored time as shown to staff, to the minute: `2026-11-28T10:00:00+08:00` -> `2026-11-28 10:00`."""
    return at[:16].replace("T", " ")


class Note(NamedTuple):
    """A dated progress note (进展情况). `event` is the history entry that added it; `unit` the row it was
    written on (see `Task.row_key`): "" for the task's overall progress, which is its lead unit's row.

    A named tuple rather than a dataclass: a large ledger loads 100,000 of them.
    """

    at: str
    by: str
    text: str
    event: str = ""
    unit: str = ""

    def to_json(self) -> dict[str, str]:
        return {"at": self.at, "by": self.by, "text": self.text}


@dataclass(frozen=True)
class Event:
    """One entry of the history: who changed what, when.

    kinds: `status` (old -> new), `note` (text), `undo` (ref: the event undone, plus what it
    restores), `import` (fields: {name: [old, new]}), `archive`, `restore` (an archived task brought back
    by a revision; fields as for `import`).

    `unit` (status, note and undo only): the unit whose own row of the task it changes, by its canonical
    name; "" for the task's overall progress, which is also its lead unit's row. Events written before
    units had rows carry none: they are the overall progress.
    """

    id: str
    at: str
    by: str
    task: str
    kind: str
    old: str = ""
    new: str = ""
    text: str = ""
    ref: str = ""
    fields: dict[str, list[Any]] = field(default_factory=dict)
    unit: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "at": self.at, "by": self.by, "task": self.task, "kind": self.kind}
        for name in ("old", "new", "text", "ref", "unit"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.fields:
            data["fields"] = self.fields
        return data


class UnitRole(StrEnum):
    """How a unit takes part in a task: the first unit listed leads, the others listed cooperate, and the
    townships carry every task the district-wide note covers."""

    LEAD = "lead"
    COOPERATING = "cooperating"
    TOWN = "town"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {UnitRole.LEAD: "牵头", UnitRole.COOPERATING: "配合", UnitRole.TOWN: "乡镇（街道）"}


class UnitRow(NamedTuple):
    """One unit's own progress on a task. The lead's row is the task's overall status and notes."""

    unit: str  # as the document (or, for a township, the ledger's list) writes it
    role: UnitRole
    status: Status
    notes: tuple[Note, ...]  # oldest first

    @property
    def key(self) -> str:
        """The unit's canonical name (`canonical_unit`)."""
        return canonical_unit(self.unit)

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "role": self.role.value,
            "status": self.status.value,
            "status_label": self.status.label,
            "notes": [note.to_json() for note in self.notes],
        }


@dataclass(frozen=True, kw_only=True)
class Task(TaskRecord):
    """A row of the document (its fields are TaskRecord's) with its stable id, its status and its notes.

    `status` and `notes` are the task's overall progress, which is its lead unit's row; the other units'
    rows are `unit_statuses` and `unit_notes` (see `unit_rows`).
    """

    id: str
    status: Status = Status.NOT_STARTED
    notes: tuple[Note, ...] = ()  # oldest first
    # The townships carrying this task: the ledger's, when the district-wide note covers it.
    towns: tuple[str, ...] = ()
    # The rows other than the lead's that were ever set, as (canonical unit, status).
    unit_statuses: tuple[tuple[str, Status], ...] = ()
    # The notes on rows other than the lead's, oldest first; each `Note.unit` names its row.
    unit_notes: tuple[Note, ...] = ()

    @property
    def title(self) -> str:
        return short_title(self.content)

    @functools.cached_property
    def _roles(self) -> dict[str, tuple[str, UnitRole]]:
        """Canonical unit -> (name as written, role), in the order of the rows: lead, cooperating, towns."""
        roles: dict[str, tuple[str, UnitRole]] = {}
        for index, unit in enumerate(self.units):
            roles.setdefault(canonical_unit(unit), (unit, UnitRole.LEAD if index == 0 else UnitRole.COOPERATING))
        for town in self.towns:
            roles.setdefault(canonical_unit(town), (town, UnitRole.TOWN))
        return roles

    @property
    def unit_keys(self) -> frozenset[str]:
        """Every unit with a row on this task (townships included), by canonical name."""
        return frozenset(self._roles)

    def has_unit(self, unit: str) -> bool:
        return canonical_unit(unit) in self._roles

    def role_of(self, unit: str) -> UnitRole | None:
        """The unit's part in this task; None when it has none."""
        found = self._roles.get(canonical_unit(unit))
        return found[1] if found is not None else None

    def row_key(self, unit: str | None) -> str | None:
        """Which row a unit's progress is kept on, as events name it: None for the overall progress (no unit, or
        the lead unit: they are one row), else the unit's canonical name."""
        if unit is None:
            return None
        key = canonical_unit(unit)
        return None if self.role_of(key) is UnitRole.LEAD else key

    def status_for(self, unit: str | None) -> Status:
        """The status of a unit's own row (the overall status for the lead or None)."""
        key = self.row_key(unit)
        if key is None:
            return self.status
        return next((status for row, status in self.unit_statuses if row == key), Status.NOT_STARTED)

    def notes_for(self, unit: str | None) -> tuple[Note, ...]:
        """The notes of a unit's own row, oldest first (the overall notes for the lead or None)."""
        key = self.row_key(unit)
        return self.notes if key is None else tuple(note for note in self.unit_notes if note.unit == key)

    def unit_rows(self) -> tuple[UnitRow, ...]:
        """Every unit's row: the lead (the overall progress), the cooperating units in the document's order,
        then the townships."""
        statuses = dict(self.unit_statuses)
        notes: dict[str, list[Note]] = {}
        for note in self.unit_notes:
            notes.setdefault(note.unit, []).append(note)
        return tuple(
            UnitRow(name, role, self.status, self.notes)
            if role is UnitRole.LEAD
            else UnitRow(name, role, statuses.get(key, Status.NOT_STARTED), tuple(notes.get(key, ())))
            for key, (name, role) in self._roles.items()
        )

    @property
    def ready_to_close(self) -> bool:
        """可销号: every unit's row is finished (the overall one 已完成) and the task is not closed yet."""
        return self.status is Status.DONE and all(row.status.finished for row in self.unit_rows())

    def is_overdue(self, today: dt.date) -> bool:
        end = deadline_end(self.deadline)
        return end is not None and end < today and not self.status.finished

    def is_overdue_for(self, unit: str | None, today: dt.date) -> bool:
        """Overdue for a unit: the deadline has passed, its own row is not finished and the task is not closed
        (for the lead, or None, the same as `is_overdue`)."""
        end = deadline_end(self.deadline)
        return end is not None and end < today and not self.status_for(unit).finished and self.status is not Status.CLOSED

    def to_json(self, today: dt.date) -> dict[str, Any]:
        return {
            "no": self.no,
            "id": self.id,
            "section": self.section,
            "subsection": self.subsection,
            "content": self.content,
            "units": list(self.units),
            "lead_unit": self.lead_unit,
            "deadline": self.deadline,
            # The last day allowed, "YYYY-MM-DD"; null for continuing (and unreadable) deadlines.
            "deadline_end": read_deadline(self.deadline).end_iso,
            "remarks": list(self.remarks),
            "status": self.status.value,
            "status_label": self.status.label,
            "overdue": self.is_overdue(today),
            "notes": [note.to_json() for note in self.notes],
            # Lead first (its row is the overall `status` and `notes`), cooperating units, townships.
            "unit_progress": [row.to_json() for row in self.unit_rows()],
            "ready_to_close": self.ready_to_close,
        }


@dataclass(frozen=True)
class Ledger:
    """The whole ledger as loaded: the document's tasks with their current status and notes."""

    title: str
    district_note: str
    tasks: tuple[Task, ...]
    source_name: str = ""
    source_sha256: str = ""
    imported_at: str = ""
    archived: tuple[Task, ...] = ()
    # The district's townships (乡镇、街道): units of every task the district-wide note covers.
    towns: tuple[str, ...] = ()
    # False when loaded without notes (`Store.load(with_notes=False)`): every task's notes are empty.
    notes_loaded: bool = True

    def by_no(self, no: int) -> Task | None:
        return next((task for task in self.tasks if task.no == no), None)

    def by_id(self, task_id: str) -> Task | None:
        return next((task for task in self.tasks if task.id == task_id), None)

    def units(self) -> list[tuple[str, int]]:
        """Every unit (aliases as one, named as first written) with its task count: the units the document
        lists (most tasks first), then the townships in the ledger's order."""
        return list(self._units)

    @functools.cached_property
    def _units(self) -> tuple[tuple[str, int], ...]:
        # Once per loaded ledger: the screen asks on every key-binding refresh (for `m`, the session's unit).
        towns = {canonical_unit(town): town for town in self.towns}
        names: dict[str, str] = {}
        counts: dict[str, int] = {}
        for task in self.tasks:
            for key in task.unit_keys:
                counts[key] = counts.get(key, 0) + 1
            for unit in task.units:
                names.setdefault(canonical_unit(unit), unit)
        listed = sorted(
            ((names[k], counts[k]) for k in names if k not in towns), key=lambda item: (-item[1], item[0])
        )
        return (*listed, *((name, counts.get(key, 0)) for key, name in towns.items()))

    def unit_name(self, wanted: str) -> str | None:
        """The ledger's spelling of a unit or township (an alias as written in the document), or None."""
        key = canonical_unit(wanted.strip())
        return next((name for name, _count in self._units if canonical_unit(name) == key), None)

    def select(
        self,
        *,
        today: dt.date,
        unit: str | None = None,
        statuses: Iterable[Status] | None = None,
        overdue: bool = False,
        search: str | None = None,
        search_index: SearchIndex | None = None,
    ) -> list[Task]:
        """The tasks that pass every filter given, in ledger order. With a `unit`, the status and overdue filters
        read that unit's own row (`Task.status_for`): what the unit itself has to report.

        `search` finds what the app's `/` finds (`tui.core.search`): every word, in the text or its pinyin
        initials. A long-lived caller passes its `search_index`, so only the tasks that changed are indexed again.
        """
        wanted = set(statuses) if statuses is not None else None
        matching: set[str] | None = None
        if search and search.strip():
            index = search_index if search_index is not None else SearchIndex()
            index.update(self.tasks)
            matching = index.matches(search)
        return [
            task
            for task in self.tasks
            if (unit is None or task.has_unit(unit))
            and (wanted is None or task.status_for(unit) in wanted)
            and (not overdue or task.is_overdue_for(unit, today))
            and (matching is None or task.id in matching)
        ]


def status_counts(tasks: Iterable[Task]) -> dict[Status, int]:
    """How many of `tasks` have each status, every status present (0 when none), in Status order."""
    counts = dict.fromkeys(Status, 0)
    for task in tasks:
        counts[task.status] += 1
    return counts
