"""Reseeding from a revised document (issue 4): revisions are built here with python-docx from the real
task list, imported through `taizhang import` into real tmp stores, and every task's progress is checked."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import _Cell

from importers import read_document
from importers.records import TaskRecord
from tests.conftest import PROJECT, SOURCE_DOCX, fixed_clock, seed_store
from tests.docx_builder import HEADER
from tui.cli import main
from tui.core.changes import content_diff
from tui.core.model import Note, Status
from tui.core.reseed import MATCH_THRESHOLD, plan_reseed
from tui.core.store import Store, StoreError

SOURCE = read_document(SOURCE_DOCX)
INSERTED_CONTENT = "2．建立村（社区）党组织书记季度述职评议制度，将城乡社区服务成效纳入述职评议内容。"
_ITEM_NUMBER = re.compile(r"^(\s*)(\d+)(\s*[.．、])")


# ---------------------------------------------------------------------- building revisions


@dataclasses.dataclass
class Row:
    """A row of a revised document and the 序号 of the source task it came from (None: a new task)."""

    record: TaskRecord
    origin: int | None


def source_rows() -> list[Row]:
    return [Row(record, record.no) for record in SOURCE.tasks]


def renumber(rows: list[Row]) -> list[Row]:
    """Number the rows 1..n, and the contents' item numbers 1.. in each subsection whose tasks changed."""
    def members(pairs) -> dict[tuple[str, str], list[int | None]]:
        groups: dict[tuple[str, str], list[int | None]] = {}
        for record, origin in pairs:
            groups.setdefault((record.section, record.subsection), []).append(origin)
        return groups

    original = members((record, record.no) for record in SOURCE.tasks)
    revised = members((row.record, row.origin) for row in rows)
    result = []
    items: dict[tuple[str, str], int] = {}
    for index, row in enumerate(rows, start=1):
        record = row.record
        place = (record.section, record.subsection)
        items[place] = items.get(place, 0) + 1
        content = record.content
        if revised[place] != original.get(place):
            item = items[place]
            content = _ITEM_NUMBER.sub(lambda m, item=item: f"{m.group(1)}{item}{m.group(3)}", content, count=1)
        result.append(Row(dataclasses.replace(record, no=index, content=content), row.origin))
    return result


def write_revision(path: Path, rows: list[Row], title: str = SOURCE.title) -> Path:
    """A real .docx in the source's layout: section and subsection cells merged down their runs (w:vMerge).

    Cells are reached through the table's XML (`tr_lst` / `tc_lst`): python-docx's `table.cell()` and
    `merge()` re-walk the whole grid on every call, which takes seconds for 73 rows.
    """
    document = docx.Document()
    for line in ("附件1", title):
        document.add_paragraph(line)
    table = document.add_table(rows=len(rows) + 1, cols=len(HEADER))
    trs = table._tbl.tr_lst
    section = subsection = None
    for tr, cells in zip(trs, [HEADER, *([None] * len(rows))], strict=True):
        if cells is not None:
            for tc, text in zip(tr.tc_lst, cells, strict=True):
                _Cell(tc, table).paragraphs[0].text = text
    trs[0].get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for tr, row in zip(trs[1:], rows, strict=True):
        record = row.record
        new_section = record.section != section
        new_subsection = new_section or record.subsection != subsection
        texts = [str(record.no), record.section, record.subsection, record.content,
                 "\n".join(record.units + record.remarks), record.deadline]
        starts = [True, new_section, new_subsection, True, True, True]
        for column, (tc, text, start) in enumerate(zip(tr.tc_lst, texts, starts, strict=True)):
            if column in (1, 2):
                merge = OxmlElement("w:vMerge")
                if start:
                    merge.set(qn("w:val"), "restart")
                tc.get_or_add_tcPr().append(merge)
                if not start:
                    continue
            cell = _Cell(tc, table)
            lines = text.split("\n")
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
        section, subsection = record.section, record.subsection
    document.save(str(path))
    return path


def edit(rows: list[Row], no: int, **changes) -> None:
    index = next(i for i, row in enumerate(rows) if row.origin == no)
    rows[index] = Row(dataclasses.replace(rows[index].record, **changes), no)


def record_of(rows: list[Row], no: int) -> TaskRecord:
    return next(row.record for row in rows if row.origin == no)


