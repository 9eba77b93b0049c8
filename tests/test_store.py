"""The store: seeding, statuses, notes, undo, derived overdue, and several processes at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, PROJECT, SOURCE_DOCX, fixed_clock, seed_store
from tui.core.model import Status, StatusError, deadline_end
from tui.core.store import SCHEMA_VERSION, Store, StoreError


def test_seeded_store_has_meta_and_readable_chinese(db_path: Path):
    raw = db_path.read_text(encoding="utf-8")
    assert "\\u" not in raw
    assert "区民政局" in raw
    meta = next(iter(json.loads(raw)["meta"].values()))
    assert meta["schema"] == SCHEMA_VERSION
    assert meta["source_name"] == "task-list.docx"
    assert meta["source_sha256"] == hashlib.sha256(SOURCE_DOCX.read_bytes()).hexdigest()
    assert meta["imported_at"] == FIXED_NOW.isoformat(timespec="seconds")
    assert meta["district_note"] == "以下均需各乡镇（街道）落实，不再列出。"


def test_task_ids_are_stable_and_unique(tmp_path: Path):
    first = seed_store(tmp_path / "a.json").load()
    second = seed_store(tmp_path / "b.json").load()
    assert [t.id for t in first.tasks] == [t.id for t in second.tasks]
    assert len({t.id for t in first.tasks}) == 72
    assert all(not t.id.isdigit() for t in first.tasks)


def test_shipped_store_is_seeded_from_the_source_and_healthy():
    store = Store(PROJECT / "data" / "db.json")
    ledger = store.load()
    assert len(ledger.tasks) == 72
    assert ledger.source_sha256 == hashlib.sha256(SOURCE_DOCX.read_bytes()).hexdigest()
    assert store.check() == []


def test_status_change_is_recorded_with_old_and_new(store: Store):
    task = store.load().by_no(5)
    event = store.set_status(task.id, Status.DONE)
    assert (event.old, event.new, event.by, event.kind) == ("not_started", "done", "tester", "status")
    assert store.set_status(task.id, Status.DONE) is None
    reloaded = Store(store.path).load().by_no(5)
    assert reloaded.status is Status.DONE


def test_notes_are_appended_in_order_and_never_edited(store: Store):
    task = store.load().by_no(7)
    store.add_note(task.id, "第一条")
    store.add_note(task.id, "第二条")
    notes = Store(store.path).load().by_no(7).notes
    assert [(n.text, n.by, n.at) for n in notes] == [
        ("第一条", "tester", "2026-11-28T10:00:00+08:00"),
        ("第二条", "tester", "2026-11-28T10:00:00+08:00"),
    ]
    with pytest.raises(StoreError):
        store.add_note(task.id, "  ")


def test_undo_restores_status_and_withdraws_a_note_and_is_recorded(store: Store):
    task = store.load().by_no(3)
    change = store.set_status(task.id, Status.IN_PROGRESS)
    note = store.add_note(task.id, "写错了")
    store.undo(note.id)
    store.undo(change.id)
    reloaded = store.load().by_no(3)
    assert reloaded.status is Status.NOT_STARTED
    assert reloaded.notes == ()
    kinds = [event.kind for event in store.history(task.id)]
    assert kinds == ["status", "note", "undo", "undo"]
    with pytest.raises(StoreError, match="已经撤销过"):
        store.undo(change.id)


def test_undo_refuses_when_someone_changed_the_status_since(store: Store):
    task = store.load().by_no(3)
    mine = store.set_status(task.id, Status.IN_PROGRESS)
    Store(store.path, user="colleague").set_status(task.id, Status.BLOCKED)
    with pytest.raises(StoreError, match="已被改为 受阻"):
        store.undo(mine.id)
    assert store.load().by_no(3).status is Status.BLOCKED


def test_overdue_is_derived_from_the_deadline_year_and_status(store: Store):
    ledger = store.load()
    today = FIXED_NOW.date()
    overdue = [t.no for t in ledger.tasks if t.is_overdue(today)]
    # 2024 and 2025 deadlines have ended by November 2026; 持续实施 and blank never end.
    assert overdue == [t.no for t in ledger.tasks if t.deadline in ("2024", "2025")]
    assert 19 in overdue and 21 in overdue and 9 not in overdue
    store.set_status(ledger.by_no(19).id, Status.DONE)
    store.set_status(ledger.by_no(21).id, Status.CLOSED)
    store.set_status(ledger.by_no(22).id, Status.BLOCKED)
    reloaded = store.load()
    assert not reloaded.by_no(19).is_overdue(today)
    assert not reloaded.by_no(21).is_overdue(today)
    assert reloaded.by_no(22).is_overdue(today)
    # On the last day of 2025 a 2025 deadline is not yet overdue; the day after it is.
    assert not reloaded.by_no(22).is_overdue(dt.date(2025, 12, 31))
    assert reloaded.by_no(22).is_overdue(dt.date(2026, 1, 1))


def test_deadline_end():
    assert deadline_end("2025") == dt.date(2025, 12, 31)
    assert deadline_end("2025年6月") == dt.date(2025, 6, 30)
    assert deadline_end("持续实施") is None
    assert deadline_end("") is None


def test_status_parse_accepts_key_and_label():
    assert Status.parse("done") is Status.DONE
    assert Status.parse("已销号") is Status.CLOSED
    with pytest.raises(StatusError, match="可用的状态"):
        Status.parse("完成了")


def test_notes_go_to_monthly_journal_shards_and_old_shards_are_not_rewritten(db_path: Path):
    october = dt.datetime(2026, 10, 5, 9, 0, tzinfo=FIXED_NOW.tzinfo)
    task_id = Store(db_path).load().by_no(1).id
    Store(db_path, clock=lambda: october, user="a").add_note(task_id, "十月进展")
    shard = db_path.parent / "db.journal" / "2026-10.json"
    before = shard.read_bytes()
    Store(db_path, clock=fixed_clock, user="b").add_note(task_id, "十一月进展")
    assert shard.read_bytes() == before
    assert (db_path.parent / "db.journal" / "2026-11.json").exists()
    assert [n.text for n in Store(db_path).load().by_no(1).notes] == ["十月进展", "十一月进展"]


def test_db_json_is_not_rewritten_by_status_changes_or_notes(store: Store):
    before = store.path.read_bytes()
    task = store.load().by_no(2)
    store.set_status(task.id, Status.IN_PROGRESS)
    store.add_note(task.id, "进展")
    assert store.path.read_bytes() == before


def test_a_failed_write_leaves_the_file_whole_and_the_cache_honest(store: Store, monkeypatch):
    """Regression: TinyDB mutates the cached dict before write(); a failed write must not leak it."""
    import tui.core.store.files as store_module

    task = store.load().by_no(4)
    store.add_note(task.id, "保存成功的")

    def failing_write(path, payload, **options):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "atomic_write_bytes", failing_write)
    with pytest.raises(StoreError, match="磁盘已满"):  # issue 12: one line for the user, not an OSError
        store.add_note(task.id, "写入失败的")
    monkeypatch.undo()
    assert [n.text for n in store.load().by_no(4).notes] == ["保存成功的"]
    assert [n.text for n in Store(store.path).load().by_no(4).notes] == ["保存成功的"]


WRITER = textwrap.dedent(
    """
    import sys
    from tui.core.store import Store
    from tui.core.model import Status
    path, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store(path, user=f"worker{worker}")
    ids = [t.id for t in store.load().tasks]
    for i in range(count):
        task_id = ids[(int(worker) * 7 + i) % 5]
        store.add_note(task_id, f"w{worker}-n{i}")
        if i % 5 == 0:
            store.set_status(task_id, [Status.IN_PROGRESS, Status.DONE][i % 2])
    """
)


def test_several_processes_adding_notes_at_once_lose_nothing(db_path: Path):
    workers, per_worker = 6, 25
    processes = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), str(w), str(per_worker)], cwd=PROJECT)
        for w in range(workers)
    ]
    assert all(p.wait(timeout=120) == 0 for p in processes)
    ledger = Store(db_path).load()
    texts = sorted(n.text for t in ledger.tasks for n in t.notes)
    assert texts == sorted(f"w{w}-n{i}" for w in range(workers) for i in range(per_worker))
    assert Store(db_path).check() == []
    # Each worker's notes are in the order it wrote them.
    in_order = [event.text for event in Store(db_path).history() if event.kind == "note"]
    for w in range(workers):
        assert [text for text in in_order if text.startswith(f"w{w}-")] == [f"w{w}-n{i}" for i in range(per_worker)]


def test_notes_over_several_months_fold_the_same_on_every_reload(store: Store):
    """Regression guard: the older months' notes are cached and shared between reloads; a reload
    must never extend those shared lists (notes would repeat) or lose an undo made months later."""
    ledger = store.load()
    first, second = ledger.by_no(1), ledger.by_no(2)
    old_events = store.add_notes(
        [
            (first.id, "2026-01-10T09:00:00+08:00", "一月"),
            (first.id, "2026-02-10T09:00:00+08:00", "二月"),
            (second.id, "2026-02-11T09:00:00+08:00", "二月-2"),
        ]
    )
    expected = ["一月", "二月"]
    for round_no in range(3):
        store.add_note(first.id, f"本月{round_no}")
        expected.append(f"本月{round_no}")
        assert [note.text for note in store.load().by_no(1).notes] == expected
        assert [note.text for note in store.load().by_no(2).notes] == ["二月-2"]
    store.undo(old_events[1].id)  # this month withdraws February's note
    expected.remove("二月")
    assert [note.text for note in store.load().by_no(1).notes] == expected
    store.add_note(second.id, "再记一条")
    assert [note.text for note in store.load().by_no(1).notes] == expected
    assert [note.text for note in Store(store.path).load().by_no(1).notes] == expected
    assert [note.text for note in store.load().by_no(2).notes] == ["二月-2", "再记一条"]


def test_a_note_added_to_an_older_month_shows_on_the_next_reload(store: Store):
    """Regression: the older months' notes were cached under the ids of their shard folds; a month
    rewritten later got a new fold, which could reuse a freed fold's id and so be served stale notes."""
    task = store.load().by_no(6)
    store.add_notes([(task.id, "2026-01-10T09:00:00+08:00", "一月")])
    store.add_note(task.id, "本月")
    assert [note.text for note in store.load().by_no(6).notes] == ["一月", "本月"]
    for round_no in range(5):
        store.add_notes([(task.id, f"2026-01-1{round_no + 1}T09:00:00+08:00", f"补录{round_no}")])
        texts = [note.text for note in store.load().by_no(6).notes]
        assert texts == ["一月", *[f"补录{k}" for k in range(round_no + 1)], "本月"]


