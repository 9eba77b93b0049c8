"""Issue 12: `taizhang check` validates the store's structure, not just that its files are JSON.

The scenario that was seen: `check` accepted a journal shard holding just `{"foo": {}}` (and a backup
whose shard had been replaced by an exported report) and said 数据完好.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fixed_clock
from tui.cli import main
from tui.core.model import Status
from tui.core.store import Store
from tui.core.store.backups import restore_advice
from tui.core.store.check import MAX_PROBLEMS_PER_FILE


@pytest.fixture
def journal_db(db_path: Path) -> Path:
    """The seeded store with a status change, a note and an undo in 2026-11."""
    store = Store(db_path, clock=fixed_clock, user="tester")
    task = store.load().tasks[0]
    store.set_status(task.id, Status.IN_PROGRESS)
    note = store.add_note(task.id, "进展")
    store.undo(note.id)
    return db_path


def shard_of(db: Path) -> Path:
    return db.with_name("db.journal") / "2026-11.json"


def rewrite(path: Path, change: Callable[[dict[str, Any]], object]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def check(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", str(db), "check"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_healthy_store_passes(journal_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert Store(journal_db).check() == []
    code, out, err = check(journal_db, capsys)
    assert code == 0 and out.startswith("数据完好：72 项任务，3 条记录。") and err == ""


def test_check_accepting_a_shard_of_foo_now_fails(journal_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (journal_db.with_name("db.journal") / "2026-10.json").write_text('{"foo": {}}', encoding="utf-8")
    code, out, err = check(journal_db, capsys)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "记录文件 2026-10.json 中缺少 events 表。",
        "记录文件 2026-10.json 中有未知的表“foo”。",
        f"数据检查未通过：发现 2 个问题。{restore_advice(journal_db)}",
    ]


def edit_first_event(db: Path, kind: str, edit: Callable[[dict[str, Any]], object]) -> None:
    def on(data: dict[str, Any]) -> None:
        edit(next(doc for doc in data["events"].values() if doc["kind"] == kind))

    rewrite(shard_of(db), on)


BROKEN_EVENTS: dict[str, tuple[str, Callable[[dict[str, Any]], object], str]] = {
    "no_time": ("status", lambda doc: doc.pop("at"), "缺少时间（at）"),
    "bad_time": ("status", lambda doc: doc.update(at="昨天"), "不是有效的时间"),
    "time_of_another_month": ("status", lambda doc: doc.update(at="2026-10-01T09:00:00+08:00"), "不在记录文件的月份"),
    "no_account": ("note", lambda doc: doc.update(by=""), "缺少账号（by）"),
    "account_not_text": ("note", lambda doc: doc.update(by=7), "账号（by）应是文字"),
    "no_task": ("note", lambda doc: doc.pop("task"), "缺少任务 id（task）"),
    "unknown_kind": ("note", lambda doc: doc.update(kind="delete"), "类别“delete”未知"),
    "bad_status": ("status", lambda doc: doc.update(new="finished"), "状态 finished 无效"),
    "status_without_old": ("status", lambda doc: doc.pop("old"), "缺少原状态（old）"),
    "note_without_text": ("note", lambda doc: doc.update(text=""), "缺少内容（text）"),
    "note_text_not_text": ("note", lambda doc: doc.update(text=["x"]), "内容（text）应是文字"),
    "undo_without_ref": ("undo", lambda doc: doc.pop("ref"), "缺少所撤销的记录（ref）"),
    "undo_of_nothing": ("undo", lambda doc: doc.update(ref="2026-11#99"), "撤销的记录 2026-11#99 不存在"),
    "undo_ref_malformed": ("undo", lambda doc: doc.update(ref="x"), "所撤销的记录“x”格式不对"),
    "unknown_task": ("status", lambda doc: doc.update(task="T00000000"), "指向不存在的任务 T00000000"),
}


@pytest.mark.parametrize("case", BROKEN_EVENTS)
def test_every_event_has_the_fields_and_types_its_kind_needs(
    journal_db: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    kind, edit, wanted = BROKEN_EVENTS[case]
    edit_first_event(journal_db, kind, edit)
    code, out, err = check(journal_db, capsys)
    assert code == 1 and out == ""
    assert wanted in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("edit", "wanted"),
    [
        (lambda data: data.update(extra={}), "db.json 中有未知的表“extra”"),
        (lambda data: data.pop("tasks"), "db.json 中缺少 tasks 表"),
        (lambda data: data["tasks"]["1"].update(units="区民政局"), "1 号任务的责任单位格式不对"),
        (lambda data: data["tasks"]["1"].update(content=3), "1 号任务的 content 应是文字"),
        (lambda data: data["tasks"]["2"].update(no="2"), "任务记录 2 缺少 id 或序号"),
        (lambda data: data.update(tasks={"abc": {}}), "db.json 中的 tasks 表格式不对"),
        (lambda data: data["meta"]["1"].update(schema=99), "数据版本为 99"),
    ],
    ids=["unknown_table", "no_tasks", "units_not_a_list", "content_not_text", "no_not_int", "bad_key", "schema"],
)
def test_db_json_tables_are_checked_likewise(
    journal_db: Path, edit: Callable[[dict[str, Any]], object], wanted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rewrite(journal_db, edit)
    code, _out, err = check(journal_db, capsys)
    assert code == 1 and wanted in err, err


def test_a_stray_json_file_in_the_journal_is_reported(journal_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (journal_db.with_name("db.journal") / "report.json").write_text('{"header": {}}', encoding="utf-8")
    code, _out, err = check(journal_db, capsys)
    assert code == 1 and "记录目录中有不属于台账的文件 report.json" in err


def test_an_empty_shard_is_reported(journal_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (journal_db.with_name("db.journal") / "2026-09.json").write_text("", encoding="utf-8")
    code, _out, err = check(journal_db, capsys)
    assert code == 1 and "记录文件 2026-09.json 是空的" in err


def test_thousands_of_broken_records_are_summarised(journal_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = {str(key): {"kind": "note"} for key in range(1, 501)}
    (journal_db.with_name("db.journal") / "2026-08.json").write_text(json.dumps({"events": broken}), encoding="utf-8")
    code, _out, err = check(journal_db, capsys)
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == MAX_PROBLEMS_PER_FILE + 2
    assert "还有" in lines[-2] and "个问题未列出" in lines[-2]
