"""Issue 15: over SSH, the export dialog shows after saving the one command that fetches the same report onto
one's own computer (the server's address as the client reached it, the login, the same filters and period)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.pilot_helpers import notices, settle
from tests.test_app_reporting import SIZE, UNIT, filter_by_unit, give_progress
from tui.app import TaizhangApp
from tui.cli import main
from tui.core.forced_command import requested_words
from tui.core.report_xlsx import LEDGER_SHEET
from tui.screens.main import MainScreen
from widgets.export_dialog import ExportDialog

CONNECTION = "192.0.2.7 50022 10.1.2.3 2222"


def _ledger_rows(path: Path) -> list[tuple]:
    """The ledger sheet below its title and 截至 line (which says the day it was made)."""
    return list(openpyxl.load_workbook(path)[LEDGER_SHEET].iter_rows(min_row=3, values_only=True))


async def test_the_dialog_shows_the_command_that_fetches_the_same_report(
    ledger_app: TaizhangApp, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", CONNECTION)
    give_progress(db_path)
    output = tmp_path / "卫健局台账.xlsx"
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await filter_by_unit(ledger_app, pilot, UNIT)
        await pilot.press("e")
        await pilot.pause()
        dialog = ledger_app.screen
        assert isinstance(dialog, ExportDialog)
        assert ".xlsx" in str(dialog.query_one("#export-heading").render())
        dialog.query_one("#export-path").value = str(output)
        dialog.query_one("#export-period").value = "2026-11"
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        assert ledger_app.screen is dialog  # stays open to show the command
        shown = str(dialog.query_one("#export-fetch").render())
        heading, command = shown.split("\n")
        assert heading.startswith(f"已保存到服务器上的 {output}。在自己的电脑上取回同一份报告")
        assert command == (
            f"ssh -T -p 2222 tester@10.1.2.3 export -o - --format xlsx --period 2026-11 --unit {UNIT} > 卫健局台账.xlsx"
        )
        assert "Enter 或 Esc 关闭" in str(dialog.query_one("#export-hint").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(ledger_app.screen, MainScreen)
        assert any("已导出" in notice for notice in notices(ledger_app))

    # The command, run as the server would (its words through the forced login's parser), gives the same report.
    remote = command.removeprefix("ssh -T -p 2222 tester@10.1.2.3 ").removesuffix(" > 卫健局台账.xlsx")
    words = requested_words(remote)
    assert words is not None
    assert main([*words, "--db", str(db_path)]) == 0
    fetched = tmp_path / "fetched.xlsx"
    fetched.write_bytes(capsysbinary.readouterr().out)
    assert _ledger_rows(fetched) == _ledger_rows(output)
    tasks = [row for row in _ledger_rows(output) if isinstance(row[0], int)]
    assert tasks and all(UNIT in row[4] for row in tasks)


async def test_on_the_console_the_dialog_closes_after_saving(ledger_app: TaizhangApp, tmp_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        ledger_app.screen.query_one("#export-path").value = str(tmp_path / "r.xlsx")
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        assert isinstance(ledger_app.screen, MainScreen)
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames[0] == LEDGER_SHEET


async def test_escape_closes_the_saved_dialog_too(
    ledger_app: TaizhangApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.7 50022 10.1.2.3 22")
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = ledger_app.screen
        dialog.query_one("#export-path").value = str(tmp_path / "r.docx")
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        assert "ssh -T tester@10.1.2.3 export -o - --format docx --period 2026-11 > r.docx" in str(
            dialog.query_one("#export-fetch").render()
        )
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(ledger_app.screen, MainScreen)
    assert (tmp_path / "r.docx").stat().st_size > 0
