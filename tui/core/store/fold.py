"""Folding the journal: what the events say about each task's status and notes. Pure: no files here.

A task's progress is kept in rows: the overall one (events without `unit`, which is also the lead unit's
row) and one per other unit (events naming that `unit`). `fold_statuses` is the one status rule. A shard's fold (`ShardFold`), the fold of the whole journal
(`Folded`) and the status summary brought up to date after a write (`Statuses.after`) all go through it,
so the summary can never say something the journal does not.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from tui.core.model import Event, Note, Status

__all__ = [
    "SUMMARY_VERSION",
    "Folded",
    "NotesOfOlderShards",
    "ShardFold",
    "Statuses",
    "event_from_doc",
    "event_order",
    "fold_statuses",
]

# 2: per-unit statuses (`unit_statuses`). A summary of another version is not read (the shards are folded).
SUMMARY_VERSION = 2

# A task's other units' statuses: task id -> canonical unit -> status.
UnitStatuses = dict[str, dict[str, Status]]


def event_from_doc(event_id: str, doc: Mapping[str, Any]) -> Event:
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
        unit=doc.get("unit", ""),
    )


def event_order(event_id: str) -> tuple[str, int]:
    """`2026-11#12` -> ("2026-11", 12): shards are months, ids grow within a shard."""
    shard, _, number = event_id.partition("#")
    return (shard, int(number) if number.isdigit() else 0)


def fold_statuses(docs: Iterable[Mapping[str, Any]]) -> tuple[dict[str, str], dict[str, dict[str, str]], set[str]]:
    """The one rule for what events in order say about statuses: a status change, or an undo that restores
    a status, leaves its row at its `new` (the row of its `unit`, or the overall one when it names none); an
    undo marks the event it names (`ref`) undone.

    Returns each task's last overall status value and each task's other rows' last status values (rows never
    changed are absent), and the undone event ids.
    """
    statuses: dict[str, str] = {}
    unit_statuses: dict[str, dict[str, str]] = {}
    undone: set[str] = set()
    for doc in docs:
        kind = doc.get("kind")
        if kind == "undo":
            undone.add(doc.get("ref", ""))
        if kind in ("status", "undo") and doc.get("new"):
            unit = doc.get("unit")
            if unit:
                unit_statuses.setdefault(doc["task"], {})[unit] = doc["new"]
            else:
                statuses[doc["task"]] = doc["new"]
    return statuses, unit_statuses, undone


def _merged(base: UnitStatuses, later: Mapping[str, Mapping[str, str]]) -> UnitStatuses:
    """`base` with `later`'s rows on top; the dicts of `base` are never changed (readers share them)."""
    if not later:
        return base
    merged = dict(base)
    for task_id, rows in later.items():
        merged[task_id] = {**merged.get(task_id, {}), **{unit: Status(value) for unit, value in rows.items()}}
    return merged


class ShardFold:
    """What one monthly shard says: its events in order, and per task the last status and the notes.

    Built once per version of the shard. A long-running session sees this month's shard grow by the events
    others append (see `FileCache.read_journal`): given the fold of the shard's previous version, only the
    appended events are folded, and everything else is shared with it, the same objects. Its containers
    are copied where they change, never changed once built (other threads may be reading them).
    """

    def __init__(self, name: str, table: Mapping[str, Mapping[str, Any]], previous: ShardFold | None = None) -> None:
        self.name = name
        keys = sorted(table, key=int)
        reused = previous if previous is not None and previous._starts(name, table, keys) else None
        if reused is None:
            self.docs: list[tuple[str, Mapping[str, Any]]] = [(f"{name}#{key}", table[key]) for key in keys]
            self.notes: dict[str, list[Note]] = {}
            self.docs_by_task: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
            self._fold(self.docs)
            self.statuses, self.unit_statuses, self.undo_refs = fold_statuses(doc for _event_id, doc in self.docs)
            return
        added = [(f"{name}#{key}", table[key]) for key in keys[len(reused.docs) :]]
        self.docs = [*reused.docs, *added]
        self.notes = dict(reused.notes)
        self.docs_by_task = dict(reused.docs_by_task)
        self._fold(added)
        statuses, unit_statuses, undo_refs = fold_statuses(doc for _event_id, doc in added)
        self.statuses = {**reused.statuses, **statuses}
        self.unit_statuses = {
            **reused.unit_statuses,
            **{task_id: {**reused.unit_statuses.get(task_id, {}), **rows} for task_id, rows in unit_statuses.items()},
        }
        self.undo_refs = reused.undo_refs | undo_refs
        if "events" in vars(reused):  # already built for the previous version: extended, not rebuilt
            self.events = [*reused.events, *(event_from_doc(event_id, doc) for event_id, doc in added)]

    def _fold(self, docs: list[tuple[str, Mapping[str, Any]]]) -> None:
        """Index `docs` by task and collect their notes. A task's lists may be shared with the previous fold:
        each is replaced by a copy before its first append here."""
        copied: set[str] = set()
        for entry in docs:
            event_id, doc = entry
            task_id = doc.get("task", "")
            if task_id not in copied:
                copied.add(task_id)
                self.docs_by_task[task_id] = list(self.docs_by_task.get(task_id, ()))
                if task_id in self.notes:
                    self.notes[task_id] = list(self.notes[task_id])
            self.docs_by_task[task_id].append(entry)
            if doc.get("kind") == "note":
                note = Note(doc["at"], doc["by"], doc["text"], event_id, doc.get("unit") or "")
                self.notes.setdefault(doc["task"], []).append(note)

    def _starts(self, name: str, table: Mapping[str, Mapping[str, Any]], keys: list[str]) -> bool:
        """Whether this fold's events are the first of `table`'s, as the very same documents (which the file
        cache keeps only when the rest of the file is byte for byte the one folded here)."""
        count = len(self.docs)
        if not count or count > len(keys) or self.name != name:
            return False
        event_id, doc = self.docs[-1]
        return event_id == f"{name}#{keys[count - 1]}" and table[keys[count - 1]] is doc

    @functools.cached_property
    def events(self) -> list[Event]:
        """This shard's events; built once per version of the shard, only when asked for."""
        return [event_from_doc(event_id, doc) for event_id, doc in self.docs]


