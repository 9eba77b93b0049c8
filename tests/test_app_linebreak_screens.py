"""Issue 16: the wrapped text of the dialogs, the overview, help and the message line breaks as Chinese is
typeset (tui/core/linebreak.py): no line starts with closing punctuation or ends with opening punctuation, no
number or Latin word is split. Read from what the widgets draw at 80x24, on the real task list."""

from __future__ import annotations

import re
from pathlib import Path

from rich.cells import cell_len
from textual.geometry import Region
from textual.widget import Widget

from tests.conftest import fixed_clock
from tests.pilot_helpers import settle
from tests.test_app_import import open_plan, write_revision
from tui.app import TaizhangApp, make_app
from tui.core.linebreak import CLOSING, OPENING
from tui.core.store import Store
from widgets.help_screen import HelpScreen
from widgets.message_line import MessageLine

NARROW = (80, 24)
_WORD_END = re.compile(r"[0-9A-Za-z]$")
_WORD_START = re.compile(r"^[0-9A-Za-z]")


def drawn_lines(widget: Widget) -> list[str]:
    """Every line `widget` draws (all of it, scrolled out of view or not), without the spaces around."""
    return [strip.text.strip() for strip in widget.render_lines(Region(0, 0, *widget.outer_size))]


def bad_breaks(lines: list[str]) -> list[str]:
    """Where `lines` break against the Chinese rules (empty: none)."""
    bad = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        if line and line[0] in CLOSING:
            bad.append(f"starts with {line[0]}: {line}")
        if line and following and line[-1] in OPENING:
            bad.append(f"ends with {line[-1]}: {line}")
        if _WORD_END.search(line) and _WORD_START.search(following):
            bad.append(f"splits a word: {line} | {following}")
    return bad


async def test_the_import_plan_breaks_as_chinese_at_80x24(ledger_app: TaizhangApp, db_path: Path, tmp_path: Path) -> None:
    """The plan quotes whole task contents (a revision's changes word by word): Textual put `，` and `）` at the
    head of its lines."""
    path = tmp_path / "修订版.docx"
    write_revision(path, Store(db_path).load().tasks)
    async with ledger_app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        dialog = await open_plan(ledger_app, pilot, path)
        assert dialog.stage == "plan"
        plan = dialog.query_one("#import-plan-text")
        lines = drawn_lines(plan)
        assert len(lines) > 10 and all(cell_len(line) <= plan.content_region.width for line in lines)
        assert "".join(lines).replace(" ", "") == str(plan.render()).replace("\n", "").replace(" ", "")
        assert bad_breaks(lines) == []
        heading = dialog.query_one("#import-heading")
        assert len(drawn_lines(heading)) == 2 and bad_breaks(drawn_lines(heading)) == []


async def test_the_overview_heading_and_help_break_as_chinese_at_80x24(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        heading = drawn_lines(ledger_app.screen.query_one("#overview-heading"))
        assert len(heading) >= 3  # the title and the figures take more than a line each at 80 columns
        assert bad_breaks(heading) == []
        assert "本期未更新 72 项" in "".join(heading)
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(ledger_app.screen, HelpScreen)
        table = ledger_app.screen.query_one("#help-table")
        # The descriptions' column: what follows the key and the gap after it (a wrapped line has no key); a key
        # that does not apply now has its reason after its description, two spaces on.
        cells = [re.split(r"\s{2,}", line.strip(), maxsplit=1)[-1] for line in drawn_lines(table)]
        described = [row.description for row in ledger_app.screen.rows]
        shown = {re.split(r"\s{2,}", cell)[0] for cell in cells}
        assert described and all(description in shown for description in described if cell_len(description) < 30)
        assert bad_breaks(cells) == []


async def test_a_two_line_message_breaks_as_chinese_and_keeps_its_end(db_path: Path) -> None:
    """A refusal longer than the line takes two (test_a_long_reason_takes_two_lines_at_80_columns). Textual broke
    it after the time, at the one space, and cropped the rest: at 60 columns `如需修改请联系管理员。` was lost.
    Broken as Chinese, the two lines hold all of it, neither starting with `，` or `。`."""
    (db_path.parent / "users.toml").write_text('[users.kan]\nname = "欧阳看看"\nrole = "viewer"\n', encoding="utf-8")
    reason = "你（欧阳看看/kan，只读）只能查看台账，不能修改。如需修改请联系管理员。"
    for width in (50, 57, 60, 67, 72, 78):
        app = make_app(db_path, clock=fixed_clock, user="kan")
        async with app.run_test(size=(width, 24)) as pilot:
            await pilot.pause()
            await pilot.press("2")
            await settle(app, pilot)
            line = app.screen.query_one(MessageLine)
            lines = drawn_lines(line)
            assert line.size.height == 2, width
            assert "".join(lines).replace(" ", "") == f"10:00{reason}", (width, lines)
            assert bad_breaks(lines) == [], (width, lines)


def test_the_checker_sees_a_bad_break() -> None:
    """bad_breaks is not a test that cannot fail: it finds each kind of break it is meant to."""
    assert bad_breaks(["到2", "025年底"]) and bad_breaks(["完善", "，推进"]) and bad_breaks(["（", "社区）"])
    assert bad_breaks(["到2025年底，", "推进"]) == []
