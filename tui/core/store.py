"""The ledger store: the only code that touches TinyDB.

Layout, for a store at `data/db.json`:

- `data/db.json` — TinyDB tables `meta`, `tasks` (the document's rows with their stable ids)
  and `archive` (removed tasks). Rewritten only by an import.
- `data/db.journal/YYYY-MM.json` — TinyDB table `events`, one shard per month: every status
  change, note, undo and import change, appended. A task's status and notes are folded from
  the events, so a write rewrites only this month's shard and its cost does not grow with
  years of notes.
- `data/db.journal/summary.json` — a cache, not a source of truth: every task's status, the
  undone events and the last event id, with the stat signature of every shard it was folded
  from. Every write refreshes it, so a process that needs only statuses (`taizhang mark`, the
  app's first frame) parses the summary and this month's shard, not years of notes. When the
  signatures do not match the shards (a crash between the two writes, an older program), the
  shards are folded instead: a missing or stale summary costs time, never correctness.
- `data/db.json.lock` — the inter-process lock every write holds.
- `data/backups/<stamp>/` — what an import replaced: db.json and the journal, read-only for the group
  and others; a Store opened on a backup reads and checks it but never writes into it.

users.toml (`TAIZHANG_USERS`, else beside db.json) is trusted only when nobody but root or the store's
owner could have replaced it (`tui.core.file_trust`); otherwise everyone only reads (fail closed).

Every write goes through `_AtomicJSONStorage.write`: a temporary file in the same folder,
fsync, `os.replace`, fsync of the folder, keeping the old file's mode and group. Every
transaction holds the lock and re-reads what it changes inside it (a file is re-parsed only
when its inode, size or mtime moved), so processes never lose each other's changes and a
crash never leaves half a file. Reads need no lock: `os.replace` makes them see a whole file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import pwd
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from importers.records import LedgerDocument
from tui.core.file_trust import untrusted_reason
from tui.core.interprocess_lock import InterProcessLock, LockTimeout
from tui.core.model import Event, Ledger, Note, NoteError, Status, Task, note_text, without_controls_in
from tui.core.os_errors import os_error_line
from tui.core.permissions import USERS_FILE_NAME, Identity, Permissions, Role, UsersFileError, load_permissions
from tui.core.shared_files import TEMP_PREFIX, atomic_write_bytes, make_shared_folder, seal_for_group

__all__ = [
    "SCHEMA_VERSION",
    "PermissionDenied",
    "ReseedResult",
    "Revision",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "configured_users_path",
    "current_user",
    "default_db_path",
]

SCHEMA_VERSION = 1
LOCK_TIMEOUT_SECONDS = 15.0
_SHARD_NAME = re.compile(r"^\d{4}-\d{2}\.json$")
_BACKUP_STAMP = re.compile(r"^\d{8}-\d{6}(-\d+)?$")
_SUMMARY_VERSION = 1

Clock = Callable[[], dt.datetime]
Tables = dict[str, dict[str, dict[str, Any]]]


class StoreError(Exception):
    """A store that cannot be read or written; the message is one line of Chinese for the user."""


class StoreUnavailable(StoreError):
    """The store's files cannot be read at all (a folder given as the store, no permission, an I/O error)."""


class PermissionDenied(StoreError):
    """This account (or a read-only session) may not make this change; the message says why."""


# Stat signatures of db.json, users.toml and every journal shard: equal revisions, same data.
Revision = tuple[tuple[str, tuple[int, int, int] | None], ...]


def default_db_path() -> Path:
    """`TAIZHANG_DB` if set, else the project's `data/db.json`."""
    configured = os.environ.get("TAIZHANG_DB")
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[2] / "data" / "db.json"


def configured_users_path() -> Path | None:
    """`TAIZHANG_USERS` if set: the users.toml the administrator named in sshd's ForceCommand line."""
    configured = os.environ.get("TAIZHANG_USERS")
    return Path(configured).expanduser() if configured else None


def current_user() -> str:
    """The login account, from the OS (not from an environment variable the user could set)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _signature(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime) of a file, None when there is none; StoreError when it cannot be looked at."""
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise StoreUnavailable(os_error_line(error, "读取台账")) from None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


