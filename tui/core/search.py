"""Search over tasks: content, units and notes; names and contents also by pinyin initials (`mzj` finds 民政局).

The one search: the app's `/` and `taizhang list --search` both go through `Ledger.select(search=...)`,
which matches with a `SearchIndex`: a task matches when every word of the query is in its text, or in the
pinyin initials of its 序号, section, subsection, content, units and deadline (`tui.core.initials`). Notes
are matched as written: a large ledger holds 100,000 of them, and initials are for names.

A long-lived index (the app's) never makes a key wait: `update` only notes what changed, `build` computes
the initials in a worker, and `matches_now` answers from what is built so far, saying whether the answer
is complete. `matches` (the command line's) builds whatever is missing first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.model import Task

__all__ = ["SearchIndex", "SearchResult", "query_words", "searchable_text", "text_matches"]


def _name_fields(task: Task) -> tuple[str, ...]:
    return (str(task.no), task.section, task.subsection, task.content, *task.units, task.deadline)


def searchable_text(task: Task) -> str:
    """What a search looks in: the 序号, the section and subsection, the content, units, deadline and notes (every
    unit's; the townships carrying a task are not searched: they carry nearly all of them)."""
    return "\n".join((*_name_fields(task), *_note_texts(task)))


def _note_texts(task: Task) -> Iterator[str]:
    yield from (note.text for note in task.notes)
    yield from (note.text for note in task.unit_notes)


def query_words(query: str) -> list[str]:
    """The words of a query, lower case: a task must hold every one."""
    return query.lower().split()


def text_matches(query: str, text: str) -> bool:
    """Whether `text` (a unit's name, a choice in a picker) holds every word of `query`, as written or as
    pinyin initials read character by character (`quick_initials`: the unit names read the same either way).
    Pickers run in the long-lived session, which must not load pypinyin's phrase dictionaries (58 MB)."""
    from tui.core.initials import quick_initials

    haystack = f"{text}\n{quick_initials(text)}".lower()
    return all(word in haystack for word in query_words(query))


def _could_be_initials(word: str) -> bool:
    return any(char.isascii() and char.isalpha() for char in word)


@dataclass(frozen=True)
class SearchResult:
    """The ids of the matching tasks; `complete` is False while some tasks' initials are still being built
    (those were matched on `quick_initials`): search again when `SearchIndex.build` returns."""

    ids: frozenset[str]
    complete: bool


class _Entry:
    """One task as indexed: its text (lower case) and, once built, its names' initials."""

    __slots__ = ("fields", "initials", "names", "notes", "quick", "task")

    def __init__(self, task: Task, fields: tuple[str, ...], notes: str, initials: str | None) -> None:
        self.task = task
        self.fields = fields
        self.names = "\n".join(fields).lower()
        self.notes = notes
        self.initials = initials  # set by `build`, possibly from another thread: read it once
        self.quick: str | None = None  # `quick_initials`, made when a search needs it before `build`


class SearchIndex:
    """Per task, its text and the pinyin initials of its names; only tasks that changed are looked at again.

    `update` runs on every search and costs little (the text of a task that changed, no pinyin); the
    initials of a task whose names changed are dropped and built again by `build` or `matches`.
    """

    def __init__(self, *, initials_apart: bool = False) -> None:
        # `initials_apart`: pypinyin's dictionaries stay out of this process (tui.core.initials), as a
        # long-lived session needs; a command that ends at once reads them itself.
        self._apart = initials_apart
        self._entries: dict[str, _Entry] = {}
        self._field_initials: dict[str, str] = {}  # sections, subsections, units and deadlines repeat

    def update(self, tasks: Iterable[Task]) -> None:
        fresh: dict[str, _Entry] = {}
        renamed = False
        for task in tasks:
            entry = self._entries.get(task.id)
            if entry is not None and entry.task is task:  # the store hands back the same object when unchanged
                fresh[task.id] = entry
                continue
            fields = _name_fields(task)
            notes = "\n".join(_note_texts(task)).lower()
            same_names = entry is not None and entry.fields == fields
            renamed = renamed or (entry is not None and not same_names)
            fresh[task.id] = _Entry(task, fields, notes, entry.initials if entry is not None and same_names else None)
        if renamed or len(fresh) < len(self._entries):  # an import: forget the initials of names gone
            live = {field for entry in fresh.values() for field in entry.fields}
            # A copy taken in one step: a worker may be adding to the cache meanwhile.
            known = list(self._field_initials.items())
            self._field_initials = {field: initials for field, initials in known if field in live}
        self._entries = fresh

    @property
    def pending(self) -> int:
        """How many tasks' initials are not built yet."""
        return sum(entry.initials is None for entry in list(self._entries.values()))

    def build(self, *, should_stop: Callable[[], bool] = lambda: False, chunk: int = 200) -> bool:
        """Build the initials still missing, `chunk` tasks at a time, checking `should_stop` between chunks;
        True when every task is built, False when stopped. Safe in a worker thread while the event loop
        searches and updates (tasks an update adds meanwhile are built too)."""
        from tui.core.initials import initials, initials_apart, quick_initials

        while True:
            pending = [entry for entry in list(self._entries.values()) if entry.initials is None]
            if not pending:
                return True
            quick_initials("")  # the quick table first, so that searches meanwhile need not wait for it
            if self._apart:
                known = self._field_initials
                missing = sorted({field for entry in pending for field in entry.fields if field not in known})
                if missing:
                    if should_stop():
                        return False
                    known.update(zip(missing, initials_apart(missing), strict=True))
            for start in range(0, len(pending), chunk):
                if should_stop():
                    return False
                for entry in pending[start : start + chunk]:
                    if self._apart:
                        # A name an update brought meanwhile waits for the next round, worked out apart too.
                        letters = [self._field_initials.get(field) for field in entry.fields]
                        if all(each is not None for each in letters):
                            entry.initials = "\n".join(each for each in letters if each is not None)
                    else:
                        entry.initials = "\n".join(self._initials_of(field, initials) for field in entry.fields)

    def _initials_of(self, field: str, initials: Callable[[str], str]) -> str:
        known = self._field_initials.get(field)
        if known is None:
            known = self._field_initials[field] = initials(field)
        return known

    def matches_now(self, query: str) -> SearchResult:
        """The tasks holding every word of `query`, from what is built so far: never waits for pypinyin.

        A task whose initials are not built yet is matched on `quick_initials` (every character read its most
        common way), and the result says it is not complete when a word had letters that could be initials.
        """
        from tui.core.initials import quick_initials

        words = query_words(query)
        lettered = any(_could_be_initials(word) for word in words)
        ids: set[str] = set()
        complete = True
        for task_id, entry in list(self._entries.items()):
            initials = entry.initials
            if initials is None and lettered:
                complete = False
                if entry.quick is None:
                    entry.quick = quick_initials(entry.names)
                initials = entry.quick
            if all(word in entry.names or word in entry.notes or word in (initials or "") for word in words):
                ids.add(task_id)
        return SearchResult(frozenset(ids), complete)

    def matches(self, query: str) -> set[str]:
        """Ids of the tasks whose text or names' pinyin initials contain every word of `query`: what is missing is
        built first, when a word could be initials (`卫健局 持续实施` needs none)."""
        if any(_could_be_initials(word) for word in query_words(query)):
            self.build()
        return set(self.matches_now(query).ids)
