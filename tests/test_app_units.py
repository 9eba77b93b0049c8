"""Issue 14 in the app: each unit and township keeps its own row of a task.

The keys `1`-`5`, Space, `n`, `u` act on the signed-in unit's own row when it cooperates on the task or is a
township of it, on the overall row for the lead unit and supervisors; a supervisor picks another unit's row with
`r`. The detail pane shows every unit's row; `m` shows the unit's tasks with its own statuses; the message line
names the row; the overview lists the units most behind first. Checked on the saved store and the widgets.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from rich.style import Style
from textual.widgets import OptionList

from tests.conftest import fixed_clock
from tests.pilot_helpers import note_editor, notices, said, settle, shown_numbers
from tests.test_app_multiuser import jump, other_process, wait_until
from tui.app import TaizhangApp, make_app
from tui.core.model import Status, Task
from tui.core.store import Store
from tui.screens.main import MainScreen
from tui.screens.overview import OverviewScreen
from widgets.ledger_tree import LedgerTree
from widgets.picker_dialog import PickerDialog
from widgets.unit_table import UnitTable

SIZE = (120, 36)
TOWNS = ("万安街道", "双阳街道", "河市镇", "马甲镇", "罗溪镇", "虹山乡")

USERS = textwrap.dedent(
    """\
    default_role = "viewer"

    [users.zhen]
    name = "马甲镇文书"
    unit = "马甲镇"
    role = "editor"

    [users.gongan]
    unit = "区公安分局"
    role = "editor"

    [users.zhujian]
    unit = "区住建局"
    role = "editor"

    [users.lisi]
    name = "李四"
    role = "supervisor"

    [users.typo]
    unit = "卫健局"
    role = "editor"
    """
)


@pytest.fixture
def units_db(db_path: Path) -> Path:
    """The real ledger with the district's six townships, and users.toml beside it (a folder only its owner writes)."""
    Store(db_path, clock=fixed_clock, user="tester").set_towns(TOWNS)
    (db_path.parent / "users.toml").write_text(USERS, encoding="utf-8")
    return db_path


def as_user(db: Path, login: str) -> TaizhangApp:
    return make_app(db, clock=fixed_clock, user=login)


def saved(db: Path, no: int) -> Task:
    task = Store(db, clock=fixed_clock).load().by_no(no)
    assert task is not None
    return task


def unit_table(app: TaizhangApp) -> UnitTable:
    return app.screen_stack[0].detail.unit_table


def mark_of(app: TaizhangApp, no: int) -> str:
    """The status mark the tree draws for task `no` (`[~]`)."""
    tree = app.screen_stack[0].query_one(LedgerTree)
    stack = [tree.root]
    while stack:
        node = stack.pop()
        if isinstance(node.data, Task) and node.data.no == no:
            return tree.render_label(node, Style(), Style()).plain[:3]
        stack.extend(node.children)
    raise AssertionError(f"task {no} is not in the tree")


async def press(app: TaizhangApp, pilot, *keys: str) -> str:
    for key in keys:
        await pilot.press(key)
    await settle(app, pilot)
    return said(app)


# ---------------------------------------------------------------------- a township


async def test_a_township_editor_keys_act_on_its_own_row(units_db: Path) -> None:
    app = as_user(units_db, "zhen")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await jump(pilot, 12)
        table = unit_table(app).text
        assert "按键改动：马甲镇 的一行" in table
        assert [line[:2] for line in table.splitlines() if "马甲镇  " in line] == ["> "]  # its row is marked
        assert table.index("区民政局") < table.index("区发改局") < table.index("万安街道") < table.index("虹山乡")

        assert await press(app, pilot, "2") == "12 号任务 马甲镇：未启动 -> 推进中"
        task = saved(units_db, 12)
        assert task.status_for("马甲镇") is Status.IN_PROGRESS and task.status is Status.NOT_STARTED

        await pilot.press("n")
        await pilot.pause()
        dialog = note_editor(app)
        assert dialog is not None and "为 12 号任务（马甲镇）写进展情况" in str(dialog.query_one("#note-heading").render())
        await pilot.press(*"摸底完成")
        assert await press(app, pilot, "enter") == "已为 12 号任务（马甲镇）添加进展情况。"
        task = saved(units_db, 12)
        assert [note.text for note in task.notes_for("马甲镇")] == ["摸底完成"] and task.notes == ()
        assert "> 马甲镇" in unit_table(app).text and "摸底完成" in unit_table(app).text
        assert "【马甲镇】" in app.screen.detail.text  # its note among the task's notes, named by its row

        assert await press(app, pilot, "u") == "已撤销：12 号任务 马甲镇：删去一条进展情况"
        assert await press(app, pilot, "u") == "已撤销：12 号任务 马甲镇：推进中 -> 未启动"
        assert await press(app, pilot, "space") == "12 号任务 马甲镇：未启动 -> 推进中"  # from its own row's status
        task = saved(units_db, 12)
        assert task.status_for("马甲镇") is Status.IN_PROGRESS and task.notes_for("马甲镇") == ()

        before = saved(units_db, 12)
        refused = await press(app, pilot, "5")
        assert "销号只能由主管进行" in refused and saved(units_db, 12) == before
        assert "r" not in app.screen.active_bindings  # hidden from the footer, help and palette
        help_row = next(row for row in app.screen.help_rows() if row.description == "选择单位行")
        assert "只有主管可以选择改动哪个单位的一行" in help_row.reason  # greyed in help with why (issue 16)
        assert "只有主管可以选择改动哪个单位的一行" in await press(app, pilot, "r")
        assert task.status is Status.NOT_STARTED and saved(units_db, 12).status is Status.NOT_STARTED


