"""Pilot tests for reporting upward from the app (issue 6): `e` exports with the screen's filters, `d` opens
the overview whose rows jump back to the filtered tree. Files are opened again with python-docx and csv."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import docx
import pytest

from tests.conftest import fixed_clock
from tests.pilot_helpers import notices, settle, shown_numbers
from tui.app import TaizhangApp, make_app
from tui.core.model import Status, Task, UnitRole
from tui.core.overview import unit_overview_rows
from tui.core.report import NOT_UPDATED
from tui.core.store import Store
from tui.screens.main import MainScreen
from tui.screens.overview import OverviewScreen
from widgets.ascii_progress import AsciiProgress, ascii_bar
from widgets.export_dialog import ExportDialog
from widgets.ledger_tree import LedgerTree
from widgets.picker_dialog import PickerDialog

SIZE = (120, 36)
UNIT = "区卫健局"


async def filter_by_unit(app: TaizhangApp, pilot, unit: str) -> None:
    await pilot.press("f")
    await pilot.pause()
    picker = app.screen
    assert isinstance(picker, PickerDialog)
    for _ in range([choice_id for choice_id, _label in picker.choices].index(unit)):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


def give_progress(db_path: Path) -> dict[str, Task]:
    """A note this period on one of the unit's tasks and on another unit's task; a few statuses."""
    store = Store(db_path, clock=fixed_clock, user="tester")
    tasks = store.load().tasks
    mine = next(task for task in tasks if task.has_unit(UNIT))
    other = next(task for task in tasks if not task.has_unit(UNIT))
    store.add_note(mine.id, "已完成全区家庭医生签约摸底")
    store.add_note(other.id, "其他单位的进展，不应出现在卫健局的报告里")
    store.set_status(mine.id, Status.IN_PROGRESS)
    store.set_status(other.id, Status.DONE)
    store.set_status(tasks[-1].id, Status.BLOCKED)
    return {"mine": mine, "other": other}


def docx_rows(path: Path) -> list[list[str]]:
    """The report table's task rows (those whose 序号 cell is a number), as cell texts."""
    table = docx.Document(str(path)).tables[0]
    rows = []
    for row in table.rows:
        cells = [cell.text for cell in row.cells]
        if cells[0].strip().isdigit():
            rows.append(cells)
    return rows


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


# ---------------------------------------------------------------------- e: export


async def test_e_exports_docx_with_the_unit_filter(ledger_app: TaizhangApp, db_path: Path, home: Path) -> None:
    marked = give_progress(db_path)
    store = Store(db_path, clock=fixed_clock)
    expected = sorted(task.no for task in store.load().tasks if task.has_unit(UNIT))
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await filter_by_unit(ledger_app, pilot, UNIT)
        assert sorted(shown_numbers(ledger_app)) == expected
        await pilot.press("e")
        await pilot.pause()
        dialog = ledger_app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#export-path").value == f"~/台账-{UNIT}-2026-11.docx"
        assert dialog.query_one("#export-period").value == "2026-11"
        assert f"责任单位：{UNIT}" in str(dialog.query_one("#export-filters").render())
        progress = dialog.query_one(AsciiProgress)
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        assert isinstance(ledger_app.screen, MainScreen)

    output = home / f"台账-{UNIT}-2026-11.docx"
    assert output.is_file()
    assert (progress.done, progress.total) == (len(expected), len(expected))
    assert any(str(output) in notice and f"已导出 {len(expected)} 项任务" in notice for notice in notices(ledger_app))
    rows = docx_rows(output)
    assert sorted(int(row[0]) for row in rows) == expected
    by_no = {int(row[0]): row for row in rows}
    mine = by_no[marked["mine"].no]
    assert "推进中" in mine
    assert any("已完成全区家庭医生签约摸底" in cell for cell in mine)
    text = "\n".join(paragraph.text for paragraph in docx.Document(str(output)).paragraphs)
    assert UNIT in text and "2026年11月" in text
    everything = "\n".join("\n".join(row) for row in rows)
    assert "其他单位的进展" not in everything
    assert sum(NOT_UPDATED in "\n".join(row) for row in rows) == len(expected) - 1


