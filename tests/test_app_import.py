"""Pilot tests for `i` (issue 4): a revised .docx built here with python-docx from the real task list is
imported through the dialog; every task's status and notes are checked in the store afterwards, and a
cancelled import leaves the store byte for byte as it was."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import docx
import pytest
from docx.table import _Cell

from tests.conftest import SOURCE_DOCX, fixed_clock
from tui.app import TaizhangApp, make_app
from tui.core.model import Status, Task
from tui.core.store import Store
from tui.screens.main import MainScreen
from widgets.import_dialog import ImportDialog

SIZE = (120, 36)
CONTENT_EDITED_NO = 10
INSERTED = "3．建立村（社区）党组织书记季度述职评议制度，将城乡社区服务成效纳入述职评议内容。"


def year_task_no(tasks: tuple[Task, ...]) -> int:
    """The first task (other than the one whose content is edited) with a year 2025 deadline."""
    return next(task.no for task in tasks if "2025" in task.deadline and task.no != CONTENT_EDITED_NO)


def store_files(db_path: Path) -> dict[str, str]:
    """sha256 of every file of the store (db.json, the journal, backups), the lock and users files aside."""
    folder = db_path.parent
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in ("db.json.lock", "users.toml")
    }


def write_revision(path: Path, ledger_tasks: tuple[Task, ...]) -> dict[str, int]:
    """The real task list with a deadline year changed, a content typo fixed and a task inserted after 2.

    Returns the 序号 (in the source) of the edited tasks.
    """
    document = docx.Document(str(SOURCE_DOCX))
    table = document.tables[0]
    trs = table._tbl.tr_lst

    def cell(tr, column: int) -> _Cell:
        return _Cell(tr.tc_lst[column], table)

    year_no = year_task_no(ledger_tasks)
    deadline = cell(trs[year_no], 5)
    deadline.paragraphs[0].text = deadline.text.replace("2025", "2026")

    content_no = CONTENT_EDITED_NO
    content = cell(trs[content_no], 3)
    first = content.paragraphs[0]
    first.text = first.text.replace("，", "；", 1)

    # A new task after 2, in the same section and subsection (its merged cells continue from above),
    # renumbering every later row as a real revision would.
    new_row = copy.deepcopy(trs[2])
    trs[2].addnext(new_row)
    cell(new_row, 0).paragraphs[0].text = "3"
    cell(new_row, 3).paragraphs[0].text = INSERTED
    cell(new_row, 4).paragraphs[0].text = "区民政局"
    cell(new_row, 5).paragraphs[0].text = "2026年"
    for number, tr in enumerate(table._tbl.tr_lst[4:], start=4):
        cell(tr, 0).paragraphs[0].text = str(number)
    old_three = cell(table._tbl.tr_lst[4], 3).paragraphs[0]
    old_three.text = "4" + old_three.text[1:]  # its item number in the subsection moves on too
    document.save(str(path))
    return {"year": year_no, "content": content_no}


def give_progress(db_path: Path) -> dict[str, tuple[Status, list[str]]]:
    """Statuses and notes on tasks the revision renumbers, edits or leaves alone, by task id."""
    store = Store(db_path, clock=fixed_clock, user="tester")
    by_no = {task.no: task for task in store.load().tasks}
    plan = {1: Status.DONE, 3: Status.IN_PROGRESS, 10: Status.BLOCKED, 72: Status.IN_PROGRESS}
    year_no = year_task_no(tuple(by_no.values()))
    plan[year_no] = Status.IN_PROGRESS
    expected = {}
    for no, status in plan.items():
        task = by_no[no]
        store.set_status(task.id, status)
        notes = [f"{no} 号任务的进展"]
        store.add_note(task.id, notes[0])
        expected[task.id] = (status, notes)
    return expected


async def open_plan(app: TaizhangApp, pilot, path: Path) -> ImportDialog:
    await pilot.press("i")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ImportDialog)
    dialog.query_one("#import-path").value = str(path)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return dialog


@pytest.fixture
def revision(tmp_path: Path, db_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "修订版.docx"
    edited = write_revision(path, Store(db_path).load().tasks)
    return path, edited


async def test_i_shows_the_plan_then_applies_it_keeping_progress(
    ledger_app: TaizhangApp, db_path: Path, revision: tuple[Path, dict[str, int]]
) -> None:
    path, edited = revision
    expected = give_progress(db_path)
    before = Store(db_path).load()
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        dialog = await open_plan(ledger_app, pilot, path)
        assert dialog.stage == "plan"
        shown = dialog.query_one("#import-plan-text").render()
        text = str(shown)
        assert "修订版 73 项" in text
        assert "新增 1 项" in text and "修改 2 项" in text and "移除 0 项" in text
        assert "建立村（社区）党组织书记季度述职评议制度" in text
        assert "完成时限：2025" in text and "-> 2026" in text  # arrows made terminal-safe
        assert "[-，-]{+；+}" in text  # the character-level diff of the content
        assert "→" not in text and "…" not in text
        assert Store(db_path).load() == before  # nothing written before confirming

        await pilot.press("y")
        await ledger_app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(ledger_app.screen, MainScreen)
        notice = [n.message for n in ledger_app._notifications][-1]
        assert notice.startswith("已导入 修订版.docx：修改 2 项，移动 0 项，新增 1 项") and "备份" in notice
        assert ledger_app.screen.ledger.by_no(3).content == INSERTED  # the tree was reloaded
        assert len(ledger_app.screen.ledger.tasks) == 73

    after = Store(db_path).load()
    assert len(after.tasks) == 73
    for task_id, (status, notes) in expected.items():
        task = after.by_id(task_id)
        assert task is not None, task_id
        assert task.status is status
        assert [note.text for note in task.notes] == notes
    old = {task.id: task for task in before.tasks}
    assert after.by_id(before.by_no(1).id).no == 1
    moved_three = next(task for task in after.tasks if task.id == before.by_no(3).id)
    assert moved_three.no == 4 and moved_three.status is Status.IN_PROGRESS
    year_task = after.by_id(before.by_no(edited["year"]).id)
    assert "2026" in year_task.deadline and "2025" not in year_task.deadline
    inserted = after.by_no(3)
    assert inserted.id not in old and inserted.status is Status.NOT_STARTED and not inserted.notes
    assert list((db_path.parent / "backups").iterdir())
    kinds = [event.kind for event in Store(db_path).history()]
    assert kinds.count("import") >= 2


async def test_escape_leaves_the_store_byte_for_byte(
    ledger_app: TaizhangApp, db_path: Path, revision: tuple[Path, dict[str, int]]
) -> None:
    path, _edited = revision
    give_progress(db_path)
    files = store_files(db_path)
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        dialog = await open_plan(ledger_app, pilot, path)
        assert dialog.stage == "plan"
        await pilot.press("j", "j", "pagedown")  # reading the plan writes nothing either
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(ledger_app.screen, MainScreen)
        assert not ledger_app._notifications
    assert store_files(db_path) == files
    assert not (db_path.parent / "backups").exists()


async def test_path_completion_and_bad_files_in_one_line(ledger_app: TaizhangApp, db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "revised-plan.docx").write_bytes(SOURCE_DOCX.read_bytes())
    (tmp_path / "notes.md").write_text("not offered", encoding="utf-8")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    files = store_files(db_path)
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        dialog = ledger_app.screen
        path_input = dialog.query_one("#import-path")
        path_input.value = f"{tmp_path}/"
        path_input.cursor_position = len(path_input.value)
        await pilot.press("r", "e")
        await ledger_app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("tab")
        assert path_input.value == f"{tmp_path}/revised-plan.docx"
        path_input.value = f"{tmp_path}/no"
        path_input.cursor_position = len(path_input.value)
        await ledger_app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("tab")
        assert path_input.value == f"{tmp_path}/no"  # .md files are not offered

        for name, expected in (("missing.docx", "找不到文件"), ("broken.docx", "broken.docx")):
            path_input.value = str(tmp_path / name)
            await pilot.press("enter")
            await ledger_app.workers.wait_for_complete()
            await pilot.pause()
            message = str(dialog.query_one("#import-error").render())
            assert expected in message and "\n" not in message and "Traceback" not in message
            assert dialog.stage == "path" and not path_input.disabled

        path_input.value = str(tmp_path / "revised-plan.docx")  # the same document: nothing to do
        await pilot.press("enter")
        await ledger_app.workers.wait_for_complete()
        await pilot.pause()
        assert "无需更新" in str(dialog.query_one("#import-plan-text").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(ledger_app.screen, MainScreen)
    assert store_files(db_path) == files


USERS = """\
[users.tester]
role = "editor"

