"""Pilot tests: every key of the split view, asserting on the saved store and on the widgets."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import fixed_clock
from tests.pilot_helpers import note_editor, notices, said, settle, shown_numbers
from tui.app import TaizhangApp, make_app
from tui.core.display import STATUS_GLYPHS
from tui.core.model import Status, Task
from tui.core.store import Store
from widgets.help_screen import HelpScreen
from widgets.jump_dialog import JumpDialog
from widgets.ledger_tree import LedgerTree, Section, Subsection
from widgets.picker_dialog import PickerDialog

SIZE = (120, 36)


def saved(db_path: Path, no: int) -> Task:
    task = Store(db_path).load().by_no(no)
    assert task is not None
    return task


async def jump(pilot, number: int) -> None:
    await pilot.press("colon", *str(number), "enter")
    await pilot.pause()


async def test_starts_on_the_first_task_with_its_detail(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = ledger_app.screen
        assert screen.current_task is not None and screen.current_task.no == 1
        assert isinstance(screen.focused, LedgerTree)
        detail = screen.detail.text
        assert "一、完善城乡社区服务格局 › （一）加强党建引领城乡社区服务体系建设 › 1" in detail
        assert "区民政局（牵头）" in detail
        assert "说明：以下均需各乡镇（街道）落实，不再列出。" in detail
        assert "状态：[ ] 未启动" in detail
        header = screen.query_one("#header").shown_text
        assert "共 72 项" in header and "逾期 15" in header
        assert len(shown_numbers(ledger_app)) == 72


async def test_vim_and_arrow_keys_move_the_cursor(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = ledger_app.screen
        await pilot.press("j")
        assert screen.current_task.no == 2
        await pilot.press("down")
        assert screen.current_task.no == 3
        await pilot.press("k", "up")
        assert screen.current_task.no == 1
        await pilot.press("G")
        assert screen.current_task.no == 72
        await pilot.press("g")
        assert screen.current_task is None and screen.current_group == Section("一、完善城乡社区服务格局")
        assert "共 11 项任务" in screen.detail.text
        await pilot.press("end")
        assert screen.current_task.no == 72
        await pilot.press("home")
        assert screen.current_group == Section("一、完善城乡社区服务格局")


async def test_h_l_enter_collapse_and_expand(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = ledger_app.screen
        tree = screen.query_one(LedgerTree)
        await pilot.press("h")  # on a task: to its subsection
        assert screen.current_group == Subsection("一、完善城乡社区服务格局", "（一）加强党建引领城乡社区服务体系建设")
        await pilot.press("h")  # collapse the subsection
        assert not tree.cursor_node.is_expanded
        assert 1 not in [line.node.data.no for line in tree._tree_lines if isinstance(line.node.data, Task)]
        await pilot.press("l")  # expand it again
        assert tree.cursor_node.is_expanded
        await pilot.press("l")  # into its first child
        assert screen.current_task.no == 1
        await pilot.press("left", "left")
        await pilot.press("enter")  # toggles: expanded again
        assert tree.cursor_node.is_expanded
        await pilot.press("enter")
        assert not tree.cursor_node.is_expanded
        await pilot.press("right")
        assert tree.cursor_node.is_expanded


async def test_number_keys_set_each_status(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await jump(pilot, 31)
        messages: list[str] = []
        for key, status in [
            ("2", Status.IN_PROGRESS),
            ("3", Status.DONE),
            ("4", Status.BLOCKED),
            ("5", Status.CLOSED),
            ("1", Status.NOT_STARTED),
        ]:
            await pilot.press(key)
            await settle(ledger_app, pilot)
            assert saved(db_path, 31).status == status
            assert ledger_app.screen.current_task.status == status
            assert f"状态：{STATUS_GLYPHS[status]} {status.label}" in ledger_app.screen.detail.text
            messages.append(said(ledger_app))
        assert messages[0] == "31 号任务：未启动 -> 推进中"
        assert messages[-1] == "31 号任务：已销号 -> 未启动"
        assert not notices(ledger_app)  # this session's own saves are said on the message line, not in toasts
        assert [event.kind for event in Store(db_path).history()] == ["status"] * 5


async def test_status_shows_in_tree_label_and_rollup(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3")
        await settle(ledger_app, pilot)
        tree = ledger_app.screen.query_one(LedgerTree)
        labels = [tree.render_label(line.node, tree.rich_style, tree.rich_style).plain for line in tree._tree_lines[:3]]
        assert labels[0].startswith("- 一、") and "1/11" in labels[0]
        assert "1/3" in labels[1]
        assert labels[2].startswith("[x]  1 ")
        assert saved(db_path, 1).status == Status.DONE


async def test_space_cycles_not_started_in_progress_done(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seen = []
        for _ in range(4):
            await pilot.press("space")
            await settle(ledger_app, pilot)
            seen.append(saved(db_path, 1).status)
        assert seen == [Status.IN_PROGRESS, Status.DONE, Status.NOT_STARTED, Status.IN_PROGRESS]


async def test_quick_presses_are_saved_in_order(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2", "4", "3")
        await settle(ledger_app, pilot)
        assert [event.new for event in Store(db_path).history()] == ["in_progress", "blocked", "done"]
        assert ledger_app.screen.current_task.status == Status.DONE


async def test_n_adds_a_note_that_wraps_and_enter_saves(ledger_app: TaizhangApp, db_path: Path) -> None:
    long_text = "已召开专题会议部署" * 12
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await jump(pilot, 12)
        await pilot.press("n")
        await pilot.pause()
        dialog = note_editor(ledger_app)
        assert dialog is not None
        dialog.query_one("TextArea").insert(long_text)
        await pilot.pause()
        assert dialog.query_one("TextArea").wrapped_document.height > 1  # long notes wrap
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        notes = saved(db_path, 12).notes
        assert [(note.text, note.by, note.at) for note in notes] == [(long_text, "tester", "2026-11-28T10:00:00+08:00")]
        assert "2026-11-28 10:00  tester" in ledger_app.screen.detail.text
        assert said(ledger_app) == "已为 12 号任务添加进展情况。"


async def test_notes_are_listed_newest_first(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for text in ("第一条", "第二条"):
            await pilot.press("n", *text, "enter")
            await settle(ledger_app, pilot)
        detail = ledger_app.screen.detail.text
        assert "进展情况（2 条）" in detail
        assert detail.index("第二条") < detail.index("第一条")


async def test_escape_cancels_a_note_and_nothing_is_saved(ledger_app: TaizhangApp, db_path: Path) -> None:
    before = Store(db_path).history()
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", "a", "b", "c", "escape")
        await settle(ledger_app, pilot)
        assert note_editor(ledger_app) is None
        await pilot.press("n")  # "abc" is offered again as a draft (issue 16): emptied, Enter is refused
        await pilot.pause()
        assert ledger_app.screen.query_one("TextArea").text == "abc"
        await pilot.press("backspace", "backspace", "backspace", "enter")  # empty: refused inside the dialog
        await pilot.pause()
        assert note_editor(ledger_app) is not None
        assert "不能为空" in str(ledger_app.screen.query_one("#note-error").render())
        await pilot.press("escape")
    assert Store(db_path).history() == before


async def test_u_undoes_the_last_change_of_this_session(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert ledger_app.screen.check_action("undo", ()) is False  # nothing to undo yet
        await pilot.press("2")
        await settle(ledger_app, pilot)
        await pilot.press("n", *"进展", "enter")
        await settle(ledger_app, pilot)
        await pilot.press("u")
        await settle(ledger_app, pilot)
        assert saved(db_path, 1).notes == ()
        assert saved(db_path, 1).status == Status.IN_PROGRESS
        await pilot.press("u")
        await settle(ledger_app, pilot)
        assert saved(db_path, 1).status == Status.NOT_STARTED
        assert ledger_app.screen.current_task.status == Status.NOT_STARTED
        kinds = [event.kind for event in Store(db_path).history()]
        assert kinds == ["status", "note", "undo", "undo"]  # the undo is itself recorded
        assert said(ledger_app) == "已撤销：1 号任务 推进中 -> 未启动"


async def test_refused_undo_shows_the_store_message(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await settle(ledger_app, pilot)
        task = saved(db_path, 1)
        Store(db_path, clock=fixed_clock, user="colleague").set_status(task.id, Status.BLOCKED)
        await pilot.press("u")
        await settle(ledger_app, pilot)
        assert "该任务的状态已被改为 受阻，无法撤销。" in notices(ledger_app)
        assert saved(db_path, 1).status == Status.BLOCKED
        assert ledger_app.screen.current_task.status == Status.BLOCKED  # reloaded after the refusal
        assert ledger_app.is_running


async def test_write_error_is_a_notification_not_a_traceback(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        # The task disappears from the store (as after an import that removed it) while it is on screen.
        data = json.loads(db_path.read_text(encoding="utf-8"))
        data["tasks"] = {key: doc for key, doc in data["tasks"].items() if doc["no"] != 1}
        db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        await pilot.press("3")
        await settle(ledger_app, pilot)
        assert "该任务已不在台账中（可能刚被重新导入移除），请刷新后重试。" in notices(ledger_app)
        assert ledger_app.is_running
        assert Store(db_path).history() == []


async def test_colon_and_hash_jump_to_a_number(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("colon")
        assert isinstance(ledger_app.screen, JumpDialog)
        await pilot.press("4", "2", "enter")
        await pilot.pause()
        assert ledger_app.screen.current_task.no == 42
        assert ledger_app.screen.query_one(LedgerTree).cursor_node.data.no == 42
        await pilot.press("number_sign", "7", "enter")
        await pilot.pause()
        assert ledger_app.screen.current_task.no == 7
        await pilot.press("number_sign", "9", "9", "enter")  # no such task: the prompt says so and stays
        await pilot.pause()
        assert isinstance(ledger_app.screen, JumpDialog)
        assert "没有序号为 99 的任务" in str(ledger_app.screen.query_one("#jump-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert ledger_app.screen.current_task.no == 7


async def test_slash_searches_as_you_type_with_pinyin_initials(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ledger = ledger_app.screen.ledger
        await pilot.press("slash", *"wjj")
        await pilot.pause()
        wjj = shown_numbers(ledger_app)
        assert wjj and set(wjj) >= {task.no for task in ledger.tasks if task.has_unit("区卫健局")}
        await pilot.press("backspace", "backspace", "backspace", *"mzj")
        await pilot.pause()
        mzj = shown_numbers(ledger_app)
        assert set(mzj) >= {task.no for task in ledger.tasks if task.has_unit("区民政局")}
        assert len(mzj) < 72
        assert "查找:mzj" in ledger_app.screen.query_one("#header").shown_text
        # Parents stay in view: every shown task sits under its section and subsection.
        tree = ledger_app.screen.query_one(LedgerTree)
        assert isinstance(tree.root.children[0].data, Section)
        await pilot.press("escape")
        await pilot.pause()
        assert len(shown_numbers(ledger_app)) == 72
        assert "查找" not in ledger_app.screen.query_one("#header").shown_text


async def test_search_finds_notes_and_enter_keeps_it(ledger_app: TaizhangApp, db_path: Path) -> None:
    task = saved(db_path, 40)
    Store(db_path, clock=fixed_clock, user="tester").add_note(task.id, "已完成示范点验收")
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Notes are found as written; pinyin initials are for names and contents (issue 16: not for every note).
        await pilot.press("slash", *"sfdys", "enter")
        await pilot.pause()
        assert shown_numbers(ledger_app) == []
        await pilot.press("escape", "slash", *"示范点验收", "enter")
        await pilot.pause()
        assert shown_numbers(ledger_app) == [40]
        assert isinstance(ledger_app.screen.focused, LedgerTree)
        assert ledger_app.screen.current_task.no == 40
        await pilot.press("escape")  # Esc on the tree clears the kept search too
        await pilot.pause()
        assert len(shown_numbers(ledger_app)) == 72


async def test_f_filters_by_unit_with_counts_and_aliases(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        picker = ledger_app.screen
        assert isinstance(picker, PickerDialog)
        labels = [label for _id, label in picker.choices]
        assert "区卫健局（8）" in labels
        assert [label for label in labels if "退役军人" in label] == ["区退役军人局（2）"]  # two spellings, one unit
        target = [choice_id for choice_id, _label in picker.choices].index("区卫健局")
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        numbers = shown_numbers(ledger_app)
        assert len(numbers) == 8
        assert all(ledger_app.screen.ledger.by_no(no).has_unit("区卫健局") for no in numbers)
        assert "单位:区卫健局" in ledger_app.screen.query_one("#header").shown_text
        assert ledger_app.screen.current_task.no in numbers
        await pilot.press("o")  # and overdue only: 区卫健局's overdue tasks in three keys
        await pilot.pause()
        overdue = shown_numbers(ledger_app)
        today = fixed_clock().date()
        assert overdue and all(ledger_app.screen.ledger.by_no(no).is_overdue(today) for no in overdue)
        assert set(overdue) < set(numbers)
        await pilot.press("F")
        await pilot.pause()
        assert len(shown_numbers(ledger_app)) == 72
        assert "筛选" not in ledger_app.screen.query_one("#header").shown_text


async def test_s_filters_by_status_and_o_by_overdue(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await jump(pilot, 5)
        await pilot.press("4")
        await settle(ledger_app, pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(ledger_app.screen, PickerDialog)
        await pilot.press("down", "down", "down", "down", "enter")  # 全部, 未启动, 推进中, 已完成, 受阻
        await pilot.pause()
        assert shown_numbers(ledger_app) == [5]
        assert "状态:受阻" in ledger_app.screen.query_one("#header").shown_text
        await pilot.press("F", "o")
        await pilot.pause()
        overdue = shown_numbers(ledger_app)
        assert len(overdue) == 15
        assert "逾期" in ledger_app.screen.query_one("#header").shown_text
        await pilot.press("o")
        await pilot.pause()
        assert len(shown_numbers(ledger_app)) == 72


async def test_tab_switches_pane(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        assert ledger_app.screen.focused is ledger_app.screen.detail
        titles = ledger_app.screen.query(".pane-title")
        assert [title.has_class("-lit") for title in titles] == [False, True]  # the focused pane's title lights up
        await pilot.press("2")  # status keys act on the task shown, whichever pane has focus
        await settle(ledger_app, pilot)
        assert ledger_app.screen.current_task.status == Status.IN_PROGRESS
        await pilot.press("tab")
        assert isinstance(ledger_app.screen.focused, LedgerTree)
        assert [title.has_class("-lit") for title in titles] == [True, False]


async def test_status_keys_do_not_apply_to_sections(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g")
        screen = ledger_app.screen
        assert screen.current_task is None
        # Greyed (None), not hidden: the footer keeps its keys from row to row (issue 16, F2).
        for action in ("set_status", "cycle_status", "add_note"):
            assert screen.check_action(action, ()) is None
        await pilot.press("3", "space", "n")
        await settle(ledger_app, pilot)
        assert Store(db_path).history() == []
        assert not screen.active_bindings["3"].enabled and not screen.active_bindings["n"].enabled
        assert "请先在任务树中选中一项任务" in screen.query_one("#message").shown_text


async def test_read_only_hides_and_refuses_writes(db_path: Path) -> None:
    app = make_app(db_path, clock=fixed_clock, user="tester", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2", "space", "n")
        await settle(app, pilot)
        assert note_editor(app) is None
        assert "2" not in app.screen.active_bindings
        assert "只读" in app.screen.query_one("#header").shown_text
    assert Store(db_path).history() == []


async def test_question_mark_help_lists_the_real_bindings(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = ledger_app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {(row.keys, row.description) for row in help_screen.rows}
        main = ledger_app.screen_stack[0]
        for binding in main.BINDINGS:
            if main.check_action(binding.action.split("(")[0], ()) is not False and "ctrl" not in binding.key:
                assert any(binding.description == description for _keys, description in rows), binding
        assert ("Down j", "下移") in rows and (": #", "跳转") in rows and ("1", "未启动") in rows
        assert ("^q q", "退出") in rows
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(ledger_app.screen, HelpScreen)


async def test_command_palette_offers_the_actions(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"已完成")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(ledger_app, pilot)
        assert saved(db_path, 1).status == Status.DONE


async def test_q_quits(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert not ledger_app.is_running


async def test_resize_keeps_selection_and_fits(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await jump(pilot, 20)
        await pilot.resize_terminal(140, 45)
        await pilot.pause()
        assert ledger_app.screen.current_task.no == 20
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        tree = ledger_app.screen.query_one(LedgerTree)
        widths = [tree.render_label(line.node, tree.rich_style, tree.rich_style).cell_len for line in tree._tree_lines]
        indent = [(len(line.path) - 1) * tree.guide_depth for line in tree._tree_lines]
        assert max(w + i for w, i in zip(widths, indent, strict=True)) <= tree.size.width + tree.guide_depth
