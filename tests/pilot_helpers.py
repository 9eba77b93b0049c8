"""What the app's pilot tests share: waiting for writes to land, and reading the screen."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from textual.screen import Screen

from tui.app import TaizhangApp
from tui.core.model import Task
from widgets.ledger_tree import LedgerTree
from widgets.message_line import MessageLine
from widgets.note_dialog import NoteDialog
from widgets.store_watcher import StoreWatcher

ScreenT = TypeVar("ScreenT", bound=Screen)


async def settle(app: TaizhangApp, pilot) -> None:
    """Let the write workers finish and their messages be handled."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def watcher_caught_up(app: TaizhangApp, pilot, seconds: float = 5.0) -> None:
    """Let the app run (no key pressed) until its store watcher has posted every change now on disk and the
    screen has handled them: what a check that nothing happened waits for, rather than a fixed sleep."""
    watcher = app.screen_stack[0].query_one(StoreWatcher)
    await asyncio.wait_for(watcher.caught_up(watcher.store.revision()), seconds)
    await pilot.pause()


async def open_dialog(app: TaizhangApp, pilot, key: str, kind: type[ScreenT]) -> ScreenT:
    """Press `key` and return the dialog it opened (failing if it opened something else)."""
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, kind), app.screen
    return app.screen


def note_editor(app: TaizhangApp) -> NoteDialog | None:
    """The note editor when it is open, else None: since issue 16 a widget of the ledger screen, not a screen."""
    editors = app.screen_stack[0].query(NoteDialog)
    return editors.first() if editors and editors.first().is_open else None


def notices(app: TaizhangApp) -> list[str]:
    """The toasts shown: refusals, errors, colleagues' changes."""
    return [notification.message for notification in app._notifications]


def said(app: TaizhangApp) -> str:
    """The message line: what this session's last change did (without its time)."""
    line = app.screen_stack[0].query_one(MessageLine)
    return line.shown_text.split("  ", 1)[1] if line.display else ""


def shown_numbers(app: TaizhangApp) -> list[int]:
    """The 序号 of every task the tree shows, top to bottom."""
    tree = app.screen.query_one(LedgerTree)
    numbers: list[int] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child.data, Task):
                numbers.append(child.data.no)
            walk(child)

    walk(tree.root)
    return numbers
