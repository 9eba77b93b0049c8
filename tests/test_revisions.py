"""Revised documents as they really come (issue 17): deadlines in revised forms, a task that returns after a
revision removed it, history that says which words changed, and another task list refused without --replace.

Revisions are real .docx files built from the real task list (tests/test_reseed.py's builder) and imported
into real stores through `taizhang import`; a revision applied on a fixed day goes through `Store.reseed` with
a fixed clock, as `taizhang import` calls it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import docx
import pytest

from benchmarks.synthetic import write_synthetic_docx
from importers import read_document
from tests.conftest import fixed_clock, seed_store
from tests.test_reseed import add_progress, edit, files_of, insert_task, record_of, renumber, run_cli, source_rows
from tests.test_reseed import write_revision as write_rows
from tui.core.changes import content_diff
from tui.core.importing import plan_for_store
from tui.core.model import Status
from tui.core.store import Store, StoreError

TZ = dt.timezone(dt.timedelta(hours=8))
NOV29 = dt.datetime(2026, 11, 29, 9, 30, tzinfo=TZ)


def at(moment: dt.datetime):
    return lambda: moment


def apply_revision(db: Path, path: Path, *, clock, replace: bool = False) -> Store:
    """Import `path` as `taizhang import --yes` does, with the store's clock at a fixed moment."""
    store = Store(db, clock=clock, user="boss")
    fingerprint = store.fingerprint()
    plan = plan_for_store(store, read_document(path))
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    store.reseed(plan, source_name=path.name, source_sha256=sha256, expected_fingerprint=fingerprint, replace=replace)
    return store


# ---------------------------------------------------------------------- deadlines in a revision

D = dt.date
# Task -> (完成时限 the revision writes, the last day it allows); None: continuing.
REVISED_DEADLINES = {
    10: ("2023—2025年", D(2025, 12, 31)),
    19: ("2026年6月底前", D(2026, 6, 30)),
    21: ("2026年上半年", D(2026, 6, 30)),
    22: ("2026年第三季度", D(2026, 9, 30)),
    31: ("2026年6月30日前", D(2026, 6, 30)),
    32: ("2026.6", D(2026, 6, 30)),
    33: ("２０２６年三季度", D(2026, 9, 30)),
    37: ("2024年完成试点，2025年全覆盖", D(2025, 12, 31)),
    42: ("2026年下半年", D(2026, 12, 31)),
    44: ("2026年一季度", D(2026, 3, 31)),
    46: ("2022—2025年", D(2025, 12, 31)),  # ended on 2022-12-31 before issue 17: overdue three years early
    61: ("2026年底前", D(2026, 12, 31)),
    65: ("2026年2月底前", D(2026, 2, 28)),
    1: ("长期坚持", None),
    2: ("常态化推进", None),
    3: ("每年", None),
    4: ("每季度", None),
    5: ("持续实施", None),
    72: ("", None),
}
UNREADABLE = {9: "春节前"}


@pytest.fixture
def revised_db(tmp_path: Path, capsys) -> tuple[Path, str]:
    """A store seeded from the source, then revised with deadlines in every form; and what the import printed."""
    db = tmp_path / "data" / "db.json"
    seed_store(db, clock=fixed_clock, user="tester")
    rows = source_rows()
    for no, (text, _end) in REVISED_DEADLINES.items():
        edit(rows, no, deadline=text)
    for no, text in UNREADABLE.items():
        edit(rows, no, deadline=text)
    path = write_rows(tmp_path / "deadlines.docx", rows)
    code, out, err = run_cli(capsys, "--db", str(db), "import", str(path), "--yes")
    assert (code, err) == (0, "")
    return db, out


@pytest.mark.parametrize("no", [no for no, (_text, end) in REVISED_DEADLINES.items() if end is not None])
def test_revised_deadlines_go_overdue_the_day_after_their_end(revised_db: tuple[Path, str], no: int) -> None:
    db, _out = revised_db
    end = REVISED_DEADLINES[no][1]
    for day, overdue in ((end - dt.timedelta(days=1), False), (end, False), (end + dt.timedelta(days=1), True)):
        store = Store(db, clock=at(dt.datetime.combine(day, dt.time(23, 59), TZ)))
        ledger = store.load()
        assert ledger.by_no(no).deadline == REVISED_DEADLINES[no][0]
        assert (no in [t.no for t in ledger.select(today=store.today(), overdue=True)]) is overdue, day


