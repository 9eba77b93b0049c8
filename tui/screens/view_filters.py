"""What the ledger screen shows: its filters as one value (unit, section, status, overdue, search)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tui.core.model import Ledger, Status, Task
from tui.core.search import SearchIndex

__all__ = ["ViewFilters"]


@dataclass(frozen=True)
class ViewFilters:
    """The screen's filters, replaced whole on every change (MainScreen.filters): one watcher redraws.

    `section` is set from the overview (d); `search` is the text typed after `/`, as typed. With a `unit`, the
    status and overdue filters look at that unit's own row of each task, as the tree's marks then do (issue 14).
    """

    unit: str | None = None
    section: str | None = None
    status: Status | None = None
    overdue: bool = False
    search: str = ""

    @property
    def searching(self) -> bool:
        return bool(self.search.strip())

    @property
    def narrowing(self) -> bool:
        """Whether a filter other than the search is set (what `F` is for)."""
        return bool(self.unit or self.section or self.status or self.overdue)

    def select(self, ledger: Ledger, today: dt.date, index: SearchIndex) -> list[Task]:
        """The ledger's tasks these filters let through, in ledger order (`index` serves the search)."""
        statuses = [self.status] if self.status else None
        tasks = ledger.select(today=today, unit=self.unit, statuses=statuses, overdue=self.overdue)
        if self.section:
            tasks = [task for task in tasks if task.section == self.section]
        if self.searching:
            # What is built so far: a key never waits for the index (the screen builds it in a worker).
            index.update(ledger.tasks)
            matching = index.matches_now(self.search).ids
            tasks = [task for task in tasks if task.id in matching]
        return tasks

    def describe(self) -> list[str]:
        """The filters set, as the header lists them (`单位:区民政局`, `逾期`, `查找:wjj`)."""
        filters = []
        if self.section:
            filters.append(self.section)
        if self.unit:
            filters.append(f"单位:{self.unit}")
        if self.status:
            filters.append(f"状态:{self.status.label}")
        if self.overdue:
            filters.append("逾期")
        if self.searching:
            filters.append(f"查找:{self.search.strip()}")
        return filters
