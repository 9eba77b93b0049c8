"""The status summary (db.journal/summary.json): statuses without reading years of notes, never wrong."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW
from tui.core.model import Status
from tui.core.store import Store


def _store_at(path: Path, when: dt.datetime = FIXED_NOW, user: str = "tester") -> Store:
    return Store(path, clock=lambda: when, user=user)


@pytest.fixture
def busy_store(store: Store) -> Store:
    """Three months of statuses, notes and an undo, written by stores with different clocks."""
    ids = [task.id for task in store.load().tasks]
    for months_ago, first in ((2, 0), (1, 10), (0, 20)):
        clock_store = _store_at(store.path, FIXED_NOW - dt.timedelta(days=31 * months_ago))
        for offset in range(5):
            clock_store.add_note(ids[first + offset], f"第{months_ago}月进展{offset}")
            clock_store.set_status(ids[first + offset], Status.IN_PROGRESS)
        undone = clock_store.set_status(ids[first], Status.DONE)
        assert undone is not None
        clock_store.undo(undone.id)
    return store


def _fold(store: Store) -> dict[str, Status]:
    return {task.id: task.status for task in Store(store.path).load().tasks}


def test_statuses_come_from_the_summary_without_reading_any_shard(busy_store: Store, monkeypatch):
    expected = _fold(busy_store)
    last_event = busy_store.history()[-1].id
    assert len(list(busy_store.journal_dir.glob("20??-??.json"))) == 3

    def no_shard_reads(self, shard, signature):
        raise AssertionError(f"read {shard.name}: the summary should have answered")

    monkeypatch.setattr(Store, "_fold_shard", no_shard_reads)
    fresh = Store(busy_store.path)
    ledger = fresh.load(with_notes=False)
    assert {task.id: task.status for task in ledger.tasks} == expected
    assert not ledger.notes_loaded
    assert all(task.notes == () for task in ledger.tasks)
    assert fresh.status_of(ledger.tasks[1].id) is Status.IN_PROGRESS
    assert fresh.last_event_id() == last_event


def test_a_mark_reads_only_this_months_shard(busy_store: Store, monkeypatch):
    read: list[str] = []
    original = Store._fold_shard

    def recording(self, shard, signature):
        read.append(shard.name)
        return original(self, shard, signature)

    monkeypatch.setattr(Store, "_fold_shard", recording)
    fresh = _store_at(busy_store.path)
    task = fresh.load(with_notes=False).by_no(40)
    fresh.set_status(task.id, Status.BLOCKED)
    event = fresh.set_status(task.id, Status.DONE)
    fresh.undo(event.id)
    assert set(read) <= {f"{FIXED_NOW:%Y-%m}.json"}
    assert Store(busy_store.path).status_of(task.id) is Status.BLOCKED


def test_a_summary_left_stale_by_a_crash_is_ignored_and_rewritten(busy_store: Store, monkeypatch):
    """A writer that dies between writing the shard and the summary: readers must not trust it."""
    task = busy_store.load().by_no(50)
    monkeypatch.setattr(Store, "_write_summary", lambda self, statuses: None)
    _store_at(busy_store.path).set_status(task.id, Status.BLOCKED)
    monkeypatch.undo()
    stale = json.loads(busy_store.summary_path.read_text(encoding="utf-8"))
    assert task.id not in stale["statuses"]

    assert Store(busy_store.path).status_of(task.id) is Status.BLOCKED
    assert Store(busy_store.path).load(with_notes=False).by_no(50).status is Status.BLOCKED
    # The next write folds the shards once and leaves a summary that matches them again.
    _store_at(busy_store.path).add_note(task.id, "补记")
    repaired = json.loads(busy_store.summary_path.read_text(encoding="utf-8"))
    assert repaired["statuses"][task.id] == "blocked"
    assert Store(busy_store.path).check() == []


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"version": 1, "signatures": 3}', b"[1, 2]"])
def test_a_damaged_summary_costs_time_not_correctness(busy_store: Store, damage: bytes):
    expected = _fold(busy_store)
    busy_store.summary_path.write_bytes(damage)
    fresh = Store(busy_store.path)
    assert {task.id: task.status for task in fresh.load(with_notes=False).tasks} == expected
    assert fresh.check() == []
    task = fresh.load().by_no(3)
    _store_at(busy_store.path).set_status(task.id, Status.DONE)
    assert json.loads(busy_store.summary_path.read_text(encoding="utf-8"))["statuses"][task.id] == "done"


def test_check_reports_a_summary_that_disagrees_with_the_journal(busy_store: Store):
    data = json.loads(busy_store.summary_path.read_text(encoding="utf-8"))
    task_id = next(iter(data["statuses"]))
    data["statuses"][task_id] = "closed"
    busy_store.summary_path.write_text(json.dumps(data), encoding="utf-8")
    problems = Store(busy_store.path).check()
    assert len(problems) == 1
    assert "summary.json" in problems[0]
    assert "删除该文件" in problems[0]


def test_notes_written_into_an_older_month_keep_the_summary_valid(busy_store: Store):
    task = busy_store.load().by_no(7)
    busy_store.add_notes([(task.id, "2025-03-15T10:00:00+08:00", "补录的旧进展")])
    fresh = Store(busy_store.path)
    assert fresh.load(with_notes=False).by_no(7).status is _fold(busy_store)[task.id]
    assert fresh.check() == []
    assert "补录的旧进展" in [note.text for note in fresh.load().by_no(7).notes]


def test_check_rebuilds_a_missing_summary_so_the_next_start_is_quick(busy_store: Store, capsys):
    """After an upgrade (no summary yet) or a restore from backups (new inodes), readers would fold the
    whole journal on every start until somebody changed something; `taizhang check` rebuilds it."""
    from tui.cli import main

    expected = _fold(busy_store)
    busy_store.summary_path.unlink()
    assert main(["check", "--db", str(busy_store.path)]) == 0
    assert "已重建状态摘要 summary.json" in capsys.readouterr().out
    fresh = Store(busy_store.path)
    summary = fresh._statuses()
    assert not hasattr(summary, "shards")  # answered by the summary, not by folding the shards
    changed = {task_id: status for task_id, status in summary.statuses.items() if status is not Status.NOT_STARTED}
    assert changed == {task_id: status for task_id, status in expected.items() if status is not Status.NOT_STARTED}
    assert main(["check", "--db", str(busy_store.path)]) == 0
    assert "已重建" not in capsys.readouterr().out  # nothing to do the second time
