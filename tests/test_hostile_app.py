"""Issue 12 in the app: hostile text written by another session (a real other process) reaches this one as
data. The session stays up, shows the text as written without control characters, and no action runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import TextArea

from tests.conftest import fixed_clock
from tests.hostile_text import (
    CORPUS,
    LONGEST,
    TOO_LONG,
    assert_no_controls,
    kept_by_a_text_area,
    plant_raw_note,
    plant_raw_task_text,
    write_txt,
)
from tests.pilot_helpers import note_editor, notices, settle, watcher_caught_up
from tests.test_app_multiuser import jump, other_process, taizhang_cli, wait_until
from tui.app import TaizhangApp, make_app
from tui.core.model import Status
from tui.core.store import Store, current_user
from tui.screens.main import MainScreen
from widgets.note_dialog import NoteDialog

SIZE = (120, 36)
WHO = current_user()  # the account `taizhang_cli` writes as: another login than the app's "tester"


def toasts(app: TaizhangApp) -> list:
    return list(app.screen.query("Toast"))


def assert_screen_inert(app: TaizhangApp, where: str) -> str:
    """The screen as the terminal would receive it holds no control characters; returns it (SVG) for more checks."""
    assert app.is_running, f"the app ended ({where})"
    svg = app.export_screenshot()
    assert_no_controls(svg.replace("\n", ""), where)
    return svg


def note_texts(db_path: Path, no: int) -> list[str]:
    return [note.text for note in Store(db_path).load().by_no(no).notes]


async def type_in_dialog(pilot, text: str) -> NoteDialog:
    """`n`, then `text` typed into the note dialog (not saved yet)."""
    await pilot.press("n")
    await pilot.pause()
    dialog = note_editor(pilot.app)
    assert dialog is not None
    dialog.query_one(TextArea).insert(text)
    return dialog


async def write_in_dialog(pilot, text: str) -> NoteDialog:
    dialog = await type_in_dialog(pilot, text)
    await pilot.press("enter")
    await settle(pilot.app, pilot)
    return dialog


async def notes_from_another_session(pilot, db_path: Path, no: int, *texts: str) -> None:
    """With task `no` shown, another login writes these notes (the `taizhang` command); the last is announced."""
    await jump(pilot, no)
    for text in texts:
        taizhang_cli("--db", str(db_path), "note", str(no), text)
    await wait_until(pilot, lambda: any(texts[-1] in notice for notice in notices(pilot.app)))
    await pilot.pause(0.2)  # the toasts drawn


# ---------------------------------------------------------------------- the scenarios of issue 12


async def test_note_with_closing_tag_does_not_crash_other_sessions_regression_issue12(db_path: Path) -> None:
    """A note holding `[/]` ended every other session about a second later (MarkupError in the toast)."""
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await notes_from_another_session(pilot, db_path, 18, "测试 [/] 结束")
        assert [str(toast.render()) for toast in toasts(app)] == [f"他人改动\n{WHO} 为 18 号任务写了进展：测试 [/] 结束"]
        assert "测试 [/] 结束" in app.screen.detail.text
        assert_screen_inert(app, "after the note")


async def test_click_action_in_a_note_runs_nothing_in_the_supervisors_session_regression_issue12(
    db_path: Path,
) -> None:
    """`[@click=screen.cycle_status]点此` in a note: clicking the toast (the normal way to dismiss it) changed
    the supervisor's current task 未启动 -> 推进中, recorded under the supervisor's name."""
    (db_path.parent / "users.toml").write_text(
        textwrap.dedent(
            """\
            [users.lisi]
            name = "李四"
            role = "supervisor"

            [users.zhangsan]
            name = "张三"
            unit = "区民政局"
            role = "editor"
            """
        ),
        encoding="utf-8",
    )
    ids = {task.no: task.id for task in Store(db_path).load().tasks}
    app = make_app(db_path, clock=fixed_clock, user="lisi")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await jump(pilot, 35)
        before = Store(db_path).history()
        other_process(db_path, "zhangsan", "store.add_note(ids[1], '[@click=screen.cycle_status]点此')")
        await wait_until(pilot, lambda: len(toasts(app)) == 1)
        await pilot.pause(0.2)
        toast = toasts(app)[0]
        assert str(toast.render()) == "他人改动\n张三 为 1 号任务写了进展：[@click=screen.cycle_status]点此"
        for y in range(toast.region.y, toast.region.bottom):  # nowhere on the toast is there an action to click
            for x in range(toast.region.x, toast.region.right):
                assert "@click" not in app.screen.get_style_at(x, y).meta
        # Click the note's text (where the old toast had its link) as the supervisor did, or, where the footer
        # covers that line, the first line of the message that shows.
        lines = [strip.text for strip in toast.render_lines(Region(0, 0, toast.region.width, toast.region.height))]
        spots = [(cell_len(line[: line.index("点此")]), row) for row, line in enumerate(lines) if "点此" in line]
        spots += [(1, row) for row in range(1, len(lines))]
        offset = next(
            (x, y) for x, y in spots if app.get_widget_at(toast.region.x + x, toast.region.y + y)[0] is toast
        )
        assert await pilot.click(toast, offset=offset)
        await settle(app, pilot)  # a write the click started would be on disk now
        assert app.is_running and toasts(app) == []  # dismissed, nothing else
    after = Store(db_path).history()
    assert [event.by for event in after[len(before) :]] == ["zhangsan"]
    assert Store(db_path).status_of(ids[35]) is Status.NOT_STARTED


async def test_bold_red_and_checkbox_notes_show_as_written_regression_issue12(db_path: Path) -> None:
    """`[bold red]x[/]` showed red; `[x] 完成` lost its `[x]`."""
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await notes_from_another_session(pilot, db_path, 6, "[bold red]x[/]", "[x] 完成")
        shown = [str(toast.render()) for toast in toasts(app)]
        assert f"他人改动\n{WHO} 为 6 号任务写了进展：[bold red]x[/]" in shown
        assert f"他人改动\n{WHO} 为 6 号任务写了进展：[x] 完成" in shown
        for toast in toasts(app):
            assert all(span.end <= len("他人改动") for span in toast.render().spans)  # the title's style only
        detail = app.screen.detail.text
        assert "[bold red]x[/]" in detail and "[x] 完成" in detail


async def test_export_to_a_file_name_with_a_bracket_keeps_the_session_regression_issue12(
    db_path: Path, tmp_path: Path
) -> None:
    """`~/a[a="]b.json` was written, then its success message ended the exporter's own session."""
    app = make_app(db_path, clock=fixed_clock, user="tester")
    output = tmp_path / 'a[a="]b.json'
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(output)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert isinstance(app.screen, MainScreen) and output.is_file()
        assert any(f"已导出 72 项任务到 {output}" in str(toast.render()) for toast in toasts(app))
        assert_screen_inert(app, "after the export")