async def test_e_exports_csv_with_status_and_overdue_filters(
    ledger_app: TaizhangApp, db_path: Path, tmp_path: Path
) -> None:
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("o")  # overdue only
        await pilot.pause()
        overdue = sorted(shown_numbers(ledger_app))
        await pilot.press("e")
        await pilot.pause()
        dialog = ledger_app.screen
        assert isinstance(dialog, ExportDialog)
        output = tmp_path / "逾期.csv"
        dialog.query_one("#export-path").value = str(output)
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        assert isinstance(ledger_app.screen, MainScreen)
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(int(row["序号"]) for row in rows) == overdue
    assert len(overdue) == 15


async def test_e_refuses_a_bad_name_then_asks_before_overwriting(ledger_app: TaizhangApp, tmp_path: Path) -> None:
    existing = tmp_path / "report.json"
    existing.write_text("keep me", encoding="utf-8")
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = ledger_app.screen
        path_input = dialog.query_one("#export-path")
        error = dialog.query_one("#export-error")
        path_input.value = str(tmp_path / "report.pdf")
        await pilot.press("enter")
        await pilot.pause()
        assert "不能导出为“.pdf”格式" in str(error.render())
        assert ledger_app.screen is dialog

        dialog.query_one("#export-period").value = "2026-13"
        path_input.value = str(tmp_path / "report.docx")
        await pilot.press("enter")
        await pilot.pause()
        assert "报告期“2026-13”格式不对" in str(error.render())
        assert not (tmp_path / "report.docx").exists()

        dialog.query_one("#export-period").value = "2026-10"
        path_input.value = str(existing)
        await pilot.press("enter")
        await pilot.pause()
        assert "已存在" in str(error.render())
        assert existing.read_text(encoding="utf-8") == "keep me"
        await pilot.press("enter")  # the second Enter overwrites
        await settle(ledger_app, pilot)
        assert isinstance(ledger_app.screen, MainScreen)
    assert '"2026-10"' in existing.read_text(encoding="utf-8")