class _FileCache:
    """Parsed JSON files, re-read only when the file on disk changed."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple[int, int, int], Tables]] = {}

    def read(self, path: Path) -> Tables | None:
        signature = _signature(path)
        if signature is None:
            self._entries.pop(path, None)
            return None
        cached = self._entries.get(path)
        if cached is not None and cached[0] == signature:
            return cached[1]
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise StoreUnavailable(
                f"{path} 是一个目录，不是数据文件。请指定其中的数据文件，如 --db {path / 'db.json'}。"
            ) from None
        except OSError as error:
            raise StoreUnavailable(os_error_line(error, "读取台账")) from None
        if not raw.strip():
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise StoreError(f"数据文件 {path} 已损坏（不是有效的 JSON），请从 backups 中恢复或重新导入。") from error
        if not isinstance(data, dict):
            raise StoreError(f"数据文件 {path} 格式不对，请从 backups 中恢复或重新导入。")
        self._entries[path] = (signature, data)
        return data

    def remember(self, path: Path, data: Tables) -> None:
        signature = _signature(path)
        if signature is not None:
            self._entries[path] = (signature, data)

    def forget(self, path: Path) -> None:
        self._entries.pop(path, None)


class _AtomicJSONStorage(Storage):
    """TinyDB storage: cached reads, atomic writes, Chinese kept readable (no \\u escapes)."""

    def __init__(self, path: str, cache: _FileCache, indent: int | None = None) -> None:
        self._path = Path(path)
        self._cache = cache
        self._indent = indent

    def read(self) -> Tables | None:
        return self._cache.read(self._path)

    def write(self, data: Tables) -> None:
        # TinyDB mutates the dict read() returned before writing it: on failure the cached
        # copy no longer matches the file, so drop it.
        try:
            payload = json.dumps(data, ensure_ascii=False, indent=self._indent).encode("utf-8")
            atomic_write_bytes(self._path, payload + b"\n")
        except BaseException:
            self._cache.forget(self._path)
            raise
        self._cache.remember(self._path, data)


class _ShardFold:
    """What one monthly shard says: its events in order, and per task the last status and the notes."""

    def __init__(self, name: str, table: dict[str, dict[str, Any]]) -> None:
        self.name = name
        self.docs: list[tuple[str, dict[str, Any]]] = [(f"{name}#{key}", table[key]) for key in sorted(table, key=int)]
        self.statuses: dict[str, str] = {}
        self.notes: dict[str, list[Note]] = {}
        self.undo_refs: set[str] = set()
        self.docs_by_task: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for event_id, doc in self.docs:
            self.docs_by_task.setdefault(doc.get("task", ""), []).append((event_id, doc))
            kind = doc.get("kind")
            if kind == "note":
                self.notes.setdefault(doc["task"], []).append(Note(doc["at"], doc["by"], doc["text"], event_id))
            elif kind in ("status", "undo"):
                if kind == "undo":
                    self.undo_refs.add(doc.get("ref", ""))
                if doc.get("new"):
                    self.statuses[doc["task"]] = doc["new"]

    @functools.cached_property
    def events(self) -> list[Event]:
        """This shard's events; built once per version of the shard, only when asked for."""
        return [_event_from_doc(event_id, doc) for event_id, doc in self.docs]


class _Statuses:
    """Every task's status (tasks never changed are absent), the undone event ids, the last event id."""

    def __init__(self, statuses: dict[str, Status], undone: set[str], last_event: str | None) -> None:
        self.statuses = statuses
        self.undone = undone
        self.last_event = last_event

    def after(self, events: Iterable[Event]) -> _Statuses:
        """These statuses once `events` (just appended, in order) are added."""
        statuses = dict(self.statuses)
        undone = set(self.undone)
        last_event = self.last_event
        for event in events:
            if event.kind == "undo":
                undone.add(event.ref)
            if event.kind in ("status", "undo") and event.new:
                statuses[event.task] = Status(event.new)
            if last_event is None or _event_order(event.id) > _event_order(last_event):
                last_event = event.id
        return _Statuses(statuses, undone, last_event)

    def to_json(self, signatures: dict[str, tuple[int, int, int] | None]) -> dict[str, Any]:
        return {
            "version": _SUMMARY_VERSION,
            "signatures": signatures,
            "statuses": {task_id: status.value for task_id, status in self.statuses.items()},
            "undone": sorted(self.undone),
            "last_event": self.last_event,
        }

    @classmethod
    def from_json(cls, data: Any, signatures: dict[str, tuple[int, int, int] | None]) -> _Statuses | None:
        """The summary if it was folded from exactly these shard versions and is well formed, else None."""
        try:
            if data.get("version") != _SUMMARY_VERSION:
                return None
            written = {name: tuple(signature) if signature else None for name, signature in data["signatures"].items()}
            if written != signatures:
                return None
            statuses = {str(task_id): Status(value) for task_id, value in data["statuses"].items()}
            last_event = data["last_event"]
            return cls(statuses, {str(ref) for ref in data["undone"]}, str(last_event) if last_event else None)
        except (AttributeError, KeyError, TypeError, ValueError):
            return None


class _NotesOfOlderShards:
    """The notes of every shard but the newest, kept between folds: a write touches only the newest
    shard, so a reload recombines one month of notes, not years of them."""

    def __init__(self) -> None:
        # The older shards' folds and their combined notes, replaced as one tuple: a worker thread
        # reading while another replaces it sees the old pair or the new one, never a mix. The folds
        # themselves (not their ids) are kept, so a freed fold's id reused by a new one cannot match.
        self.cached: tuple[tuple[_ShardFold, ...], dict[str, list[Note]]] = ((), {})


