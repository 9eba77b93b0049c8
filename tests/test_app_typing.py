"""Typing into the app's choice lists and dialogs (issue 16): pickers narrow as you type, pinyin initials
included; help lists every key, greyed with the reason; the note dialog keeps a draft; the search never waits
for its index."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import ClassVar

import pytest
from rich.console import Console
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static, TextArea

from tests.conftest import FIXED_NOW
from tests.pilot_helpers import note_editor, open_dialog, said, settle, shown_numbers
from tui.app import TaizhangApp
from tui.core.model import NOTE_MAX_CHARS
from tui.core.search import SearchIndex, SearchResult
from tui.core.store import Store
from widgets.help_screen import HelpScreen, help_rows
from widgets.note_dialog import NoteDialog
from widgets.picker_dialog import PickerDialog

SIZE = (120, 36)


def shown_ids(picker: PickerDialog) -> list[str]:
    options = picker.query_one(OptionList)
    return [options.get_option_at_index(index).id or "" for index in range(options.option_count)]


@pytest.fixture
def pinyin_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading pypinyin's phrase dictionaries in this process (58 MB a session, all day) fails the test."""
    import tui.core.initials

    def not_in_this_process(text: str) -> str:
        raise AssertionError(f"pypinyin read in the session: {text}")

    monkeypatch.setattr(tui.core.initials, "initials", not_in_this_process)


async def test_typing_in_the_unit_picker_narrows_it_by_pinyin_initials(ledger_app: TaizhangApp) -> None:
    """Issue 16: `f` then `wjj` moved the cursor (j was "down"); now it leaves 区卫健局, Enter picks it."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        picker = await open_dialog(ledger_app, pilot, "f", PickerDialog)
        total = len(picker.choices)
        assert total > 30
        assert str(picker.query_one("#picker-count").render()) == f"共 {total} 项"
        await pilot.press(*"wjj")
        await pilot.pause()
        assert shown_ids(picker) == ["区卫健局"]
        assert picker.query_one(OptionList).highlighted == 0
        assert picker.query_one(Input).value == "wjj"
        assert str(picker.query_one("#picker-count").render()) == f"符合 1 项（共 {total} 项）"
        await pilot.press("backspace", "backspace")  # `w`: wider again, 区卫健局 still among them
        await pilot.pause()
        widened = shown_ids(picker)
        assert "区卫健局" in widened and len(widened) > 1
        assert len(widened) < total
        await pilot.press("j", "j")  # typed, not "down": back to `wjj`
        await pilot.pause()
        assert shown_ids(picker) == ["区卫健局"]
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(ledger_app.screen, PickerDialog)
        assert ledger_app.screen.filters.unit == "区卫健局"
        numbers = shown_numbers(ledger_app)
        assert numbers and all(ledger_app.screen.ledger.by_no(no).has_unit("区卫健局") for no in numbers)


async def test_typing_in_a_picker_never_reads_pinyin_in_the_session_regression_issue18(
    ledger_app: TaizhangApp, pinyin_refused: None
) -> None:
    """Bug pinned: typing in a picker loaded pypinyin's phrase dictionaries (58 MB, kept all day) into the session,
    which the search index had been taught not to do. Here reading them in-process fails outright."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        picker = await open_dialog(ledger_app, pilot, "f", PickerDialog)
        await pilot.press(*"wjj")
        await pilot.pause()
        assert shown_ids(picker) == ["区卫健局"]


