"""Search over tasks: content, units and notes, also by pinyin initials (`mzj` finds 民政局).

The one search: the app's `/` and `taizhang list --search` both go through `Ledger.select(search=...)`,
which matches with a `SearchIndex`: a task matches when every word of the query is in its text or in the
pinyin initials of its text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.model import Task

__all__ = ["SearchIndex", "searchable_text"]


def searchable_text(task: Task) -> str:
    """What a search looks in: the 序号, the section and subsection, the content, units, deadline and notes (every
    unit's; the townships carrying a task are not searched: they carry nearly all of them)."""
    parts = [
        str(task.no),
        task.section,
        task.subsection,
        task.content,
        *task.units,
        task.deadline,
        *(note.text for note in task.notes),
        *(note.text for note in task.unit_notes),
    ]
    return "\n".join(parts)


def _initials(text: str) -> str:
    from pypinyin import Style, lazy_pinyin  # loads its dictionaries: only when someone searches

    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))


class SearchIndex:
    """Per task, its searchable text and the pinyin initials of it; rebuilt only for tasks that changed."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, str]] = {}  # task id -> (source text, haystack)

    def update(self, tasks: Iterable[Task]) -> None:
        fresh: dict[str, tuple[str, str]] = {}
        for task in tasks:
            text = searchable_text(task)
            cached = self._entries.get(task.id)
            if cached is not None and cached[0] == text:
                fresh[task.id] = cached
            else:
                fresh[task.id] = (text, f"{text}\n{_initials(text)}".lower())
        self._entries = fresh

    def matches(self, query: str) -> set[str]:
        """Ids of the tasks whose text or pinyin initials contain every word of `query`."""
        words = query.lower().split()
        return {task_id for task_id, (_text, haystack) in self._entries.items() if all(w in haystack for w in words)}
