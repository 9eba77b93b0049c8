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
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from tui.core.os_errors import os_error_line
from tui.core.shared_files import atomic_write_bytes
from tui.core.store.backups import restore_advice
from tui.core.store.errors import StoreError, StoreUnavailable

__all__ = ["AtomicJSONStorage", "FileCache", "Signature", "Tables", "open_db", "signature", "write_tables"]

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


class FileCache:
    """Parsed JSON files, re-read only when the file on disk changed. What `read` returns is shared by every
    reader: never change it (a write caches a new dict instead)."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[Signature, Tables]] = {}

    def read(self, path: Path) -> Tables | None:
        found = signature(path)
        if found is None:
            self._entries.pop(path, None)
            return None
        cached = self._entries.get(path)
        if cached is not None and cached[0] == found:
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
            raise StoreError(f"数据文件 {path} 已损坏（不是有效的 JSON）。{restore_advice(path)}") from error
        if not isinstance(data, dict):
            raise StoreError(f"数据文件 {path} 格式不对。{restore_advice(path)}")
        self._entries[path] = (found, data)
        return data

    def remember(self, path: Path, data: Tables) -> None:
        found = signature(path)
        if found is not None:
            self._entries[path] = (found, data)

    def forget(self, path: Path) -> None:
        self._entries.pop(path, None)


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
