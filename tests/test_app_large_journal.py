"""A large journal: the first frame shows the ledger with its statuses while a worker reads the notes.

The real 72-task store stands in for a big one: the size above which notes are read after the first
frame is lowered to nothing, and the worker's read is held until the test lets it go, so the screen
can be checked in between.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from tests.conftest import fixed_clock
from tests.pilot_helpers import settle
from tui.app import make_app
from tui.core.model import Status
from tui.core.store import Store
from widgets.ledger_reader import LedgerReader

SIZE = (120, 36)


@pytest.fixture
def journal(store: Store) -> Store:
    ledger = store.load()
    first, fifth = ledger.by_no(1), ledger.by_no(5)
    store.add_notes([(first.id, "2025-03-01T09:00:00+08:00", "去年的进展：召开联席会议")])
    store.add_note(first.id, "今年的进展：完成走访")
    store.set_status(fifth.id, Status.IN_PROGRESS)
    return store


@pytest.fixture
def held_notes(monkeypatch):
    """Read notes after the first frame, and hold the worker's read until `release.set()`."""
    monkeypatch.setattr(LedgerReader, "NOTES_READ_BEFORE_FIRST_FRAME_BYTES", 0)
    release = threading.Event()
    loads: list[tuple[str, bool]] = []
    original = Store.load

    def load(self: Store, *, with_notes: bool = True):
        worker = threading.current_thread() is not threading.main_thread()
        loads.append(("worker" if worker else "screen", with_notes))
        if worker and with_notes:
            assert release.wait(10), "the test never released the notes"
        return original(self, with_notes=with_notes)

    monkeypatch.setattr(Store, "load", load)
    yield release, loads
    release.set()


async def test_the_ledger_shows_before_the_notes_are_read(journal: Store, held_notes, db_path: Path):
    release, loads = held_notes
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert loads[0] == ("screen", False)
        assert screen.current_task.no == 1
        assert "正在读取进展情况和改动记录…" in screen.detail.text
        assert "今年的进展" not in screen.detail.text
        # Statuses come with the first frame: from the summary, not from the notes.
        assert screen.ledger.by_no(5).status is Status.IN_PROGRESS
        assert "推进中 1" in screen.query_one("#header").shown_text

        release.set()
        await settle(app, pilot)
        detail = screen.detail.text
        assert "进展情况（2 条）" in detail
        assert detail.index("今年的进展：完成走访") < detail.index("去年的进展：召开联席会议")
        assert "改动记录" in detail
        assert ("worker", True) in loads


async def test_a_search_before_the_notes_arrive_still_finds_note_text(journal: Store, held_notes, db_path: Path):
    release, _loads = held_notes
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "正在读取" in app.screen.detail.text
        await pilot.press("slash", *"联席会议")
        await pilot.pause()
        visible = app.screen._visible_tasks()
        assert 1 in [task.no for task in visible]
        release.set()
        await settle(app, pilot)


async def test_a_change_made_while_the_notes_are_read_is_saved_and_shown(
    journal: Store, held_notes, db_path: Path
):
    release, _loads = held_notes
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        writes = [worker for worker in app.workers if worker.group == "store"]
        if writes:  # (an empty list would wait for every worker, the held one too)
            await app.workers.wait_for_complete(writes)
        await pilot.pause()
        assert Store(db_path).load().by_no(1).status is Status.DONE
        assert "状态：[x] 已完成" in app.screen.detail.text
        release.set()
        await settle(app, pilot)
        assert "进展情况（2 条）" in app.screen.detail.text
        assert "状态：[x] 已完成" in app.screen.detail.text


async def test_the_detail_shows_the_newest_notes_and_points_to_the_rest(store: Store, db_path: Path):
    """Years of notes: the pane draws the newest twelve (it is redrawn after every change), and says
    where the others are."""
    task = store.load().by_no(3)
    store.add_notes([(task.id, f"2025-{month:02d}-15T10:00:00+08:00", f"第{month}月进展") for month in range(1, 13)])
    store.add_notes([(task.id, f"2026-{month:02d}-15T10:00:00+08:00", f"今年第{month}月进展") for month in range(1, 4)])
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", "3", "enter")
        await pilot.pause()
        detail = app.screen.detail.text
        assert "进展情况（15 条）" in detail
        shown = [line for line in detail.splitlines() if re.fullmatch(r"(今年)?第\d+月进展", line)]
        assert shown == [f"今年第{m}月进展" for m in (3, 2, 1)] + [f"第{m}月进展" for m in range(12, 3, -1)]
        assert "另有 3 条较早的进展情况：taizhang show 3" in detail


async def test_a_shows_every_note_and_history_row_of_the_task_in_the_app(store: Store, db_path: Path):
    """Staff log in under ForceCommand with no shell, so `taizhang show` is out of their reach: the pane
    itself shows the older notes on `a`, for this task only."""
    task = store.load().by_no(3)
    store.add_notes([(task.id, f"2025-{month:02d}-15T10:00:00+08:00", f"第{month}月进展") for month in range(1, 13)])
    store.add_notes([(task.id, f"2026-{month:02d}-15T10:00:00+08:00", f"今年第{month}月进展") for month in range(1, 4)])
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:

        def shown_notes() -> list[str]:
            return [line for line in app.screen.detail.text.splitlines() if re.fullmatch(r"(今年)?第\d+月进展", line)]

        await pilot.press("colon", "3", "enter")
        await pilot.pause()
        assert "（在此按 a 全部显示）" in app.screen.detail.text
        assert len(shown_notes()) == 12
        await pilot.press("a")
        await pilot.pause()
        assert shown_notes() == [f"今年第{m}月进展" for m in (3, 2, 1)] + [f"第{m}月进展" for m in range(12, 0, -1)]
        assert "较早的" not in app.screen.detail.text
        await pilot.press("a")
        await pilot.pause()
        assert len(shown_notes()) == 12
        await pilot.press("a", "j", "k")  # all again, then to task 4 and back: the newest only
        await pilot.pause()
        assert app.screen.current_task.no == 3
        assert len(shown_notes()) == 12


async def test_a_failed_read_of_the_notes_is_one_notice_not_a_crash(journal: Store, db_path: Path, monkeypatch):
    monkeypatch.setattr(LedgerReader, "NOTES_READ_BEFORE_FIRST_FRAME_BYTES", 0)
    original = Store.load

    def load(self: Store, *, with_notes: bool = True):
        if with_notes and threading.current_thread() is not threading.main_thread():
            raise OSError(5, "Input/output error")
        return original(self, with_notes=with_notes)

    monkeypatch.setattr(Store, "load", load)
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        messages = [notification.message for notification in app._notifications]
        assert any("读取进展情况失败" in m and "联系管理员" in m for m in messages), messages
        assert app.screen.current_task.no == 1  # the ledger is still there to work with
