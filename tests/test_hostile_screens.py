"""Issue 12: every screen of the app over a store whose every text is hostile, and a check of the app's code
that would catch the next screen handing user text to a widget that reads markup."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from textual.widgets import TextArea

from tests.conftest import PROJECT, fixed_clock
from tests.hostile_text import assert_no_controls, hostile_rows, plant_raw_note, plant_raw_task_text, write_txt
from tests.pilot_helpers import note_editor, notices, settle
from tests.test_app_multiuser import jump, other_process, wait_until
from tests.test_hostile_app import type_in_dialog
from tui.app import TaizhangApp, make_app
from tui.core.store import Store
from tui.screens.main import MainScreen
from tui.screens.overview import OverviewScreen
from widgets.export_dialog import ExportDialog
from widgets.help_screen import HelpScreen
from widgets.import_dialog import ImportDialog
from widgets.jump_dialog import JumpDialog
from widgets.ledger_tree import LedgerTree
from widgets.picker_dialog import PickerDialog

SIZE = (120, 36)


def screen_is_inert(app: TaizhangApp, where: str) -> str:
    assert app.is_running, f"the app ended ({where})"
    svg = app.export_screenshot()
    assert_no_controls(svg.replace("\n", ""), where)
    return svg


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """A store imported from a document full of hostile text, holding more of it written before issue 12
    (planted as it is on disk), with hostile names in users.toml."""
    db = tmp_path / "data" / "db.json"
    store = Store(db, clock=fixed_clock, user="tester")
    from importers import read_document

    source = write_txt(tmp_path / "清单\x1b]0;pwned\x07.txt", hostile_rows(c0=True))
    store.seed(read_document(source), source_name=source.name, source_sha256="0" * 64)
    (db.parent / "users.toml").write_text(
        textwrap.dedent(
            """\
            [users.tester]
            name = "[bold]测\\u001b]0;pwned\\u0007试[/]"
            unit = "区[x]局"
            role = "supervisor"

            [users.evil]
            name = "[@click=app.quit]坏\\u001b[2J人\\u202e"
            role = "supervisor"
            """
        ),
        encoding="utf-8",
    )
    plant_raw_note(db, 1, "旧进展 [/] \x1b]0;pwned\x07\x1b[2J\r\x00 [@click=app.quit]点此\u202e", by="evil")
    plant_raw_task_text(
        db, 1, content="1.[bold]内容[/bold]\x1b]2;pwned\x07\r", units=["区[x]局", "区民政局\x1b[2J"], title="台账\x1b]0;t\x07[/]"
    )
    return db


async def test_every_screen_shows_hostile_text_as_written(hostile_db: Path, tmp_path: Path) -> None:
    app = make_app(hostile_db, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        tree = screen.query_one(LedgerTree)
        labels = [str(node.label) for node in tree.root.children]
        assert labels == ["一、[/]工作任务]0;pwned[2J", "二、第二项[/bold]"]
        assert [str(node.label) for node in tree.root.children[0].children] == ["（一）[@click=app.quit]项目"]
        detail = screen.detail.text
        assert "1.[bold]内容[/bold]]2;pwned" in detail and "区[x]局（牵头）、区民政局[2J" in detail
        assert "旧进展 [/] ]0;pwned[2J [@click=app.quit]点此" in detail
        assert "[@click=app.quit]坏[2J人" in detail  # the writer's name in the history rows
        header = screen.query_one("#header").shown_text
        assert "台账]0;t[/]" in header and "[bold]测]0;pwned试[/](tester)・区[x]局" in header
        screen_is_inert(app, "the main screen")

        await pilot.press("a")  # every note and history row
        await pilot.pause()
        screen_is_inert(app, "the detail pane showing all")

        await pilot.press("n")
        await pilot.pause()
        assert note_editor(app) is not None
        assert "旧进展 [/] ]0;pwned[2J [@click=app.quit]点此" in str(app.screen.query_one("#note-last").render())
        assert "[bold]内容[/bold]" in str(app.screen.query_one("#note-heading").render())
        screen_is_inert(app, "the note dialog")
        await pilot.press("escape")

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        svg = screen_is_inert(app, "the overview")
        assert "区[x]局" in svg and "二、第二项[/bold]" in svg
        await pilot.press("escape")

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        screen_is_inert(app, "help")
        await pilot.press("escape")

        await pilot.press("f")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        assert "区[x]局（1）" in screen_is_inert(app, "the unit picker")
        while picker.query_one("OptionList").highlighted_option.id != "区[x]局":
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert "单位:区[x]局" in screen.query_one("#header").shown_text

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert "责任单位：区[x]局" in str(app.screen.query_one("#export-filters").render())
        screen_is_inert(app, "the export dialog")
        await pilot.press("escape")

        rows = hostile_rows(c0=True)
        rows[3][3] = "3.家\u200d人[x] 完成（修订[/]\x1b[2J）"
        revision = write_txt(tmp_path / "修订[@click=app.quit]\x1b]0;pwned\x07.txt", rows)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportDialog)
        app.screen.query_one("#import-path").value = str(revision)
        await pilot.press("enter")
        await settle(app, pilot)
        plan = str(app.screen.query_one("#import-plan-text").render())
        assert "修订[/]" in plan and "修订[@click=app.quit]]0;pwned.txt" in plan
        assert_no_controls(plan.replace("\n", ""), "the import plan")  # (the path input shows what was typed)
        await pilot.press("escape")
        await pilot.pause()
        screen_is_inert(app, "after the import dialog")

        await pilot.press("ctrl+p")
        await pilot.pause()
        screen_is_inert(app, "the command palette")
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(app.screen, JumpDialog)
        await pilot.press("escape")

        await pilot.press("slash", *"[/]", "enter")
        await pilot.pause()
        assert "查找:[/]" in screen.query_one("#header").shown_text
        screen_is_inert(app, "a search for [/]")
        await pilot.press("escape")
        await pilot.press("F")
        await pilot.pause()

        await jump(pilot, 1)
        await pilot.press("2")
        await settle(app, pilot)
        other_process(hostile_db, "evil", "store.add_note(ids[1], '[link=file:///etc/passwd]x [/]')")
        await wait_until(pilot, lambda: any("[link=file:///etc/passwd]x [/]" in notice for notice in notices(app)))
        assert "[@click=app.quit]坏[2J人 为 1 号任务写了进展：[link=file:///etc/passwd]x [/]" in notices(app)
        await pilot.pause(0.2)
        screen_is_inert(app, "a colleague's hostile note announced")


SECTION = "一、完善城乡社区服务格局"
TASK_1 = "1．强化乡镇（街道）党（工）委责任"


def hostile_revision(folder: Path, kind: str) -> Path:
    """The real task list with hostile text in the first section's name and in task 1's content.

    A .docx cannot hold C0 controls (XML forbids them): it gets DEL, C1 controls and bidi overrides."""
    controls = "\x1b]0;pwned\x07\x1b[2J" if kind == "txt" else "\x7f\x9b\u202e"
    section = f"一、[/]完善城乡{controls}社区服务格局"
    task_1 = f"1．[@click=app.quit]强化{controls}乡镇（街道）党（工）委责任"
    if kind == "renamed":  # nothing hostile: the first section renamed
        section, task_1 = "一、完善城乡社区服务新格局", TASK_1
    if kind != "docx":
        text = (PROJECT / "data" / "source" / "task-list.txt").read_text(encoding="utf-8")
        path = folder / "修订.txt"
        path.write_text(text.replace(SECTION, section).replace(TASK_1, task_1), encoding="utf-8")
        return path
    import docx

    document = docx.Document(str(PROJECT / "data" / "source" / "task-list.docx"))
    for row in document.tables[0].rows:
        for cell in row.cells:  # a merged cell comes once per row it spans: replacing twice changes nothing
            for paragraph in cell.paragraphs:
                if SECTION in paragraph.text or TASK_1 in paragraph.text:
                    paragraph.text = paragraph.text.replace(SECTION, section).replace(TASK_1, task_1)
    path = folder / "修订.docx"
    document.save(str(path))
    return path


@pytest.mark.parametrize("kind", ["txt", "docx", "renamed"])
async def test_a_hostile_revision_imported_by_another_session_shows_as_written(
    db_path: Path, tmp_path: Path, kind: str
) -> None:
    """Another session imports a revised .txt or .docx whose texts are hostile: this one stays up and shows them.

    `renamed`: a revision that only renames a section ended every other session too (a KeyError in the
    tree, which redrew the section nodes of the old names: the task ids had not changed)."""
    from tests.test_app_multiuser import taizhang_cli

    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        taizhang_cli("--db", str(db_path), "import", str(hostile_revision(tmp_path, kind)), "--yes")
        await wait_until(pilot, lambda: any("导入了修订版任务清单" in notice for notice in notices(app)))
        await pilot.pause(0.2)
        tree = app.screen.query_one(LedgerTree)
        expected = {"txt": "一、[/]完善城乡]0;pwned[2J社区服务格局", "docx": "一、[/]完善城乡社区服务格局"}
        assert str(tree.root.children[0].label) == expected.get(kind, "一、完善城乡社区服务新格局")
        await jump(pilot, 1)
        assert "1．[@click=app.quit]强化" in app.screen.detail.text or kind == "renamed"
        screen_is_inert(app, f"after a hostile .{kind} was imported elsewhere")


@pytest.mark.skipif(not Path("/proc/mounts").exists(), reason="needs Linux mounts")
async def test_failed_note_keeps_its_text_when_the_disk_is_full(tmp_path: Path) -> None:
    """The store on a full file system: the dialog says why and keeps the text; nothing is lost."""
    import subprocess

    folder = tmp_path / "full"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True).returncode:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        db = folder / "db.json"
        from tests.conftest import seed_store

        seed_store(db, clock=fixed_clock, user="tester")
        app = make_app(db, clock=fixed_clock, user="tester")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            dialog = await type_in_dialog(pilot, "磁盘满时写的进展")
            with (folder / "filler").open("wb") as filler:  # fill what is left
                try:
                    while True:
                        filler.write(b"\0" * 65536)
                        filler.flush()
                except OSError:
                    pass
            await pilot.press("enter")
            await settle(app, pilot)
            await wait_until(pilot, lambda: note_editor(app) is dialog)
            assert dialog.query_one(TextArea).text == "磁盘满时写的进展"
            assert "未保存" in str(dialog.query_one("#note-error").render())
            (folder / "filler").unlink()
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, MainScreen)
        assert [note.text for note in Store(db).load().by_no(1).notes] == ["磁盘满时写的进展"]
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_path_completion_never_offers_a_name_holding_control_characters(tmp_path: Path) -> None:
    """Anyone who can write a shared folder chooses the names in it; the completion is shown in the input."""
    from widgets.path_suggester import complete_path

    (tmp_path / "清单\x1b]0;pwned\x07.docx").write_bytes(b"")
    assert complete_path(f"{tmp_path}/清", (".docx",)) is None
    (tmp_path / "清单[@click=app.quit].docx").write_bytes(b"")
    assert complete_path(f"{tmp_path}/清", (".docx",)) == f"{tmp_path}/清单[@click=app.quit].docx"


# ---------------------------------------------------------------------- the app's code


# Widgets and calls that read a `str` as markup (Textual content markup or Rich console markup).
_MARKUP_SINKS = {"Label", "Static", "Option", "Button", "Link", "Markdown"}
_MARKUP_METHODS = {"update", "add_row", "add_column", "add_option", "write"}
_APP_CODE = [PROJECT / "tui" / "app.py", *sorted((PROJECT / "tui" / "screens").glob("*.py")), *sorted((PROJECT / "widgets").glob("*.py"))]


def _formatted(node: ast.expr) -> bool:
    """A string put together at run time: an f-string, `+`, `%` or `.format` on a string."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(value, ast.FormattedValue) for value in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return any(isinstance(side, ast.Constant | ast.JoinedStr) and not isinstance(getattr(side, "value", ""), int) for side in (node.left, node.right))
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _plain_receiver(call: ast.Call) -> bool:
    """`self.query_one("#x", PlainLabel).update(...)`: a widget that makes plain text of what it is given."""
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    return (
        isinstance(receiver, ast.Call)
        and any(isinstance(arg, ast.Name) and arg.id == "PlainLabel" for arg in receiver.args)
    )


