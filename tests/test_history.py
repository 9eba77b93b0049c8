"""`taizhang history`, the store's revision token and the events another session just made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import fixed_clock
from tui.cli import main
from tui.core.history import describe_event, history_rows, person
from tui.core.model import Status
from tui.core.store import Store


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_history_lists_every_change_with_time_who_task_and_old_new(
    db_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = store.load()
    t31, t5 = ledger.by_no(31), ledger.by_no(5)
    store.set_status(t31.id, Status.IN_PROGRESS)
    store.add_note(t5.id, "已召开推进会")
    Store(db_path, clock=fixed_clock, user="lisi").set_status(t31.id, Status.DONE)
    code, out, _ = _run(capsys, "--db", str(db_path), "history")
    assert code == 0
    assert out.splitlines() == [
        "2026-11-28 10:00  tester  31 号  状态  未启动 → 推进中",
        "2026-11-28 10:00  tester  5 号  进展  已召开推进会",
        "2026-11-28 10:00  lisi  31 号  状态  推进中 → 已完成",
        "台账共 3 条改动记录。",
    ]
    code, out, _ = _run(capsys, "--db", str(db_path), "history", "31", "--json")
    data = json.loads(out)
    assert [(e["by"], e["kind"], e["old"], e["new"], e["no"], e["task"]) for e in data] == [
        ("tester", "status", "not_started", "in_progress", 31, t31.id),
        ("lisi", "status", "in_progress", "done", 31, t31.id),
    ]
    assert all(e["at"] == "2026-11-28T10:00:00+08:00" and e["id"] for e in data)


def test_history_shows_undo_and_the_users_toml_name(db_path: Path, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    (db_path.parent / "users.toml").write_text('[users.tester]\nname = "张三"\nrole = "supervisor"\n', encoding="utf-8")
    task = store.load().by_no(7)
    note = store.add_note(task.id, "写错了")
    store.undo(note.id)
    marked = store.set_status(task.id, Status.BLOCKED)
    store.undo(marked.id)
    code, out, _ = _run(capsys, "--db", str(db_path), "history", "7")
    assert code == 0
    assert out.splitlines() == [
        "2026-11-28 10:00  张三（tester）  7 号  进展  写错了",
        "2026-11-28 10:00  张三（tester）  7 号  撤销  进展：写错了",
        "2026-11-28 10:00  张三（tester）  7 号  状态  未启动 → 受阻",
        "2026-11-28 10:00  张三（tester）  7 号  撤销  受阻 → 未启动",
        "7 号任务共 4 条改动记录。",
    ]


def test_show_names_a_notes_author_as_history_does(db_path: Path, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16: `show` (and the detail pane) named a note's author by login while history used the name."""
    (db_path.parent / "users.toml").write_text('[users.tester]\nname = "张三"\nrole = "supervisor"\n', encoding="utf-8")
    task = store.load().by_no(7)
    store.add_note(task.id, "已走访")
    Store(db_path, clock=fixed_clock, user="lisi").add_note(task.id, "未列入 users.toml 的账号")
    code, out, _ = _run(capsys, "--db", str(db_path), "show", "7")
    assert code == 0
    assert "  2026-11-28 10:00  张三（tester）：已走访" in out.splitlines()
    assert "  2026-11-28 10:00  lisi：未列入 users.toml 的账号" in out.splitlines()
    assert person("tester", store.display_name) == "张三" and person("lisi", store.display_name) == "lisi"
    assert person("", store.display_name) == "（未知）"
    rows = history_rows(store.history(task.id), store.display_name)
    assert [row.who for row in rows] == ["lisi", "张三"]


def test_history_of_an_unknown_number_is_one_line(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--db", str(db_path), "history", "99")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "没有序号为 99 的任务" in err
    code, out, _ = _run(capsys, "--db", str(db_path), "history", "3")
    assert code == 0 and out == "3 号任务还没有改动记录。\n"


def test_revision_moves_only_when_another_session_writes(db_path: Path, store: Store) -> None:
    watcher = Store(db_path, clock=fixed_clock, user="watcher")
    token = watcher.revision()
    assert not watcher.changed_since(token)
    watcher.load()
    assert not watcher.changed_since(token)  # reading changes nothing
    store.set_status(store.load().by_no(31).id, Status.IN_PROGRESS)
    assert watcher.changed_since(token)
    token = watcher.revision()
    (db_path.parent / "users.toml").write_text('default_role = "viewer"\n', encoding="utf-8")
    assert watcher.changed_since(token)  # rights changed: the app should re-ask what is allowed


def test_events_after_tells_who_changed_what(db_path: Path, store: Store) -> None:
    (db_path.parent / "users.toml").write_text('[users.lisi]\nname = "李四"\n', encoding="utf-8")
    watcher = Store(db_path, clock=fixed_clock, user="watcher")
    seen = watcher.last_event_id()
    assert seen is None
    lisi = Store(db_path, clock=fixed_clock, user="lisi")
    t31 = lisi.load().by_no(31)
    lisi.set_status(t31.id, Status.IN_PROGRESS)
    lisi.add_note(t31.id, "已完成摸底调查，正在汇总")
    new = watcher.events_after(seen)
    ledger = watcher.load()
    assert [describe_event(e, ledger, watcher.display_name) for e in new] == [
        "李四 将 31 号任务标为 推进中",
        "李四 为 31 号任务写了进展：已完成摸底调查，正在汇总",
    ]
    seen = watcher.last_event_id()
    assert watcher.events_after(seen) == []
    for i in range(11):  # ids compare as numbers: #10 comes after #9
        lisi.add_note(t31.id, f"第 {i} 条")
    assert [e.text for e in watcher.events_after(seen)] == [f"第 {i} 条" for i in range(11)]
