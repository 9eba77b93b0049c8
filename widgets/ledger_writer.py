"""An invisible widget that writes this session's changes: statuses, notes and undos, in key order.

Each write runs in a thread worker, so the event loop goes on drawing while the store takes its lock
and writes; the workers take turns in the order the keys were pressed (a quick `2` `3` ends on 已完成).
After writing, the worker reads the ledger back (LedgerReader.read_back), so that the event loop
does not have to (at 5,000 tasks that read held up the next key), and posts a typed message:
`StatusSaved`, `NoteSaved`, `UndoSaved`; `NoteNotSaved` for a note whose write failed after its
dialog had closed; `WriteFailed` for any other write that failed. The screen decides what to show.

A status or a note goes on one row of the task: `unit` None for the overall row (the lead's), else that
unit's own row (issue 14); the messages name the row as the task writes the unit.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tui.core.model import Event, Status, Task
from tui.core.store import Store, StoreError
from widgets.ledger_reader import FreshLedger

if TYPE_CHECKING:
    from widgets.note_dialog import NoteSaving

__all__ = ["LedgerWriter", "write_failure"]

T = TypeVar("T")

# Space cycles through the everyday states; 受阻 and 已销号 have their own keys.
_CYCLE = {Status.NOT_STARTED: Status.IN_PROGRESS, Status.IN_PROGRESS: Status.DONE, Status.DONE: Status.NOT_STARTED}


def write_failure(error: BaseException | None) -> str:
    """Why a write failed, for the person who made it."""
    if isinstance(error, StoreError):
        return str(error)
    return f"保存失败：{error}。改动未保存，请重试；若仍失败请联系管理员。"


class _Turns:
    """Runs jobs from worker threads one at a time, in the order their tickets were taken."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._issued = 0
        self._serving = 0

    def ticket(self) -> int:
        """Taken on the event loop when the key is pressed."""
        self._issued += 1
        return self._issued - 1

    def run(self, ticket: int, job: Callable[[], T]) -> T:
        with self._condition:
            self._condition.wait_for(lambda: self._serving == ticket)
        try:
            return job()
        finally:
            with self._condition:
                self._serving += 1
                self._condition.notify_all()


class LedgerWriter(Widget):
    DEFAULT_CSS = """
    LedgerWriter {
        display: none;
    }
    """

    class _Posted(Message):
        """What every message of this writer shares: the writer is its control."""

        writer: LedgerWriter

        @property
        def control(self) -> LedgerWriter:
            return self.writer

    class _Saved(_Posted):
        """A change this writer wrote; the subclasses say which kind.

        `fresh` is the ledger the worker read back after writing; None if it could not be read.
        """

        fresh: FreshLedger | None

    @dataclass
    class StatusSaved(_Saved):
        """`event` is None when the row already had `status` (nothing written); `unit`: whose own row (None: the
        overall row)."""

        writer: LedgerWriter
        task_no: int
        event: Event | None
        status: Status
        fresh: FreshLedger | None = None
        unit: str | None = None

    @dataclass
    class NoteSaved(_Saved):
        writer: LedgerWriter
        task_no: int
        event: Event
        fresh: FreshLedger | None = None
        unit: str | None = None

    @dataclass
    class UndoSaved(_Saved):
        writer: LedgerWriter
        event: Event
        fresh: FreshLedger | None = None

    @dataclass
    class NoteNotSaved(_Posted):
        """A note whose write failed after its dialog had closed: its text, to be given back, and why."""

        writer: LedgerWriter
        task: Task
        text: str
        reason: str
        unit: str | None = None  # the row it was for (None: the overall row)

    @dataclass
    class WriteFailed(_Posted):
        """A write that failed (a status, an undo), and why, in the words staff see."""

        writer: LedgerWriter
        reason: str

    def __init__(self, store: Store, *, read_back: Callable[[], FreshLedger | None], id: str | None = None) -> None:
        """`read_back`: reads the ledger in the worker after a write, as the screen reads it (LedgerReader)."""
        super().__init__(id=id)
        self.store = store
        self._read_back = read_back
        self._turns = _Turns()
        # Every event this writer wrote, added by the writing worker: the watcher's reload skips them.
        self._written: set[str] = set()

    def wrote_all(self, events: Iterable[Event]) -> bool:
        """Whether this session wrote every one of these events (none: False)."""
        ids = [event.id for event in events]
        return bool(ids) and all(event_id in self._written for event_id in ids)

    # ------------------------------------------------------------------ status

    def set_status(self, task: Task, status: Status | None, *, unit: str | None = None) -> None:
        """Mark the row of `unit` (None: the overall row) of `task` with `status`, or (None) the next everyday
        state after the one on disk."""
        self._save_status(task, status, unit, self._turns.ticket())

    @work(thread=True, group="store", exit_on_error=False, description="保存状态")
    def _save_status(self, task: Task, status: Status | None, unit: str | None, ticket: int) -> None:
        def job() -> tuple[Event | None, Status]:
            wanted = status
            if wanted is None:  # cycle from what is on disk now, so quick repeated presses each take a step
                wanted = _CYCLE.get(self.store.status_of(task.id, unit), Status.NOT_STARTED)
            return self.store.set_status(task.id, wanted, unit=unit), wanted

        event, wanted = self._turns.run(ticket, job)
        if event is not None:
            self._written.add(event.id)
        self.post_message(self.StatusSaved(self, task.no, event, wanted, self._read_back(), unit=unit))

    # ------------------------------------------------------------------ note

    def add_note(self, task: Task, text: str, *, unit: str | None = None) -> NoteSaving:
        """Write a note on the row of `unit` (None: the overall row); the NoteSaving is finished on the event
        loop once it is written or has failed."""
        from widgets.note_dialog import NoteSaving

        saving = NoteSaving()
        self._save_note(task, text, unit, self._turns.ticket(), asyncio.get_running_loop(), saving)
        return saving

    @work(thread=True, group="store", exit_on_error=False, description="保存进展")
    def _save_note(
        self,
        task: Task,
        text: str,
        unit: str | None,
        ticket: int,
        loop: asyncio.AbstractEventLoop,
        saving: NoteSaving,
    ) -> None:
        try:
            event = self._turns.run(ticket, lambda: self.store.add_note(task.id, text, unit=unit))
        except Exception as error:  # whatever went wrong, the text goes back to the dialog: nothing typed is lost
            reason = f"未保存：{write_failure(error)}"
            loop.call_soon_threadsafe(self._note_not_saved, task, text, unit, reason, saving)
            return
        loop.call_soon_threadsafe(saving.finish, None)  # the dialog may close
        self._written.add(event.id)
        self.post_message(self.NoteSaved(self, task.no, event, self._read_back(), unit=unit))

    def _note_not_saved(self, task: Task, text: str, unit: str | None, reason: str, saving: NoteSaving) -> None:
        if not saving.finish(reason):  # else the dialog is still open: it shows the reason and keeps the text
            self.post_message(self.NoteNotSaved(self, task, text, reason, unit))

    # ------------------------------------------------------------------ undo

    def undo(self, event_id: str) -> None:
        self._save_undo(event_id, self._turns.ticket())

    @work(thread=True, group="store", exit_on_error=False, description="撤销")
    def _save_undo(self, event_id: str, ticket: int) -> None:
        event = self._turns.run(ticket, lambda: self.store.undo(event_id))
        self._written.add(event.id)
        self.post_message(self.UndoSaved(self, event, self._read_back()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed write is turned into a message: the screen says why, never a traceback."""
        if event.state == WorkerState.ERROR:
            self.post_message(self.WriteFailed(self, write_failure(event.worker.error)))