async def test_m_shows_a_township_its_72_tasks_with_its_own_statuses(units_db: Path) -> None:
    store = Store(units_db, clock=fixed_clock, user="lisi")
    twelve, thirteen = saved(units_db, 12), saved(units_db, 13)
    store.set_status(twelve.id, Status.DONE)  # overall 已完成; 马甲镇's own row 推进中
    store.set_status(twelve.id, Status.IN_PROGRESS, unit="马甲镇")
    store.set_status(thirteen.id, Status.IN_PROGRESS)  # overall only: 马甲镇's row stays 未启动
    app = as_user(units_db, "zhen")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert (mark_of(app, 12), mark_of(app, 13)) == ("[x]", "[~]")  # the overall statuses
        await pilot.press("m")
        await pilot.pause()
        assert shown_numbers(app) == list(range(1, 73))  # a township carries every task
        assert "单位:马甲镇" in screen.query_one("#header").shown_text
        assert (mark_of(app, 12), mark_of(app, 13)) == ("[~]", "[ ]")  # 马甲镇's own rows
        assert "状态为 马甲镇 的一行" in str(screen.query_one("#tree-title").render())
        await pilot.press("g")  # the first section: its counts are 马甲镇's rows' too
        await pilot.pause()
        assert screen.current_group is not None and "共 11 项任务（状态为 马甲镇 的一行）" in screen.detail.text

        await pilot.press("s", "down", "down", "enter")  # 推进中: 马甲镇's own rows too
        await pilot.pause()
        assert shown_numbers(app) == [12]

        await pilot.press("F")
        await pilot.pause()
        assert len(shown_numbers(app)) == 72 and (mark_of(app, 12), mark_of(app, 13)) == ("[x]", "[~]")


# ---------------------------------------------------------------------- a cooperating unit and the lead


async def test_a_cooperating_unit_changes_its_own_row_and_the_lead_the_overall_one(units_db: Path) -> None:
    app = as_user(units_db, "gongan")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await jump(pilot, 46)
        assert "按键改动：区公安分局 的一行" in unit_table(app).text
        assert await press(app, pilot, "3") == "46 号任务 区公安分局：未启动 -> 已完成"
        task = saved(units_db, 46)
        assert task.status_for("区公安分局") is Status.DONE and task.status is Status.NOT_STARTED
        assert "可销号" not in app.screen.detail.text

        await jump(pilot, 12)  # not its task: every write key says why, nothing is written
        assert "按键改动" not in unit_table(app).text
        before = saved(units_db, 12)
        for key in ("2", "space", "n"):
            assert "该任务不属于区公安分局" in await press(app, pilot, key)
        assert saved(units_db, 12) == before and isinstance(app.screen, MainScreen)

    app = as_user(units_db, "zhujian")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await jump(pilot, 46)
        assert "按键改动：整项任务" in unit_table(app).text and "> 区住建局" in unit_table(app).text
        assert await press(app, pilot, "2") == "46 号任务：未启动 -> 推进中"
        task = saved(units_db, 46)
        assert task.status is Status.IN_PROGRESS and task.status_for("区公安分局") is Status.DONE