class _Folded(_Statuses):
    """Status and notes per task id, folded from every shard's events in order."""

    def __init__(self, shards: list[_ShardFold], older: _NotesOfOlderShards | None = None) -> None:
        self.shards = shards
        self._older = older or _NotesOfOlderShards()
        latest: dict[str, str] = {}
        for shard in shards:
            latest.update(shard.statuses)
        last_docs = next((shard.docs for shard in reversed(shards) if shard.docs), None)
        super().__init__(
            {task_id: Status(value) for task_id, value in latest.items()},
            set().union(*(shard.undo_refs for shard in shards)),
            last_docs[-1][0] if last_docs else None,
        )

    @functools.cached_property
    def notes(self) -> dict[str, list[Note]]:
        """Notes per task, oldest first, less the undone ones; built on demand (writes need only statuses)."""
        if not self.shards:
            return {}
        *older, newest = self.shards
        # Shard folds are reused while their file is unchanged, so the same folds mean the same notes.
        cached_folds, combined = self._older.cached
        if len(cached_folds) != len(older) or any(a is not b for a, b in zip(cached_folds, older, strict=False)):
            undone_before = set().union(*(shard.undo_refs for shard in older))
            combined = {}
            for shard in older:
                for task_id, notes in shard.notes.items():
                    kept = [n for n in notes if n.event not in undone_before] if undone_before else notes
                    combined.setdefault(task_id, []).extend(kept)
            self._older.cached = (tuple(older), combined)
        # A shallow copy: the older shards' lists are shared with the cache, so they are replaced, never
        # extended (copying every task's list made each reload of a large ledger cost milliseconds).
        result = dict(combined)
        # Undos in the newest shard may withdraw older notes; the undo records which task they touch.
        for task_id, docs in newest.docs_by_task.items():
            if task_id in result and any(doc.get("kind") == "undo" for _id, doc in docs):
                result[task_id] = [note for note in result[task_id] if note.event not in self.undone]
        for task_id, notes in newest.notes.items():
            result[task_id] = [*result.get(task_id, ()), *(n for n in notes if n.event not in self.undone)]
        return result

    @functools.cached_property
    def events(self) -> list[Event]:
        """Every event in order; built on demand (the app's reload needs only the fold)."""
        return [event for shard in self.shards for event in shard.events]


def _task_from_doc(doc: dict[str, Any], status: Status, notes: Iterable[Note]) -> Task:
    return Task(
        id=doc["id"],
        no=int(doc["no"]),
        section=doc.get("section", ""),
        subsection=doc.get("subsection", ""),
        content=doc.get("content", ""),
        units=tuple(doc.get("units", ())),
        deadline=doc.get("deadline", ""),
        remarks=tuple(doc.get("remarks", ())),
        status=status,
        notes=tuple(notes),
    )


def _event_from_doc(event_id: str, doc: dict[str, Any]) -> Event:
    return Event(
        id=event_id,
        at=doc.get("at", ""),
        by=doc.get("by", ""),
        task=doc.get("task", ""),
        kind=doc.get("kind", ""),
        old=doc.get("old", ""),
        new=doc.get("new", ""),
        text=doc.get("text", ""),
        ref=doc.get("ref", ""),
        fields=doc.get("fields", {}),
    )


def _task_id(record_key: str, taken: set[str]) -> str:
    import hashlib  # here, not at the top: a `taizhang mark` should not pay for importing it

    digest = hashlib.sha1(record_key.encode("utf-8")).hexdigest()
    candidate = "T" + digest[:8]
    suffix = 1
    while candidate in taken:
        suffix += 1
        candidate = f"T{digest[:8]}-{suffix}"
    taken.add(candidate)
    return candidate


@dataclasses.dataclass(frozen=True)
class ReseedResult:
    """What `Store.reseed` did: the ledger now, the backup folder, the archived task ids, the events."""

    ledger: Ledger
    backup: Path | None  # None when the revision changed nothing and nothing was written
    archived_ids: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()


def _record_doc(task_id: str, record: Any) -> dict[str, Any]:
    """A tasks-table document for an importer's TaskRecord (no control characters: see without_controls)."""
    return without_controls_in({
        "id": task_id,
        "no": record.no,
        "section": record.section,
        "subsection": record.subsection,
        "content": record.content,
        "units": list(record.units),
        "deadline": record.deadline,
        "remarks": list(record.remarks),
    })


