"""The history in words: one line per change, for `taizhang history` and the app's notifications.

Pure formatting over model records: no storage, no terminal UI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.core.changes import DIFF_CONTEXT, change_text, content_diff
from tui.core.model import FIELD_LABELS, Event, Ledger, Status, minute_of

__all__ = ["describe_event", "event_json", "field_changes", "history_line", "task_number"]



def _label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


def _short(text: str, limit: int = 30) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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


def describe_event(event: Event, ledger: Ledger, name_of: Callable[[str], str] = str) -> str:
    """`李四 将 31 号任务标为 推进中`: what someone did, for a notification."""
    who = name_of(event.by) or "（未知）"
    task = f"{_task_where(ledger, event.task)}任务"
    if event.kind == "status":
        return f"{who} 将 {task}标为 {_label(event.new)}"
    if event.kind == "note":
        return f"{who} 为 {task}写了进展：{_short(event.text)}"
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


def _change(event: Event) -> str:
    if event.kind == "status":
        return f"状态  {_label(event.old)} → {_label(event.new)}"
    if event.kind == "note":
        return f"进展  {_short(event.text, 60)}"
    if event.kind == "undo":
        if event.new or event.old:
            return f"撤销  {_label(event.old)} → {_label(event.new)}"
        return f"撤销  进展：{_short(event.text, 50)}"
    if event.kind == "archive":
        return "导入  移除"
    if event.kind in ("import", "restore"):
        changes = "；".join(field_changes(event))
        if event.kind == "restore":
            return f"恢复  {changes or '回到台账'}"
        return f"导入  {changes}"
    return event.kind


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


def history_line(event: Event, ledger: Ledger, name_of: Callable[[str], str] = str) -> str:
    """`2026-11-28 10:00  zhangsan  12 号  状态  未启动 → 推进中`."""
    return f"{minute_of(event.at)}  {name_of(event.by)}  {_task_where(ledger, event.task)}  {_change(event)}"


def event_json(event: Event, ledger: Ledger) -> dict[str, Any]:
    """The event's fields plus the task's current 序号 `no` (null when the task is gone), and for a content
    change its whole diff, `content_diff` (`[-deleted-]{+inserted+}`, as `taizhang import --json` gives it)."""
    data = {**event.to_json(), "no": task_number(ledger, event.task)}
    content = dict(_pairs(event)).get("content")
    if content is not None:
        data["content_diff"] = content_diff(str(content[0] or ""), str(content[1] or ""))
    return data
