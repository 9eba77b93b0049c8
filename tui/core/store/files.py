"""The store's JSON files: parsed once per version on disk, written whole. The only module that imports TinyDB.

Every write goes through `AtomicJSONStorage.write`: `atomic_write_bytes` (a temporary file in the same folder,
fsync, `os.replace`, fsync of the folder, keeping the old file's mode and group). Reads need no lock:
`os.replace` makes them see a whole file.

Readers never share a dict that a writer mutates. `FileCache` hands every reader the same parsed tables (the
app's event loop and its worker threads read one cache), so nothing may change them once cached: TinyDB
writes by assigning a new table into the top-level dict its storage's `read()` returned
(`Table._update_table`), so `AtomicJSONStorage.read` gives TinyDB its own copy of that dict, and a successful
write caches TinyDB's dict as the new version. (The store only inserts; TinyDB builds each table it writes
afresh and never changes a document it inserted before.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from tui.core.os_errors import os_error_line
from tui.core.shared_files import atomic_write_bytes
from tui.core.store.backups import restore_advice
from tui.core.store.errors import StoreError, StoreUnavailable

__all__ = [
    "AtomicJSONStorage",
    "FileCache",
    "JournalMark",
    "Signature",
    "Tables",
    "open_db",
    "signature",
    "write_tables",
]

# (inode, size, mtime in ns): a file whose signature is unchanged holds what was parsed from it.
Signature = tuple[int, int, int]
Tables = dict[str, dict[str, dict[str, Any]]]


def signature(path: Path) -> Signature | None:
    """(inode, size, mtime) of a file, None when there is none; StoreError when it cannot be looked at."""
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise StoreUnavailable(os_error_line(error, "读取台账")) from None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


# Where a journal shard's last event ends, and a digest of the file up to there (see `FileCache.read_journal`).
JournalMark = tuple[int, bytes]


class FileCache:
    """Parsed JSON files, re-read only when the file on disk changed. What `read` returns is shared by every
    reader: never change it (a write caches a new dict instead)."""

    def __init__(self) -> None:
        # Each file's signature, tables and (journal shards read by `read_journal` only) mark, as one tuple:
        # a thread reading while another replaces it sees one version or the other, never a mix.
        self._entries: dict[Path, tuple[Signature, Tables, JournalMark | None]] = {}

    def read(self, path: Path) -> Tables | None:
        found = signature(path)
        if found is None:
            self._entries.pop(path, None)
            return None
        cached = self._entries.get(path)
        if cached is not None and cached[0] == found:
            return cached[1]
        raw = _read_bytes(path)
        data = _parse_tables(path, raw) if raw is not None else None
        if data is not None:
            self._entries[path] = (found, data, None)
        return data

    def read_journal(self, path: Path) -> Tables | None:
        """`read` for a journal shard, which grows by events appended to its one table. When the file is the
        version this method read before plus appended events, only those are parsed, and the earlier events
        are the same objects as before (so a shard's fold can tell them from the new ones, `ShardFold`).

        A session re-reads this month's shard after every change anyone makes: parsing all of it each time
        allocated the whole month again per change, and a session grew with each change it saw (issue 18).
        Anything else (this process's own write, a shard rewritten or put back from a copy) is read whole.
        """
        found = signature(path)
        cached = self._entries.get(path)
        if found is None or (cached is not None and cached[0] == found):
            return self.read(path)
        raw = _read_bytes(path)
        if raw is None:
            return self.read(path)
        mark = cached[2] if cached is not None else None
        events = _appended_events(raw, mark, cached[1]) if cached is not None and mark is not None else None
        data = {"events": events} if events is not None else _parse_tables(path, raw)
        if data is None:
            self.forget(path)
            return None
        self._entries[path] = (found, data, _journal_mark(raw))
        return data

    def remember(self, path: Path, data: Tables) -> None:
        found = signature(path)
        if found is not None:
            self._entries[path] = (found, data, None)

    def forget(self, path: Path) -> None:
        self._entries.pop(path, None)

    def forget_marks(self) -> None:
        """Read every journal shard that changes from now on whole (`read_journal`), not by its appended events."""
        self._entries = {path: (found, data, None) for path, (found, data, _mark) in self._entries.items()}


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes, None when it has gone; StoreUnavailable (one line) when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StoreUnavailable(
            f"{path} 是一个目录，不是数据文件。请指定其中的数据文件，如 --db {path / 'db.json'}。"
        ) from None
    except OSError as error:
        raise StoreUnavailable(os_error_line(error, "读取台账")) from None


def _parse_tables(path: Path, raw: bytes) -> Tables | None:
    """A store file's tables (None for an empty file); StoreError, in Chinese, when it is not one."""
    if not raw.strip():
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StoreError(f"数据文件 {path} 已损坏（不是有效的 JSON）。{restore_advice(path)}") from error
    if not isinstance(data, dict):
        raise StoreError(f"数据文件 {path} 格式不对。{restore_advice(path)}")
    return data


# A shard as `AtomicJSONStorage` writes it: `{"events": {"1": {...}, ..., "N": {...}}}` and a newline. An
# appended event goes between the last event's `}` and the `}}` that close the table and the file.
_JOURNAL_END = b"}}\n"
# Fields whose values repeat from event to event (the same account, task, kind, unit): one string each.
_REPEATED_FIELDS = ("by", "kind", "task", "old", "new", "unit")


def _journal_mark(raw: bytes) -> JournalMark:
    """Where a shard's last event ends (0: not a shard as written), and a digest of the file up to there."""
    import hashlib  # here, not at the top: a `taizhang mark` should not pay for importing it

    end = len(raw) - len(_JOURNAL_END) if raw.endswith(_JOURNAL_END) else 0
    return end, hashlib.sha1(memoryview(raw)[:end]).digest()


def _appended_events(raw: bytes, mark: JournalMark, cached: Tables) -> dict[str, dict[str, Any]] | None:
    """The cached events table plus the events appended after `mark`, if `raw` is exactly that file; else None."""
    import hashlib

    end, digest = mark
    events = cached.get("events")
    if end == 0 or set(cached) != {"events"} or not isinstance(events, dict) or not events:
        return None
    if raw[end : end + 2] != b", " or not raw.endswith(_JOURNAL_END) or len(raw) <= end + 2 + len(_JOURNAL_END):
        return None
    if hashlib.sha1(memoryview(raw)[:end]).digest() != digest:
        return None
    try:
        added = json.loads(b"{" + raw[end + 2 : -len(_JOURNAL_END)] + b"}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    last = max(int(key) for key in events)
    if not isinstance(added, dict) or not all(
        key.isdigit() and int(key) > last and isinstance(doc, dict) for key, doc in added.items()
    ):
        return None
    for doc in added.values():
        for name in _REPEATED_FIELDS:
            value = doc.get(name)
            if value.__class__ is str:
                doc[name] = sys.intern(value)
    return {**events, **added}


class AtomicJSONStorage(Storage):
    """TinyDB storage: cached reads (a copy for TinyDB to change), atomic writes, Chinese kept readable."""

    def __init__(self, path: str, cache: FileCache, indent: int | None = None) -> None:
        self._path = Path(path)
        self._cache = cache
        self._indent = indent

    def read(self) -> Tables | None:
        tables = self._cache.read(self._path)
        # TinyDB assigns the table it writes into this dict: a copy, so other readers' tables never change.
        return dict(tables) if tables is not None else None

    def write(self, data: Tables) -> None:
        try:
            payload = json.dumps(data, ensure_ascii=False, indent=self._indent).encode("utf-8")
            atomic_write_bytes(self._path, payload + b"\n")
        except BaseException:
            self._cache.forget(self._path)
            raise
        self._cache.remember(self._path, data)


def open_db(path: Path, cache: FileCache, indent: int | None = None) -> TinyDB:
    """A fresh TinyDB for one transaction: its query cache and next id go stale when another process writes."""
    return TinyDB(str(path), storage=AtomicJSONStorage, cache=cache, indent=indent)


def write_tables(path: Path, cache: FileCache, tables: Tables) -> None:
    """Replace a whole file with `tables` in one atomic write (db.json, which only imports rewrite)."""
    AtomicJSONStorage(str(path), cache, indent=1).write(tables)