def fix_wording(rows: list[Row]) -> None:  # 29: a short task, reworded
    record = record_of(rows, 29)
    edit(rows, 29, content=record.content.replace("工作能力建设", "工作能力体系建设"))


def change_year(rows: list[Row]) -> None:  # 33: the year in the text and the deadline
    record = record_of(rows, 33)
    edit(rows, 33, content=record.content.replace("力争到2025年", "力争到2026年"), deadline="2026")


def add_unit(rows: list[Row]) -> None:  # 12: a third unit
    edit(rows, 12, units=(*record_of(rows, 12).units, "区财政局"))


def insert_task(rows: list[Row]) -> None:  # a new 2nd task in 一（一）: everything below is renumbered
    first = rows[0].record
    new = TaskRecord(0, first.section, first.subsection, INSERTED_CONTENT, ("区民政局", "区委组织部"), "2026")
    rows.insert(1, Row(new, None))


def delete_tasks(rows: list[Row]) -> None:  # 30 has notes, 47 a status, 58 nothing: 30 and 47 are archived
    rows[:] = [row for row in rows if row.origin not in (30, 47, 58)]


def move_task(rows: list[Row]) -> None:  # 39 from 三（一） to the end of 四（二）
    index = next(i for i, row in enumerate(rows) if row.origin == 39)
    row = rows.pop(index)
    anchor = record_of(rows, 53)
    moved = dataclasses.replace(row.record, section=anchor.section, subsection=anchor.subsection)
    at = next(i for i, r in enumerate(rows) if r.origin == 53) + 1
    rows.insert(at, Row(moved, 39))


ALL_CHANGES = (fix_wording, change_year, add_unit, insert_task, delete_tasks, move_task)


def revision(path: Path, *changes) -> tuple[Path, list[Row]]:
    rows = source_rows()
    for change in changes:
        change(rows)
    rows = renumber(rows)
    return write_revision(path, rows), rows


# ---------------------------------------------------------------------- stores with progress


def add_progress(db: Path) -> None:
    """Statuses on many tasks and notes in two monthly shards, as staff would have left them."""
    store = Store(db, clock=fixed_clock, user="tester")
    ledger = store.load()
    notes = []
    for task in ledger.tasks:
        status = (
            Status.BLOCKED if task.no % 11 == 0
            else Status.DONE if task.no % 7 == 0
            else Status.IN_PROGRESS if task.no % 3 == 0
            else None
        )
        if status is not None:
            store.set_status(task.id, status)
        if task.no % 4 == 0 or task.no in (12, 29, 33, 39, 30):
            notes.append((task.id, "2026-10-15T09:00:00+08:00", f"{task.no} 号十月进展"))
            notes.append((task.id, "2026-11-20T16:30:00+08:00", f"{task.no} 号十一月进展，已推进"))
    for no in (12, 29, 33, 39):
        store.set_status(ledger.by_no(no).id, Status.IN_PROGRESS)
    store.set_status(ledger.by_no(47).id, Status.DONE)
    store.add_notes(notes)


