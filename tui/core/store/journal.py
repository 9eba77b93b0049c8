"""The journal on disk: monthly shards of events, their folds, the status summary, appending.

- `db.journal/YYYY-MM.json` — TinyDB table `events`, one shard per month: every status change, note,
  undo and import change, appended. A write rewrites only this month's shard, so its cost does not grow
  with years of notes.
- `db.journal/summary.json` — a cache, not a source of truth: every task's status, the undone events and
  the last event id, with the stat signature of every shard it was folded from. Every write refreshes it,
  so a process that needs only statuses (`taizhang mark`, the app's first frame) parses the summary and
  this month's shard, not years of notes. When the signatures do not match the shards (a crash between
  the two writes, an older program), the shards are folded instead: a missing or stale summary costs time,
  never correctness.

`Journal` is the part of a `Store` that reads and appends events; the fold itself is `tui.core.store.fold`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from tui.core.model import Event, without_controls_in
from tui.core.os_errors import os_error_line
from tui.core.shared_files import atomic_write_bytes
from tui.core.store.errors import StoreError, StoreUnavailable
from tui.core.store.files import FileCache, Signature, open_db, signature
from tui.core.store.fold import Folded, NotesOfOlderShards, ShardFold, Statuses, event_from_doc, event_order

__all__ = ["SHARD_NAME", "Clock", "Journal", "JournalKey"]

SHARD_NAME = re.compile(r"^\d{4}-\d{2}\.json$")

Clock = Callable[[], dt.datetime]
# Every shard with its signature, oldest first: the same key, the same events.
JournalKey = tuple[tuple[Path, Signature | None], ...]


class Journal:
    """The events of a store whose journal is `journal_dir`, folded once per version of each shard.

    Its caches (the fold of each shard, of them all, and the summary) are replaced whole, never changed in
    place, so the app's event loop and its worker threads can share one journal.
    """

    def __init__(self, journal_dir: Path, *, cache: FileCache, clock: Clock, user: str) -> None:
        self.journal_dir = journal_dir
        self.summary_path = journal_dir / "summary.json"
        self.clock = clock
        self.user = user
        self._cache = cache
        self._folded: tuple[JournalKey, Folded] | None = None
        self._summary: tuple[JournalKey, Statuses] | None = None
        self._shard_folds: dict[Path, tuple[Signature | None, ShardFold]] = {}
        self._older_notes = NotesOfOlderShards()

    def now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    # ----------------------------------------------------------------- folding

    def _shards(self) -> list[Path]:
        try:
            return sorted(p for p in self.journal_dir.iterdir() if SHARD_NAME.match(p.name))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as error:
            raise StoreUnavailable(os_error_line(error, "读取台账")) from error

    def _journal_key(self) -> JournalKey:
        return tuple((shard, signature(shard)) for shard in self._shards())

    def _fold_shard(self, shard: Path, found: Signature | None) -> ShardFold:
        """One shard's fold, reused while the file is unchanged."""
        cached = self._shard_folds.get(shard)
        if cached is None or cached[0] != found:
            # Only the events appended since the fold of the shard's previous version are read and folded.
            table = (self._cache.read_journal(shard) or {}).get("events", {})
            try:
                cached = (found, ShardFold(shard.stem, table, cached[1] if cached is not None else None))
            except (KeyError, TypeError, AttributeError, ValueError) as error:
                raise StoreError(f"记录文件 {shard} 中有不完整的记录，请运行 taizhang check 查看详情。") from error
            self._shard_folds[shard] = cached
        return cached[1]

    def _fold_afresh(self) -> None:
        """Fold every shard again from its file, as a new process would: after an import, which rewrote db.json,
        nothing folded before is built on (`_fold_shard` otherwise folds only what was appended)."""
        self._cache.forget_marks()
        self._shard_folds = {}

    def _state(self) -> Folded:
        """Everything the journal says (statuses, notes, events): reads every shard."""
        key = self._journal_key()
        if self._folded is not None and self._folded[0] == key:
            return self._folded[1]
        folds = [self._fold_shard(shard, found) for shard, found in key]
        try:
            folded = Folded(folds, self._older_notes)
        except ValueError as error:
            raise StoreError(f"{self.journal_dir} 中有无效的状态，请运行 taizhang check 查看详情。") from error
        self._folded = (key, folded)
        return folded

    def _statuses(self) -> Statuses:
        """Statuses, undone events and the last event id: from the summary when it matches the shards."""
        key = self._journal_key()
        if self._folded is not None and self._folded[0] == key:
            return self._folded[1]
        if self._summary is not None and self._summary[0] == key:
            return self._summary[1]
        summary = self._summary_on_disk(key)
        if summary is None:
            return self._state()
        self._summary = (key, summary)
        return summary

    def _summary_on_disk(self, key: JournalKey) -> Statuses | None:
        """summary.json if it was folded from exactly the shards of `key`, else None."""
        try:
            data = self._cache.read(self.summary_path)
        except StoreError:
            return None  # a damaged cache: fold the shards instead
        return Statuses.from_json(data, {shard.name: found for shard, found in key}) if data else None

    def _write_summary(self, statuses: Statuses) -> None:
        """Record `statuses` as folded from the shards as they are now. Call with the lock held."""
        key = self._journal_key()
        payload = json.dumps(statuses.to_json({shard.name: found for shard, found in key}), ensure_ascii=False)
        try:
            atomic_write_bytes(self.summary_path, payload.encode("utf-8"), durable=False)
        except OSError:
            # Only a cache: the events are written, and the next reader folds the shards instead.
            with suppress(OSError):
                self.summary_path.unlink()
            return
        self._summary = (key, statuses)

    # ----------------------------------------------------------------- appending

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
                with open_db(shard, self._cache) as db:
                    doc_ids = db.table("events").insert_multiple(shard_docs)
                for doc, doc_id in zip(shard_docs, doc_ids, strict=True):
                    events[id(doc)] = event_from_doc(f"{shard.stem}#{doc_id}", doc)
                    written.append(events[id(doc)])
        finally:
            # Also after a failure part-way: the shards written so far are in the summary. When nothing
            # was written the summary still holds (and rewriting it on a full disk would delete it).
            if written:
                self._write_summary(before.after(written))
        return [events[id(doc)] for doc in stamped]

    # ----------------------------------------------------------------- reading

    def journal_bytes(self) -> int:
        """The journal's size on disk: what folding every note would have to read."""
        return sum(found[1] for _shard, found in self._journal_key() if found is not None)

    def last_event_id(self) -> str | None:
        return self._statuses().last_event

    def events_after(self, event_id: str | None) -> list[Event]:
        """Events recorded after `event_id` (all of them for None), oldest first: what others just did."""
        if event_id is None:
            return list(self._state().events)
        shard_name, number = event_order(event_id)
        # Only the shards from that event's month on: a refresh must not read years of events.
        return [
            event_from_doc(later_id, doc)
            for path, found in self._journal_key()
            if path.stem >= shard_name
            for later_id, doc in self._fold_shard(path, found).docs
            if event_order(later_id) > (shard_name, number)
        ]

    def history(self, task_id: str | None = None) -> list[Event]:
        """Every event in order, or one task's (from per-shard indexes, without building the others)."""
        state = self._state()
        if task_id is None:
            return list(state.events)
        return [
            event_from_doc(event_id, doc)
            for shard in state.shards
            for event_id, doc in shard.docs_by_task.get(task_id, ())
        ]

    def event(self, event_id: str) -> Event | None:
        shard_name, _number = event_order(event_id)
        for path, found in self._journal_key():
            if path.stem == shard_name:
                shard = self._fold_shard(path, found)
                return next((event_from_doc(i, doc) for i, doc in shard.docs if i == event_id), None)
        return None
