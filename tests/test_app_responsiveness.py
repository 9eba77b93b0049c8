"""Nothing a user types is lost or reordered, however quickly it arrives after a change."""

from __future__ import annotations

from pathlib import Path

from textual import events

from tui.app import TaizhangApp
from tui.core.model import Status
from tui.core.store import Store

SIZE = (120, 36)


async def settle(app: TaizhangApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def burst(app: TaizhangApp, keys: list[str]) -> None:
    """Keys as a terminal delivers a fast typist's input: all queued before the app handles the first."""
    for key in keys:
        character = " " if key == "space" else ("\r" if key == "enter" else key)
        app.post_message(events.Key(key, character))


async def test_keys_typed_right_after_a_status_change_reach_the_note(ledger_app: TaizhangApp, db_path: Path) -> None:
    """Regression: after Space, `n` and a quickly typed note lost keystrokes (`b` saved instead of `bench`)."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "n", *"bench", "enter")
        await settle(ledger_app, pilot)
        task = Store(db_path).load().by_no(1)
        assert task is not None
        assert task.status == Status.IN_PROGRESS
        assert [note.text for note in task.notes] == ["bench"]


async def test_keys_typed_right_after_a_status_change_reach_the_note_in_one_burst(
    ledger_app: TaizhangApp, db_path: Path
) -> None:
    """Regression: in a real terminal the note's keys went to the tree (its `5` and Space became status keys)."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(ledger_app, ["space", "n", *"bench 5", "enter", "space"])
        await settle(ledger_app, pilot)
        task = Store(db_path).load().by_no(1)
        assert task is not None
        assert [note.text for note in task.notes] == ["bench 5"]
        # Space before and after the note: two steps of the cycle, and no `5` (已销号) from the note's text.
        assert [event.new for event in Store(db_path).history(task.id) if event.kind == "status"] == [
            "in_progress",
            "done",
        ]


async def test_a_number_typed_right_after_colon_jumps(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(ledger_app, ["colon", "1", "2", "enter"])
        await settle(ledger_app, pilot)
        assert ledger_app.screen.current_task is not None
        assert ledger_app.screen.current_task.no == 12

