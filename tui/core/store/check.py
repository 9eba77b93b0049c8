"""`taizhang check` and the store's upkeep: what is verified of the store, and what is repaired.

The shape of every file is checked by pure functions over parsed JSON: db.json must hold the tables
`meta`, `tasks` and `archive`, every journal shard the table `events`, and every record the fields its
kind needs, of the right types. Anything else is reported, so a file that is valid JSON but not a ledger
(a report exported over a shard, `{"foo": {}}`) fails the check. Then `check_store` checks what the
records say together, and that the status summary says what the journal says. Each problem is one line
of Chinese. Repairs: `refresh_summary` rewrites a summary that does not match the journal,
`remove_stale_temp_files` deletes what writers killed mid-write left.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.model import Status
from tui.core.shared_files import TEMP_PREFIX
from tui.core.store.errors import StoreError, StoreUnavailable
from tui.core.store.journal import SHARD_NAME
from tui.core.store.records import SCHEMA_VERSION

if TYPE_CHECKING:
    from tui.core.store.api import Store

__all__ = [
    "EVENT_KINDS",
    "check_store",
    "document_problems",
    "journal_problems",
    "refresh_summary",
    "remove_stale_temp_files",
    "shard_problems",
]

DOCUMENT_TABLES = ("meta", "tasks", "archive")
JOURNAL_TABLES = ("events",)

# What each kind of event needs besides `at`, `by`, `task` and `kind` (see tui.core.model.Event).
EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "status": ("old", "new"),
    "note": ("text",),
    "undo": ("ref",),
    "import": ("fields",),
    "archive": (),
    "restore": (),  # a task brought back from the archive by a revision (fields: what the revision changed)
}

_FIELD_NAMES = {
    "at": "时间",
    "by": "账号",
    "task": "任务 id",
    "kind": "类别",
    "old": "原状态",
    "new": "新状态",
    "text": "内容",
    "ref": "所撤销的记录",
    "fields": "改动的字段",
    "unit": "单位",
}
# The events that may name a unit's own row (`unit`; without it they are the task's overall progress).
UNIT_KINDS = ("status", "note", "undo")
_TEXT_FIELDS = ("section", "subsection", "content", "deadline")
_LIST_FIELDS = ("units", "remarks")
_EVENT_REF = re.compile(r"^\d{4}-\d{2}#\d+$")
_STATUSES = frozenset(status.value for status in Status)
# A file with thousands of broken records would otherwise print thousands of lines.
MAX_PROBLEMS_PER_FILE = 20


def _is_doc_key(key: str) -> bool:
    return key.isascii() and key.isdigit() and int(key) > 0


def _is_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _table_problems(tables: Any, name: str, expected: tuple[str, ...], required: tuple[str, ...]) -> list[str]:
    if not isinstance(tables, dict):
        return [f"{name} 的内容不是台账的表格式。"]
    problems = [f"{name} 中缺少 {table} 表。" for table in required if table not in tables]
    problems += [f"{name} 中有未知的表“{table}”。" for table in tables if table not in expected]
    problems += [
        f"{name} 中的 {table} 表格式不对（应为以数字为键的记录）。"
        for table in expected
        if table in tables
        and (not isinstance(tables[table], dict) or not all(_is_doc_key(key) for key in tables[table]))
    ]
    return problems


def _capped(problems: list[str], name: str) -> list[str]:
    if len(problems) <= MAX_PROBLEMS_PER_FILE:
        return problems
    hidden = len(problems) - MAX_PROBLEMS_PER_FILE
    return [*problems[:MAX_PROBLEMS_PER_FILE], f"{name} 中还有 {hidden} 个问题未列出。"]


def _task_doc_problems(doc: Any, where: str) -> list[str]:
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not doc["id"]:
        return [f"{where} 缺少 id 或序号。"]
    if not isinstance(doc.get("no"), int) or isinstance(doc["no"], bool):
        return [f"{where} 缺少 id 或序号。"]
    problems = []
    if not isinstance(doc.get("units"), list) or not all(isinstance(unit, str) for unit in doc["units"]):
        problems.append(f"{doc['no']} 号任务的责任单位格式不对。")
    for name in _TEXT_FIELDS:
        if not isinstance(doc.get(name, ""), str):
            problems.append(f"{doc['no']} 号任务的 {name} 应是文字。")
    if not isinstance(doc.get("remarks", []), list) or not all(isinstance(r, str) for r in doc.get("remarks", [])):
        problems.append(f"{doc['no']} 号任务的 remarks 应是文字列表。")
    return problems


def document_problems(tables: Any, name: str, schema_version: int) -> list[str]:
    """db.json: its tables, the meta record (of this schema version), every task and archived task."""
    problems = _table_problems(tables, name, DOCUMENT_TABLES, ("meta", "tasks"))
    if not isinstance(tables, dict):
        return problems
    meta_table = tables.get("meta")
    meta = next(iter(meta_table.values()), None) if isinstance(meta_table, dict) else None
    if not isinstance(meta, dict):
        problems.append("缺少 meta 记录（版本、来源文档）。")
    elif meta.get("schema") != schema_version:
        problems.append(f"数据版本为 {meta.get('schema')}，本程序需要 {schema_version}。")
    elif not isinstance(meta.get("towns", []), list) or not all(
        isinstance(town, str) and town for town in meta.get("towns", [])
    ):
        problems.append("meta 记录中的乡镇（街道）列表（towns）格式不对，应是名称的列表。可用 taizhang towns set 重新设定。")
    ids: set[str] = set()
    numbers: set[int] = set()
    tasks = tables.get("tasks")
    for doc_id, doc in (tasks.items() if isinstance(tasks, dict) else ()):
        found = _task_doc_problems(doc, f"任务记录 {doc_id}")
        problems += found
        if found and found[0].endswith("缺少 id 或序号。"):
            continue
        if doc["id"] in ids:
            problems.append(f"任务 id {doc['id']} 重复。")
        if doc["no"] in numbers:
            problems.append(f"序号 {doc['no']} 重复。")
        ids.add(doc["id"])
        numbers.add(doc["no"])
    if not ids:
        problems.append("台账中没有任务。请用 taizhang import 导入任务清单。")
    archive = tables.get("archive")
    for doc_id, doc in (archive.items() if isinstance(archive, dict) else ()):
        problems += _task_doc_problems(doc, f"归档任务记录 {doc_id}")
    return _capped(problems, name)


def _event_problems(event_id: str, doc: Any, month: str) -> list[str]:
    where = f"记录 {event_id}"
    if not isinstance(doc, dict):
        return [f"{where} 不是一条记录。"]
    kind = doc.get("kind")
    if kind not in EVENT_KINDS:
        return [f"{where} 的类别“{kind}”未知，可用的类别：{'、'.join(EVENT_KINDS)}。"]
    problems = [
        f"{where} 缺少{_FIELD_NAMES[name]}（{name}）。"
        for name in ("at", "by", "task", *EVENT_KINDS[kind])
        if doc.get(name) in (None, "")
    ]
    if problems:
        return problems
    if not _is_time(doc["at"]):
        problems.append(f"{where} 的时间“{doc['at']}”不是有效的时间。")
    elif doc["at"][:7] != month:
        problems.append(f"{where} 的时间 {doc['at']} 不在记录文件的月份 {month} 中。")
    for name in ("by", "task", "text"):
        if name in doc and not isinstance(doc[name], str):
            problems.append(f"{where} 的{_FIELD_NAMES[name]}（{name}）应是文字。")
    if "unit" in doc and (kind not in UNIT_KINDS or not isinstance(doc["unit"], str) or not doc["unit"]):
        problems.append(f"{where} 的单位（unit）无效：只有状态、进展和撤销记录可以写单位，且应是单位名称。")
    for name in ("old", "new"):
        value = doc.get(name)
        if value not in (None, "") and value not in _STATUSES:
            problems.append(f"{where} 的状态 {value} 无效。")
    if kind == "undo":
        if not isinstance(doc["ref"], str) or not _EVENT_REF.match(doc["ref"]):
            problems.append(f"{where} 所撤销的记录“{doc['ref']}”格式不对。")
        if not doc.get("new") and not isinstance(doc.get("text"), str):
            problems.append(f"{where} 既没有恢复的状态，也没有撤销的进展内容。")
    if kind in ("import", "restore") and (
        not isinstance(doc.get("fields", {}), dict)
        or not all(isinstance(change, list) and len(change) == 2 for change in doc.get("fields", {}).values())
    ):
        problems.append(f"{where} 的改动字段（fields）格式不对。")
    return problems


def shard_problems(tables: Any, name: str) -> list[str]:
    """One journal shard (`2026-11.json`): the events table and every event in it."""
    if tables is None:
        return [f"记录文件 {name} 是空的。"]
    problems = _table_problems(tables, f"记录文件 {name}", JOURNAL_TABLES, JOURNAL_TABLES)
    if problems:
        return problems
    month = name.removesuffix(".json")
    for key, doc in tables["events"].items():
        problems += _event_problems(f"{month}#{key}", doc, month)
    return _capped(problems, f"记录文件 {name}")


def journal_problems(events: Iterable[tuple[str, dict[str, Any]]], task_ids: set[str]) -> list[str]:
    """Across shards: every event names a task the ledger has (or archived), every undo an event there is."""
    events = list(events)
    undoable = {event_id: doc for event_id, doc in events if doc.get("kind") in ("status", "note")}
    problems = []
    for event_id, doc in events:
        if doc["task"] not in task_ids:
            problems.append(f"记录 {event_id} 指向不存在的任务 {doc['task']}。")
        if doc["kind"] == "undo":
            target = undoable.get(doc["ref"])
            if target is None:
                problems.append(f"记录 {event_id} 撤销的记录 {doc['ref']} 不存在。")
            elif (target.get("task"), target.get("unit", "")) != (doc["task"], doc.get("unit", "")):
                problems.append(f"记录 {event_id} 与它撤销的记录 {doc['ref']} 不是同一任务的同一行。")
    return _capped(problems, "改动记录")


# ---------------------------------------------------------------------- a store on disk


def check_store(store: Store) -> list[str]:
    """`Store.check`: every problem found, one line each; empty when the store is healthy."""
    if not store.exists():
        return [f"找不到数据文件 {store.path}。请先用 taizhang import 导入任务清单。"]
    try:
        tables = store._cache.read(store.path) or {}
    except StoreUnavailable:
        raise
    except StoreError as error:
        return [str(error)]
    problems = document_problems(tables, store.path.name, SCHEMA_VERSION)
    task_ids = {
        doc["id"]
        for table in ("tasks", "archive")
        for doc in (tables.get(table) or {}).values()
        if isinstance(doc, dict) and isinstance(doc.get("id"), str)
    }
    events: list[tuple[str, dict[str, Any]]] = []
    shape_ok = not problems
    for shard in store._shards():
        try:
            data = store._cache.read(shard)
        except StoreUnavailable:
            raise
        except StoreError as error:
            problems.append(str(error))
            shape_ok = False
            continue
        found = shard_problems(data, shard.name)
        problems += found
        if found or data is None:
            shape_ok = False
            continue
        events += [(f"{shard.stem}#{key}", data["events"][key]) for key in sorted(data["events"], key=int)]
    problems += [
        f"记录目录中有不属于台账的文件 {path.name}。请移走它（导出的报告请存到别处）。" for path in _journal_strays(store)
    ]
    problems += journal_problems(events, task_ids)
    if shape_ok and not problems:
        problems += _summary_problems(store)
    return problems


def _journal_strays(store: Store) -> list[Path]:
    """JSON files in the journal folder that are neither a monthly shard nor the summary."""
    try:
        names = sorted(store.journal_dir.glob("*.json"))
    except OSError:
        return []
    return [path for path in names if not SHARD_NAME.match(path.name) and path != store.summary_path]


def _summary_problems(store: Store) -> list[str]:
    """A summary that matches the shards' signatures must say what folding them says."""
    with suppress(StoreError):
        summary = store._summary_on_disk(store._journal_key())
        folded = store._state()
        if summary is not None and (
            summary.statuses != folded.statuses
            or summary.unit_statuses != folded.unit_statuses
            or summary.undone != folded.undone
            or summary.last_event != folded.last_event
        ):
            return [f"状态摘要 {store.summary_path} 与记录不一致。删除该文件即可（下次写入时会重建）。"]
    return []


def refresh_summary(store: Store) -> bool:
    """`Store.refresh_summary`: rewrite a summary that does not match the journal; whether it was rewritten."""
    if store.read_only or store.is_backup:
        return False
    with store._locked():
        key = store._journal_key()
        if not key:
            return False  # no journal yet: nothing to summarize
        if store._summary_on_disk(key) is not None:
            return False
        store._write_summary(store._state())
        return store._summary is not None and store._summary[0] == key


def remove_stale_temp_files(store: Store) -> list[Path]:
    """`Store.remove_stale_temp_files`: delete temporary files left by writers that died mid-write."""
    removed: list[Path] = []
    if store.is_backup:
        return removed
    for folder in (store.path.parent, store.journal_dir):
        try:
            candidates = list(folder.glob(f"{TEMP_PREFIX}*.tmp"))
        except OSError:
            continue
        for candidate in candidates:
            pid_text = candidate.name[len(TEMP_PREFIX) :].split("-", 1)[0]
            if pid_text.isdigit() and _process_alive(int(pid_text)):
                continue
            try:
                candidate.unlink()
                removed.append(candidate)
            except OSError:
                pass
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
