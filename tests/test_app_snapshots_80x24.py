"""Snapshots at 80x24, the smallest terminal a clerk logs in with (issue 16): the ledger with three filters on,
the overview, and a long task with notes. Fixed clock and users; no real dates."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import fixed_clock
from tests.test_app_multiuser import USERS
from tui.app import make_app
from tui.core.model import Status
from tui.core.store import Store

SIZE = (80, 24)
LONG_TASK = 15  # the longest content of the task list (202 characters)
NOTES = (
    "已召开全区推进会，部署城乡社区服务体系建设任务。",
    "完成2025年度摸底调查，涉及12个村（社区）、3,000余户，形成问题清单（共18项），下一步逐项整改。",
    "第三季度督导检查发现2个社区站点未按期建成（原定2026年6月30日前），已约谈责任单位，限期一个月内完成整改。",
)


def _users(db_path: Path) -> None:
    (db_path.parent / "users.toml").write_text(USERS, encoding="utf-8")


def test_main_screen_80x24_with_three_filters(snap_compare, db_path: Path) -> None:
    """`m` (区民政局), `o`, a search: the header sums them up as `筛选 3 项・F 清除`."""
    _users(db_path)
    app = make_app(db_path, clock=fixed_clock, user="zhangsan")
    assert snap_compare(app, terminal_size=SIZE, press=["m", "o", "slash", *"志愿", "enter"])


def test_overview_80x24(snap_compare, db_path: Path) -> None:
    """The first column fixed, the signs for the units below and the columns to the right."""
    _users(db_path)
    app = make_app(db_path, clock=fixed_clock, user="zhangsan")
    assert snap_compare(app, terminal_size=SIZE, press=["d"])


def test_overview_80x24_scrolled_right(snap_compare, db_path: Path) -> None:
    _users(db_path)
    app = make_app(db_path, clock=fixed_clock, user="zhangsan")
    assert snap_compare(app, terminal_size=SIZE, press=["d", "end"])


def test_long_task_with_notes_80x24(snap_compare, db_path: Path) -> None:
    """The longest task, in progress, with three notes (the newest long): what the detail keeps in view."""
    store = Store(db_path, clock=fixed_clock, user="tester")
    task = store.load().by_no(LONG_TASK)
    store.set_status(task.id, Status.IN_PROGRESS)
    for note in NOTES:
        store.add_note(task.id, note)
    app = make_app(db_path, clock=fixed_clock, user="tester")
    assert snap_compare(app, terminal_size=SIZE, press=["colon", *str(LONG_TASK), "enter"])
