"""Pilot tests for issue 5 in the app: live refresh from other processes, roles, identity, history, `m`.

The "other session" is always a real other process writing the same store on disk (a `Store` with
another login, or the `taizhang` CLI); the app is never poked, and no key is pressed while waiting.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PROJECT, fixed_clock
from tests.pilot_helpers import note_editor, notices, said, settle, shown_numbers, watcher_caught_up
from tests.test_app_import import write_revision
from tui.app import TaizhangApp, make_app
from tui.core.model import Status
from tui.core.store import Store, current_user
from widgets.picker_dialog import PickerDialog

SIZE = (120, 36)

USERS = textwrap.dedent(
    """\
    default_role = "viewer"

    [users.zhangsan]
    name = "张三"
    unit = "区民政局"
    role = "editor"

    [users.lisi]
    name = "李四"
    role = "supervisor"

    [users.kan]
    name = "看看"
    role = "viewer"

    [users.tester]
    role = "editor"
    """
)


@pytest.fixture
def users_db(db_path: Path) -> Path:
    (db_path.parent / "users.toml").write_text(USERS, encoding="utf-8")
    return db_path


def other_process(db_path: Path, user: str, code: str) -> None:
    """Run `code` in another Python process with `store` = a Store of `db_path` as `user`, `ids` = {no: id}."""
    script = (
        "from tui.core.model import Status\n"
        "from tui.core.store import Store\n"
        f"store = Store({str(db_path)!r}, user={user!r})\n"
        "ids = {task.no: task.id for task in store.load().tasks}\n" + textwrap.dedent(code)
    )
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT, check=True, timeout=60)


def taizhang_cli(*argv: str) -> None:
    subprocess.run([sys.executable, "-m", "tui.cli", *argv], cwd=PROJECT, check=True, timeout=60, capture_output=True)


async def wait_until(pilot, condition: Callable[[], bool], seconds: float = 3.0) -> None:
    """Let the app run (no key pressed) until `condition` holds; fail after `seconds`."""
    for _ in range(int(seconds / 0.1)):
        await pilot.pause(0.1)
        if condition():
            return
    raise AssertionError("the app did not show the change in time")


async def jump(pilot, number: int) -> None:
    await pilot.press("colon", *str(number), "enter")
    await pilot.pause()


def header(app: TaizhangApp) -> str:
    return app.screen.query_one("#header").shown_text


# ---------------------------------------------------------------------- live refresh


async def test_another_process_marking_shows_without_a_key_press(users_db: Path) -> None:
    app = make_app(users_db, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await jump(pilot, 31)
        screen = app.screen
        assert screen.current_task.no == 31 and screen.current_task.status is Status.NOT_STARTED

        other_process(users_db, "lisi", "store.set_status(ids[31], Status.IN_PROGRESS)")
        await wait_until(pilot, lambda: "李四 将 31 号任务标为 推进中" in notices(app))

        assert screen.current_task.no == 31 and screen.current_task.status is Status.IN_PROGRESS
        node = screen.ledger_tree.cursor_node
        assert node is not None and node.data.no == 31 and node.data.status is Status.IN_PROGRESS
        detail = screen.detail.text
        assert "状态：[~] 推进中" in detail
        assert "李四  状态 未启动 -> 推进中" in detail

        other_process(users_db, "lisi", "store.add_note(ids[31], '已完成摸底调查')")
        await wait_until(pilot, lambda: "李四 为 31 号任务写了进展：已完成摸底调查" in notices(app))
        assert "已完成摸底调查" in screen.detail.text and screen.current_task.notes[-1].by == "lisi"


async def test_refresh_keeps_filters_selection_and_scroll(db_path: Path) -> None:
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=(100, 24), notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("o")  # overdue only
        await pilot.pause()
        overdue = shown_numbers(app)
        await pilot.press("G")  # the last overdue task, the tree scrolled down
        await pilot.pause()
        selected = screen.current_task
        scroll_before = screen.ledger_tree.scroll_y
        assert selected is not None and selected.no == overdue[-1] and scroll_before > 0
        other = next(no for no in overdue if no != selected.no)

        # The `taizhang` command as this machine's account: another login than the app's "tester".
        taizhang_cli("--db", str(db_path), "note", str(other), "区里已督办")
        who = current_user()
        await wait_until(pilot, lambda: f"{who} 为 {other} 号任务写了进展：区里已督办" in notices(app))
        await pilot.pause()

        assert screen.filters.overdue and "逾期" in screen.filters.describe()
        assert shown_numbers(app) == overdue
        assert screen.current_task.id == selected.id
        assert screen.ledger_tree.scroll_y == scroll_before

        # A task above the cursor leaves the filtered list: the tree is rebuilt, the view stays put.
        taizhang_cli("--db", str(db_path), "mark", str(other), "done")
        await wait_until(pilot, lambda: f"{who} 将 {other} 号任务标为 已完成" in notices(app))
        await pilot.pause()
        assert shown_numbers(app) == [no for no in overdue if no != other]
        assert screen.current_task.id == selected.id and screen.ledger_tree.cursor_node.data.id == selected.id
        tree = screen.ledger_tree
        assert tree.scroll_y == min(scroll_before, tree.max_scroll_y) > 0
        assert tree.scroll_y <= tree.cursor_line < tree.scroll_y + tree.scrollable_content_region.height


async def test_refresh_of_the_shown_task_keeps_the_detail_scrolled(users_db: Path) -> None:
    other_process(users_db, "lisi", "for i in range(15): store.add_note(ids[5], f'第 {i} 次推进会纪要')")
    app = make_app(users_db, clock=fixed_clock, user="tester")
    async with app.run_test(size=(100, 24), notifications=True) as pilot:
        await pilot.pause()
        await jump(pilot, 5)
        detail = app.screen.detail
        detail.focus()
        await pilot.press("j", "j", "j", "j")
        await pilot.pause()
        scrolled = detail.scroll_y
        assert scrolled > 0

        other_process(users_db, "lisi", "store.set_status(ids[5], Status.BLOCKED)")
        await wait_until(pilot, lambda: "李四 将 5 号任务标为 受阻" in notices(app))
        assert "状态：[!] 受阻" in detail.text and detail.scroll_y == scrolled

        await jump(pilot, 6)  # another task starts at the top
        assert detail.scroll_y == 0


async def test_own_changes_are_not_announced_as_someone_elses(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await settle(ledger_app, pilot)
        await watcher_caught_up(ledger_app, pilot)  # the watcher sees the file move, reads the event, recognises it
        assert said(ledger_app) == "1 号任务：未启动 -> 推进中"
        assert notices(ledger_app) == []  # not announced again as another's change
        assert ledger_app.screen.current_task.status is Status.IN_PROGRESS


async def test_a_reseed_elsewhere_keeps_the_selection_by_task_id(db_path: Path, tmp_path: Path) -> None:
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await jump(pilot, 31)
        screen = app.screen
        task_id = screen.current_task.id
        revised = tmp_path / "revised.docx"
        write_revision(revised, Store(db_path).load().tasks)  # inserts a task after 2: 31 becomes 32

        taizhang_cli("--db", str(db_path), "import", str(revised), "--yes")
        who = current_user()
        await wait_until(pilot, lambda: f"{who} 导入了修订版任务清单" in notices(app))

        assert screen.current_task.id == task_id and screen.current_task.no == 32
        assert screen.ledger_tree.cursor_node.data.id == task_id
        assert len(shown_numbers(app)) == 73
        assert sum("导入了修订版任务清单" in notice for notice in notices(app)) == 1


# ---------------------------------------------------------------------- roles


async def test_viewer_sees_no_write_keys_and_changes_nothing(users_db: Path) -> None:
    for login in ("kan", "stranger"):  # listed as a viewer; unlisted under default_role = "viewer"
        app = make_app(users_db, clock=fixed_clock, user=login)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            screen = app.screen
            for key in ("1", "2", "3", "4", "5", "space", "n", "u", "i"):
                assert key not in screen.active_bindings, key
            await pilot.press("2", "5", "space", "n")
            await settle(app, pilot)
            assert note_editor(app) is None
            assert "只读" in header(app)
    assert Store(users_db).history() == []


async def test_viewer_header_names_the_account(users_db: Path) -> None:
    app = make_app(users_db, clock=fixed_clock, user="kan")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "看看(kan)・只读" in header(app)


async def test_editor_may_change_only_their_units_tasks_and_not_close_them(users_db: Path) -> None:
    ledger = Store(users_db).load()
    own = next(task for task in ledger.tasks if task.has_unit("区民政局"))
    foreign = next(task for task in ledger.tasks if not task.has_unit("区民政局"))
    app = make_app(users_db, clock=fixed_clock, user="zhangsan")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert "张三(zhangsan)・区民政局・编辑" in header(app)

        await jump(pilot, foreign.no)
        await pilot.press("2")
        await settle(app, pilot)
        # Said on the message line since issue 12, as every refused key is (a toast before).
        assert said(app) == f"你（张三/zhangsan，区民政局 编辑）无权修改 {foreign.no} 号任务：该任务不属于区民政局。"
        await pilot.press("n")
        await pilot.pause()
        assert note_editor(app) is None

        await jump(pilot, own.no)
        await pilot.press("5")
        await settle(app, pilot)
        assert "销号只能由主管进行" in said(app)
        await pilot.press("2")
        await settle(app, pilot)
        assert said(app) == f"{own.no} 号任务：未启动 -> 推进中"

    after = Store(users_db).load()
    assert after.by_id(foreign.id).status is Status.NOT_STARTED
    assert after.by_id(own.id).status is Status.IN_PROGRESS
    assert [(e.by, e.task, e.new) for e in Store(users_db).history()] == [("zhangsan", own.id, "in_progress")]


async def test_supervisor_closes_any_task(users_db: Path) -> None:
    foreign = next(task for task in Store(users_db).load().tasks if not task.has_unit("区民政局"))
    app = make_app(users_db, clock=fixed_clock, user="lisi")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert "李四(lisi)・主管" in header(app)
        await jump(pilot, foreign.no)
        await pilot.press("5")
        await settle(app, pilot)
    assert Store(users_db).load().by_id(foreign.id).status is Status.CLOSED


async def test_read_only_session_shows_identity_and_hides_writes(users_db: Path) -> None:
    app = make_app(users_db, clock=fixed_clock, user="lisi", read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "李四(lisi)・只读" in header(app)
        for key in ("2", "5", "n", "i"):
            assert key not in screen.active_bindings, key
        await pilot.press("5", "n")
        await settle(app, pilot)
        assert note_editor(app) is None
    assert Store(users_db).history() == []


# ---------------------------------------------------------------------- history in the detail pane


async def test_detail_shows_the_tasks_newest_change_and_all_of_them_on_a(users_db: Path) -> None:
    """The newest change; `a` every one, oldest first, as a log reads. A change then writes a line or two over SSH
    rather than moving every row shown (issue 16, BYTES.md F7)."""
    lisi = Store(users_db, clock=fixed_clock, user="lisi")
    task = lisi.load().by_no(12)
    first = lisi.set_status(task.id, Status.IN_PROGRESS)
    lisi.add_note(task.id, "已召开推进会")
    Store(users_db, clock=fixed_clock, user="tester").undo(first.id)
    app = make_app(users_db, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await jump(pilot, 12)
        lines = app.screen.detail.text.splitlines()
        start = lines.index("改动记录（3 条，按 a 看全部）")
        assert lines.index("进展情况（1 条）") < start
        assert lines[start + 1 :] == ["2026-11-28 10:00  tester  撤销 推进中 -> 未启动"]
        await pilot.press("a")
        await pilot.pause()
        lines = app.screen.detail.text.splitlines()
        start = lines.index("改动记录（3 条）")
        assert lines[start + 1 : start + 4] == [
            "2026-11-28 10:00  李四  状态 未启动 -> 推进中",
            "2026-11-28 10:00  李四  写进展：已召开推进会",
            "2026-11-28 10:00  tester  撤销 推进中 -> 未启动",
        ]
        await jump(pilot, 13)
        assert "改动记录" not in app.screen.detail.text


# ---------------------------------------------------------------------- m: the session's own unit


async def test_m_then_o_lists_the_units_overdue_tasks(users_db: Path) -> None:
    ledger = Store(users_db).load()
    expected = [t.no for t in ledger.select(today=fixed_clock().date(), unit="区民政局", overdue=True)]
    assert expected  # the real task list has overdue 区民政局 tasks on the fixed date
    app = make_app(users_db, clock=fixed_clock, user="zhangsan")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "m" in app.screen.active_bindings
        await pilot.press("m", "o")
        await pilot.pause()
        assert shown_numbers(app) == expected
        assert app.screen.filters.describe() == ["单位:区民政局", "逾期"]
        await pilot.press("m")  # again: every unit, still overdue only
        await pilot.pause()
        assert shown_numbers(app) == [t.no for t in ledger.select(today=fixed_clock().date(), overdue=True)]

        await pilot.press("f")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerDialog)
        await pilot.press("enter")  # the highlighted row is the session's unit
        await pilot.pause()
        assert app.screen.filters.unit == "区民政局"


async def test_m_is_hidden_without_a_unit(ledger_app: TaizhangApp, users_db: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "m" not in ledger_app.screen.active_bindings
        await pilot.press("m")
        await pilot.pause()
        assert ledger_app.screen.filters.unit is None