def test_continuing_and_unreadable_deadlines_never_go_overdue(revised_db: tuple[Path, str]) -> None:
    db, _out = revised_db
    store = Store(db, clock=at(dt.datetime(2040, 1, 1, tzinfo=TZ)))
    overdue = {task.no for task in store.load().select(today=store.today(), overdue=True)}
    continuing = {no for no, (_text, end) in REVISED_DEADLINES.items() if end is None}
    assert not overdue & (continuing | set(UNREADABLE))
    assert {no for no, (_text, end) in REVISED_DEADLINES.items() if end is not None} <= overdue


def test_show_and_list_json_give_the_end_day(revised_db: tuple[Path, str], capsys) -> None:
    db, _out = revised_db
    code, out, _err = run_cli(capsys, "--db", str(db), "list", "--json")
    assert code == 0
    ends = {task["no"]: task["deadline_end"] for task in json.loads(out)}
    for no, (_text, end) in REVISED_DEADLINES.items():
        assert ends[no] == (end.isoformat() if end else None), no
    assert ends[9] is None
    code, out, _err = run_cli(capsys, "--db", str(db), "show", "21", "--json")
    assert json.loads(out)["deadline_end"] == "2026-06-30"
    code, out, _err = run_cli(capsys, "--db", str(db), "show", "21")
    assert "\n完成时限：2026年上半年（至 2026-06-30）" in out


def test_an_unreadable_deadline_is_reported_on_import_and_by_check(revised_db: tuple[Path, str], capsys) -> None:
    db, import_output = revised_db
    line = "9 号任务的完成时限“春节前”无法识别为日期，不计逾期。"
    assert f"完成时限无法识别（不计逾期）：\n  {line}\n" in import_output
    code, out, err = run_cli(capsys, "--db", str(db), "check")
    assert (code, err) == (0, "")
    assert f"提醒：{line}" in out.splitlines()
    assert sum("无法识别" in text for text in out.splitlines()) == 1


def test_a_new_store_reports_unreadable_deadlines_when_seeded(tmp_path: Path, capsys) -> None:
    rows = source_rows()
    edit(rows, 9, deadline="上半年")
    path = write_rows(tmp_path / "new.docx", rows)
    code, out, _err = run_cli(capsys, "--db", str(tmp_path / "new" / "db.json"), "import", str(path), "--yes")
    assert code == 0
    assert out.splitlines()[1] == "9 号任务的完成时限“上半年”无法识别为日期，不计逾期。"


# ---------------------------------------------------------------------- a task that returns


def test_a_task_removed_by_one_revision_returns_with_its_progress_in_the_next(tmp_path: Path, capsys) -> None:
    db = tmp_path / "data" / "db.json"
    store = seed_store(db, clock=fixed_clock, user="tester")
    t21 = store.load().by_no(21)
    store.set_status(t21.id, Status.BLOCKED)
    store.add_note(t21.id, "便民商业网点选址未定，暂缓")
    blocked = Store(db).load().by_no(21)

    # 1. A revision without task 21; the other rows keep their 序号, so 21 is a gap inside 1–72.
    first = write_rows(tmp_path / "修订版一.docx", [row for row in source_rows() if row.origin != 21])
    apply_revision(db, first, clock=at(NOV29))
    assert [task.id for task in Store(db).load().archived] == [t21.id]
    gone = "taizhang: 21 号任务已在 2026-11-29 的修订中删除，进展已归档：taizhang list --archived\n"
    for command in (["mark", "21", "done"], ["note", "21", "已选址"], ["show", "21"], ["history", "21"]):
        code, out, err = run_cli(capsys, "--db", str(db), *command)
        assert (code, out, err) == (2, "", gone), command
    code, out, err = run_cli(capsys, "--db", str(db), "mark", "73", "done")
    assert code == 2 and "没有序号为 73 的任务（序号范围 1–72）" in err

    # 2. The next revision brings it back, slightly reworded, as 22 (a task was inserted above it).
    rows = source_rows()
    insert_task(rows)
    edit(rows, 21, content=record_of(rows, 21).content.replace("理发店、洗衣店", "理发店、洗衣店、托育点"))
    rows = renumber(rows)
    returning = next(row.record for row in rows if row.origin == 21)
    assert returning.no == 22
    second = write_rows(tmp_path / "修订版二.docx", rows)

    code, out, _err = run_cli(capsys, "--db", str(db), "import", str(second), "--dry-run")
    assert code == 0
    assert "新增 1 项，恢复 1 项，移除 0 项" in out
    lines = out.splitlines()
    heading = lines.index("恢复（以前的修订中移除并归档的任务，状态和进展随之恢复）：")
    assert lines[heading + 1] == "  21 → 22 号  开展“完整社区”试点建设"
    assert lines[heading + 2] == "      2026-11-29 的修订中移除并归档；受阻，1 条进展，将恢复"
    assert "{+托育点、+}" in lines[heading + 3]

    code, out, _err = run_cli(capsys, "--db", str(db), "import", str(second), "--dry-run", "--json")
    (restored,) = json.loads(out)["restored"]
    assert (restored["id"], restored["old_no"], restored["new_no"]) == (t21.id, 21, 22)
    assert (restored["archived_at"], restored["status"], restored["notes"]) == ("2026-11-29T09:30:00+08:00", "blocked", 1)
    assert restored["content_diff"] == content_diff(blocked.content, returning.content)

    code, out, err = run_cli(capsys, "--db", str(db), "import", str(second), "--yes")
    assert (code, err) == (0, "")
    assert "新增 1 项，恢复 1 项（状态和进展随之恢复），移除 0 项（归档 0 项）" in out

    # 3. It is task 22 now: its id, status and notes are the archived ones; the archive no longer holds it.
    after = Store(db).load()
    back = after.by_no(22)
    assert (back.id, back.status, back.notes) == (t21.id, Status.BLOCKED, blocked.notes)
    assert back.content == returning.content
    assert after.archived == ()
    assert run_cli(capsys, "--db", str(db), "list", "--archived")[1].startswith("没有已归档的任务")
    code, out, _err = run_cli(capsys, "--db", str(db), "mark", "22", "done")
    assert (code, out) == (0, "已将 22 号任务由 受阻 标为 已完成。\n")
    code, out, _err = run_cli(capsys, "--db", str(db), "history", "22", "--json")
    kinds = [event["kind"] for event in json.loads(out)]
    assert kinds == ["status", "note", "archive", "restore", "status"]
    restore = json.loads(out)[3]
    assert restore["fields"]["no"] == [21, 22] and restore["content_diff"] == restored["content_diff"]
    code, out, _err = run_cli(capsys, "--db", str(db), "history", "22")
    assert "22 号  恢复  序号 21 → 22；主要内容 " in out and "{+托育点、+}" in out
    assert Store(db).check() == []