async def test_a_task_whose_every_row_is_done_says_so_to_the_lead_and_supervisors(units_db: Path) -> None:
    store = Store(units_db, clock=fixed_clock, user="lisi")
    task = saved(units_db, 46)
    for row in task.unit_rows():
        store.set_status(task.id, Status.DONE, unit=row.unit)
    assert saved(units_db, 46).ready_to_close
    for login, shown in (("zhujian", True), ("lisi", True), ("gongan", False), ("zhen", False)):
        app = as_user(units_db, login)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await jump(pilot, 46)
            assert ("46 号任务各单位均已完成，可销号。" in app.screen.detail.text) is shown, login


# ---------------------------------------------------------------------- a supervisor picks a row


async def test_a_supervisor_picks_a_unit_row_with_r(units_db: Path) -> None:
    app = as_user(units_db, "lisi")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await jump(pilot, 12)
        assert "按键改动：整项任务  r 选择单位行" in unit_table(app).text and "> 区民政局" in unit_table(app).text
        assert {row.description: row.keys for row in app.screen.help_rows()}["选择单位行"] == "r"

        await pilot.press("r")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        ids = [choice_id for choice_id, _label in picker.choices]
        assert ids == ["", "区发改局", *TOWNS]  # the overall row (the lead's) first
        for _ in range(ids.index("马甲镇")):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert "按键改动：马甲镇 的一行" in unit_table(app).text
        assert await press(app, pilot, "3") == "12 号任务 马甲镇：未启动 -> 已完成"
        task = saved(units_db, 12)
        assert task.status_for("马甲镇") is Status.DONE and task.status is Status.NOT_STARTED

        await jump(pilot, 13)  # the row picked stays while the tasks have it: one township's rows, task after task
        assert "按键改动：马甲镇 的一行" in unit_table(app).text
        assert await press(app, pilot, "5") == "13 号任务 马甲镇：未启动 -> 已销号"

        await pilot.press("r")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        options = picker.query_one(OptionList)
        ids = [choice_id for choice_id, _label in picker.choices]
        assert ids[:3] == ["", "区发改局", "区残联"] and options.highlighted == ids.index("马甲镇")  # on the row in use
        while options.highlighted != 0:
            await pilot.press("up")
        await pilot.press("enter")  # the overall row
        await pilot.pause()
        assert "按键改动：整项任务" in unit_table(app).text and "> 区民政局" in unit_table(app).text
        assert await press(app, pilot, "2") == "13 号任务：未启动 -> 推进中"
        task = saved(units_db, 13)
        assert task.status is Status.IN_PROGRESS and task.status_for("马甲镇") is Status.CLOSED

        # Another session's change names the row it changed.
        other_process(units_db, "zhen", "store.set_status(ids[12], Status.IN_PROGRESS, unit='马甲镇')")
        await wait_until(pilot, lambda: "马甲镇文书 将 12 号任务（马甲镇）标为 推进中" in notices(app))


# ---------------------------------------------------------------------- login and the overview


async def test_an_unknown_unit_in_users_toml_is_named_at_login(units_db: Path) -> None:
    app = as_user(units_db, "typo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        warning = said(app)
        assert "单位「卫健局」不是台账中的单位或乡镇（街道），是不是 区卫健局？" in warning
        assert "\n" not in warning
    app = as_user(units_db, "zhen")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert said(app) == ""


async def test_the_overview_lists_the_units_most_behind_first_and_enter_shows_a_units_tasks(units_db: Path) -> None:
    zhen = Store(units_db, clock=fixed_clock, user="zhen")
    zhen.set_status(saved(units_db, 12).id, Status.IN_PROGRESS, unit="马甲镇")
    zhen.add_note(saved(units_db, 13).id, "已完成摸底", unit="马甲镇")
    app = as_user(units_db, "lisi")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        table = overview.table
        cells = {str(table.get_row(key)[0]): [str(cell) for cell in table.get_row(key)] for key in table.rows}
        labels = list(cells)
        # 单位, 任务, 未启动, 推进中, 已完成, 受阻, 已销号, 逾期, 本期未报送
        assert cells["马甲镇"][1:9] == ["72", "71", "1", "0", "0", "0", cells["罗溪镇"][7], "70"]
        assert cells["罗溪镇"][1:9] == ["72", "72", "0", "0", "0", "0", cells["罗溪镇"][7], "72"]
        assert int(cells["罗溪镇"][7]) > 0
        heading = labels.index("各单位（最落后的在前）")
        assert set(TOWNS) <= set(labels[heading:])
        assert labels.index("罗溪镇") < labels.index("马甲镇")  # reported nothing: further behind

        while overview.highlighted is None or overview.highlighted.label != "马甲镇":
            await pilot.press("j")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert shown_numbers(app) == list(range(1, 73))
        assert (mark_of(app, 12), mark_of(app, 13)) == ("[~]", "[ ]")
