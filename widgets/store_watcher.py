"""An invisible widget that notices when another session changed the store.

About once a second it compares the store's revision (a few stat calls, on the event loop);
when it moved, a thread worker reads the events recorded since the last look and posts
`StoreWatcher.Changed`. The screen decides what to reload and what to announce. `caught_up` waits
until a given revision has been posted (what a test awaits before checking that nothing happened).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widget import Widget

from tui.core.model import Event
from tui.core.store import Revision, Store, StoreError

__all__ = ["StoreWatcher"]


class StoreWatcher(Widget):
    DEFAULT_CSS = """
    StoreWatcher {
        display: none;
    }
    """

    @dataclass
    class Changed(Message):
        """The store changed on disk: the events since the last look (oldest first), and whether db.json was rewritten."""

        watcher: StoreWatcher
        events: tuple[Event, ...]
        reseeded: bool
        revision: Revision  # the store's revision these changes bring the watcher to

        @property
        def control(self) -> StoreWatcher:
            return self.watcher

    def __init__(self, store: Store, *, interval: float = 1.0, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.interval = interval
        self._revision: Revision | None = None
        self._last_event: str | None = None
        self._reading = False
        self.seen: Revision | None = None  # the revision of the last Changed posted (or of the mount)
        self._posted = asyncio.Event()

    def on_mount(self) -> None:
        self._revision = self.seen = self.store.revision()
        try:
            self._last_event = self.store.last_event_id()
        except StoreError:
            self._last_event = None  # the screen reports a broken store when it loads
        self.set_interval(self.interval, self.check_now, name="store-watch")

    def check_now(self) -> None:
        """Compare the revision; read the new events in a worker if it moved."""
        if self._reading:
            return
        revision = self.store.revision()
        if revision == self._revision:
            return
        self._reading = True
        self._read_changes(revision)

    @work(thread=True, group="store-watch", exit_on_error=False, description="读取他人的改动")
    def _read_changes(self, revision: Revision) -> None:
        previous = self._revision
        try:
            try:
                events = tuple(self.store.events_after(self._last_event))
            except StoreError:
                events = ()  # e.g. a shard being repaired: the screen's reload says what is wrong
            if events:
                self._last_event = events[-1].id
            # Taken before the read: a write landing meanwhile moves the revision again and is read next time.
            self._revision = revision
        finally:
            self._reading = False
        reseeded = previous is None or revision[:1] != previous[:1]
        self.post_message(self.Changed(self, events, reseeded, revision))

    @on(Changed)
    def _note_seen(self, message: Changed) -> None:
        # Runs here before the message goes on to the screen (in the same turn of the event loop).
        self.seen = message.revision
        self._posted.set()

    async def caught_up(self, revision: Revision) -> None:
        """Return once the changes up to `revision` (`store.revision()` after a write) have been posted.

        The screen handles them next: a test then awaits `pilot.pause()` instead of sleeping a fixed time.
        """
        while self.seen != revision:
            self._posted.clear()
            await self._posted.wait()
