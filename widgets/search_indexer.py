"""An invisible widget that builds the search index in a thread worker, so that no key waits on it.

The screen searches with `SearchIndex.matches_now` (tui/core/search.py), which answers at once from what
is built, reading names the quick way where their initials are not built yet. `build` hands the index the
ledger's tasks and, when some are not built, starts the worker (one at a time); `Built` says the index is
whole, and a search shown meanwhile is searched again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.worker import get_current_worker

from tui.core.model import Task
from tui.core.search import SearchIndex

__all__ = ["SearchIndexer"]


class SearchIndexer(Widget):
    DEFAULT_CSS = """
    SearchIndexer {
        display: none;
    }
    """

    @dataclass
    class Built(Message):
        """The worker stopped: `complete` when every task's initials are built (a search answered before now may
        have read some the quick way: search again)."""

        indexer: SearchIndexer
        complete: bool

        @property
        def control(self) -> SearchIndexer:
            return self.indexer

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index = SearchIndex()
        self._building = False

    def build(self, tasks: Iterable[Task] | None = None) -> None:
        """Index `tasks` (the ledger's, when given: only changed ones are looked at) and build what is missing
        in the worker, unless it is already at it (it builds tasks added meanwhile too)."""
        if tasks is not None:
            self.index.update(tasks)
        if not self._building and self.index.pending:
            self._building = True
            self._build()

    @work(thread=True, group="search-index", exit_on_error=False, description="建立查找索引")
    def _build(self) -> None:
        worker = get_current_worker()
        complete = self.index.build(should_stop=lambda: worker.is_cancelled)
        self.post_message(self.Built(self, complete))

    @on(Built)
    def _built(self, _message: Built) -> None:
        self._building = False  # before the message goes on to the screen, which may ask for more
