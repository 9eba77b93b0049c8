"""What a note saved and a focus change write over SSH (issue 16): the rows that changed, not the panes.

A note saved cost 13.7 KB at 120x40 (4.5x the bare app): when the focus came back from the editor, the tree
restyled itself and repainted every line and its scrollbar column; the header was drawn again unchanged; the
editor's six-line text area made closing it rewrite eleven rows of the panes beneath. Pinned here without timing,
by what asks to be repainted; `python -m benchmarks.pty_bytes` measures the bytes.
"""

from __future__ import annotations

import pytest

from tests.pilot_helpers import settle
from tests.test_detail_pane import jump, record_refreshes
from tui.app import TaizhangApp
from widgets.ledger_footer import LedgerFooter
from widgets.ledger_header import LedgerHeader
from widgets.note_dialog import NoteDialog

SIZE = (120, 40)


async def test_saving_a_note_repaints_neither_the_tree_nor_its_scrollbar_regression_issue16(
    ledger_app: TaizhangApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = ledger_app.screen
        tree = screen.ledger_tree
        await jump(pilot, 5)
        # The session's first message gives the message line its row (a layout, once): then the note measured.
        await pilot.press("n", *"已印发方案", "enter")
        await settle(ledger_app, pilot)
        await pilot.press("n", *"已召开专题会议")
        await pilot.pause()
        assert screen.focused is not tree
        tree_repaints = record_refreshes(tree, monkeypatch)
        scrollbar_repaints = record_refreshes(tree.vertical_scrollbar, monkeypatch)
        header_repaints = record_refreshes(screen.query_one(LedgerHeader), monkeypatch)
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        assert screen.focused is tree
        assert screen.current_task is not None and screen.current_task.notes[-1].text == "已召开专题会议"
        assert () not in tree_repaints  # no whole-tree repaint (its task's own line may change)
        assert scrollbar_repaints == []
        assert header_repaints == []  # the counts did not change


async def test_the_tree_pane_stays_lit_while_the_note_is_written(ledger_app: TaizhangApp) -> None:
    """The pane the keys go back to: its title does not go dark and light again (two rows more per note)."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = ledger_app.screen.query(".pane-title")
        await pilot.press("n")
        await pilot.pause()
        assert ledger_app.screen.query_one(NoteDialog).has_focus_within
        assert [title.has_class("-lit") for title in titles] == [True, False]


async def test_the_note_editor_is_as_tall_as_the_note(ledger_app: TaizhangApp) -> None:
    """Two lines for a short note, growing to six as it is typed, then scrolling: closing a short note's editor
    rewrites five rows of the ledger fewer than the fixed six-line editor did."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", *"短")
        await pilot.pause()
        dialog = ledger_app.screen.query_one(NoteDialog)
        text_area = dialog.query_one("TextArea")
        assert text_area.size.height == 2
        short_height = dialog.size.height
        await pilot.press(*("进展" * 200))  # 400 characters: many more lines than six at 120 columns
        await pilot.pause()
        assert text_area.size.height == 6
        assert dialog.size.height == short_height + 4
        assert text_area.text.endswith("进展")


async def test_the_footer_draws_a_key_and_its_description_as_two_runs(ledger_app: TaizhangApp) -> None:
    """Each description and the gap after it are the line's own style: one colour change per run over SSH."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = ledger_app.screen.query_one(LedgerFooter)
        runs = [segment for segment in footer.render_line(0) if segment.text]
        assert len(footer.items) >= 8
        assert len(runs) <= 2 * len(footer.items) + 2
        assert "".join(segment.text for segment in runs).split() == footer.text.split()


async def test_tab_between_the_panes_repaints_neither_pane(ledger_app: TaizhangApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both panes look the same focused or not (the titles show the focus): Tab wrote both panes whole (~6 KB)."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = ledger_app.screen
        tree_repaints = record_refreshes(screen.ledger_tree, monkeypatch)
        detail_repaints = record_refreshes(screen.detail, monkeypatch)
        await pilot.press("tab")
        await pilot.pause()
        assert screen.focused is screen.detail
        await pilot.press("tab")
        await pilot.pause()
        assert screen.focused is screen.ledger_tree
        assert tree_repaints == [] and detail_repaints == []
