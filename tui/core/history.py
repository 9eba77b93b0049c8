"""The history in words: every way an event is worded, for `taizhang history`, the app's notifications
and the detail pane's history rows, and the events of one task as the pane asks for them.

Three wordings of one event, each for where it is read: a sentence for a notification (`describe_event`:
`李四 将 31 号任务标为 推进中`), a column for the CLI (`history_line`: `状态  未启动 → 推进中`), a short row
for the detail pane (`history_rows`: `状态 未启动 -> 推进中`, cut to fit, terminal-safe). A revision's
field changes read the same in all of them (`field_changes`, from `tui.core.changes`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.core.changes import DIFF_CONTEXT, change_text, content_diff
from tui.core.display import fit_cells, terminal_safe
from tui.core.model import FIELD_LABELS, Event, Ledger, Status, minute_of

if TYPE_CHECKING:
    from tui.core.store import Revision, Store

__all__ = [
    "MAX_CHANGE_NOTICES",
    "HistoryRow",
    "TaskHistory",
    "describe_changes",
    "describe_event",
    "event_json",
    "field_changes",
    "history_line",
    "history_rows",
    "person",
    "row_change_line",
    "task_number",
]

# A burst (someone pasting many notes) gives a few toasts and a summary, not a wall of them.
MAX_CHANGE_NOTICES = 4
# Equal text kept around each change of a content in a history row (the import preview keeps 12).
ROW_DIFF_CONTEXT = 8

_IMPORT_KINDS = ("import", "restore", "archive")
_REVISION_KINDS = ("import", "restore")  # the import events that carry field changes


def _label(value: str, blank: str = "") -> str:
    """A status value's label (`推进中`); anything else as it is, `blank` for nothing."""
    try:
        return Status(value).label
    except ValueError:
        return value or blank


