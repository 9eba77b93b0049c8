"""Pilot tests for issue 12: a key that does not apply says why on the message line.

Each refused key stays out of the footer as before; pressing it anyway must leave the store as it
was and say, in the rule's own words, why nothing happened.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import fixed_clock
from tests.pilot_helpers import note_editor, notices, said, settle, shown_numbers
from tests.test_app_import import store_files
from tests.test_app_multiuser import USERS as MULTIUSER_USERS
from tui.app import TaizhangApp, make_app
from tui.core.model import Status
from tui.core.store import Store
from tui.screens.main import MainScreen
from widgets.ledger_tree import Section, Subsection
from widgets.message_line import MessageLine

SIZE = (120, 36)

# The accounts of the issue 5 tests, and a viewer whose display name is written as markup.
USERS = MULTIUSER_USERS + textwrap.dedent(
    """
    [users.mallory]
    name = "[/]王[bold]五[@click=screen.cycle_status]x"
    role = "viewer"
    """
)

VIEWER_REASON = "你（看看/kan，只读）只能查看台账，不能修改。如需修改请联系管理员。"
NO_UNIT_REASON = "未在 users.toml 中设定本单位（账号 {login}），m 无从筛选：请按 f 选择单位。"
READ_ONLY_REASON = "当前为只读模式（--read-only），不能修改台账。"


@pytest.fixture
def users_db(db_path: Path) -> Path:
    (db_path.parent / "users.toml").write_text(USERS, encoding="utf-8")
    return db_path


async def press(app: TaizhangApp, pilot, key: str) -> str:
    """Press one key, let any write finish, and return what the message line says."""
    await pilot.press(key)
    await settle(app, pilot)
    return said(app)


async def test_viewer_status_key_says_why_regression_issue12(users_db: Path) -> None:
    files = store_files(users_db)
    app = make_app(users_db, clock=fixed_clock, user="kan")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        for key in ("1", "2", "3", "4", "5", "space", "n", "u", "i"):
            assert key not in screen.active_bindings, key  # still hidden from the footer
            # `m` in between (kan has no unit) changes the line, so each key is seen to say it anew.
            assert await press(app, pilot, "m") == NO_UNIT_REASON.format(login="kan")
            assert await press(app, pilot, key) == VIEWER_REASON, key
            assert app.screen is screen, key  # neither the note dialog nor the import dialog opened
        assert notices(app) == []  # on the message line, not in a toast
    assert store_files(users_db) == files
    assert Store(users_db).history() == []


async def test_unlisted_viewer_is_told_by_login(users_db: Path) -> None:
    app = make_app(users_db, clock=fixed_clock, user="stranger")  # default_role = "viewer"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert await press(app, pilot, "2") == "你（stranger，只读）只能查看台账，不能修改。如需修改请联系管理员。"
    assert Store(users_db).history() == []


async def test_read_only_session_says_why_regression_issue12(users_db: Path) -> None:
    files = store_files(users_db)
    app = make_app(users_db, clock=fixed_clock, user="lisi", read_only=True)  # a supervisor, but --read-only
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("2", "5", "space", "n", "u", "i"):
            await pilot.press("F")  # no filter: F says so, so the next key is seen to say it anew
            await settle(app, pilot)
            assert said(app) == "当前没有筛选，无需清除。"
            assert await press(app, pilot, key) == READ_ONLY_REASON, key
            assert isinstance(app.screen, MainScreen), key
    assert store_files(users_db) == files


async def test_editor_pressing_i_says_imports_are_for_supervisors_regression_issue12(users_db: Path) -> None:
    files = store_files(users_db)
    app = make_app(users_db, clock=fixed_clock, user="zhangsan")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "i" not in app.screen.active_bindings
        assert await press(app, pilot, "i") == "你（张三/zhangsan，区民政局 编辑）无权导入任务清单：导入只能由主管进行。"
        assert isinstance(app.screen, MainScreen)
    assert store_files(users_db) == files


@pytest.mark.parametrize("with_users_file", [True, False])
async def test_m_without_a_unit_says_none_is_set_regression_issue12(db_path: Path, with_users_file: bool) -> None:
    if with_users_file:
        (db_path.parent / "users.toml").write_text(USERS, encoding="utf-8")  # tester: an editor with no unit
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "m" not in app.screen.active_bindings
        assert await press(app, pilot, "m") == NO_UNIT_REASON.format(login="tester")
        assert app.screen.filters.unit is None
        assert len(shown_numbers(app)) == 72


async def test_status_keys_on_a_section_line_say_to_pick_a_task_regression_issue12(ledger_app: TaizhangApp, db_path: Path) -> None:
    files = store_files(db_path)
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = ledger_app.screen
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(screen.current_group, Section)
        for key in ("1", "3", "5", "space", "n", "a"):
            assert not screen.active_bindings[key].enabled, key  # greyed, not hidden (issue 16)
            await pilot.press("F")
            await settle(ledger_app, pilot)
            assert await press(ledger_app, pilot, key) == "请先在任务树中选中一项任务（当前是工作任务）。", key
        assert note_editor(ledger_app) is None

        for _ in range(5):  # the first section's first subsection is a line or two below it
            await pilot.press("j")
            await pilot.pause()
            if isinstance(screen.current_group, Subsection):
                break
        assert isinstance(screen.current_group, Subsection)
        assert await press(ledger_app, pilot, "2") == "请先在任务树中选中一项任务（当前是具体项目）。"
        assert store_files(db_path) == files

        # The keys that apply still work as before once a task is selected.
        for _ in range(5):
            await pilot.press("j")
            await pilot.pause()
            if screen.current_task is not None:
                break
        number = screen.current_task.no
        assert await press(ledger_app, pilot, "2") == f"{number} 号任务：未启动 -> 推进中"
    assert Store(db_path).load().by_no(number).status is Status.IN_PROGRESS


async def test_status_key_with_no_task_shown_says_the_filters_hide_them(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"zzzzqq", "enter")  # matches nothing; Enter keeps it and goes back to the tree
        await pilot.pause()
        assert shown_numbers(ledger_app) == []
        assert await press(ledger_app, pilot, "2") == "没有符合条件的任务。按 F 清除筛选，或按 Esc 清除查找。"
    assert Store(db_path).history() == []


async def test_u_with_nothing_to_undo_says_so_regression_issue12(ledger_app: TaizhangApp, db_path: Path) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "u" not in ledger_app.screen.active_bindings
        assert await press(ledger_app, pilot, "u") == "本次没有可以撤销的改动。"
        assert Store(db_path).history() == []

        assert await press(ledger_app, pilot, "2") == "1 号任务：未启动 -> 推进中"
        assert await press(ledger_app, pilot, "u") == "已撤销：1 号任务 推进中 -> 未启动"
        history = Store(db_path).history()
        assert await press(ledger_app, pilot, "u") == "本次没有可以撤销的改动。"
        assert Store(db_path).history() == history  # the second u wrote nothing


async def test_refusal_shows_a_users_toml_name_as_plain_text(users_db: Path) -> None:
    """A display name written as markup is shown as its characters, and no action in it runs."""
    app = make_app(users_db, clock=fixed_clock, user="mallory")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        expected = "你（[/]王[bold]五[@click=screen.cycle_status]x/mallory，只读）只能查看台账，不能修改。如需修改请联系管理员。"
        assert await press(app, pilot, "2") == expected
        line = app.screen.query_one(MessageLine)
        assert expected in line.render().plain
        await pilot.click(MessageLine)
        await settle(app, pilot)
        assert app.is_running
    assert Store(users_db).history() == []


async def test_a_long_reason_takes_two_lines_at_80_columns(db_path: Path) -> None:
    """At 80 columns a refusal naming a long unit does not lose its end; a save's message takes one line again."""
    (db_path.parent / "users.toml").write_text(
        '[users.zhangsan]\nname = "张三"\nunit = "区退役军人事务局"\nrole = "editor"\n', encoding="utf-8"
    )
    app = make_app(db_path, clock=fixed_clock, user="zhangsan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        line = app.screen.query_one(MessageLine)

        def shown() -> list[str]:
            return [strip.text.strip() for strip in line.render_lines(line.content_region.reset_offset)]

        reason = "你（张三/zhangsan，区退役军人事务局 编辑）无权导入任务清单：导入只能由主管进行。"
        assert await press(app, pilot, "i") == reason
        await pilot.pause()
        assert line.size.height == 2
        assert "".join(shown()).replace(" ", "") == f"10:00{reason}".replace(" ", "")
        assert await press(app, pilot, "u") == "本次没有可以撤销的改动。"
        await pilot.pause()
        assert line.size.height == 1
        assert shown() == ["10:00  本次没有可以撤销的改动。"]