class Statuses:
    """Every task's overall status and its other units' rows (those never changed are absent), the undone
    event ids, the last event id."""

    def __init__(
        self,
        statuses: dict[str, Status],
        undone: set[str],
        last_event: str | None,
        unit_statuses: UnitStatuses | None = None,
    ) -> None:
        self.statuses = statuses
        self.undone = undone
        self.last_event = last_event
        self.unit_statuses: UnitStatuses = unit_statuses or {}

    def status_of(self, task_id: str, unit: str | None = None) -> Status:
        """A row's status: the task's overall one (`unit` None), else that unit's row."""
        if unit is None:
            return self.statuses.get(task_id, Status.NOT_STARTED)
        return self.unit_statuses.get(task_id, {}).get(unit, Status.NOT_STARTED)

    def after(self, events: Iterable[Event]) -> Statuses:
        """These statuses once `events` (just appended, in order) are added."""
        events = list(events)
        changed, units_changed, undone = fold_statuses(event.to_json() for event in events)
        last_event = self.last_event
        for event in events:
            if last_event is None or event_order(event.id) > event_order(last_event):
                last_event = event.id
        statuses = {**self.statuses, **{task_id: Status(value) for task_id, value in changed.items()}}
        return Statuses(statuses, self.undone | undone, last_event, _merged(self.unit_statuses, units_changed))

    def to_json(self, signatures: dict[str, tuple[int, int, int] | None]) -> dict[str, Any]:
        return {
            "version": SUMMARY_VERSION,
            "signatures": signatures,
            "statuses": {task_id: status.value for task_id, status in self.statuses.items()},
            "unit_statuses": {
                task_id: {unit: status.value for unit, status in rows.items()}
                for task_id, rows in self.unit_statuses.items()
            },
            "undone": sorted(self.undone),
            "last_event": self.last_event,
        }

    @classmethod
    def from_json(cls, data: Any, signatures: dict[str, tuple[int, int, int] | None]) -> Statuses | None:
        """The summary if it was folded from exactly these shard versions and is well formed, else None."""
        try:
            if data.get("version") != SUMMARY_VERSION:
                return None
            written = {name: tuple(signature) if signature else None for name, signature in data["signatures"].items()}
            if written != signatures:
                return None
            statuses = {str(task_id): Status(value) for task_id, value in data["statuses"].items()}
            unit_statuses = {
                str(task_id): {str(unit): Status(value) for unit, value in rows.items()}
                for task_id, rows in data["unit_statuses"].items()
            }
            last_event = data["last_event"]
            undone = {str(ref) for ref in data["undone"]}
            return cls(statuses, undone, str(last_event) if last_event else None, unit_statuses)
        except (AttributeError, KeyError, TypeError, ValueError):
            return None


class NotesOfOlderShards:
    """The notes of every shard but the newest, kept between folds: a write touches only the newest
    shard, so a reload recombines one month of notes, not years of them."""

    def __init__(self) -> None:
        # The older shards' folds and their combined notes, replaced as one tuple: a worker thread
        # reading while another replaces it sees the old pair or the new one, never a mix. The folds
        # themselves (not their ids) are kept, so a freed fold's id reused by a new one cannot match.
        self.cached: tuple[tuple[ShardFold, ...], dict[str, list[Note]]] = ((), {})


class Folded(Statuses):
    """Status and notes per task id, folded from every shard's events in order."""

    def __init__(self, shards: list[ShardFold], older: NotesOfOlderShards | None = None) -> None:
        self.shards = shards
        self._older = older or NotesOfOlderShards()
        latest: dict[str, str] = {}
        unit_statuses: UnitStatuses = {}
        for shard in shards:
            latest.update(shard.statuses)
            unit_statuses = _merged(unit_statuses, shard.unit_statuses)
        last_docs = next((shard.docs for shard in reversed(shards) if shard.docs), None)
        super().__init__(
            {task_id: Status(value) for task_id, value in latest.items()},
            set().union(*(shard.undo_refs for shard in shards)),
            last_docs[-1][0] if last_docs else None,
            unit_statuses,
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