@pytest.fixture
def busy_db(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "db.json"
    seed_store(db, clock=fixed_clock, user="tester")
    add_progress(db)
    return db


def files_of(db: Path) -> dict[str, bytes]:
    """Every file of the store (db.json and journal shards) by name, for byte-for-byte comparisons."""
    files = {db.name: db.read_bytes()}
    journal = db.with_name(db.stem + ".journal")
    files.update({f"{journal.name}/{p.name}": p.read_bytes() for p in sorted(journal.iterdir())})
    return files


def task_rows(tasks) -> list[tuple]:
    return [
        (t.no, t.id, t.section, t.subsection, t.content, t.units, t.deadline, t.remarks, t.status, t.notes)
        for t in tasks
    ]


def expected_rows(rows: list[Row], before, new_ids: dict[int, str]) -> list[tuple]:
    """What the ledger must hold after the import: the revision's rows with their origin's id, status, notes."""
    expected = []
    for row in rows:
        r = row.record
        if row.origin is None:
            task_id, status, notes = new_ids[r.no], Status.NOT_STARTED, ()
        else:
            old = before.by_no(row.origin)
            task_id, status, notes = old.id, old.status, old.notes
        expected.append((r.no, task_id, r.section, r.subsection, r.content, r.units, r.deadline, r.remarks, status, notes))
    return expected


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------------- the builder itself


def test_rebuilt_source_reads_back_as_the_same_records(tmp_path: Path):
    path, _rows = revision(tmp_path / "same.docx")
    assert read_document(path) == SOURCE


# ---------------------------------------------------------------------- plans, one kind of change at a time


def plan_for(tmp_path: Path, *changes):
    path, rows = revision(tmp_path / "rev.docx", *changes)
    store = seed_store(tmp_path / "plan" / "db.json", clock=fixed_clock, user="tester")
    return plan_reseed(store.load(), read_document(path)), rows


def kinds(plan) -> dict[str, list[int]]:
    """{kind: [old 序号 (new 序号 for added)]} for every kind that has entries."""
    result: dict[str, list[int]] = {}
    for entry in plan.entries:
        if entry.kind != "unchanged":
            result.setdefault(entry.kind, []).append((entry.old or entry.new).no)
    return result


def test_wording_fixed_is_matched_and_marked_changed_with_a_character_diff(tmp_path: Path):
    plan, _rows = plan_for(tmp_path, fix_wording)
    assert kinds(plan) == {"changed": [29]}
    (entry,) = plan.of_kind("changed")
    assert list(entry.fields) == ["content"]
    assert content_diff(*entry.fields["content"]) == "3.加强城乡社区反邪教工作能力{+体系+}建设。"
    assert MATCH_THRESHOLD < entry.score < 100


def test_year_changed_in_text_and_deadline(tmp_path: Path):
    plan, _rows = plan_for(tmp_path, change_year)
    assert kinds(plan) == {"changed": [33]}
    (entry,) = plan.of_kind("changed")
    assert entry.fields["deadline"] == ("2025", "2026")
    assert "[-5-]{+6+}" in content_diff(*entry.fields["content"])


def test_unit_added(tmp_path: Path):
    plan, _rows = plan_for(tmp_path, add_unit)
    assert kinds(plan) == {"changed": [12]}
    (entry,) = plan.of_kind("changed")
    assert entry.fields == {"units": (("区民政局", "区发改局"), ("区民政局", "区发改局", "区财政局"))}
    assert entry.score == 100


def test_insertion_renumbers_everything_below_without_changing_them(tmp_path: Path):
    plan, _rows = plan_for(tmp_path, insert_task)
    assert kinds(plan) == {"added": [2]}
    renumbered = [entry.old.no for entry in plan.entries if entry.renumbered]
    assert renumbered == list(range(2, 73))
    assert plan.summary()["renumbered"] == 71 and "未变 72 项（其中 71 项仅序号变化）" in plan.render()
    assert all(entry.new.no == entry.old.no + 1 for entry in plan.entries if entry.renumbered)
    assert plan.has_changes


def test_deletion_archives_only_tasks_with_progress(tmp_path: Path, busy_db: Path):
    path, _rows = revision(tmp_path / "rev.docx", delete_tasks)
    plan = plan_reseed(Store(busy_db).load(), read_document(path))
    assert kinds(plan) == {"removed": [30, 47, 58]}
    assert [entry.old.no for entry in plan.archived] == [30, 47]


def test_move_to_another_subsection(tmp_path: Path):
    plan, _rows = plan_for(tmp_path, move_task)
    assert kinds(plan) == {"moved": [39]}
    (entry,) = plan.of_kind("moved")
    assert set(entry.fields) == {"section", "subsection"}
    assert (entry.new.section, entry.new.subsection) == (SOURCE.tasks[52].section, SOURCE.tasks[52].subsection)
    assert entry.old.subsection == SOURCE.tasks[38].subsection


def test_one_old_task_is_never_matched_to_two_new_rows(tmp_path: Path):
    rows = source_rows()
    duplicate = rows[4]  # task 5, copied right below itself
    rows.insert(5, Row(duplicate.record, None))
    path = write_revision(tmp_path / "dup.docx", renumber(rows))
    store = seed_store(tmp_path / "s" / "db.json")
    plan = plan_reseed(store.load(), read_document(path))
    matched_ids = [entry.old.id for entry in plan.entries if entry.old is not None and entry.new is not None]
    assert len(matched_ids) == len(set(matched_ids)) == 72
    assert [entry.new.no for entry in plan.of_kind("added")] == [6]


def test_a_rewritten_task_is_not_matched_to_a_different_one(tmp_path: Path):
    rows = source_rows()
    edit(rows, 29, content="3.全面建设城乡社区平安家园，开展常态化安全宣传。")
    path = write_revision(tmp_path / "rewritten.docx", renumber(rows))
    plan = plan_reseed(seed_store(tmp_path / "s" / "db.json").load(), read_document(path))
    assert kinds(plan) == {"added": [29], "removed": [29]}


# ---------------------------------------------------------------------- applying through the CLI


def test_combined_revision_keeps_every_task_progress(tmp_path: Path, busy_db: Path, capsys):
    before = Store(busy_db).load()
    before_files = files_of(busy_db)
    path, rows = revision(tmp_path / "task-list-rev.docx", *ALL_CHANGES)

    code, out, err = run_cli(capsys, "--db", str(busy_db), "import", str(path), "--yes")
    assert (code, err) == (0, "")
    assert "修改 3 项，移动 1 项，新增 1 项，移除 3 项（归档 2 项）" in out

    store = Store(busy_db)
    after = store.load()
    old_ids = {task.id for task in before.tasks}
    (inserted,) = [task for task in after.tasks if task.id not in old_ids]
    assert inserted.no == 2
    assert task_rows(after.tasks) == expected_rows(rows, before, {2: inserted.id})
    assert len(after.tasks) == 70
    assert after.source_name == "task-list-rev.docx"
    assert after.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    # Removed tasks with progress are archived with everything they had; the one without is gone.
    assert task_rows(after.archived) == task_rows([before.by_no(30), before.by_no(47)])
    assert before.by_no(30).notes and before.by_no(47).status is Status.DONE

    # The backup holds the store exactly as it was.
    (backup,) = (busy_db.parent / "backups").iterdir()
    assert files_of(backup / "db.json") == before_files

    # History: what the revision changed, old -> new, and the archived tasks.
    imports = {event.task: event.fields for event in store.history() if event.kind == "import"}
    by_no = {no: before.by_no(no).id for no in (12, 29, 33, 39)}
    assert imports[by_no[12]] == {
        "no": [12, 13],
        "units": [["区民政局", "区发改局"], ["区民政局", "区发改局", "区财政局"]],
    }
    assert imports[by_no[33]]["deadline"] == ["2025", "2026"]
    assert imports[by_no[33]]["content"][1] == after.by_id(by_no[33]).content
    assert set(imports[by_no[29]]) == {"no", "content"}
    assert set(imports[by_no[39]]) == {"no", "section", "subsection"}
    assert set(imports) == set(by_no.values())
    archived_events = [event.task for event in store.history() if event.kind == "archive"]
    assert archived_events == [before.by_no(30).id, before.by_no(47).id]
    assert store.check() == []

    # Progress written after the reseed goes to the right task.
    code, out, _err = run_cli(capsys, "--db", str(busy_db), "note", "13", "导入后的进展")
    assert code == 0
    assert Store(busy_db).load().by_id(by_no[12]).notes[-1].text == "导入后的进展"


def test_list_archived_shows_removed_tasks_with_their_notes(tmp_path: Path, busy_db: Path, capsys):
    before = Store(busy_db).load()
    path, _rows = revision(tmp_path / "rev.docx", delete_tasks)
    assert run_cli(capsys, "--db", str(busy_db), "list", "--archived")[1].startswith("没有已归档的任务")
    assert run_cli(capsys, "--db", str(busy_db), "import", str(path), "--yes")[0] == 0

    code, out, _err = run_cli(capsys, "--db", str(busy_db), "list", "--archived", "--json")
    assert code == 0
    archived = json.loads(out)
    assert [(t["no"], t["id"], t["status"], t["content"]) for t in archived] == [
        (t.no, t.id, t.status.value, t.content) for t in (before.by_no(30), before.by_no(47))
    ]
    assert archived[0]["notes"] == [note.to_json() for note in before.by_no(30).notes]
    assert all(t["archived_by_import"] == "rev.docx" and t["archived_at"] for t in archived)

    code, out, _err = run_cli(capsys, "--db", str(busy_db), "list", "--archived")
    assert code == 0
    assert "原 30 号  推进中" in out and "30 号十一月进展，已推进" in out and "原 47 号  已完成" in out
    assert out.rstrip().endswith("共 2 项已归档任务。")


def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path: Path, busy_db: Path, capsys):
    before = files_of(busy_db)
    path, _rows = revision(tmp_path / "rev.docx", *ALL_CHANGES)
    code, out, _err = run_cli(capsys, "--db", str(busy_db), "import", str(path), "--dry-run")
    assert code == 0
    assert "主要内容：" in out and "{+体系+}" in out and "责任单位：区民政局、区发改局 → 区民政局、区发改局、区财政局" in out
    assert "试运行：未写入任何改动。" in out
    assert files_of(busy_db) == before
    assert not (busy_db.parent / "backups").exists()