async def test_terminal_escapes_in_a_note_never_reach_other_sessions_regression_issue12(db_path: Path) -> None:
    """`taizhang note 19 $'x \\e]0;pwned\\a \\e[2J y'`: opening task 19 in another session retitled the terminal
    and blanked the screen, and the notification did it to every session. Also with such a note already in
    the store (written before the fix) and in the task's content."""
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        taizhang_cli("--db", str(db_path), "note", "19", "x \x1b]0;pwned\x07 \x1b[2J y")
        await wait_until(pilot, lambda: f"{WHO} 为 19 号任务写了进展：x ]0;pwned [2J y" in notices(app))
        plant_raw_note(db_path, 19, "旧 \x1b]0;pwned\x07\x1b[2J\r 记录", by="old\x07")
        await wait_until(pilot, lambda: any("旧 ]0;pwned[2J 记录" in notice for notice in notices(app)))
        plant_raw_task_text(db_path, 19, content="19.内容\x1b]2;pwned\x07\u202e", title="台账\x1b]0;pwned\x07")
        await watcher_caught_up(app, pilot)  # the reload after db.json changed
        for notice in notices(app):
            assert_no_controls(notice, "a notification")
        await jump(pilot, 19)
        detail = app.screen.detail.text
        assert "x ]0;pwned [2J y" in detail and "旧 ]0;pwned[2J 记录" in detail and "19.内容]2;pwned" in detail
        assert_no_controls(detail.replace("\n", ""), "the detail pane")
        await pilot.press("n")
        await pilot.pause()
        assert_screen_inert(app, "the note dialog showing the last note")


# ---------------------------------------------------------------------- the note dialog


