"""Snapshots of the split view at 80x24 and 120x40 and of the help screen (fixed clock, no real dates)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import fixed_clock
from tui.app import make_app


def test_main_screen_80x24(snap_compare, db_path: Path) -> None:
    assert snap_compare(make_app(db_path, clock=fixed_clock, user="tester"), terminal_size=(80, 24))


def test_main_screen_120x40_with_overdue_task(snap_compare, db_path: Path) -> None:
    app = make_app(db_path, clock=fixed_clock, user="tester")
    assert snap_compare(app, terminal_size=(120, 40), press=["colon", "1", "9", "enter"])


def test_help_screen(snap_compare, db_path: Path) -> None:
    app = make_app(db_path, clock=fixed_clock, user="tester")
    assert snap_compare(app, terminal_size=(100, 40), press=["question_mark"])