def test_the_same_document_twice_changes_nothing(tmp_path: Path, busy_db: Path, capsys):
    before = files_of(busy_db)
    assert run_cli(capsys, "--db", str(busy_db), "import", str(SOURCE_DOCX), "--yes")[0] == 0
    assert files_of(busy_db) == before

    path, _rows = revision(tmp_path / "rev.docx", *ALL_CHANGES)
    assert run_cli(capsys, "--db", str(busy_db), "import", str(path), "--yes")[0] == 0
    applied = files_of(busy_db)
    code, out, _err = run_cli(capsys, "--db", str(busy_db), "import", str(path), "--yes")
    assert code == 0 and "修订版与台账一致，无需更新。" in out
    assert files_of(busy_db) == applied
    assert len(list((busy_db.parent / "backups").iterdir())) == 1


def test_without_a_terminal_and_without_yes_it_refuses(tmp_path: Path, busy_db: Path, capsys, monkeypatch):
    before = files_of(busy_db)
    path, _rows = revision(tmp_path / "rev.docx", *ALL_CHANGES)
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # an answer is there, but no terminal to ask on
    code, _out, err = run_cli(capsys, "--db", str(busy_db), "import", str(path))
    assert code == 2
    assert err.count("\n") == 1 and "--yes" in err
    assert files_of(busy_db) == before


