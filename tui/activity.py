"""What other sessions did, and a task's history, as short lines for the app.

No Textual here: the app's notifications (`李四 将 31 号任务标为 推进中`) and the compact
history rows of the detail pane are plain strings built from the store's events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tui.core.display import fit_cells, terminal_safe
from tui.core.history import describe_event, field_changes
from tui.core.model import Event, Ledger, Status, minute_of
from tui.core.permissions import Identity
from tui.core.store import Revision, Store

__all__ = [
    "MAX_CHANGE_NOTICES",
    "HistoryRow",
    "TaskHistory",
    "describe_changes",
    "history_rows",
    "identity_label",
]

# A burst (someone pasting many notes) gives a few toasts and a summary, not a wall of them.
MAX_CHANGE_NOTICES = 4

_IMPORT_KINDS = ("import", "restore", "archive")
_REVISION_KINDS = ("import", "restore")  # the import events that carry field changes
# Equal text kept around each change of a content in a history row (the import preview keeps 12).
ROW_DIFF_CONTEXT = 8



def _label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value or "（空）"


def _short(text: str, cells: int) -> str:
    return fit_cells(terminal_safe(" ".join(text.split())), cells)


def identity_label(identity: Identity) -> str:
    """`zhangsan・区卫健局・编辑` (with `张三(zhangsan)` when users.toml names the account)."""
    who = f"{identity.name}({identity.login})" if identity.name else identity.login
    return "・".join(part for part in (who, identity.unit, identity.role.label) if part)


def describe_changes(events: Iterable[Event], ledger: Ledger, name_of: Callable[[str], str]) -> list[str]:
    """One line per change for the notifications; an import is one line however many tasks it touched."""
    lines: list[str] = []
    importers: list[str] = []
    for event in events:
        if event.kind in _IMPORT_KINDS:
            if event.by not in importers:
                importers.append(event.by)
                lines.append(f"{name_of(event.by) or event.by} 导入了修订版任务清单")
            continue
        lines.append(terminal_safe(describe_event(event, ledger, name_of)))
    if len(lines) > MAX_CHANGE_NOTICES:
        hidden = len(lines) - (MAX_CHANGE_NOTICES - 1)
        lines = [*lines[: MAX_CHANGE_NOTICES - 1], f"另有 {hidden} 项改动，见各任务的改动记录。"]
    return lines


@dataclass(frozen=True)
class HistoryRow:
    """One line of a task's history in the detail pane."""

    when: str  # `2026-11-28 10:00`
    who: str  # display name
    what: str  # `状态 未启动 -> 推进中`
    diff: bool = False  # `what` holds a content diff's `[-deleted-]` / `{+inserted+}` marks (a revision's change)


def _what(event: Event) -> str:
    if event.kind == "status":
        return f"状态 {_label(event.old)} -> {_label(event.new)}"
    if event.kind == "note":
        return f"写进展：{_short(event.text, 30)}"
    if event.kind == "undo":
        if event.old or event.new:
            return f"撤销 {_label(event.old)} -> {_label(event.new)}"
        return f"撤销进展：{_short(event.text, 26)}"
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
        HistoryRow(minute_of(event.at), name_of(event.by) or event.by, _what(event), diff=event.kind in _REVISION_KINDS)
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
