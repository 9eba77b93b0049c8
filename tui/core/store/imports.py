"""Writing db.json: the first import (`seed`), a revised document (`reseed`, with the backup before it) and the
list of townships (`set_towns`, kept in the meta record, which a reseed keeps).

Parts of `Store` (its `seed` and `reseed` call these with itself); loaded only when someone imports.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from importers.records import LedgerDocument
from tui.core.model import Event, Ledger, Status, canonical_unit, without_controls, without_controls_in
from tui.core.os_errors import os_error_line
from tui.core.reseed import ReseedPlan
from tui.core.shared_files import TEMP_PREFIX, atomic_write_bytes, make_shared_folder, seal_for_group
from tui.core.store.backups import IMPORT_BACKUPS
from tui.core.store.errors import StoreError
from tui.core.store.files import write_tables
from tui.core.store.records import SCHEMA_VERSION, new_task_id, record_doc

if TYPE_CHECKING:
    from tui.core.store.api import Store

__all__ = ["ReseedResult", "TownsResult", "reseed", "seed", "set_towns", "town_names"]


@dataclasses.dataclass(frozen=True)
class ReseedResult:
    """What `Store.reseed` did: the ledger now, the backup folder, the archived task ids, the events."""

    ledger: Ledger
    backup: Path | None  # None when the revision changed nothing and nothing was written
    archived_ids: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()


def _meta(*, title: str, district_note: str, source_name: str, source_sha256: str, now: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "title": title,
        "district_note": district_note,
        "source_name": source_name,
        "source_sha256": source_sha256,
        "imported_at": now,
    }


def seed(store: Store, document: LedgerDocument, *, source_name: str, source_sha256: str) -> Ledger:
    """Fill an empty (or missing) store from an imported document, in one atomic write."""
    with store._locked():
        store._authorize("import")
        if store.has_tasks():
            raise StoreError(f"{store.path} 中已有任务，不能再次初始化。")
        taken: set[str] = set()
        tasks = {
            str(index): record_doc(new_task_id(f"{record.section}\n{record.content}", taken), record)
            for index, record in enumerate(document.tasks, start=1)
        }
        meta = _meta(
            title=document.title,
            district_note=document.district_note,
            source_name=source_name,
            source_sha256=source_sha256,
            now=store.now(),
        )
        write_tables(store.path, store._cache, without_controls_in({"meta": {"1": meta}, "tasks": tasks, "archive": {}}))
    return store.load()


def backup(store: Store) -> Path:
    """Copy db.json and the journal to `backups/<stamp>/` beside the store. Call with the lock held.

    The copy can be read but not written by the group, whatever the umask (`seal_for_group`), and
    `backups/` is sticky: a colleague can neither change a backup nor swap it for another. A backup
    that fails part-way (a full disk) is removed.
    """
    root = store.path.parent / IMPORT_BACKUPS
    created = not root.exists()
    make_shared_folder(root)
    if created:
        with suppress(OSError):
            os.chmod(root, root.stat().st_mode & 0o7777 | 0o1000)
    stamp = store.clock().strftime("%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        folder = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir()
            break
        except FileExistsError:
            continue
    else:
        raise StoreError(f"无法在 {root} 中创建备份目录，请清理后重试。")
    try:
        shutil.copy2(store.path, folder / store.path.name)
        if store.journal_dir.is_dir():
            shutil.copytree(
                store.journal_dir, folder / store.journal_dir.name, ignore=shutil.ignore_patterns(f"{TEMP_PREFIX}*")
            )
        seal_for_group(folder, like=store.path.parent)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def reseed(
    store: Store,
    plan: ReseedPlan,
    *,
    source_name: str,
    source_sha256: str,
    expected_fingerprint: str,
    replace: bool = False,
) -> ReseedResult:
    """`Store.reseed`: apply a plan made from this store when its fingerprint was taken (see there)."""
    with store._locked():
        store._authorize("import")
        if store.fingerprint() != expected_fingerprint:
            raise StoreError("生成导入计划后台账已被改动（可能有人同时在导入），未做任何改动。请重新运行导入。")
        if plan.different_document and not replace:
            raise StoreError("这份文件看起来是另一份任务清单，不是本台账的修订版。确要用它替换台账，须明确确认替换。")
        tables = store._document_tables()
        current = {doc.get("id"): doc for doc in tables.get("tasks", {}).values()}
        archive = dict(tables.get("archive", {}))
        archive_keys = {doc.get("id"): key for key, doc in archive.items() if isinstance(doc, dict)}
        planned = {entry.old.id for entry in plan.entries if entry.old is not None and entry.kind != "restored"}
        restored = {entry.old.id for entry in plan.of_kind("restored") if entry.old is not None}
        if planned != set(current) or not restored <= set(archive_keys):
            raise StoreError("导入计划与台账中的任务不一致，未做任何改动。请重新运行导入。")
        if not plan.has_changes:
            return ReseedResult(store.load(), None)

        state = store._state()
        now = store.now()
        with_history = {task_id for shard in state.shards for task_id in shard.docs_by_task}
        taken = {task_id for task_id in (*current, *archive_keys) if isinstance(task_id, str)} | with_history
        tasks: dict[str, dict[str, Any]] = {}
        events: list[dict[str, Any]] = []
        for index, entry in enumerate(plan.document_entries, start=1):
            record = entry.record
            if entry.old is None:
                task_id = new_task_id(f"{record.section}\n{record.content}", taken)
            elif entry.kind == "restored":
                task_id = entry.old.id
                del archive[archive_keys[task_id]]
                events.append({"task": task_id, "kind": "restore", "fields": entry.history_fields, "text": source_name})
            else:
                task_id = entry.old.id
                if entry.history_fields:
                    events.append({"task": task_id, "kind": "import", "fields": entry.history_fields, "text": source_name})
            tasks[str(index)] = record_doc(task_id, record)
        archived: list[str] = []
        next_key = max((int(key) for key in archive), default=0) + 1
        for entry in plan.of_kind("removed"):
            old = entry.task
            # Decided again here, under the lock: a note written after the plan was made still counts.
            keep = (
                entry.archive
                or old.id in with_history
                or state.statuses.get(old.id, Status.NOT_STARTED) is not Status.NOT_STARTED
            )
            if not keep:
                continue
            archive[str(next_key)] = {**current[old.id], "archived_at": now, "archived_by_import": source_name}
            next_key += 1
            archived.append(old.id)
            events.append({"task": old.id, "kind": "archive", "text": source_name})
        meta = {
            **next(iter(tables.get("meta", {}).values()), {}),
            **_meta(
                title=plan.title,
                district_note=plan.district_note,
                source_name=source_name,
                source_sha256=source_sha256,
                now=now,
            ),
        }
        try:
            previous = store.path.read_bytes()
            folder = backup(store)
        except OSError as error:
            raise StoreError(os_error_line(error, "备份数据", "，未做任何改动")) from error
        try:
            write_tables(store.path, store._cache, without_controls_in({"meta": {"1": meta}, "tasks": tasks, "archive": archive}))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # nothing was imported: nothing to keep a backup of
            raise
        # db.json first, events second: the events name tasks by id, and an event written for a
        # revision that then failed to be written would describe changes that never happened.
        # If appending the events fails, db.json is put back byte for byte, so the store is as it
        # was (the events all go to this month's shard in one atomic write: none or all of them).
        try:
            written = store._append_many(events) if events else []
        except BaseException:
            atomic_write_bytes(store.path, previous)
            store._cache.forget(store.path)
            raise
    return ReseedResult(store.load(), folder, tuple(archived), tuple(written))


# ---------------------------------------------------------------------- the townships

_TOWN_SEPARATORS = re.compile(r"[、，,；;\s]+")
_TOWN_MAX_CHARS = 20


@dataclasses.dataclass(frozen=True)
class TownsResult:
    """What `Store.set_towns` did: the townships now, and those dropped that have progress in the journal
    (it stays there, and shows again if they are listed again)."""

    towns: tuple[str, ...]
    dropped_with_progress: tuple[str, ...] = ()


def town_names(words: Iterable[str]) -> tuple[str, ...]:
    """The townships as given (`万安街道 双阳街道` or `万安街道、双阳街道`), without control characters and repeats."""
    names: list[str] = []
    for word in words:
        for name in _TOWN_SEPARATORS.split(without_controls(word)):
            if name and canonical_unit(name) not in map(canonical_unit, names):
                names.append(name)
    return tuple(names)


def set_towns(store: Store, words: Iterable[str]) -> TownsResult:
    """`Store.set_towns`: db.json's list of townships replaced in one atomic write (nothing else changes)."""
    towns = town_names(words)
    if not towns:
        raise StoreError("请写出乡镇（街道）的名称，如 taizhang towns set 万安街道 双阳街道。")
    too_long = next((name for name in towns if len(name) > _TOWN_MAX_CHARS), None)
    if too_long is not None:
        raise StoreError(f"“{too_long[:_TOWN_MAX_CHARS]}…”不像乡镇（街道）的名称（最多 {_TOWN_MAX_CHARS} 字）。未做任何改动。")
    with store._locked():
        store._authorize("towns")
        tables = store._document_tables()
        if not tables.get("tasks"):
            raise StoreError(f"{store.path} 中还没有任务。请先用 taizhang import 导入任务清单。")
        listed = {canonical_unit(unit) for doc in tables["tasks"].values() for unit in doc.get("units", ())}
        clash = next((name for name in towns if canonical_unit(name) in listed), None)
        if clash is not None:
            raise StoreError(f"“{clash}”是任务清单中的责任单位，不是乡镇（街道）。未做任何改动。")
        meta_table = tables.get("meta", {})
        key = next(iter(meta_table), "1")
        before = tuple(meta_table.get(key, {}).get("towns", ()))
        if before == towns:
            return TownsResult(towns)
        meta = {**meta_table.get(key, {}), "towns": list(towns)}
        write_tables(store.path, store._cache, {**tables, "meta": {**meta_table, key: meta}})
        kept = {canonical_unit(name) for name in towns}
        dropped = [name for name in before if canonical_unit(name) not in kept]
        with_progress = {event.unit for event in store._state().events if event.unit}
    return TownsResult(towns, tuple(name for name in dropped if canonical_unit(name) in with_progress))
