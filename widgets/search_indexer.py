"""An invisible widget that builds the search index in a thread worker, so that no key waits on it.

The screen searches with `SearchIndex.matches_now` (tui/core/search.py), which answers at once from what
is built, reading names the quick way where their initials are not built yet. `build` hands the worker the
ledger's tasks (one worker at a time): it indexes what changed (joining the text of 100,000 notes takes a
tenth of a second: better there than in the first key typed) and builds the initials still missing; `Built`
says the index is whole, and a search shown meanwhile is searched again. The search itself indexes the
tasks it searches too (cheap when the worker has been there first), so it never depends on the worker.
"""

from __future__ import annotations

from collections.abc import Sequence
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
        self.index = SearchIndex(initials_apart=True)  # pypinyin in a short-lived process
        self._building = False
        self._tasks: Sequence[Task] | None = None  # the ledger's tasks, for the worker to index

    def build(self, tasks: Sequence[Task] | None = None) -> None:
        """In the worker: index `tasks` (the ledger's, when given: only changed ones are looked at) and build the
        initials still missing; if it is at work already, it takes these tasks when it is done."""
        if tasks is not None:
            self._tasks = tasks
        if not self._building and (self._tasks is not None or self.index.pending):
            self._building = True
            self._build()

    @work(thread=True, group="search-index", exit_on_error=False, description="建立查找索引")
    def _build(self) -> None:
        worker = get_current_worker()
        tasks, self._tasks = self._tasks, None
        if tasks is not None:
            self.index.update(tasks)
        complete = self.index.build(should_stop=lambda: worker.is_cancelled)
        self.post_message(self.Built(self, complete))

    @on(Built)
    def _built(self, message: Built) -> None:
        self._building = False  # before the message goes on to the screen, which may ask for more
        if message.complete and self._tasks is not None:
            self.build()  # a newer ledger arrived meanwhile