def test_a_write_never_changes_the_tables_a_reader_holds(store: Store):
    """Regression (issue 13): the file cache handed TinyDB the very dict every reader of that file shared, and
    TinyDB assigns the table it writes into it. A reader iterating the cached tables (the app's event loop)
    saw them change under it while a worker thread inserted, events included that were not yet on disk."""
    task = store.load().by_no(4)
    store.add_note(task.id, "第一条")
    shard = next(store.journal_dir.glob("20??-??.json"))
    held = store._cache.read(shard)
    assert held is not None
    events_before = held["events"]
    snapshot = json.dumps(held, sort_keys=True, ensure_ascii=False)
    sizes: set[int] = set()
    failures: list[BaseException] = []
    writing = threading.Event()

    def read_while_writing() -> None:
        try:
            while not writing.is_set():
                for table in held.values():
                    sizes.add(sum(1 for _key, _doc in table.items()))
        except BaseException as error:
            failures.append(error)

    reader = threading.Thread(target=read_while_writing)
    reader.start()
    writer = threading.Thread(target=lambda: [store.add_note(task.id, f"线程写的{i}") for i in range(20)])
    writer.start()
    writer.join()
    writing.set()
    reader.join()

    assert failures == []
    assert held["events"] is events_before
    assert sizes == {1}
    assert json.dumps(held, sort_keys=True, ensure_ascii=False) == snapshot
    assert [note.text for note in store.load().by_no(4).notes] == ["第一条", *(f"线程写的{i}" for i in range(20))]