[users.boss]
role = "supervisor"
"""


async def test_i_is_hidden_for_editors_and_refused_when_rights_change(
    db_path: Path, revision: tuple[Path, dict[str, int]]
) -> None:
    users = db_path.parent / "users.toml"
    users.write_text(USERS, encoding="utf-8")
    editor_app = make_app(db_path, clock=fixed_clock, user="tester")
    async with editor_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        help_row = next(row for row in editor_app.screen.help_rows() if row.description == "导入")
        assert help_row.reason  # listed in help, greyed with why (issue 16), no longer left out
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(editor_app.screen, MainScreen)

    read_only_app = make_app(db_path, clock=fixed_clock, user="boss", read_only=True)
    async with read_only_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(read_only_app.screen, MainScreen)

    path, _edited = revision
    files = store_files(db_path)
    boss_app = make_app(db_path, clock=fixed_clock, user="boss")
    async with boss_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = await open_plan(boss_app, pilot, path)
        assert dialog.stage == "plan"
        users.write_text(USERS.replace('"supervisor"', '"editor"'), encoding="utf-8")  # rights taken away meanwhile
        await pilot.press("enter")
        await boss_app.workers.wait_for_complete()
        await pilot.pause()
        assert boss_app.screen is dialog and dialog.stage == "plan"
        message = str(dialog.query_one("#import-error").render())
        assert "无权导入任务清单" in message and "\n" not in message
    assert store_files(db_path) == files


async def test_escape_while_the_file_is_being_read_cancels_cleanly(
    ledger_app: TaizhangApp, db_path: Path, revision: tuple[Path, dict[str, int]]
) -> None:
    """The reading thread finishes after the dialog has closed: nothing is written, the app carries on."""
    path, _edited = revision
    files = store_files(db_path)
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        ledger_app.screen.query_one("#import-path").value = str(path)
        await pilot.press("enter", "escape")
        await ledger_app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(ledger_app.screen, MainScreen)
        assert ledger_app.is_running
    assert store_files(db_path) == files