class Store:
    """One ledger on disk. Cheap to create; safe to use from several processes at once."""

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
        self.journal_dir = self.path.with_name(self.path.stem + ".journal")
        self.summary_path = self.journal_dir / "summary.json"
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        configured = configured_users_path()
        self.users_path = configured or self.path.with_name(USERS_FILE_NAME)
        self.users_path_configured = configured is not None
        self.clock: Clock = clock or _local_now
        self.user = user or current_user()
        self.read_only = read_only
        self._fixed_permissions = permissions
        self._permissions: tuple[tuple[int, int, int] | None, Permissions] | None = None
        self._cache = _FileCache()
        self._folded: tuple[tuple[Any, ...], _Folded] | None = None
        self._summary: tuple[tuple[Any, ...], _Statuses] | None = None
        self._shard_folds: dict[Path, tuple[tuple[int, int, int] | None, _ShardFold]] = {}
        self._older_notes = _NotesOfOlderShards()
        # Task objects by id, reused while their record, status and notes are unchanged.
        self._tasks: dict[str, tuple[int, Status, int, str, Task]] = {}
        self._lock = InterProcessLock(self.lock_path, timeout=LOCK_TIMEOUT_SECONDS)

    @property
    def is_backup(self) -> bool:
        """A copy an import made (`backups/<stamp>/db.json`): read and checked, never written or tidied."""
        folder = self.path.parent
        return folder.parent.name == "backups" and _BACKUP_STAMP.match(folder.name) is not None

    def _backup_refusal(self) -> str:
        return f"{self.path.parent} 是导入前的备份，只能查看和检查。如需恢复，请按 README 把它复制回台账目录。"

    # ----------------------------------------------------------------- low level

    def _db(self, path: Path, indent: int | None = None) -> TinyDB:
        # A fresh TinyDB per transaction: its query cache and next id go stale when
        # another process writes.
        return TinyDB(str(path), storage=_AtomicJSONStorage, cache=self._cache, indent=indent)

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

    def now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def today(self) -> dt.date:
        return self.clock().date()

    def _document_tables(self) -> Tables:
        return self._cache.read(self.path) or {}

    def _shards(self) -> list[Path]:
        try:
            return sorted(p for p in self.journal_dir.iterdir() if _SHARD_NAME.match(p.name))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as error:
            raise StoreUnavailable(os_error_line(error, "读取台账")) from error

    def _journal_key(self) -> tuple[tuple[Path, tuple[int, int, int] | None], ...]:
        return tuple((shard, _signature(shard)) for shard in self._shards())

    def _fold_shard(self, shard: Path, signature: tuple[int, int, int] | None) -> _ShardFold:
        """One shard's fold, reused while the file is unchanged."""
        cached = self._shard_folds.get(shard)
        if cached is None or cached[0] != signature:
            table = (self._cache.read(shard) or {}).get("events", {})
            try:
                cached = (signature, _ShardFold(shard.stem, table))
            except (KeyError, TypeError, AttributeError, ValueError) as error:
                raise StoreError(f"记录文件 {shard} 中有不完整的记录，请运行 taizhang check 查看详情。") from error
            self._shard_folds[shard] = cached
        return cached[1]

    def _state(self) -> _Folded:
        """Everything the journal says (statuses, notes, events): reads every shard."""
        key = self._journal_key()
        if self._folded is not None and self._folded[0] == key:
            return self._folded[1]
        folds = [self._fold_shard(shard, signature) for shard, signature in key]
        try:
            folded = _Folded(folds, self._older_notes)
        except ValueError as error:
            raise StoreError(f"{self.journal_dir} 中有无效的状态，请运行 taizhang check 查看详情。") from error
        self._folded = (key, folded)
        return folded

    def _statuses(self) -> _Statuses:
        """Statuses, undone events and the last event id: from the summary when it matches the shards."""
        key = self._journal_key()
        if self._folded is not None and self._folded[0] == key:
            return self._folded[1]
        if self._summary is not None and self._summary[0] == key:
            return self._summary[1]
        try:
            data = self._cache.read(self.summary_path)
        except StoreError:
            data = None  # a damaged cache: fold the shards instead
        summary = _Statuses.from_json(data, {shard.name: signature for shard, signature in key}) if data else None
        if summary is None:
            return self._state()
        self._summary = (key, summary)
        return summary

    def _write_summary(self, statuses: _Statuses) -> None:
        """Record `statuses` as folded from the shards as they are now. Call with the lock held."""
        key = self._journal_key()
        payload = json.dumps(statuses.to_json({shard.name: signature for shard, signature in key}), ensure_ascii=False)
        try:
            atomic_write_bytes(self.summary_path, payload.encode("utf-8"), durable=False)
        except OSError:
            # Only a cache: the events are written, and the next reader folds the shards instead.
            with suppress(OSError):
                self.summary_path.unlink()
            return
        self._summary = (key, statuses)

    def _append(self, doc: dict[str, Any]) -> Event:
        """Append one event to this month's shard. Call with the lock held."""
        return self._append_many([doc])[0]

    def _append_many(self, docs: list[dict[str, Any]]) -> list[Event]:
        """Append events in one write per monthly shard. Call with the lock held.

        An event without `at` / `by` is stamped now, by this store's user.
        """
        before = self._statuses()
        # Whatever an event carries (a note, a file name, an import's old and new texts) is stored without
        # control characters: it will be shown in other people's terminals.
        stamped = [without_controls_in({"at": self.now(), "by": self.user, **doc}) for doc in docs]
        by_shard: dict[Path, list[dict[str, Any]]] = {}
        for doc in stamped:
            by_shard.setdefault(self.journal_dir / f"{doc['at'][:7]}.json", []).append(doc)
        events: dict[int, Event] = {}
        written: list[Event] = []
        try:
            for shard, shard_docs in by_shard.items():
                with self._db(shard) as db:
                    doc_ids = db.table("events").insert_multiple(shard_docs)
                for doc, doc_id in zip(shard_docs, doc_ids, strict=True):
                    events[id(doc)] = _event_from_doc(f"{shard.stem}#{doc_id}", doc)
                    written.append(events[id(doc)])
        finally:
            # Also after a failure part-way: the shards written so far are in the summary. When nothing
            # was written the summary still holds (and rewriting it on a full disk would delete it).
            if written:
                self._write_summary(before.after(written))
        return [events[id(doc)] for doc in stamped]

    # ----------------------------------------------------------------- identity and rights

    def permissions(self, *, recheck: bool = False) -> Permissions:
        """Everyone's rights from users.toml (re-read when it changed; `recheck`: look again anyway).

        A users.toml that someone other than root or the store's owner could have replaced is not
        trusted (`tui.core.file_trust`): everyone then only reads, and `Identity.locked` says why. A file
        named by TAIZHANG_USERS must exist; without that variable, no users.toml beside the store means
        everyone edits, as before.
        """
        if self._fixed_permissions is not None:
            return self._fixed_permissions
        try:
            found = self.users_path.stat()
            signature: tuple[int, ...] | None = (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
        except (FileNotFoundError, NotADirectoryError):
            signature = None
        except OSError as error:
            signature = (-1, error.errno or 0)  # there, but not to be looked at: not trusted
        if recheck or self._permissions is None or self._permissions[0] != signature:
            self._permissions = (signature, self._read_permissions(present=signature is not None))
        return self._permissions[1]

    def _read_permissions(self, *, present: bool) -> Permissions:
        path = self.users_path
        if not present and not self.users_path_configured and not path.is_symlink():
            return Permissions()
        if not present and self.users_path_configured:
            reason: str | None = f"TAIZHANG_USERS 指定的 {path} 不存在或无法访问"
        else:
            reason = untrusted_reason(path, self._trusted_owners())
        if reason is not None:
            return Permissions.fail_closed(
                path, f"权限文件不可信：{reason}。为安全起见所有人只能查看，请管理员按 README 的安全一节处理。"
            )
        try:
            return load_permissions(path)
        except UsersFileError as error:
            raise StoreError(str(error)) from None

    def _trusted_owners(self) -> frozenset[int]:
        """root and the store's owner (of db.json; of its folder before the first import)."""
        for candidate in (self.path, self.path.parent):
            try:
                return frozenset({0, candidate.stat().st_uid})
            except OSError:
                continue
        return frozenset({0})

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

    def refusal(self, action: str, task_id: str | None = None, *, new_status: Status | None = None) -> str | None:
        """Why this session may not do `action` to the task, or None: lets a UI grey out what is refused.

        `action` is `status`, `note`, `undo` or `import`. The write methods enforce the same rule.
        """
        if self.read_only:
            return "当前为只读模式（--read-only），不能修改台账。"
        if self.is_backup:
            return self._backup_refusal()
        task = None
        old_status = None
        if task_id is not None:
            doc = next((d for d in self._document_tables().get("tasks", {}).values() if d.get("id") == task_id), None)
            if doc is not None:
                old_status = self._statuses().statuses.get(task_id, Status.NOT_STARTED)
                task = _task_from_doc(doc, old_status, ())
        return self.identity().refusal(action, task, new_status=new_status, old_status=old_status)

    def _authorize(self, action: str, task_id: str | None = None, *, new_status: Status | None = None) -> None:
        """Raise PermissionDenied unless this session may do `action`. Every write calls it, inside the lock."""
        if not self.read_only:
            self.permissions(recheck=True)  # a folder's mode may have changed since users.toml was read
        reason = self.refusal(action, task_id, new_status=new_status)
        if reason is not None:
            raise PermissionDenied(reason)

    # ----------------------------------------------------------------- watching

    def revision(self) -> Revision:
        """Stat signatures of every file the ledger is read from: cheap enough to poll every second."""
        try:
            files = [self.path, self.users_path, *self._shards()]
            return tuple((path.name, _signature(path)) for path in files)
        except StoreError:
            # Unreadable now (a permission or a disk changed): a revision of its own, so that a watcher
            # reloads once and the screen says why, instead of the timer raising.
            return (("unreadable", None),)

    def changed_since(self, revision: Revision) -> bool:
        return self.revision() != revision

    def last_event_id(self) -> str | None:
        return self._statuses().last_event

    def events_after(self, event_id: str | None) -> list[Event]:
        """Events recorded after `event_id` (all of them for None), oldest first: what others just did."""
        if event_id is None:
            return list(self._state().events)
        shard_name, number = _event_order(event_id)
        # Only the shards from that event's month on: a refresh must not read years of events.
        return [
            _event_from_doc(later_id, doc)
            for path, signature in self._journal_key()
            if path.stem >= shard_name
            for later_id, doc in self._fold_shard(path, signature).docs
            if _event_order(later_id) > (shard_name, number)
        ]

    # ----------------------------------------------------------------- reading

    def journal_bytes(self) -> int:
        """The journal's size on disk: what folding every note would have to read."""
        return sum(signature[1] for _shard, signature in self._journal_key() if signature is not None)

    def exists(self) -> bool:
        """Whether db.json is there; StoreUnavailable (one line) when it cannot even be looked at."""
        return _signature(self.path) is not None

    def has_tasks(self) -> bool:
        return bool(self._document_tables().get("tasks"))

    def load(self, *, with_notes: bool = True) -> Ledger:
        """The ledger as it is on disk now (only files that changed since the last call are re-read).

        `with_notes=False` leaves every task's notes empty and reads only the statuses, which is
        much cheaper on a large journal (`Ledger.notes_loaded` says which it is).
        """
        tables = self._document_tables()
        meta = next(iter(tables.get("meta", {}).values()), {})
        folded = self._state() if with_notes else self._statuses()
        notes_by_task = folded.notes if isinstance(folded, _Folded) and with_notes else {}

        def build(doc: dict[str, Any]) -> Task:
            task_id = doc["id"]
            status = folded.statuses.get(task_id, Status.NOT_STARTED)
            notes = notes_by_task.get(task_id, ())
            last_note = notes[-1].event if notes else ""
            cached = self._tasks.get(task_id)
            if cached is not None and cached[:4] == (id(doc), status, len(notes), last_note):
                return cached[4]
            task = _task_from_doc(doc, status, notes)
            self._tasks[task_id] = (id(doc), status, len(notes), last_note, task)
            return task

        try:
            tasks = sorted((build(doc) for doc in tables.get("tasks", {}).values()), key=lambda t: t.no)
            archived = tuple(build(doc) for doc in tables.get("archive", {}).values())
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
            notes_loaded=with_notes,
        )

    def task_by_no(self, no: int) -> Task | None:
        """One task by its 序号, with its status and no notes, without building the others."""
        doc = next((doc for doc in self._document_tables().get("tasks", {}).values() if doc.get("no") == no), None)
        if doc is None:
            return None
        try:
            return _task_from_doc(doc, self._statuses().statuses.get(doc["id"], Status.NOT_STARTED), ())
        except (KeyError, ValueError, TypeError) as error:
            raise StoreError(f"数据文件 {self.path} 中的任务记录不完整，请运行 taizhang check 查看详情。") from error

    def status_of(self, task_id: str) -> Status:
        """A task's status on disk now, without building the ledger."""
        return self._statuses().statuses.get(task_id, Status.NOT_STARTED)

    def history(self, task_id: str | None = None) -> list[Event]:
        """Every event in order, or one task's (from per-shard indexes, without building the others)."""
        state = self._state()
        if task_id is None:
            return list(state.events)
        return [
            _event_from_doc(event_id, doc)
            for shard in state.shards
            for event_id, doc in shard.docs_by_task.get(task_id, ())
        ]

    def event(self, event_id: str) -> Event | None:
        shard_name, _number = _event_order(event_id)
        for path, signature in self._journal_key():
            if path.stem == shard_name:
                shard = self._fold_shard(path, signature)
                return next((_event_from_doc(i, doc) for i, doc in shard.docs if i == event_id), None)
        return None

    # ----------------------------------------------------------------- writing

    def seed(self, document: LedgerDocument, *, source_name: str, source_sha256: str) -> Ledger:
        """Fill an empty (or missing) store from an imported document, in one atomic write."""
        with self._locked():
            self._authorize("import")
            if self.has_tasks():
                raise StoreError(f"{self.path} 中已有任务，不能再次初始化。")
            taken: set[str] = set()
            tasks = {
                str(index): _record_doc(_task_id(f"{record.section}\n{record.content}", taken), record)
                for index, record in enumerate(document.tasks, start=1)
            }
            meta = {
                "schema": SCHEMA_VERSION,
                "title": document.title,
                "district_note": document.district_note,
                "source_name": source_name,
                "source_sha256": source_sha256,
                "imported_at": self.now(),
            }
            storage = _AtomicJSONStorage(str(self.path), self._cache, indent=1)
            storage.write(without_controls_in({"meta": {"1": meta}, "tasks": tasks, "archive": {}}))
        return self.load()

    def fingerprint(self) -> str:
        """sha256 of db.json ("" when missing): a reseed plan is applied only to the store it was made from."""
        try:
            import hashlib

            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return ""

    def _backup(self) -> Path:
        """Copy db.json and the journal to `backups/<stamp>/` beside the store. Call with the lock held.

        The copy can be read but not written by the group, whatever the umask (`seal_for_group`), and
        `backups/` is sticky: a colleague can neither change a backup nor swap it for another. A backup
        that fails part-way (a full disk) is removed.
        """
        root = self.path.parent / "backups"
        created = not root.exists()
        make_shared_folder(root)
        if created:
            with suppress(OSError):
                os.chmod(root, root.stat().st_mode & 0o7777 | 0o1000)
        stamp = self.clock().strftime("%Y%m%d-%H%M%S")
        for attempt in range(1, 1000):
            folder = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
            try:
                folder.mkdir()
                break
            except FileExistsError:
                continue
        else:
            raise StoreError(f"无法在 {root} 中创建备份目录，请清理后重试。")
        import shutil  # imports only need it

        try:
            shutil.copy2(self.path, folder / self.path.name)
            if self.journal_dir.is_dir():
                shutil.copytree(
                    self.journal_dir, folder / self.journal_dir.name, ignore=shutil.ignore_patterns(f"{TEMP_PREFIX}*")
                )
            seal_for_group(folder, like=self.path.parent)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return folder

    def reseed(
        self, plan: Any, *, source_name: str, source_sha256: str, expected_fingerprint: str, replace: bool = False
    ) -> ReseedResult:
        """Apply a `tui.core.reseed.ReseedPlan` made from this store when its fingerprint was taken.

        (`plan` is not annotated with its class: tui.core.reseed is the CLI side, which the store never imports.)

        Under the lock: refuse if db.json changed since the plan was made, or if the plan is for a
        different document and `replace` was not given; back up db.json and the journal; write the new
        db.json in one atomic write, keeping each matched task's id (so its status and notes, folded from
        the journal by id, carry over), moving restored tasks out of the archive with their id (so their
        progress returns), archiving removed tasks with progress and giving added tasks new ids; then
        append `import` / `restore` / `archive` history events.
        """
        with self._locked():
            self._authorize("import")
            if self.fingerprint() != expected_fingerprint:
                raise StoreError("生成导入计划后台账已被改动（可能有人同时在导入），未做任何改动。请重新运行导入。")
            if plan.different_document and not replace:
                raise StoreError("这份文件看起来是另一份任务清单，不是本台账的修订版。确要用它替换台账，须明确确认替换。")
            tables = self._document_tables()
            current = {doc.get("id"): doc for doc in tables.get("tasks", {}).values()}
            archive = dict(tables.get("archive", {}))
            archive_keys = {doc.get("id"): key for key, doc in archive.items() if isinstance(doc, dict)}
            planned = {entry.old.id for entry in plan.entries if entry.old is not None and entry.kind != "restored"}
            restored = {entry.old.id for entry in plan.of_kind("restored")}
            if planned != set(current) or not restored <= set(archive_keys):
                raise StoreError("导入计划与台账中的任务不一致，未做任何改动。请重新运行导入。")
            if not plan.has_changes:
                return ReseedResult(self.load(), None)

            state = self._state()
            with_history = {task_id for shard in state.shards for task_id in shard.docs_by_task}
            taken = set(current) | set(archive_keys) | with_history
            now = self.now()
            tasks: dict[str, dict[str, Any]] = {}
            events: list[dict[str, Any]] = []
            for index, entry in enumerate(plan.document_entries, start=1):
                if entry.old is None:
                    task_id = _task_id(f"{entry.new.section}\n{entry.new.content}", taken)
                elif entry.kind == "restored":
                    task_id = entry.old.id
                    del archive[archive_keys[task_id]]
                    events.append({"task": task_id, "kind": "restore", "fields": entry.history_fields, "text": source_name})
                else:
                    task_id = entry.old.id
                    if entry.history_fields:
                        events.append({"task": task_id, "kind": "import", "fields": entry.history_fields, "text": source_name})
                tasks[str(index)] = _record_doc(task_id, entry.new)
            archived: list[str] = []
            next_key = max((int(key) for key in archive), default=0) + 1
            for entry in plan.of_kind("removed"):
                task_id = entry.old.id
                # Decided again here, under the lock: a note written after the plan was made still counts.
                keep = (
                    entry.archive
                    or task_id in with_history
                    or state.statuses.get(task_id, Status.NOT_STARTED) is not Status.NOT_STARTED
                )
                if not keep:
                    continue
                archive[str(next_key)] = {**current[task_id], "archived_at": now, "archived_by_import": source_name}
                next_key += 1
                archived.append(task_id)
                events.append({"task": task_id, "kind": "archive", "text": source_name})
            meta = {
                **next(iter(tables.get("meta", {}).values()), {}),
                "schema": SCHEMA_VERSION,
                "title": plan.title,
                "district_note": plan.district_note,
                "source_name": source_name,
                "source_sha256": source_sha256,
                "imported_at": now,
            }
            try:
                previous = self.path.read_bytes()
                backup = self._backup()
            except OSError as error:
                raise StoreError(os_error_line(error, "备份数据", "，未做任何改动")) from error
            storage = _AtomicJSONStorage(str(self.path), self._cache, indent=1)
            try:
                storage.write(without_controls_in({"meta": {"1": meta}, "tasks": tasks, "archive": archive}))
            except BaseException:
                import shutil

                shutil.rmtree(backup, ignore_errors=True)  # nothing was imported: nothing to keep a backup of
                raise
            # db.json first, events second: the events name tasks by id, and an event written for a
            # revision that then failed to be written would describe changes that never happened.
            # If appending the events fails, db.json is put back byte for byte, so the store is as it
            # was (the events all go to this month's shard in one atomic write: none or all of them).
            try:
                written = self._append_many(events) if events else []
            except BaseException:
                atomic_write_bytes(self.path, previous)
                self._cache.forget(self.path)
                raise
        return ReseedResult(self.load(), backup, tuple(archived), tuple(written))

    def archive_dates(self) -> dict[str, str]:
        """When a revision archived each archived task (ISO time), by task id."""
        docs = [doc for doc in self._document_tables().get("archive", {}).values() if isinstance(doc, dict) and "id" in doc]
        # Oldest first, so a task archived twice gives its latest date.
        return {doc["id"]: doc.get("archived_at", "") for doc in sorted(docs, key=lambda doc: doc.get("archived_at", ""))}

    def _require_task(self, task_id: str) -> None:
        if not any(doc.get("id") == task_id for doc in self._document_tables().get("tasks", {}).values()):
            raise StoreError("该任务已不在台账中（可能刚被重新导入移除），请刷新后重试。")

    def set_status(self, task_id: str, status: Status) -> Event | None:
        """Record a status change; None when the task already has that status."""
        with self._locked():
            self._require_task(task_id)
            self._authorize("status", task_id, new_status=status)
            old = self._statuses().statuses.get(task_id, Status.NOT_STARTED)
            if old == status:
                return None
            return self._append({"task": task_id, "kind": "status", "old": old.value, "new": status.value})

    def add_note(self, task_id: str, text: str) -> Event:
        """Record a note; refused (StoreError) when empty or longer than NOTE_MAX_CHARS, nothing written."""
        text = _valid_note(text)
        with self._locked():
            self._require_task(task_id)
            self._authorize("note", task_id)
            return self._append({"task": task_id, "kind": "note", "text": text})

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
        """Undo one earlier change (a status change or a note); the undo is itself an event."""
        with self._locked():
            state = self._statuses()
            target = self.event(event_id)
            if target is None or target.kind not in ("status", "note"):
                raise StoreError("找不到要撤销的改动。")
            if event_id in state.undone:
                raise StoreError("这项改动已经撤销过了。")
            restores = Status(target.old) if target.kind == "status" and target.old else None
            self._authorize("undo", target.task, new_status=restores)
            if target.kind == "status":
                current = state.statuses.get(target.task, Status.NOT_STARTED)
                if current.value != target.new:
                    raise StoreError(f"该任务的状态已被改为 {current.label}，无法撤销。")
                return self._append(
                    {"task": target.task, "kind": "undo", "ref": event_id, "old": target.new, "new": target.old}
                )
            return self._append({"task": target.task, "kind": "undo", "ref": event_id, "text": target.text})

    # ----------------------------------------------------------------- upkeep

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete temporary files left by writers that died mid-write (their process is gone)."""
        removed: list[Path] = []
        if self.is_backup:
            return removed
        for folder in (self.path.parent, self.journal_dir):
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

    def check(self) -> list[str]:
        """Problems found in the store, each one line of Chinese; empty when it is healthy.

        The shape of every file is checked (`tui.core.store_check`), then what the records say together.
        Raises StoreUnavailable when the store cannot be read at all (a folder, no permission).
        """
        if not self.exists():
            return [f"找不到数据文件 {self.path}。请先用 taizhang import 导入任务清单。"]
        from tui.core.store_check import document_problems, journal_problems, shard_problems

        try:
            tables = self._cache.read(self.path) or {}
        except StoreUnavailable:
            raise
        except StoreError as error:
            return [str(error)]
        problems = document_problems(tables, self.path.name, SCHEMA_VERSION)
        task_ids = {
            doc.get("id")
            for table in ("tasks", "archive")
            for doc in (tables.get(table) or {}).values()
            if isinstance(doc, dict)
        }
        events: list[tuple[str, dict[str, Any]]] = []
        shape_ok = not problems
        for shard in self._shards():
            try:
                data = self._cache.read(shard)
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
            f"记录目录中有不属于台账的文件 {path.name}。请移走它（导出的报告请存到别处）。"
            for path in self._journal_strays()
        ]
        problems += journal_problems(events, task_ids)
        if shape_ok and not problems:
            problems += self._summary_problems()
        return problems

    def _journal_strays(self) -> list[Path]:
        """JSON files in the journal folder that are neither a monthly shard nor the summary."""
        try:
            names = sorted(self.journal_dir.glob("*.json"))
        except OSError:
            return []
        return [path for path in names if not _SHARD_NAME.match(path.name) and path != self.summary_path]

    def refresh_summary(self) -> bool:
        """Rewrite the status summary if it does not match the journal (after an upgrade, a restore from
        backups, a crash between the two writes); whether it was rewritten. Readers never write it, so
        until the next change every start would fold the whole journal."""
        if self.read_only or self.is_backup:
            return False
        with self._locked():
            key = self._journal_key()
            if not key:
                return False  # no journal yet: nothing to summarize
            try:
                data = self._cache.read(self.summary_path)
            except StoreError:
                data = None
            if data and _Statuses.from_json(data, {shard.name: signature for shard, signature in key}) is not None:
                return False
            self._write_summary(self._state())
            return self._summary is not None and self._summary[0] == key

    def _summary_problems(self) -> list[str]:
        """A summary that matches the shards' signatures must say what folding them says."""
        with suppress(StoreError):
            key = self._journal_key()
            data = self._cache.read(self.summary_path)
            summary = _Statuses.from_json(data, {shard.name: signature for shard, signature in key}) if data else None
            folded = self._state()
            if summary is not None and (
                summary.statuses != folded.statuses
                or summary.undone != folded.undone
                or summary.last_event != folded.last_event
            ):
                return [f"状态摘要 {self.summary_path} 与记录不一致。删除该文件即可（下次写入时会重建）。"]
        return []


def _valid_note(text: str) -> str:
    try:
        return note_text(text)
    except NoteError as error:
        raise StoreError(str(error)) from None


def _event_order(event_id: str) -> tuple[str, int]:
    """`2026-11#12` -> ("2026-11", 12): shards are months, ids grow within a shard."""
    shard, _, number = event_id.partition("#")
    return (shard, int(number) if number.isdigit() else 0)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