def markup_risks(source: str, name: str) -> list[str]:
    risks = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "markup" and not (
            isinstance(node.value, ast.Constant) and node.value.value is False
        ):
            risks.append(f"{name}:{node.value.lineno}: markup= must be False for text shown here")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if called == "from_markup":
            risks.append(f"{name}:{node.lineno}: from_markup reads its text as markup")
        sink = called in _MARKUP_SINKS or (called in _MARKUP_METHODS and not _plain_receiver(node))
        if sink and any(_formatted(arg) for arg in node.args):
            risks.append(f"{name}:{node.lineno}: {called}() is given a formatted str, which it reads as markup")
    return risks


def test_the_apps_code_never_hands_a_formatted_str_to_a_widget_that_reads_markup() -> None:
    """The next screen must not forget: text put together at run time goes to the screen as
    `plain_text(...)`, through `PlainLabel`, `notify` or `MessageLine.say`, never as a markup str."""
    risks = [risk for path in _APP_CODE for risk in markup_risks(path.read_text(encoding="utf-8"), path.name)]
    assert risks == []


def test_the_check_of_the_apps_code_finds_what_it_looks_for() -> None:
    risky = textwrap.dedent(
        """\
        yield Label(f"{task.title}")
        self.query_one("#x", Label).update("进展：" + note.text)
        table.add_row("{}".format(unit))
        Static(name, markup=True)
        Content.from_markup(text)
        self.query_one("#x", PlainLabel).update(f"{note.text}")
        yield Label("固定的文字")
        """
    )
    assert sorted(risk.split(": ", 1)[0] for risk in markup_risks(risky, "example")) == [
        "example:1",
        "example:2",
        "example:3",
        "example:4",
        "example:5",
    ]