# ---------------------------------------------------------------------- history says what changed

COVERAGE = "，2026年底前实现全覆盖"


def test_history_of_a_content_change_shows_the_words_changed(db_path: Path, tmp_path: Path, capsys) -> None:
    """Before issue 17 `taizhang history 3` printed the same truncated text on both sides of the arrow."""
    old = Store(db_path).load().by_no(3).content
    rows = source_rows()
    edit(rows, 3, content=old.replace("推动小区党群活动场所建设。", f"推动小区党群活动场所建设{COVERAGE}。"))
    path = write_rows(tmp_path / "rev.docx", rows)
    _code, out, _err = run_cli(capsys, "--db", str(db_path), "import", str(path), "--dry-run")
    preview = f"…推动小区党群活动场所建设{{+{COVERAGE}+}}。"
    assert f"      主要内容：{preview}" in out.splitlines()
    assert run_cli(capsys, "--db", str(db_path), "import", str(path), "--yes")[0] == 0

    _code, out, _err = run_cli(capsys, "--db", str(db_path), "history", "3")
    (line, total) = out.splitlines()
    assert line.endswith(f"3 号  导入  主要内容 {preview}") and total == "3 号任务共 1 条改动记录。"
    assert "→" not in line

    _code, out, _err = run_cli(capsys, "--db", str(db_path), "history", "--json")
    (event,) = json.loads(out)
    assert event["kind"] == "import" and event["no"] == 3
    assert event["content_diff"] == content_diff(old, old.replace("建设。", f"建设{COVERAGE}。"))
    assert f"{{+{COVERAGE}+}}" in event["content_diff"] and "[-" not in event["content_diff"]


def test_history_of_a_long_unit_list_shows_the_unit_added(db_path: Path, tmp_path: Path, capsys) -> None:
    rows = source_rows()
    edit(rows, 3, units=(*record_of(rows, 3).units, "区财政局"))
    assert run_cli(capsys, "--db", str(db_path), "import", str(write_rows(tmp_path / "r.docx", rows)), "--yes")[0] == 0
    _code, out, _err = run_cli(capsys, "--db", str(db_path), "history", "3")
    assert out.splitlines()[0].endswith("3 号  导入  责任单位 …游局、区卫健局、区住建局{+、区财政局+}")


# ---------------------------------------------------------------------- a different document