def _run_on_a_terminal(args: list[str], answer: bytes) -> tuple[int, str]:
    """Run `taizhang` with a real pseudo-terminal as stdin, answer the prompt, return (exit code, stderr)."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONUTF8": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", *args],
        stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJECT, env=env,
    )
    os.close(slave)
    deadline = time.monotonic() + 30
    prompt = b""
    while b"[y/N]" not in prompt and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 0.5)
        if ready:
            prompt += os.read(process.stderr.fileno(), 4096)
    assert b"\xe6\x98\xaf\xe5\x90\xa6\xe5\xba\x94\xe7\x94\xa8" in prompt  # 是否应用
    os.write(master, answer)
    _out, rest = process.communicate(timeout=30)
    os.close(master)
    return process.returncode, (prompt + rest).decode()


def test_on_a_terminal_it_asks_and_applies_only_on_yes(tmp_path: Path, busy_db: Path):
    before = files_of(busy_db)
    path, _rows = revision(tmp_path / "rev.docx", *ALL_CHANGES)
    code, err = _run_on_a_terminal(["--db", str(busy_db), "import", str(path)], b"n\n")
    assert code == 1 and "已取消" in err
    assert files_of(busy_db) == before

    code, _err = _run_on_a_terminal(["--db", str(busy_db), "import", str(path)], b"y\n")
    assert code == 0
    assert Store(busy_db).load().source_name == "rev.docx"


def test_json_plan(tmp_path: Path, busy_db: Path, capsys):
    before = files_of(busy_db)
    path, _rows = revision(tmp_path / "rev.docx", *ALL_CHANGES)
    code, out, _err = run_cli(capsys, "--db", str(busy_db), "import", str(path), "--dry-run", "--json")
    assert code == 0
    plan = json.loads(out)
    assert plan["summary"] == {
        "unchanged": 65, "changed": 3, "moved": 1, "added": 1, "restored": 0, "removed": 3, "renumbered": 62,
        "archived": 2,
    }  # `restored` since issue 17: rows that bring back a task an earlier revision archived
    assert (plan["applied"], plan["has_changes"], plan["source"]) == (False, True, "rev.docx")
    assert [(e["old_no"], e["new_no"]) for e in plan["changed"]] == [(12, 13), (29, 30), (33, 33)]
    wording = plan["changed"][1]
    assert wording["fields"]["content"][0].endswith("工作能力建设。")
    assert wording["content_diff"] == "3.加强城乡社区反邪教工作能力{+体系+}建设。"
    assert [(e["old_no"], e["archive"]) for e in plan["removed"]] == [(30, True), (47, True), (58, False)]
    assert plan["added"][0]["content"] == INSERTED_CONTENT and plan["added"][0]["new_no"] == 2
    assert files_of(busy_db) == before

    code, out, _err = run_cli(capsys, "--db", str(busy_db), "import", str(path), "--yes", "--json")
    applied = json.loads(out)
    assert code == 0 and applied["applied"] is True and Path(applied["backup"]).is_dir()
    assert applied["archived"] == [Store(busy_db).load().archived[0].id, Store(busy_db).load().archived[1].id]


# ---------------------------------------------------------------------- the store's safety


def test_a_plan_made_before_another_import_is_refused(tmp_path: Path, busy_db: Path):
    store = Store(busy_db)
    fingerprint = store.fingerprint()
    path, _rows = revision(tmp_path / "rev.docx", *ALL_CHANGES)
    document = read_document(path)
    plan = plan_reseed(store.load(), document)
    other, _rows = revision(tmp_path / "other.docx", add_unit)
    other_plan = plan_reseed(store.load(), read_document(other))
    store.reseed(other_plan, source_name="other.docx", source_sha256="x", expected_fingerprint=fingerprint)
    applied = files_of(busy_db)
    with pytest.raises(StoreError, match="重新运行导入"):
        store.reseed(plan, source_name="rev.docx", source_sha256="y", expected_fingerprint=fingerprint)
    assert files_of(busy_db) == applied


def test_a_failure_while_recording_history_leaves_the_store_as_it_was(tmp_path: Path, busy_db: Path, monkeypatch):
    store = Store(busy_db)
    before = files_of(busy_db)
    path, _rows = revision(tmp_path / "rev.docx", *ALL_CHANGES)
    plan = plan_reseed(store.load(), read_document(path))

    def disk_full(_docs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_append_many", disk_full)
    with pytest.raises(StoreError, match="磁盘已满"):  # issue 12: one line for the user, not an OSError
        store.reseed(plan, source_name="rev.docx", source_sha256="y", expected_fingerprint=store.fingerprint())
    assert files_of(busy_db) == before
    assert Store(busy_db).check() == []
    assert not Store(busy_db).history() or all(e.kind != "import" for e in Store(busy_db).history())


def test_a_note_written_after_the_plan_still_archives_its_task(tmp_path: Path, busy_db: Path):
    store = Store(busy_db, clock=fixed_clock, user="tester")
    fingerprint = store.fingerprint()
    path, _rows = revision(tmp_path / "rev.docx", delete_tasks)
    plan = plan_reseed(store.load(), read_document(path))
    task_58 = store.load().by_no(58)
    assert not [entry for entry in plan.archived if entry.old.id == task_58.id]
    store.add_note(task_58.id, "刚写的进展")
    result = store.reseed(plan, source_name="rev.docx", source_sha256="z", expected_fingerprint=fingerprint)
    assert task_58.id in result.archived_ids
    archived = {task.id: task for task in result.ledger.archived}
    assert archived[task_58.id].notes == (Note("2026-11-28T10:00:00+08:00", "tester", "刚写的进展", archived[task_58.id].notes[0].event),)


def test_import_into_an_empty_store_still_seeds(tmp_path: Path, capsys):
    db = tmp_path / "fresh" / "db.json"
    code, out, _err = run_cli(capsys, "--db", str(db), "import", str(SOURCE_DOCX), "--yes")
    assert code == 0 and "已从 task-list.docx 导入 72 项任务" in out
    assert not (db.parent / "backups").exists()


def test_read_only_session_is_refused_before_being_asked(tmp_path: Path, busy_db: Path, capsys):
    before = files_of(busy_db)
    path, _rows = revision(tmp_path / "rev.docx", add_unit)
    code, out, err = run_cli(capsys, "--db", str(busy_db), "--read-only", "import", str(path), "--yes")
    assert code == 2 and "只读" in err and "修改 1 项" in out  # issue 14: refusals exit with status 2
    assert files_of(busy_db) == before


def test_list_archived_without_a_store_says_what_to_do(tmp_path: Path, capsys):
    code, out, err = run_cli(capsys, "--db", str(tmp_path / "none" / "db.json"), "list", "--archived")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "taizhang import" in err
