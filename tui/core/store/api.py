"""The Store: one ledger on disk, read and written by many processes at once.

Layout, for a store at `data/db.json`:

- `data/db.json` — TinyDB tables `meta`, `tasks` (the document's rows with their stable ids)
  and `archive` (removed tasks). Rewritten only by an import (`tui.core.store.imports`).
- `data/db.journal/` — the events, one shard per month, and the status summary (`tui.core.store.journal`).
- `data/db.json.lock` — the inter-process lock every write holds.
- `data/backups/<stamp>/` — what an import replaced: db.json and the journal, read-only for the group
  and others; a Store opened on a backup reads and checks it but never writes into it.

users.toml (`TAIZHANG_USERS`, else beside db.json) is trusted only when nobody but root or the store's
owner could have replaced it (`tui.core.store.rights`); otherwise everyone only reads (fail closed).

Every transaction holds the lock and re-reads what it changes inside it (a file is re-parsed only when
its inode, size or mtime moved), so processes never lose each other's changes; every write is atomic
(`tui.core.store.files`), so a crash never leaves half a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from importers.records import LedgerDocument
from tui.core.interprocess_lock import InterProcessLock, LockTimeout
from tui.core.model import Event, Ledger, NoteError, Status, Task, note_text
from tui.core.os_errors import os_error_line
from tui.core.permissions import Identity, Permissions, Role
from tui.core.shared_files import make_shared_folder
from tui.core.store.backups import BACKUP_STAMP, IMPORT_BACKUPS
from tui.core.store.errors import PermissionDenied, StoreError
from tui.core.store.files import FileCache, Signature, Tables, signature
from tui.core.store.fold import Folded
from tui.core.store.journal import Clock, Journal
from tui.core.store.records import task_from_doc, town_task_ids
from tui.core.store.rights import UsersFile, current_user

if TYPE_CHECKING:
    from tui.core.reseed import ReseedPlan
    from tui.core.store.imports import ReseedResult, TownsResult

__all__ = ["LOCK_TIMEOUT_SECONDS", "Revision", "Store", "default_db_path"]

LOCK_TIMEOUT_SECONDS = 15.0

# Stat signatures of db.json, users.toml and every journal shard: equal revisions, same data.
Revision = tuple[tuple[str, Signature | None], ...]


def default_db_path() -> Path:
    """`TAIZHANG_DB` if set, else the project's `data/db.json`."""
    configured = os.environ.get("TAIZHANG_DB")
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[3] / "data" / "db.json"


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class Store(Journal):
    """One ledger on disk. Cheap to create; safe to use from several processes at once.

    Reads (`load`, `task_by_no`, `history`, ...) need no lock; writes (`set_status`, `add_note`, `undo`,
    `seed`, `reseed`) take it and check this session's rights inside it.
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        clock: Clock | None = None,
        user: str | None = None,
        read_only: bool = False,
        permissions: Permissions | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        super().__init__(
            self.path.with_name(self.path.stem + ".journal"),
            cache=FileCache(),
            clock=clock or _local_now,
            user=user or current_user(),
        )
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._users = UsersFile(self.path, fixed=permissions)
        self.users_path = self._users.path
        self.users_path_configured = self._users.configured
        self.read_only = read_only
        # Task objects by id, reused while their record, statuses, notes and townships are unchanged.
        self._tasks: dict[str, tuple[tuple[Any, ...], Task]] = {}
        self._town_ids: tuple[dict[str, Any], frozenset[str]] | None = None
        self._document_folded_with: Tables | None = None  # db.json's tables at the last load
        self._lock = InterProcessLock(self.lock_path, timeout=LOCK_TIMEOUT_SECONDS)

    @property
    def is_backup(self) -> bool:
        """A copy an import made (`backups/<stamp>/db.json`): read and checked, never written or tidied."""
        folder = self.path.parent
        return folder.parent.name == IMPORT_BACKUPS and BACKUP_STAMP.match(folder.name) is not None

    def _backup_refusal(self) -> str:
        return f"{self.path.parent} 是导入前的备份，只能查看和检查。如需恢复，请按 README 把它复制回台账目录。"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if self.is_backup:  # refused before the lock file is created in it
            raise PermissionDenied(self._backup_refusal())
        try:
            make_shared_folder(self.path.parent)
        except OSError as error:
            raise StoreError(os_error_line(error, "创建数据目录")) from error
        try:
            with self._lock:
                yield
        except LockTimeout as error:
            raise StoreError("数据正被其他人写入，请稍后重试。") from error
        except PermissionError as error:
            raise StoreError(f"没有写入 {self.path} 的权限。请联系管理员检查文件权限。") from error
        except OSError as error:
            # A full disk, a read-only file system...: every write is atomic, so nothing was changed.
            raise StoreError(os_error_line(error, "保存改动", "，台账未改动")) from error

    def today(self) -> dt.date:
        return self.clock().date()

    def _document_tables(self) -> Tables:
        return self._cache.read(self.path) or {}

    def _task_doc(self, task_id: str) -> dict[str, Any] | None:
        return next((doc for doc in self._document_tables().get("tasks", {}).values() if doc.get("id") == task_id), None)

    # ----------------------------------------------------------------- identity and rights

    def permissions(self, *, recheck: bool = False) -> Permissions:
        """Everyone's rights from users.toml (re-read when it changed; `recheck`: look again anyway)."""
        return self._users.permissions(recheck=recheck)

    def identity(self) -> Identity:
        """This session's account with its unit and role (a viewer in a read-only session)."""
        identity = self.permissions().identity(self.user)
        if self.read_only:
            return dataclasses.replace(identity, role=Role.VIEWER)
        return identity

    def display_name(self, login: str) -> str:
        """The name users.toml gives an account (for `李四 将 31 号任务标为 推进中`), else the login."""
        try:
            return self.permissions().display_name(login)
        except StoreError:
            return login

    def refusal(
        self, action: str, task_id: str | None = None, *, unit: str | None = None, new_status: Status | None = None
    ) -> str | None:
        """Why this session may not do `action` to the task's row of `unit` (None: its overall row, which is the
        lead's), or None: lets a UI grey out what is refused.

        `action` is `status`, `note`, `undo`, `import` or `towns`. The write methods enforce the same rule
        (`Identity.refusal`).
        """
        if self.read_only:
            return "当前为只读模式（--read-only），不能修改台账。"
        if self.is_backup:
            return self._backup_refusal()
        task = self._task_now(task_id) if task_id is not None else None
        old_status = task.status_for(unit) if task is not None else None
        return self.identity().refusal(action, task, unit=unit, new_status=new_status, old_status=old_status)

    def _authorize(
        self, action: str, task_id: str | None = None, *, unit: str | None = None, new_status: Status | None = None
    ) -> None:
        """Raise PermissionDenied unless this session may do `action`. Every write calls it, inside the lock."""
        if not self.read_only:
            self.permissions(recheck=True)  # a folder's mode may have changed since users.toml was read
        reason = self.refusal(action, task_id, unit=unit, new_status=new_status)
        if reason is not None:
            raise PermissionDenied(reason)

    # ----------------------------------------------------------------- watching and reading

    def revision(self) -> Revision:
        """Stat signatures of every file the ledger is read from: cheap enough to poll every second."""
        try:
            files = [self.path, self.users_path, *self._shards()]
            return tuple((path.name, signature(path)) for path in files)
        except StoreError:
            # Unreadable now (a permission or a disk changed): a revision of its own, so that a watcher
            # reloads once and the screen says why, instead of the timer raising.
            return (("unreadable", None),)

    def changed_since(self, revision: Revision) -> bool:
        return self.revision() != revision

    def exists(self) -> bool:
        """Whether db.json is there; StoreUnavailable (one line) when it cannot even be looked at."""
        return signature(self.path) is not None

    def has_tasks(self) -> bool:
        return bool(self._document_tables().get("tasks"))

    def _meta(self) -> dict[str, Any]:
        return next(iter(self._document_tables().get("meta", {}).values()), {})

    def towns(self) -> tuple[str, ...]:
        """The district's townships as db.json's meta lists them (empty until `taizhang towns set`)."""
        towns = self._meta().get("towns", [])
        return tuple(town for town in towns if isinstance(town, str)) if isinstance(towns, list) else ()

    def _task_towns(self, tables: Tables) -> tuple[frozenset[str], tuple[str, ...]]:
        """The ids of the tasks the townships carry, and the townships."""
        towns = self.towns()
        if not towns:
            return frozenset(), towns
        table = tables.get("tasks", {})
        # Worked out once per version of db.json: the cache holds the very table it was worked out from.
        cached = self._town_ids
        if cached is None or cached[0] is not table:
            cached = (table, town_task_ids(table))
            self._town_ids = cached
        return cached[1], towns

    def load(self, *, with_notes: bool = True) -> Ledger:
        """The ledger as it is on disk now (only files that changed since the last call are re-read).

        `with_notes=False` leaves every task's notes empty and reads only the statuses, which is
        much cheaper on a large journal (`Ledger.notes_loaded` says which it is).
        """
        tables = self._document_tables()
        if tables and tables is not self._document_folded_with:
            if self._document_folded_with is not None:
                self._fold_afresh()  # an import rewrote db.json: nothing folded before is built on
            self._document_folded_with = tables
        meta = self._meta()
        folded = self._state() if with_notes else self._statuses()
        notes_by_task = folded.notes if isinstance(folded, Folded) and with_notes else {}
        town_ids, towns = self._task_towns(tables)

        def build(doc: dict[str, Any], *, in_ledger: bool = True) -> Task:
            task_id = doc["id"]
            status = folded.statuses.get(task_id, Status.NOT_STARTED)
            rows = folded.unit_statuses.get(task_id)
            notes = notes_by_task.get(task_id, ())
            task_towns = towns if in_ledger and task_id in town_ids else ()
            last_note = notes[-1].event if notes else ""
            key = (id(doc), status, len(notes), last_note, rows, task_towns)
            cached = self._tasks.get(task_id)
            # `rows` is the fold's own dict, replaced (never changed) when a row of the task changes; a fold of
            # the whole journal builds new ones, equal where nothing changed.
            same_rows = cached is not None and (cached[0][4] is rows or cached[0][4] == rows)
            if cached is not None and cached[0][:4] == key[:4] and same_rows and cached[0][5] == task_towns:
                return cached[1]
            task = task_from_doc(doc, status, notes, towns=task_towns, unit_statuses=rows)
            self._tasks[task_id] = (key, task)
            return task

        try:
            tasks = sorted((build(doc) for doc in tables.get("tasks", {}).values()), key=lambda t: t.no)
            archived = tuple(build(doc, in_ledger=False) for doc in tables.get("archive", {}).values())
        except (KeyError, ValueError, TypeError) as error:
            raise StoreError(f"数据文件 {self.path} 中的任务记录不完整，请运行 taizhang check 查看详情。") from error
        return Ledger(
            title=meta.get("title", ""),
            district_note=meta.get("district_note", ""),
            tasks=tuple(tasks),
            source_name=meta.get("source_name", ""),
            source_sha256=meta.get("source_sha256", ""),
            imported_at=meta.get("imported_at", ""),
            archived=archived,
            towns=towns,
            notes_loaded=with_notes,
        )

    def _task_from(self, doc: dict[str, Any] | None) -> Task | None:
        """The task of a record with its statuses (every row's) and townships, without notes."""
        if doc is None:
            return None
        tables = self._document_tables()
        town_ids, towns = self._task_towns(tables)
        statuses = self._statuses()
        try:
            return task_from_doc(
                doc,
                statuses.statuses.get(doc["id"], Status.NOT_STARTED),
                (),
                towns=towns if doc["id"] in town_ids else (),
                unit_statuses=statuses.unit_statuses.get(doc["id"]),
            )
        except (KeyError, ValueError, TypeError) as error:
            raise StoreError(f"数据文件 {self.path} 中的任务记录不完整，请运行 taizhang check 查看详情。") from error

    def _task_now(self, task_id: str) -> Task | None:
        return self._task_from(self._task_doc(task_id))

    def task_by_no(self, no: int) -> Task | None:
        """One task by its 序号, with its statuses and no notes, without building the others."""
        return self._task_from(
            next((doc for doc in self._document_tables().get("tasks", {}).values() if doc.get("no") == no), None)
        )

    def status_of(self, task_id: str, unit: str | None = None) -> Status:
        """A task's status on disk now (the row of `unit`; None: the overall one), without building the ledger."""
        if unit is None:
            return self._statuses().status_of(task_id)
        task = self._task_now(task_id)
        return task.status_for(unit) if task is not None else Status.NOT_STARTED

    def archive_dates(self) -> dict[str, str]:
        """When a revision archived each archived task (ISO time), by task id."""
        docs = [doc for doc in self._document_tables().get("archive", {}).values() if isinstance(doc, dict) and "id" in doc]
        # Oldest first, so a task archived twice gives its latest date.
        return {doc["id"]: doc.get("archived_at", "") for doc in sorted(docs, key=lambda doc: doc.get("archived_at", ""))}

    def fingerprint(self) -> str:
        """sha256 of db.json ("" when missing): a reseed plan is applied only to the store it was made from."""
        try:
            import hashlib

            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return ""

    # ----------------------------------------------------------------- writing progress

    def _require_row(self, task_id: str, unit: str | None) -> dict[str, str]:
        """The event fields naming the row of `unit` (none for the overall row, which is also the lead's).
        Raises StoreError when the task is gone or the unit takes no part in it."""
        task = self._task_now(task_id)
        if task is None:
            raise StoreError("该任务已不在台账中（可能刚被重新导入移除），请刷新后重试。")
        if unit is not None and task.role_of(unit) is None:
            raise StoreError(f"{task.no} 号任务的责任单位和乡镇（街道）中没有{unit}。")
        key = task.row_key(unit)
        return {"unit": key} if key is not None else {}

    def set_status(self, task_id: str, status: Status, *, unit: str | None = None) -> Event | None:
        """Record a status change of the task (`unit` None, or its lead unit) or of one unit's own row; None
        when that row already has that status."""
        with self._locked():
            row = self._require_row(task_id, unit)
            self._authorize("status", task_id, unit=unit, new_status=status)
            old = self._statuses().status_of(task_id, row.get("unit"))
            if old == status:
                return None
            return self._append({"task": task_id, "kind": "status", "old": old.value, "new": status.value, **row})

    def add_note(self, task_id: str, text: str, *, unit: str | None = None) -> Event:
        """Record a note on the task (`unit` None, or its lead unit) or on one unit's own row; refused
        (StoreError) when empty or longer than NOTE_MAX_CHARS, nothing written."""
        text = _valid_note(text)
        with self._locked():
            row = self._require_row(task_id, unit)
            self._authorize("note", task_id, unit=unit)
            return self._append({"task": task_id, "kind": "note", "text": text, **row})

    def add_notes(self, notes: list[tuple[str, str, str]]) -> list[Event]:
        """Add many dated notes, `(task_id, at, text)`, in one write per monthly shard."""
        notes = [(task_id, at, _valid_note(text)) for task_id, at, text in notes]
        with self._locked():
            known = {doc.get("id") for doc in self._document_tables().get("tasks", {}).values()}
            if any(task_id not in known for task_id, _at, _text in notes):
                raise StoreError("有进展情况指向不在台账中的任务，未写入任何内容。")
            for task_id in dict.fromkeys(task_id for task_id, _at, _text in notes):
                self._authorize("note", task_id)
            return self._append_many([{"at": at, "task": task_id, "kind": "note", "text": text} for task_id, at, text in notes])

    def undo(self, event_id: str) -> Event:
        """Undo one earlier change (a status change or a note, of the overall row or a unit's own row); the
        undo is itself an event, on the same row."""
        with self._locked():
            state = self._statuses()
            target = self.event(event_id)
            if target is None or target.kind not in ("status", "note"):
                raise StoreError("找不到要撤销的改动。")
            if event_id in state.undone:
                raise StoreError("这项改动已经撤销过了。")
            restores = Status(target.old) if target.kind == "status" and target.old else None
            row = {"unit": target.unit} if target.unit else {}
            self._authorize("undo", target.task, unit=target.unit or None, new_status=restores)
            if target.kind == "status":
                current = state.status_of(target.task, target.unit or None)
                if current.value != target.new:
                    whose = f"{target.unit}的" if target.unit else "该任务的"
                    raise StoreError(f"{whose}状态已被改为 {current.label}，无法撤销。")
                return self._append(
                    {"task": target.task, "kind": "undo", "ref": event_id, "old": target.new, "new": target.old, **row}
                )
            return self._append({"task": target.task, "kind": "undo", "ref": event_id, "text": target.text, **row})

    def finish_writes(self, timeout: float) -> bool:
        """Wait up to `timeout` s for this process's write in flight, then let no other start: call just
        before the process ends abruptly (a write is atomic, so even ending mid-write loses only that
        change, but one that finishes is kept). Whether the writes finished in time."""
        return self._lock.hold_until_exit(timeout)

    # ----------------------------------------------------------------- imports, check and repair (rare: loaded on use)

    def seed(self, document: LedgerDocument, *, source_name: str, source_sha256: str) -> Ledger:
        """Fill an empty (or missing) store from an imported document, in one atomic write."""
        from tui.core.store.imports import seed

        return seed(self, document, source_name=source_name, source_sha256=source_sha256)

    def reseed(
        self,
        plan: ReseedPlan,
        *,
        source_name: str,
        source_sha256: str,
        expected_fingerprint: str,
        replace: bool = False,
    ) -> ReseedResult:
        """Apply a revision's plan (`tui.core.reseed`) made from this store when its fingerprint was taken.

        Under the lock: refuse if db.json changed since the plan was made, or if the plan is for a
        different document and `replace` was not given; back up db.json and the journal; write the new
        db.json in one atomic write, keeping each matched task's id (so its status and notes, folded from
        the journal by id, carry over), moving restored tasks out of the archive with their id (so their
        progress returns), archiving removed tasks with progress and giving added tasks new ids; then
        append `import` / `restore` / `archive` history events.
        """
        from tui.core.store.imports import reseed

        return reseed(
            self,
            plan,
            source_name=source_name,
            source_sha256=source_sha256,
            expected_fingerprint=expected_fingerprint,
            replace=replace,
        )

    def set_towns(self, names: Iterable[str]) -> TownsResult:
        """Replace the list of townships (supervisors only; anyone without users.toml) in db.json's meta, which
        revisions keep. Names may be given one per word or `、`-separated. A township dropped keeps its progress
        in the journal (shown again when it is listed again)."""
        from tui.core.store.imports import set_towns

        return set_towns(self, names)

    def check(self) -> list[str]:
        """Problems found in the store, each one line of Chinese; empty when it is healthy.

        The shape of every file is checked, then what the records say together (`tui.core.store.check`).
        Raises StoreUnavailable when the store cannot be read at all (a folder, no permission).
        """
        from tui.core.store.check import check_store

        return check_store(self)

    def refresh_summary(self) -> bool:
        """Rewrite the status summary if it does not match the journal (after an upgrade, a restore from
        backups, a crash between the two writes); whether it was rewritten. Readers never write it, so
        until the next change every start would fold the whole journal."""
        from tui.core.store.check import refresh_summary

        return refresh_summary(self)

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete temporary files left by writers that died mid-write (their process is gone)."""
        from tui.core.store.check import remove_stale_temp_files

        return remove_stale_temp_files(self)


def _valid_note(text: str) -> str:
    try:
        return note_text(text)
    except NoteError as error:
        raise StoreError(str(error)) from None
