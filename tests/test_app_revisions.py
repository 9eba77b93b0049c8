"""Pilot tests for issue 17 in the app: history rows of a revision show the words it changed, another task list
needs a second `y` in the import dialog, a returning task's number, and the deadline as read."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rich.text import Text

from benchmarks.synthetic import write_synthetic_docx
from importers import read_document
from tests.conftest import fixed_clock
from tests.pilot_helpers import settle
from tests.test_app_import import open_plan, store_files
from tests.test_reseed import add_progress, edit, run_cli, source_rows
from tests.test_reseed import write_revision as write_rows
from tui.app import make_app
from tui.core.importing import plan_for_store
from tui.core.model import Status
from tui.core.store import Store
from tui.screens.main import MainScreen

SIZE = (120, 36)
COVERAGE = "，2026年底前实现全覆盖"


async def jump(pilot, number: int) -> None:
    await pilot.press("colon", *str(number), "enter")
    await pilot.pause()


async def test_history_rows_of_a_revision_show_the_inserted_words(db_path: Path, tmp_path: Path, capsys) -> None:
    """Before issue 17 the row read `主要内容 3．推动城乡社区党群服务.. -> 3．推动城乡社区党群服务..`."""
    rows = source_rows()
    old = Store(db_path).load().by_no(3).content
    edit(rows, 3, content=old.replace("推动小区党群活动场所建设。", f"推动小区党群活动场所建设{COVERAGE}。"), deadline="2026年底前")
    assert run_cli(capsys, "--db", str(db_path), "import", str(write_rows(tmp_path / "r.docx", rows)), "--yes")[0] == 0
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await jump(pilot, 3)
        await settle(app, pilot)
        detail = app.screen.detail
        assert "完成时限：2026年底前（至 2026-12-31）" in detail.text
        (row,) = [line for line in detail.text.splitlines() if "导入修订版" in line]
        assert row.endswith(f"导入修订版：主要内容 ...党群活动场所建设{{+{COVERAGE}+}}。；完成时限 持续实施 -> 2026年底前")
        # The inserted words are drawn in green, as in the import preview (issue 14: the history follows the unit
        # table, among the pane's blocks).
        drawn = next(part for part in detail.blocks if isinstance(part, Text) and "导入修订版" in part.plain)
        inserted = drawn.plain.index(f"{{+{COVERAGE}+}}")
        assert any(span.start <= inserted < span.end and "green" in str(span.style) for span in drawn.spans)


async def test_another_task_list_needs_a_second_y(db_path: Path, tmp_path: Path) -> None:
    add_progress(db_path)
    before = Store(db_path).load()
    with_progress = {task.id for task in before.tasks if task.status is not Status.NOT_STARTED or task.notes}
    other = write_synthetic_docx(tmp_path / "十五五任务清单.docx", 60)
    files = store_files(db_path)
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        dialog = await open_plan(app, pilot, other)
        assert dialog.stage == "plan"
        plan = str(dialog.query_one("#import-plan-text").render())
        assert "它看起来是另一份任务清单，而不是本台账的修订版" in plan
        assert "还需再确认一次" in str(dialog.query_one("#import-hint").render())

        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is dialog and dialog.stage == "confirm_replace"
        warning = str(dialog.query_one("#import-error").render())
        assert "台账 72 项中只找到 0 项" in warning and "再按 y" in warning
        await pilot.press("enter")  # Enter is not the second confirmation
        await settle(app, pilot)
        assert app.screen is dialog and dialog.stage == "confirm_replace"
        assert store_files(db_path) == files

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert store_files(db_path) == files

        dialog = await open_plan(app, pilot, other)
        await pilot.press("y")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(app.screen.ledger.tasks) == 60
    after = Store(db_path).load()
    assert after.source_name == other.name and len(after.tasks) == 60
    assert {task.id for task in after.archived} == with_progress  # everything with progress is archived


async def test_jumping_to_a_number_a_revision_took_away_says_where_it_went(db_path: Path, tmp_path: Path) -> None:
    store = Store(db_path, clock=fixed_clock, user="tester")
    t21 = store.load().by_no(21)
    store.set_status(t21.id, Status.BLOCKED)
    path = write_rows(tmp_path / "rev.docx", [row for row in source_rows() if row.origin != 21])
    plan = plan_for_store(store, read_document(path))
    store.reseed(plan, source_name=path.name, source_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                 expected_fingerprint=store.fingerprint())
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", "2", "1", "enter")
        await pilot.pause()
        error = str(app.screen.query_one("#jump-error").render())
        assert error == "21 号任务已在 2026-11-28 的修订中删除，进展已归档：taizhang list --archived"
        assert not isinstance(app.screen, MainScreen)


async def test_the_import_dialog_reports_unreadable_deadlines(db_path: Path, tmp_path: Path) -> None:
    rows = source_rows()
    edit(rows, 9, deadline="春节前")
    edit(rows, 10, deadline="2026年第三季度")
    path = write_rows(tmp_path / "rev.docx", rows)
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        dialog = await open_plan(app, pilot, path)
        plan = str(dialog.query_one("#import-plan-text").render())
        assert "完成时限无法识别（不计逾期）：" in plan
        assert "9 号任务的完成时限「春节前」无法识别为日期，不计逾期。" in plan  # quotes made terminal-safe
        assert "10 号任务" not in plan.split("完成时限无法识别")[1]
