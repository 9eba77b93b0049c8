"""An invisible widget that reads the ledger for the screen, its notes after the first frame when they are many.

A journal up to NOTES_READ_BEFORE_FIRST_FRAME_BYTES is read before the first frame (a few tens of
milliseconds); a larger one is folded by a thread worker after it, so a ledger with years of notes
opens at once: until `NotesRead` the ledger is loaded without notes. A failed read of the notes is
posted as `ReadFailed`. The LedgerWriter reads the ledger back through `read_back` after each write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tui.core.model import Ledger
from tui.core.store import Revision, Store, StoreError
from tui.long_lived import bulk_load

__all__ = ["FreshLedger", "LedgerReader"]


@dataclass(frozen=True)
class FreshLedger:
    """A ledger read by a worker, with the store's revision from just before the read."""

    ledger: Ledger
    revision: Revision


class LedgerReader(Widget):
    DEFAULT_CSS = """
    LedgerReader {
        display: none;
    }
    """

    NOTES_READ_BEFORE_FIRST_FRAME_BYTES: ClassVar[int] = 2_000_000

    @dataclass
    class NotesRead(Message):
        """The worker has folded every note in the journal: a reload now shows them at once."""

        reader: LedgerReader

        @property
        def control(self) -> LedgerReader:
            return self.reader

    @dataclass
    class ReadFailed(Message):
        """The notes could not be read, and what staff can do (they cannot run taizhang check)."""

        reader: LedgerReader
        reason: str

        @property
        def control(self) -> LedgerReader:
            return self.reader

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.notes_read = False  # every note folded: until then the ledger is loaded without notes

    def open(self) -> None:
        """Before the first load: whether the notes are read with it, or after the first frame (`read_notes`)."""
        try:
            self.notes_read = self.store.journal_bytes() <= self.NOTES_READ_BEFORE_FIRST_FRAME_BYTES
        except OSError:
            self.notes_read = True  # the first load reports what is wrong with the store

    def load(self) -> Ledger:
        """The ledger as the store holds it now (only changed files are parsed); raises StoreError."""
        return self.store.load(with_notes=self.notes_read)

    def want_all_notes(self) -> bool:
        """Views that count or search notes need them all: True when they must now be read (reload then)."""
        if self.notes_read:
            return False
        self.notes_read = True
        return True

    def read_back(self) -> FreshLedger | None:
        """In a worker, after a write: the ledger as it is now (None: the screen reads it and reports why)."""
        try:
            revision = self.store.revision()
            return FreshLedger(self.store.load(with_notes=self.notes_read), revision)
        except StoreError:
            return None

    def is_current(self, fresh: FreshLedger | None) -> bool:
        """Whether a ledger read back by a worker is still what the store holds, read as the screen reads it."""
        return (
            fresh is not None
            and fresh.ledger.notes_loaded == self.notes_read
            and fresh.revision == self.store.revision()
        )

    @work(thread=True, group="load", exit_on_error=False, description="读取进展情况")
    def read_notes(self) -> None:
        """Fold every note in a worker; NotesRead when done."""
        with bulk_load():
            self.store.load()  # folds every shard once; the reload that follows reuses the fold
        self.post_message(self.NotesRead(self))

    @on(NotesRead)
    def _notes_arrived(self, _message: NotesRead) -> None:
        self.notes_read = True  # before the message goes on to the screen, which reloads

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed read is turned into a message: one line, never a traceback."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, StoreError):
            reason = str(error)
        else:
            reason = f"读取进展情况失败：{error}。请退出后重新打开台账；若仍失败请联系管理员。"
        self.post_message(self.ReadFailed(self, reason))