def test_another_task_list_is_refused_without_replace(tmp_path: Path, capsys) -> None:
    db = tmp_path / "data" / "db.json"
    seed_store(db, clock=fixed_clock, user="tester")
    add_progress(db)
    before = Store(db).load()
    with_progress = {task.id for task in before.tasks if task.status is not Status.NOT_STARTED or task.notes}
    # The same format (six columns, merged sections) holding another plan's tasks.
    other = write_synthetic_docx(tmp_path / "十五五任务清单.docx", 60)
    files = files_of(db)

    code, out, err = run_cli(capsys, "--db", str(db), "import", str(other), "--yes")
    assert code == 2
    assert "注意：台账现有 72 项任务，这份文件中只找到 0 项。它看起来是另一份任务清单，而不是本台账的修订版。" in out
    assert err.count("\n") == 1 and "看起来是另一份任务清单，未做任何改动" in err and "--replace" in err
    assert files_of(db) == files and not (db.parent / "backups").exists()

    code, out, _err = run_cli(capsys, "--db", str(db), "import", str(other), "--dry-run", "--json")
    plan = json.loads(out)
    assert (code, plan["different_document"], plan["matched"], plan["applied"]) == (0, True, 0, False)

    store = Store(db, clock=fixed_clock, user="tester")
    with pytest.raises(StoreError, match="另一份任务清单"):
        store.reseed(
            plan_for_store(store, read_document(other)),
            source_name=other.name, source_sha256="x", expected_fingerprint=store.fingerprint(),
        )
    assert files_of(db) == files

    code, out, err = run_cli(capsys, "--db", str(db), "import", str(other), "--yes", "--replace")
    assert (code, err) == (0, "")
    after = Store(db).load()
    assert [task.content for task in after.tasks] == [record.content for record in read_document(other).tasks]
    assert {task.id for task in after.archived} == with_progress  # everything with progress is archived
    assert len(list((db.parent / "backups").iterdir())) == 1


def test_a_revision_keeping_a_third_of_the_tasks_is_still_a_revision(tmp_path: Path, capsys) -> None:
    db = tmp_path / "data" / "db.json"
    seed_store(db, clock=fixed_clock, user="tester")
    rows = [row for row in source_rows() if row.origin <= 24]  # 24 of 72 kept: exactly a third
    kept = write_rows(tmp_path / "kept.docx", rows)
    _code, out, _err = run_cli(capsys, "--db", str(db), "import", str(kept), "--dry-run", "--json")
    assert json.loads(out)["different_document"] is False
    fewer = write_rows(tmp_path / "fewer.docx", [row for row in rows if row.origin != 24])
    _code, out, _err = run_cli(capsys, "--db", str(db), "import", str(fewer), "--dry-run", "--json")
    assert json.loads(out)["different_document"] is True


def test_the_report_lists_the_periods_revisions_with_the_words_changed(db_path: Path, tmp_path: Path, capsys) -> None:
    old = Store(db_path).load().by_no(3).content
    rows = source_rows()
    edit(rows, 3, content=old.replace("建设。", f"建设{COVERAGE}。"), deadline="2026年底前")
    apply_revision(db_path, write_rows(tmp_path / "rev.docx", rows), clock=at(NOV29))

    report = tmp_path / "report.json"
    assert run_cli(capsys, "--db", str(db_path), "export", "-o", str(report), "--period", "2026-11")[0] == 0
    (revision,) = json.loads(report.read_text(encoding="utf-8"))["revisions"]
    assert (revision["no"], revision["kind"], revision["by"], revision["at"]) == (3, "import", "boss", NOV29.isoformat())
    assert revision["changes"] == [f"主要内容 …推动小区党群活动场所建设{{+{COVERAGE}+}}。", "完成时限 持续实施 → 2026年底前"]
    assert revision["content_diff"] == content_diff(old, old.replace("建设。", f"建设{COVERAGE}。"))

    word = tmp_path / "report.docx"
    assert run_cli(capsys, "--db", str(db_path), "export", "-o", str(word), "--period", "2026-11")[0] == 0
    document = docx.Document(str(word))
    assert "本期任务清单修订（2026年11月）" in [paragraph.text for paragraph in document.paragraphs]
    (table,) = [t for t in document.tables if t.rows[0].cells[2].text == "修订内容"]
    number, title, change, when, who = table.rows[1].cells
    assert title.text == "推动城乡社区党群服务中心（站）提档升级"
    assert (number.text, who.text, when.text) == ("3", "boss", "11月29日 09:30")
    runs = change.paragraphs[0].runs
    assert "".join(run.text for run in runs) == "主要内容 …推动小区党群活动场所建设" + COVERAGE + "。"
    (inserted,) = [run for run in runs if run.font.underline]
    assert inserted.text == COVERAGE and inserted.font.bold
    assert change.paragraphs[1].text == "完成时限 持续实施 → 2026年底前"

    earlier = tmp_path / "october.docx"
    assert run_cli(capsys, "--db", str(db_path), "export", "-o", str(earlier), "--period", "2026-10")[0] == 0
    assert not [p for p in docx.Document(str(earlier)).paragraphs if p.text.startswith("本期任务清单修订")]
