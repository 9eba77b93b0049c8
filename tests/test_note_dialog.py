"""The note dialog is one dialog per session, and this session's saves are said on the message line."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label, TextArea

from tests.pilot_helpers import note_editor, notices, said, settle
from tests.screen_text import screen_lines
from tui.app import TaizhangApp
from tui.core.store import Store
from widgets.message_line import MessageLine

SIZE = (120, 36)


async def write_note(pilot, text: str) -> None:
    await pilot.press("n")
    await pilot.pause()
    pilot.app.screen.query_one(TextArea).insert(text)
    await pilot.press("enter")
    await settle(pilot.app, pilot)


async def test_one_note_dialog_serves_the_session_regression_textual_6666(ledger_app: TaizhangApp, db_path: Path) -> None:
    """Every new dialog's text area stayed alive, held by its watcher of the app's theme (textual#6666):
    the heap grew by some 800 objects a note and full collections stalled the app for 0.2-0.4 s."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        dialog = note_editor(ledger_app)
        assert dialog is not None
        text_area = dialog.query_one(TextArea)
        text_area.insert("写了一半")
        await pilot.press("escape")
        await pilot.pause()
        assert note_editor(ledger_app) is None

        await pilot.press("n")
        await pilot.pause()
        assert note_editor(ledger_app) is dialog and dialog.query_one(TextArea) is text_area
        assert text_area.text == "写了一半"  # kept as this task's draft (issue 16)
        await pilot.press(*["backspace"] * 4, "escape")  # emptied and left: no draft any more
        await pilot.pause()

        await pilot.press("n")
        await pilot.pause()
        assert text_area.text == ""  # a cancelled note is not offered again
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert text_area.text == ""  # nor through undo
        text_area.insert("第一条")
        await pilot.press("enter")
        await settle(ledger_app, pilot)

        await write_note(pilot, "第二条")
        assert note_editor(ledger_app) is None
        assert [note.text for note in Store(db_path).load().by_no(1).notes] == ["第一条", "第二条"]

        await pilot.press("colon", "1", "2", "enter")  # another task: the same dialog asks about it
        await pilot.pause()
        await write_note(pilot, "第十二号的进展")
        assert [note.text for note in Store(db_path).load().by_no(12).notes] == ["第十二号的进展"]
        await pilot.press("n")
        await pilot.pause()
        assert str(dialog.query_one("#note-heading", Label).render()).startswith("为 12 号任务写进展情况：")


async def test_the_dialog_shows_the_tasks_last_note_as_written(ledger_app: TaizhangApp) -> None:
    """The editor may cover the pane's notes, so it shows the note written last time."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert not ledger_app.screen.query_one("#note-last", Label).display  # no note yet
        await pilot.press("escape")
        await pilot.pause()
        await write_note(pilot, "已摸底 [第一批] 12 个村")
        await pilot.press("n")
        await pilot.pause()
        last = ledger_app.screen.query_one("#note-last", Label)
        assert last.display
        assert str(last.render()) == "上次 2026-11-28 10:00  tester：已摸底 [第一批] 12 个村"  # not read as markup


async def test_own_saves_show_on_the_message_line_not_in_toasts(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        line = ledger_app.screen.query_one(MessageLine)
        assert not line.display  # no room taken until there is something to say
        await pilot.press("2")
        await settle(ledger_app, pilot)
        assert line.display and line.shown_text == "10:00  1 号任务：未启动 -> 推进中"
        await write_note(pilot, "已部署")
        assert said(ledger_app) == "已为 1 号任务添加进展情况。"
        await pilot.press("2")
        await settle(ledger_app, pilot)
        assert said(ledger_app) == "1 号任务已是 推进中，未改动。"
        assert notices(ledger_app) == []


async def test_the_note_editor_is_opaque_and_over_the_ledger_not_a_screen(ledger_app: TaizhangApp) -> None:
    """A translucent backdrop re-rendered and tinted the whole ledger beneath on every change under it
    (30-50 ms each), so Enter often waited behind it: the note's p95 was 22-66 ms against 20. An opaque
    dialog screen then made Textual paint every cell of the terminal on opening and again on closing
    (26-60 KB a note over SSH, issue 16 F8): the editor is a widget on its own layer over the ledger, whose
    panes keep their place, so only the rows it covers are written."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = ledger_app.screen
        panes = screen.query_one("#panes").region
        await pilot.press("n")
        await pilot.pause()
        editor = note_editor(ledger_app)
        assert editor is not None and ledger_app.screen is screen
        assert editor.styles.background.a == 1  # opaque: nothing beneath is drawn through it
        assert editor.layer == "note" and screen.query_one("#panes").region == panes
        assert editor.region.bottom == SIZE[1] and editor.region.height < SIZE[1] // 2
        await pilot.press("tab")  # the focus stays in the note
        await pilot.press(*"已部署")
        await pilot.press("escape")
        await pilot.pause()
        assert note_editor(ledger_app) is None and screen.focused is screen.ledger_tree
        assert screen.query_one("#panes").region == panes


async def test_the_note_editor_keeps_every_chinese_character_over_the_panes_edge_regression_textual_6357(
    ledger_app: TaizhangApp,
) -> None:
    """Textual divides each line at every widget's edge, also under an overlay: the editor spans both panes,
    and a Chinese character straddling the panes' edge became two spaces (`完善城乡社区志  服务制度`; typed
    text too). The editor's lines are drawn whole."""
    async with ledger_app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("colon", "1", "0", "enter", "n", *"第三季度督导检查发现两个社区站点未按期建成已约谈")
        await pilot.pause()
        lines = screen_lines(ledger_app)
        assert any("为 10 号任务写进展情况：完善城乡社区志愿服务制度" in line for line in lines)
        assert any("第三季度督导检查发现两个社区站点未按期建成已约谈" in line for line in lines)
        assert any("草稿" not in line and "Enter 保存" in line for line in lines)