def _clipped(text: str, limit: int) -> str:
    """One line of at most `limit` characters, `…` where it was cut (notifications, the CLI)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _fitted(text: str, cells: int) -> str:
    """One terminal-safe line of at most `cells` cells (the detail pane's rows)."""
    return fit_cells(terminal_safe(" ".join(text.split())), cells)


def person(login: str, name_of: Callable[[str], str] = str, *, with_login: bool = False) -> str:
    """Who made a change or wrote a note, as colleagues know them: the name users.toml gives the account
    (`张三`, `name_of` is `Store.display_name`), else the login. `with_login` adds the login to a name
    (`张三（zhangsan）`) for the command line, where one may look the account up. No login: `（未知）`."""
    if not login:
        return "（未知）"
    name = name_of(login) or login
    return f"{name}（{login}）" if with_login and name != login else name


def task_number(ledger: Ledger, task_id: str) -> int | None:
    """The task's current 序号 (also for archived tasks); None when it is unknown."""
    task = ledger.by_id(task_id) or next((t for t in ledger.archived if t.id == task_id), None)
    return task.no if task is not None else None


def _task_where(ledger: Ledger, task_id: str) -> str:
    """`12 号`; an archived task's old 序号 may now belong to another task, so it says so."""
    if (task := ledger.by_id(task_id)) is not None:
        return f"{task.no} 号"
    archived = next((t for t in ledger.archived if t.id == task_id), None)
    return f"已归档的原 {archived.no} 号" if archived is not None else "已移除的"


def _pairs(event: Event) -> list[tuple[str, tuple[Any, Any]]]:
    pairs = []
    for name, value in event.fields.items():
        if isinstance(value, list | tuple) and len(value) == 2:
            pairs.append((name, (value[0], value[1])))
    return pairs


def field_changes(event: Event, *, context: int | None = None) -> list[str]:
    """What an import changed, field by field: `完成时限 2025 → 2026`, `主要内容 …提档…{+，2026年底前实现全覆盖+}`
    (the same diff as the import preview, and as long: texts that differ never read as two identical prefixes)."""
    context = DIFF_CONTEXT if context is None else context
    return [
        f"{FIELD_LABELS.get(name, name)} {change_text(name, old, new, context=context)}" for name, (old, new) in _pairs(event)
    ]


# ---------------------------------------------------------------------- notifications


def _on_row(event: Event, separator: str) -> str:
    """`区公安分局：` before what changed on a unit's own row; "" for the overall progress."""
    return f"{event.unit}{separator}" if event.unit else ""


def row_change_line(no: int, unit: str | None, old: Status, new: Status) -> str:
    """`46 号任务 区公安分局：未启动 -> 推进中` after a key changed a unit's own row; `46 号任务：未启动 -> 推进中`
    for the overall row (the lead's)."""
    row = f" {unit}" if unit else ""
    return f"{no} 号任务{row}：{old.label} -> {new.label}"


def describe_event(event: Event, ledger: Ledger, name_of: Callable[[str], str] = str) -> str:
    """`李四 将 31 号任务标为 推进中` (`李四 将 46 号任务（区公安分局）标为 推进中` on a unit's own row): what
    someone did, for a notification."""
    who = person(event.by, name_of)
    task = f"{_task_where(ledger, event.task)}任务" + (f"（{event.unit}）" if event.unit else "")
    if event.kind == "status":
        return f"{who} 将 {task}标为 {_label(event.new)}"
    if event.kind == "note":
        return f"{who} 为 {task}写了进展：{_clipped(event.text, 30)}"
    if event.kind == "undo":
        if event.new:
            return f"{who} 撤销了 {task}的状态改动，恢复为 {_label(event.new)}"
        return f"{who} 撤销了 {task}的一条进展"
    if event.kind == "import":
        return f"{who} 导入修订版时更新了 {task}"
    if event.kind == "restore":
        return f"{who} 导入修订版时恢复了 {task}"
    if event.kind == "archive":
        return f"{who} 导入修订版时移除了 {task}"
    return f"{who} 改动了 {task}"


def describe_changes(events: Iterable[Event], ledger: Ledger, name_of: Callable[[str], str]) -> list[str]:
    """One line per change for the notifications; an import is one line however many tasks it touched."""
    lines: list[str] = []
    importers: list[str] = []
    for event in events:
        if event.kind in _IMPORT_KINDS:
            if event.by not in importers:
                importers.append(event.by)
                lines.append(f"{person(event.by, name_of)} 导入了修订版任务清单")
            continue
        lines.append(terminal_safe(describe_event(event, ledger, name_of)))
    if len(lines) > MAX_CHANGE_NOTICES:
        hidden = len(lines) - (MAX_CHANGE_NOTICES - 1)
        lines = [*lines[: MAX_CHANGE_NOTICES - 1], f"另有 {hidden} 项改动，见各任务的改动记录。"]
    return lines


# ---------------------------------------------------------------------- taizhang history


def _change(event: Event) -> str:
    row = _on_row(event, "：")
    if event.kind == "status":
        return f"状态  {row}{_label(event.old)} → {_label(event.new)}"
    if event.kind == "note":
        return f"进展  {row}{_clipped(event.text, 60)}"
    if event.kind == "undo":
        if event.new or event.old:
            return f"撤销  {row}{_label(event.old)} → {_label(event.new)}"
        return f"撤销  {row}进展：{_clipped(event.text, 50)}"
    if event.kind == "archive":
        return "导入  移除"
    if event.kind in _REVISION_KINDS:
        changes = "；".join(field_changes(event))
        if event.kind == "restore":
            return f"恢复  {changes or '回到台账'}"
        return f"导入  {changes}"
    return event.kind


def history_line(event: Event, ledger: Ledger, name_of: Callable[[str], str] = str) -> str:
    """`2026-11-28 10:00  张三（zhangsan）  12 号  状态  未启动 → 推进中`."""
    who = person(event.by, name_of, with_login=True)
    return f"{minute_of(event.at)}  {who}  {_task_where(ledger, event.task)}  {_change(event)}"


def event_json(event: Event, ledger: Ledger) -> dict[str, Any]:
    """The event's fields plus the task's current 序号 `no` (null when the task is gone), and for a content
    change its whole diff, `content_diff` (`[-deleted-]{+inserted+}`, as `taizhang import --json` gives it)."""
    data = {**event.to_json(), "no": task_number(ledger, event.task)}
    content = dict(_pairs(event)).get("content")
    if content is not None:
        data["content_diff"] = content_diff(str(content[0] or ""), str(content[1] or ""))
    return data


# ---------------------------------------------------------------------- the detail pane


@dataclass(frozen=True)
class HistoryRow:
    """One line of a task's history in the detail pane."""

    when: str  # `2026-11-28 10:00`
    who: str  # display name
    what: str  # `状态 未启动 -> 推进中`
    diff: bool = False  # `what` holds a content diff's `[-deleted-]` / `{+inserted+}` marks (a revision's change)


def _what(event: Event) -> str:
    row = terminal_safe(_on_row(event, "："))
    if event.kind == "status":
        return f"状态 {row}{_label(event.old, '（空）')} -> {_label(event.new, '（空）')}"
    if event.kind == "note":
        return f"写进展 {row}{_fitted(event.text, 30)}" if row else f"写进展：{_fitted(event.text, 30)}"
    if event.kind == "undo":
        if event.old or event.new:
            return f"撤销 {row}{_label(event.old, '（空）')} -> {_label(event.new, '（空）')}"
        return f"撤销进展 {row}{_fitted(event.text, 26)}" if row else f"撤销进展：{_fitted(event.text, 26)}"
    if event.kind in _REVISION_KINDS:
        # The words that changed, as the import preview shows them; arrows made terminal-safe as in the preview.
        changes = terminal_safe("；".join(field_changes(event, context=ROW_DIFF_CONTEXT))).replace("→", "->")
        heading = "导入修订版时恢复" if event.kind == "restore" else "导入修订版"
        return f"{heading}：{changes}" if changes else heading
    if event.kind == "archive":
        return "导入修订版时移除"
    return event.kind


def history_rows(events: Sequence[Event], name_of: Callable[[str], str]) -> list[HistoryRow]:
    """The task's events as rows, newest first."""
    return [
        HistoryRow(minute_of(event.at), person(event.by, name_of), _what(event), diff=event.kind in _REVISION_KINDS)
        for event in reversed(events)
    ]


class TaskHistory:
    """Each task's events, indexed once per store revision (a cursor move must not scan every event)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._revision: Revision | None = None
        self._by_task: dict[str, list[Event]] = {}

    def of(self, task_id: str) -> list[Event]:
        revision = self.store.revision()
        if revision != self._revision:
            self._by_task = {}
            self._revision = revision
        if task_id not in self._by_task:
            self._by_task[task_id] = self.store.history(task_id)
        return self._by_task[task_id]