async def test_typing_chinese_and_nothing_matching_in_a_picker(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        picker = await open_dialog(ledger_app, pilot, "f", PickerDialog)
        await pilot.press(*"民政")
        await pilot.pause()
        assert shown_ids(picker) == ["区民政局"]
        await pilot.press("x", "x")
        await pilot.pause()
        assert shown_ids(picker) == []
        assert "没有符合的项" in str(picker.query_one("#picker-count").render())
        await pilot.press("enter")  # nothing highlighted: nothing picked, the picker stays
        await pilot.pause()
        assert ledger_app.screen is picker
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(ledger_app.screen, PickerDialog)
        assert ledger_app.screen.filters.unit is None
        assert len(shown_numbers(ledger_app)) == 72


async def test_the_status_picker_filters_as_you_type_and_q_is_typed(ledger_app: TaizhangApp) -> None:
    """Every choice list types the same way: `q` in a picker is a letter, not the app's quit key."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        picker = await open_dialog(ledger_app, pilot, "s", PickerDialog)
        await pilot.press("q", "b")
        await pilot.pause()
        assert ledger_app.is_running and ledger_app.screen is picker
        assert shown_ids(picker) == ["-"]  # 全部状态 (qbzt), the "all" row, is a choice like the others
        await pilot.press("backspace", "backspace", *"sz")
        await pilot.pause()
        assert shown_ids(picker) == ["blocked"]  # 受阻
        await pilot.press("enter")
        await pilot.pause()
        assert ledger_app.screen.filters.status is not None and ledger_app.screen.filters.status.value == "blocked"


async def open_note(app: TaizhangApp, pilot) -> NoteDialog:
    await pilot.press("n")
    await pilot.pause()
    dialog = note_editor(app)
    assert dialog is not None
    return dialog


def note_text_shown(dialog: NoteDialog) -> str:
    return dialog.query_one(TextArea).text


async def test_a_note_left_with_escape_is_kept_as_the_tasks_draft(ledger_app: TaizhangApp, db_path: Path) -> None:
    """Issue 16: `n`, 60 characters typed, Esc: the text was gone without a question."""
    typed = "已完成全区社区服务设施摸底调查，形成问题清单" * 3
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = await open_note(ledger_app, pilot)
        assert not dialog.query_one("#note-draft").display
        dialog.query_one(TextArea).insert(typed)
        await pilot.press("escape")
        await pilot.pause()
        assert note_editor(ledger_app) is None
        assert Store(db_path).load().by_no(1).notes == ()  # a draft is not a note

        await pilot.press("colon", "2", "enter")  # another task has no draft
        await pilot.pause()
        dialog = await open_note(ledger_app, pilot)
        assert note_text_shown(dialog) == "" and not dialog.query_one("#note-draft").display
        await pilot.press("escape", "colon", "1", "enter")
        await pilot.pause()

        dialog = await open_note(ledger_app, pilot)  # the first task: its draft, said to be one
        assert note_text_shown(dialog) == typed
        assert dialog.query_one("#note-draft").display
        assert "草稿" in str(dialog.query_one("#note-draft").render())
        await pilot.press(*"已上报")  # typed on at the end of the draft
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        assert [note.text for note in Store(db_path).load().by_no(1).notes] == [typed + "已上报"]

        dialog = await open_note(ledger_app, pilot)  # saved: the draft is gone
        assert note_text_shown(dialog) == "" and not dialog.query_one("#note-draft").display


async def test_the_empty_note_error_clears_when_typing_resumes(ledger_app: TaizhangApp, db_path: Path) -> None:
    """Issue 16: 「进展情况不能为空」 stayed on screen after typing had started."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = await open_note(ledger_app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert "进展情况不能为空" in str(dialog.query_one("#note-error").render())
        await pilot.press("y")
        await pilot.pause()
        assert str(dialog.query_one("#note-error").render()) == ""
        await pilot.press(*"已部署", "enter")
        await settle(ledger_app, pilot)
        assert [note.text for note in Store(db_path).load().by_no(1).notes] == ["y已部署"]


async def test_the_too_long_error_clears_once_the_note_is_edited(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = await open_note(ledger_app, pilot)
        dialog.query_one(TextArea).insert("长" * (NOTE_MAX_CHARS + 1))
        await pilot.press("enter")
        await pilot.pause()
        assert str(NOTE_MAX_CHARS) in str(dialog.query_one("#note-error").render())
        assert note_editor(ledger_app) is dialog
        await pilot.press("backspace")
        await pilot.pause()
        assert str(dialog.query_one("#note-error").render()) == ""
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        assert [note.text for note in Store(db_path).load().by_no(1).notes] == ["长" * NOTE_MAX_CHARS]


@pytest.fixture
def held_index(monkeypatch: pytest.MonkeyPatch):
    """Hold the search index's build in a worker until `release.set()` (the command line's, on the main thread,
    runs at once)."""
    release = threading.Event()
    original = SearchIndex.build

    def build(self: SearchIndex, **options) -> bool:
        if threading.current_thread() is not threading.main_thread():
            assert release.wait(10), "the test never released the index"
        return original(self, **options)

    monkeypatch.setattr(SearchIndex, "build", build)
    yield release
    release.set()


async def test_a_search_before_the_index_is_built_answers_at_once_and_again_when_built(
    ledger_app: TaizhangApp, db_path: Path, held_index: threading.Event
) -> None:
    """Issue 16: at 5,000 tasks the first `/` key waited 7.5 s for pinyin initials built on the event loop.
    Now the keys are answered from what is built (names read the quick way: 供给 as gg, not gj), and the
    search is shown again when the worker has built the index."""
    expected = [task.no for task in Store(db_path).load().select(today=FIXED_NOW.date(), search="fwgj")]
    assert set(range(12, 37)) <= set(expected)  # the section 服务供给 (fwgj) holds 12-36
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        index = ledger_app.screen.indexer.index
        await pilot.press("slash", *"fwgj")  # the build is held: these keys must not wait for it
        await pilot.pause()
        assert ledger_app.screen.filters.search == "fwgj"
        assert index.pending == 72  # nothing built on the event loop
        quick = shown_numbers(ledger_app)
        assert quick and not set(range(12, 37)) & set(quick)  # 供给 read the quick way (gěi): those not yet
        await pilot.press("backspace", "backspace", "backspace")  # `f`: answered at once too
        await pilot.pause()
        assert len(shown_numbers(ledger_app)) > len(quick)
        await pilot.press(*"wgj")
        await pilot.pause()

        held_index.set()
        await settle(ledger_app, pilot)
        assert index.pending == 0
        assert shown_numbers(ledger_app) == expected  # searched again once built, nothing typed


async def test_help_lists_every_key_greyed_with_the_reason_when_it_does_not_apply(ledger_app: TaizhangApp) -> None:
    """Issue 16: help listed only the keys that applied at that moment, so `u`, `m`, `F` seemed missing."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = ledger_app.screen
        await pilot.press("up")  # the first subsection's row: the task keys do not apply
        await pilot.pause()
        assert main.current_task is None
        rows = {row.description: row for row in main.help_rows()}
        for binding in main.BINDINGS:
            if "ctrl" not in binding.key:
                assert binding.description in rows, binding  # every key of the screen, applying or not
        assert rows["撤销"].keys == "u" and rows["撤销"].reason == "本次没有可以撤销的改动。"
        assert rows["清除筛选"].keys == "F" and rows["清除筛选"].reason == "当前没有筛选，无需清除。"
        assert rows["本单位"].keys == "m" and "未在 users.toml 中设定本单位" in rows["本单位"].reason
        assert rows["清除查找"].reason == "当前没有查找，无需清除。"
        section_reason = "请先在任务树中选中一项任务（当前是具体项目）。"
        assert rows["推进中"].reason == section_reason and rows["进展"].reason == section_reason
        assert rows["单位"].reason == "" and rows["查找"].reason == "" and rows["退出"].reason == ""
        await pilot.press("2")  # the reason help gives is the one pressing the key says: one place for each
        await pilot.pause()
        assert said(ledger_app) == section_reason

        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = ledger_app.screen
        assert isinstance(help_screen, HelpScreen)
        console = Console(width=94, record=True, file=io.StringIO())
        console.print(help_screen.query_one("#help-table", Static).content)
        shown = console.export_text()
        assert "本次没有可以撤销的改动。" in shown and section_reason in shown
        await pilot.press("escape", "down")  # on a task: its keys apply, no reason
        await pilot.pause()
        rows = {row.description: row for row in main.help_rows()}
        assert rows["推进中"].reason == "" and rows["进展"].reason == ""
        assert rows["撤销"].reason  # still nothing to undo


class _Keys(Screen[None]):
    """A screen whose check_action hides `a` (False) and greys `b` (None), as the ledger screen may do either."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "hidden", "藏起的键"),
        Binding("b", "greyed", "变灰的键"),
        Binding("c", "applies", "可用的键"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return {"hidden": False, "greyed": None}.get(action, True)


class _KeysApp(App[None]):
    def get_default_screen(self) -> Screen[None]:
        return _Keys()


async def test_help_greys_a_key_hidden_or_disabled_by_check_action() -> None:
    app = _KeysApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        rows = {
            row.description: row
            for row in help_rows(app.screen, lambda node: "键", lambda node, action: f"{action} 现在不行")
        }
        assert rows["藏起的键"].keys == "a" and rows["藏起的键"].reason == "hidden 现在不行"
        assert rows["变灰的键"].keys == "b" and rows["变灰的键"].reason == "greyed 现在不行"
        assert rows["可用的键"].reason == ""
        assert [row.description for row in rows.values()][:3] == ["藏起的键", "变灰的键", "可用的键"]


async def _wait_for_whole_index(app: TaizhangApp, pilot, typed: str) -> SearchResult:
    """Let the app run until its index answers `typed` from whole initials (at most five seconds)."""
    index = app.screen.indexer.index
    for _ in range(50):
        await pilot.pause(0.1)
        await settle(app, pilot)
        if (built := index.matches_now(typed)).complete and built.ids:
            break
    return built


async def test_the_index_is_built_in_a_worker_after_the_first_frame(ledger_app: TaizhangApp) -> None:
    """Nothing typed: the worker started a second after the first frame builds every task's initials, so the first
    `/` answers from a whole index. (Started at once, its thread drew the first frame out: 1.4x the bare app's
    time instead of 1.25x.)"""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await settle(ledger_app, pilot)
        await _wait_for_whole_index(ledger_app, pilot, "wjj")
        index = ledger_app.screen.indexer.index
        assert not ledger_app.screen.filters.searching
        assert index.pending == 0
        result = index.matches_now("wjj")
        assert result.complete and result.ids


async def test_the_apps_index_never_reads_pinyin_in_the_session_regression_issue18(
    ledger_app: TaizhangApp, pinyin_refused: None
) -> None:
    """Bug pinned: the session's own index loaded pypinyin's dictionaries (some 58 MB, kept all day, in every
    session). Here the in-process reading fails outright; the app's index is built all the same, by the short-lived
    process, with the letters read word by word (`gj` for 供给, where the quick way reads `gg`)."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await settle(ledger_app, pilot)
        built = await _wait_for_whole_index(ledger_app, pilot, "gj")
        index = ledger_app.screen.indexer.index
        assert index.pending == 0 and built.complete
        supply = {task.id for task in ledger_app.screen.ledger.tasks if "供给" in task.section}
        assert supply and supply <= built.ids