async def test_hostile_corpus_through_the_note_dialog(db_path: Path) -> None:
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await jump(pilot, 20)
        for written, _shown in CORPUS:
            await write_in_dialog(pilot, written)
            assert isinstance(app.screen, MainScreen), f"{written!r} was not saved"
        expected = [kept_by_a_text_area(written) for written, _shown in CORPUS]
        assert note_texts(db_path, 20) == expected
        detail = app.screen.detail.text
        assert_no_controls(detail.replace("\n", "").replace("\t", ""), "the detail pane")
        for shown in expected[-12:]:  # the pane shows the newest 12
            assert shown in detail
        await pilot.press("n")
        await pilot.pause()
        assert_screen_inert(app, "the note dialog")


async def test_note_limit_in_the_dialog_2000_accepted_2001_refused_and_kept(db_path: Path) -> None:
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = await write_in_dialog(pilot, TOO_LONG)
        assert note_editor(app) is dialog
        assert str(dialog.query_one("#note-error").render()) == "进展情况最多 2000 字，这条有 2001 字，请删减到 2000 字以内。"
        assert dialog.query_one(TextArea).text == TOO_LONG  # kept, to be shortened
        dialog.query_one(TextArea).action_delete_left()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    assert note_texts(db_path, 1) == [LONGEST]


async def test_101000_character_paste_in_the_note_dialog_is_refused_and_kept_regression_issue12(db_path: Path) -> None:
    paste = "粘贴" * 50_500
    before = Store(db_path).history()
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = await write_in_dialog(pilot, paste)
        assert note_editor(app) is dialog and dialog.query_one(TextArea).text == paste
        assert "这条有 101000 字" in str(dialog.query_one("#note-error").render())
    assert Store(db_path).history() == before


# ---------------------------------------------------------------------- failed saves keep the text


async def test_failed_note_keeps_its_text_when_the_task_was_removed_regression_issue12(
    db_path: Path, tmp_path: Path
) -> None:
    """A failed note's text was lost: the dialog closed (or reopened empty)."""
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await jump(pilot, 72)
        dialog = await type_in_dialog(pilot, "写了很久的进展情况")
        # Meanwhile a supervisor imports a revision without task 72.
        rows = [["序号", "工作任务", "具体项目", "主要内容", "责任单位", "完成时限"]]
        rows += [[str(task.no), task.section, task.subsection, task.content, "、".join(task.units), task.deadline]
                 for task in Store(db_path).load().tasks if task.no != 72]
        taizhang_cli("--db", str(db_path), "import", str(write_txt(tmp_path / "r.txt", rows, title="修订")), "--yes")
        await pilot.press("enter")
        await settle(app, pilot)
        assert note_editor(app) is dialog
        assert dialog.query_one(TextArea).text == "写了很久的进展情况"
        assert "未保存：该任务已不在台账中" in str(dialog.query_one("#note-error").render())


async def test_failed_note_keeps_its_text_when_the_account_lost_the_right_to_write(db_path: Path) -> None:
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        dialog = await type_in_dialog(pilot, "我的进展")
        (db_path.parent / "users.toml").write_text('default_role = "viewer"\n', encoding="utf-8")
        await pilot.press("enter")
        await settle(app, pilot)
        assert note_editor(app) is dialog and dialog.query_one(TextArea).text == "我的进展"
        assert "只能查看台账" in str(dialog.query_one("#note-error").render())
    assert note_texts(db_path, 1) == []


async def test_failed_note_reopens_with_its_text_when_the_lock_is_held_too_long(db_path: Path, monkeypatch) -> None:
    """A colleague's write holds the lock: the dialog closes after a quarter second and the write carries on;
    when it gives up, the dialog opens again with the text and the reason. Enter then saves it."""
    import subprocess
    import sys

    monkeypatch.setattr("tui.core.store.api.LOCK_TIMEOUT_SECONDS", 1.0)
    lock = db_path.with_name("db.json.lock")
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import fcntl,sys,time; f=open({str(lock)!r},'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(3)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        app = make_app(db_path, clock=fixed_clock, user="tester")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            dialog = await type_in_dialog(pilot, "锁被占用时写的进展")
            await pilot.press("enter")
            await pilot.pause(0.5)
            assert isinstance(app.screen, MainScreen)  # closed while the write waits for the lock
            await wait_until(pilot, lambda: note_editor(app) is dialog)
            assert dialog.query_one(TextArea).text == "锁被占用时写的进展"
            assert "未保存：数据正被其他人写入" in str(dialog.query_one("#note-error").render())
            holder.wait(timeout=10)
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, MainScreen)
    finally:
        holder.kill()
        holder.wait()
    assert note_texts(db_path, 1) == ["锁被占用时写的进展"]