async def test_e_reports_an_unwritable_folder_in_one_line(ledger_app: TaizhangApp, tmp_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = ledger_app.screen
        dialog.query_one("#export-path").value = str(tmp_path / "no-such-folder" / "台账.docx")
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        assert ledger_app.screen is dialog  # stays open to fix the path
        message = str(dialog.query_one("#export-error").render())
        assert "不存在" in message and "\n" not in message
        assert any("不存在" in notice for notice in notices(ledger_app))
        assert not dialog.query_one("#export-path").disabled
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(ledger_app.screen, MainScreen)
    assert not (tmp_path / "no-such-folder").exists()


# ---------------------------------------------------------------------- d: overview


def test_ascii_bar_has_only_ascii_and_never_rounds_to_empty_or_full() -> None:
    assert ascii_bar(0, 10) == ".........."
    assert ascii_bar(10, 10) == "##########"
    assert ascii_bar(1, 72) == "#........."
    assert ascii_bar(71, 72) == "#########."
    assert ascii_bar(36, 72, width=4) == "##.."
    assert ascii_bar(0, 0) == ".........."


def table_cells(screen: OverviewScreen) -> dict[str, list[str]]:
    table = screen.table
    result = {}
    for row_key in table.rows:
        cells = [str(cell) for cell in table.get_row(row_key)]
        result[cells[0]] = cells
    return result


async def test_d_overview_counts_each_section_and_unit(ledger_app: TaizhangApp, db_path: Path) -> None:
    mine = give_progress(db_path)["mine"]
    # Issue 14: a unit's figures are its own rows'. UNIT cooperates on `mine`: its own row gets the status and note.
    assert mine.role_of(UNIT) is UnitRole.COOPERATING
    store = Store(db_path, clock=fixed_clock, user="tester")
    store.set_status(mine.id, Status.IN_PROGRESS, unit=UNIT)
    store.add_note(mine.id, "区卫健局：已完成签约摸底", unit=UNIT)
    ledger = store.load()
    today = fixed_clock().date()
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        screen = ledger_app.screen
        assert isinstance(screen, OverviewScreen)
        cells = table_cells(screen)
        sections = list(dict.fromkeys(task.section for task in ledger.tasks))
        units = [name for name, _count in ledger.units()]
        # Issue 14: the units (their own rows) the most behind first, as tui.core.overview sorts them, under a heading
        # that names their last figure 本期未报送.
        behind_first = [row.label for row in unit_overview_rows(ledger, today, store.history())]
        assert sorted(behind_first) == sorted(units) and behind_first != units
        assert list(cells) == ["全部任务", *sections, "各单位（最落后的在前）", *behind_first]
        assert cells["各单位（最落后的在前）"][8] == "本期未报送"
        # 全部任务: 任务, 未启动, 推进中, 已完成, 受阻, 已销号, 逾期, 本期未更新, 完成进度
        overdue = sum(task.is_overdue(today) for task in ledger.tasks)
        # Issue 14: 本期未更新 counts a status change as an update (the last task was only marked 受阻): 69, not 70.
        assert cells["全部任务"][1:9] == ["72", "69", "1", "1", "1", "0", str(overdue), "69"]
        assert cells["全部任务"][9] == f"{ascii_bar(1, 72)}   1%"
        unit_tasks = [task for task in ledger.tasks if task.has_unit(UNIT)]
        assert cells[UNIT][1] == str(len(unit_tasks))
        assert cells[UNIT][3] == "1"  # the task marked 推进中
        assert cells[UNIT][8] == str(len(unit_tasks) - 1)  # one has a note this period
        for section in sections:
            in_section = [task for task in ledger.tasks if task.section == section]
            assert cells[section][1] == str(len(in_section))
            assert cells[section][7] == str(sum(task.is_overdue(today) for task in in_section))
        assert sum(int(cells[section][1]) for section in sections) == 72
        # Nothing East-Asian ambiguous-width in what the screen draws.
        drawn = "".join("".join(row) for row in cells.values()) + str(screen.query_one("#overview-heading").render())
        assert not [char for char in drawn if unicodedata.east_asian_width(char) == "A"]

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(ledger_app.screen, MainScreen)
        assert len(shown_numbers(ledger_app)) == 72


async def test_enter_on_an_overview_row_filters_the_tree(ledger_app: TaizhangApp, db_path: Path) -> None:
    store = Store(db_path, clock=fixed_clock)
    ledger = store.load()
    sections = list(dict.fromkeys(task.section for task in ledger.tasks))
    units = [row.label for row in unit_overview_rows(ledger, fixed_clock().date(), store.history())]
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o")  # a filter before: the row's tasks are shown whatever it was
        await pilot.press("d")
        await pilot.pause()
        for _ in range(1 + len(sections)):
            await pilot.press("j")
        await pilot.press("enter")  # the units' heading: nothing to show
        await pilot.pause()
        assert isinstance(ledger_app.screen, OverviewScreen)
        for _ in range(1 + units.index(UNIT)):
            await pilot.press("j")
        await pilot.press("enter")
        await pilot.pause()
        screen = ledger_app.screen
        assert isinstance(screen, MainScreen)
        assert sorted(shown_numbers(ledger_app)) == sorted(t.no for t in ledger.tasks if t.has_unit(UNIT))
        header = screen.query_one("#header").shown_text
        assert f"单位:{UNIT}" in header and "逾期 |" not in header
        assert isinstance(screen.focused, LedgerTree)

        await pilot.press("d")
        await pilot.pause()
        for _ in range(3):  # 全部任务, 一、, 二、, 三、
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        third = sections[2]
        assert sorted(shown_numbers(ledger_app)) == sorted(t.no for t in ledger.tasks if t.section == third)
        assert third in screen.query_one("#header").shown_text
        assert f"单位:{UNIT}" not in screen.query_one("#header").shown_text

        await pilot.press("F")  # clears the section filter too
        await pilot.pause()
        assert len(shown_numbers(ledger_app)) == 72

        await pilot.press("d")
        await pilot.pause()
        await pilot.press("j", "enter")  # the first section
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")  # 全部任务
        await pilot.pause()
        assert len(shown_numbers(ledger_app)) == 72


async def test_the_new_keys_are_in_help_and_the_footer(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = {row.description: row.keys for row in ledger_app.screen.help_rows()}
        assert rows["总览"] == "d" and rows["导出"] == "e" and rows["导入"] == "i"


def test_overview_snapshot(snap_compare, db_path: Path) -> None:
    give_progress(db_path)
    app = make_app(db_path, clock=fixed_clock, user="tester")
    assert snap_compare(app, terminal_size=(120, 36), press=["d"])
