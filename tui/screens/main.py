"""The split view: the ledger tree on the left, the highlighted task's detail on the right.

The screen wires keys to the pieces that do the work and shows what they report: the filters are one
value (`filters`, whose watcher redraws); the LedgerReader reads the ledger, the LedgerWriter writes
this session's changes and the StoreWatcher notices other sessions', each posting typed messages;
the keys and when they apply are in main_keys.py, the dialogs in main_dialogs.py and note_flow.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import Reactive, var
from textual.widget import Widget
from textual.widgets import Input, Static

from tui.core.display import plain_text
from tui.core.history import TaskHistory, describe_changes, history_rows, row_change_line
from tui.core.model import Ledger, Status, Task, UnitRole, canonical_unit
from tui.core.permissions import Identity, RowTarget, identity_label, ready_to_close_notice, unit_warning
from tui.core.store import Store, StoreError
from tui.long_lived import exempt_from_gc
from tui.screens import main_dialogs
from tui.screens.main_keys import LEDGER_KEYS, NOTHING_SHOWN, key_state, refusal, task_refusal
from tui.screens.note_flow import NoteFlow
from tui.screens.view_filters import ViewFilters
from tui.textual_internals import DrawnOnceOnResume
from widgets.ledger_footer import LedgerFooter
from widgets.ledger_header import LedgerHeader, counts_line
from widgets.ledger_reader import FreshLedger, LedgerReader
from widgets.ledger_tree import LedgerTree, Section, Subsection
from widgets.ledger_writer import LedgerWriter
from widgets.message_line import MessageLine
from widgets.search_bar import SearchBar
from widgets.search_indexer import SearchIndexer
from widgets.store_watcher import StoreWatcher
from widgets.task_detail import TaskDetail

if TYPE_CHECKING:
    from widgets.help_screen import HelpRow

__all__ = ["AFTER_FIRST_FRAME_SECONDS", "MainScreen"]

# Start-up work the first frame does not need waits this long after it (issue 16: the time to the first frame).
AFTER_FIRST_FRAME_SECONDS = 1.0


class MainScreen(DrawnOnceOnResume[None]):
    BINDINGS: ClassVar[list[BindingType]] = LEDGER_KEYS
    # `-narrow` below 80 columns: the tree takes half the width, not its 40 (taizhang.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]  # noqa: RUF012 (Textual types it as an instance variable)

    # `var`, not `reactive`: a reactive repaints the whole screen when set (every cell, on every cursor move: 14x
    # the bytes of a bare app per key over SSH, benchmarks/BYTES.md F1); the watchers update what changes.
    current_task: var[Task | None] = var(None)
    current_group: var[Section | Subsection | None] = var(None)
    # Textual's Screen.focused repaints every cell of the screen when the focus moves (`n`, Tab, `/`): the
    # widgets whose focus styles change repaint themselves, the rest need not be written again (issue 16).
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    # Every filter in one value: whatever changes it, `watch_filters` redraws once.
    filters: var[ViewFilters] = var(ViewFilters(), init=False)

    def __init__(self, store: Store, *, read_only: bool = False) -> None:
        # The width's class from the start: added by the first resize, it restyled every widget before the first
        # frame (some 5 ms of the start-up, issue 16). Later resizes keep it up to date.
        width = self.app.size.width
        super().__init__(classes=max((edge, name) for edge, name in self.HORIZONTAL_BREAKPOINTS if width >= edge)[1])
        self.store = store
        self.read_only = read_only
        self.ledger = Ledger(title="", district_note="", tasks=())
        self.undo_stack: list[str] = []  # ids of the events this session wrote, newest last
        self.reader = LedgerReader(store, id="reader")
        self.writer = LedgerWriter(store, read_back=self.reader.read_back, id="writer")
        self._notes = NoteFlow(self, self.writer)
        self.indexer = SearchIndexer(id="indexer")  # builds the search's initials after the first frame
        self._search_index = self.indexer.index
        self._history = TaskHistory(store)
        self._show_all_of: str | None = None  # the task whose every note and history row is shown (`a`)
        # The unit whose own row the keys change, as chosen with `r` by one who may change any row; None: the
        # overall row. Kept from task to task (a supervisor marking one township's rows), where the task has it.
        self._picked_unit: str | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield LedgerHeader(id="header")
        with Horizontal(id="panes"):
            with Vertical(id="tree-pane", classes="pane"):
                yield Static("任务", id="tree-title", classes="pane-title")
                yield LedgerTree(id="tree")
                yield SearchBar(id="search")
            with Vertical(id="detail-pane", classes="pane"):
                yield Static("详情", classes="pane-title")
                yield TaskDetail(id="detail")
        yield MessageLine(id="message")
        yield LedgerFooter()
        yield self.reader
        yield self.writer
        yield StoreWatcher(self.store, id="watcher")
        yield self.indexer

    def watch_focused(self, focused: Widget | None) -> None:
        # The pane the keys go back to stays lit while the note editor has the focus (over SSH, both titles were
        # written again on every note).
        if focused is not None and (panes := [pane for pane in focused.ancestors if pane.has_class("pane")]):
            for pane in self.query(".pane"):
                pane.query_one(".pane-title").set_class(pane in panes, "-lit")

    @property
    def ledger_tree(self) -> LedgerTree:
        return self.query_one("#tree", LedgerTree)

    @property
    def detail(self) -> TaskDetail:
        return self.query_one("#detail", TaskDetail)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one("#search", SearchBar)

    def on_mount(self) -> None:
        # The first frame is drawn once, when the screen is first laid out (DrawnOnceOnResume): what is shown here,
        # and the detail broken at its width then (TaskDetail.laid_out), is in it.
        self.reader.open()
        self.reload_ledger(filters_changed=True)
        if (identity := self.identity()) is not None and identity.locked:
            self._say(identity.locked)  # users.toml is not trusted: say at once why everyone only reads
        elif identity is not None and (warning := unit_warning(identity, self.ledger)) is not None:
            self._say(warning)  # users.toml names a unit the ledger does not know (卫健局 for 区卫健局)
        self.ledger_tree.focus()
        # Now rather than when the tree's message arrives: the first frame shows the task and its keys.
        self._follow_item(self.ledger_tree.highlighted_item)
        # Later: started at once, the worker's thread competed with drawing the first frame (1.4x the bare
        # app's time to it, not 1.25x). Until it is built, `/` reads names the quick way.
        self.set_timer(AFTER_FIRST_FRAME_SECONDS, lambda: self.indexer.build(self.ledger.tasks))
        if self.reader.notes_read:
            exempt_from_gc()
        else:
            self.reader.read_notes()

    @on(LedgerReader.NotesRead)
    def _notes_arrived(self, _message: LedgerReader.NotesRead) -> None:
        self.reload_ledger()
        self.indexer.build(self.ledger.tasks)  # their text, for the search, indexed in the worker
        self._show_current_task()  # its notes and history, even if the task itself did not change
        exempt_from_gc()

    @on(LedgerReader.ReadFailed)
    def _read_failed(self, message: LedgerReader.ReadFailed) -> None:
        self.notify(message.reason, severity="error", timeout=10)
        self.reload_ledger()

    def read_all_notes_now(self) -> None:
        """Views that count or search notes need them all: fold them now if the worker has not yet."""
        if self.reader.want_all_notes():
            self.reload_ledger()

    # ------------------------------------------------------------------ state -> view

    def reload_ledger(self, *, filters_changed: bool = False) -> None:
        """Re-read the store (only changed files are parsed) and redraw, keeping selection and filters.

        After an import, on a change made elsewhere, and whenever a worker could not read the ledger
        back after its own write (then `_show_fresh` shows what the worker read).
        """
        try:
            self.ledger = self.reader.load()
        except StoreError as error:
            self.notify(str(error), severity="error", timeout=8)
            return
        self._refresh_view(filters_changed=filters_changed)

    def _show_fresh(self, fresh: FreshLedger | None) -> None:
        """Show a ledger a worker read back, if nothing changed on disk since (else read it again here)."""
        if fresh is None or not self.reader.is_current(fresh):
            self.reload_ledger()
            return
        self.ledger = fresh.ledger
        self._refresh_view()

    def _visible_tasks(self) -> list[Task]:
        tasks = self.filters.select(self.ledger, self.store.today(), self._search_index)
        if self.filters.searching:
            self.indexer.build()  # names new since the last build (an import): searched the quick way meanwhile
        return tasks

    @on(SearchIndexer.Built)
    def _index_built(self, message: SearchIndexer.Built) -> None:
        if message.complete and self.filters.searching:
            self._refresh_view()  # the search shown may have read some names the quick way

    def watch_filters(self, filters: ViewFilters) -> None:
        if filters.searching:
            self.read_all_notes_now()  # the search looks in the notes too
        self._refresh_view(filters_changed=True)

    def _refresh_view(self, *, filters_changed: bool = False) -> None:
        today = self.store.today()
        tasks = self._visible_tasks()
        # With one unit's tasks shown, the marks are that unit's own rows (`m` for a township: its 72 tasks).
        self.ledger_tree.show_tasks(tasks, today, keep_collapsed=not filters_changed, row_of=self.filters.unit)
        title = f"任务  状态为 {self.filters.unit} 的一行" if self.filters.unit else "任务"
        tree_title = self.query_one("#tree-title", Static)
        if str(tree_title.content) != title:  # an update lays the screen out again: over SSH, bytes on every key
            tree_title.update(plain_text(title))
        identity = self.identity()
        self.query_one(LedgerHeader).show(
            title=self.ledger.title,
            counts=counts_line(self.ledger.tasks, today, len(tasks)),
            filters=self.filters.describe(),
            read_only=self.read_only,
            identity=identity_label(identity) if identity else "",
            clear_key="F" if self.filters.narrowing else "Esc",  # F answers only to other filters
        )
        if self.current_task is not None:
            fresh = self.ledger.by_id(self.current_task.id)
            if fresh is not None and fresh.id in {task.id for task in tasks}:
                self.current_task = fresh
        if not tasks:
            self.current_task = None
            self.current_group = None
            self.detail.show_message(NOTHING_SHOWN)
        self.refresh_bindings()

    def identity(self) -> Identity | None:
        """This session's account, unit and role; None when users.toml cannot be read (the store says why)."""
        try:
            return self.store.identity()
        except StoreError:
            return None

    def my_unit(self) -> str | None:
        """The session's unit from users.toml, as the ledger spells it; None without one."""
        identity = self.identity()
        if identity is None or not identity.unit:
            return None
        wanted = canonical_unit(identity.unit)
        return next((name for name, _count in self.ledger.units() if canonical_unit(name) == wanted), identity.unit)

    @on(LedgerTree.ItemHighlighted)
    def _follow_tree(self, event: LedgerTree.ItemHighlighted) -> None:
        self._follow_item(event.item)

    def _follow_item(self, item: Section | Subsection | Task | None) -> None:
        if isinstance(item, Task):
            self.current_group = None
            self.current_task = item
        else:
            self.current_task = None
            self.current_group = item

    def watch_current_task(self, task: Task | None) -> None:
        if task is None or task.id != self._show_all_of:
            self._show_all_of = None  # `a` is for the task it was pressed on
        self._show_current_task()
        self.refresh_bindings()

    def _show_current_task(self) -> None:
        task = self.current_task
        if task is None:
            return
        target = self._shown_target(task)
        identity = self.identity()
        notice = (ready_to_close_notice(identity, task) if identity is not None else None) or ""
        if not self.ledger.notes_loaded:
            self.detail.show_task(
                task,
                district_note=self.ledger.district_note,
                today=self.store.today(),
                pending=True,
                target=target,
                notice=notice,
                name_of=self.store.display_name,
            )
            return
        try:
            history = history_rows(self._history.of(task.id), self.store.display_name)
        except StoreError:
            history = []  # reload_ledger reports a broken store
        self.detail.show_task(
            task,
            district_note=self.ledger.district_note,
            today=self.store.today(),
            history=history,
            show_all=self._show_all_of == task.id,
            target=target,
            notice=notice,
            name_of=self.store.display_name,
        )

    def keys_row(self, task: Task) -> RowTarget | None:
        """The row of `task` the write keys act on (`Identity.row_target`, or the row picked with `r`); None when
        users.toml cannot be read (pressing a key says why)."""
        identity = self.identity()
        if identity is None:
            return None
        target = identity.row_target(task)
        picked = self._picked_unit
        if target.may_pick and picked is not None and task.role_of(picked) not in (None, UnitRole.LEAD):
            name = next(row.unit for row in task.unit_rows() if row.key == canonical_unit(picked))
            return RowTarget(name, name, may_pick=True)
        return target

    def _shown_target(self, task: Task) -> RowTarget | None:
        """The row the detail marks as the one the keys change; None when they may change none of the task."""
        target = self.keys_row(task)
        if target is None or task_refusal(self.store, "note", task, unit=target.unit) is not None:
            return None
        return target

    def pick_unit_row(self, unit: str | None) -> None:
        """`r`'s choice: the keys change this unit's own row from now on (None: the overall row)."""
        self._picked_unit = unit
        self._show_current_task()

    def action_show_all(self) -> None:
        """`a`: every note and history row of this task (again: the newest only)."""
        task = self.current_task
        if task is not None:
            self._show_all_of = None if self._show_all_of == task.id else task.id
            self._show_current_task()

    def watch_current_group(self, group: Section | Subsection | None) -> None:
        if group is not None:
            tasks = [task for task in self._visible_tasks() if group.holds(task)]
            self.detail.show_group(group.title, tasks, today=self.store.today(), row_of=self.filters.unit)

    # ------------------------------------------------------------------ which keys apply

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Esc with no search to clear is not refused: it has nothing to do, as anywhere else.
        if action == "clear_search":
            return bool(self.filters.search)
        return key_state(self, action)

    def say_refusal(self, action: str) -> bool:
        """A key pressed whose `action` does not apply now: say why on the message line. Whether it did."""
        return self._say_why_not(refusal(self, action))

    def _say_why_not(self, reason: str | None) -> bool:
        if reason is not None:
            self._say(reason)
        return reason is not None

    def _say(self, message: str) -> None:
        """What this session's own change did, or why its key was refused, on the message line (a toast
        per save was too slow)."""
        self.query_one("#message", MessageLine).say(message, self.store.clock())

    # ------------------------------------------------------------------ writes

    def _row_unit(self, task: Task) -> str | None:
        """Whose own row the write keys change on `task` (None: the overall row, which is the lead's)."""
        target = self.keys_row(task)
        return target.unit if target is not None else None

    def action_set_status(self, value: str) -> None:
        task = self.current_task
        if task is None:
            return
        unit = self._row_unit(task)
        if not self._say_why_not(task_refusal(self.store, "status", task, Status(value), unit=unit)):
            self.writer.set_status(task, Status(value), unit=unit)

    def action_cycle_status(self) -> None:
        task = self.current_task
        if task is None:
            return
        unit = self._row_unit(task)
        if not self._say_why_not(task_refusal(self.store, "status", task, unit=unit)):
            self.writer.set_status(task, None, unit=unit)

    async def action_add_note(self) -> None:
        task = self.current_task
        if task is None:
            return
        unit = self._row_unit(task)
        if not self._say_why_not(task_refusal(self.store, "note", task, unit=unit)):
            await self._notes.ask(task, unit)

    async def action_pick_row(self) -> None:
        await main_dialogs.pick_row(self)

    def action_undo(self) -> None:
        event_id = self.undo_stack.pop()
        self.refresh_bindings()
        self.writer.undo(event_id)

    @on(LedgerWriter.StatusSaved)
    def _status_saved(self, message: LedgerWriter.StatusSaved) -> None:
        if message.event is None:
            row = f" {message.unit} " if message.unit else ""
            self._say(f"{message.task_no} 号任务{row}已是 {message.status.label}，未改动。")
        else:
            self.undo_stack.append(message.event.id)
            old = Status(message.event.old)
            self._say(row_change_line(message.task_no, message.unit, old, message.status))
        self._show_fresh(message.fresh)

    @on(LedgerWriter.NoteSaved)
    def _note_saved(self, message: LedgerWriter.NoteSaved) -> None:
        self.undo_stack.append(message.event.id)
        row = f"（{message.unit}）" if message.unit else ""
        self._say(f"已为 {message.task_no} 号任务{row}添加进展情况。")
        self._show_fresh(message.fresh)

    @on(LedgerWriter.UndoSaved)
    def _undo_saved(self, message: LedgerWriter.UndoSaved) -> None:
        event = message.event
        task = self.ledger.by_id(event.task)
        no = task.no if task else 0
        # The event names a unit's row by its canonical name; say it as the task writes it.
        unit = next((row.unit for row in task.unit_rows() if row.key == event.unit), event.unit) if task else event.unit
        if event.new and unit:
            self._say("已撤销：" + row_change_line(no, unit, Status(event.old), Status(event.new)))
        else:
            what = f"{Status(event.old).label} -> {Status(event.new).label}" if event.new else "删去一条进展情况"
            self._say(f"已撤销：{no} 号任务 {unit + '：' if unit else ''}{what}")
        self._show_fresh(message.fresh)

    @on(LedgerWriter.NoteNotSaved)
    def _note_not_saved(self, message: LedgerWriter.NoteNotSaved) -> None:
        self._notes.not_saved(message)

    @on(LedgerWriter.WriteFailed)
    def _write_failed(self, message: LedgerWriter.WriteFailed) -> None:
        self.notify(message.reason, severity="error", timeout=10)
        self.reload_ledger()

    @on(StoreWatcher.Changed)
    def _store_changed_elsewhere(self, message: StoreWatcher.Changed) -> None:
        """Another session wrote: reload in place and say who did what.

        The tree keeps its cursor by task id (after a reseed too) and its scroll; the filters stay.
        """
        if not message.reseeded and self.writer.wrote_all(message.events):
            return  # only this session's own writes: already reloaded when each was saved
        self.reload_ledger()
        # This login's own changes (this session's writes and imports) are already on screen and announced.
        others = [event for event in message.events if event.by != self.store.user]
        for line in describe_changes(others, self.ledger, self.store.display_name):
            self.notify(line, title="他人改动", timeout=8)

    # ------------------------------------------------------------------ search and filters

    def show_only(self, filters: ViewFilters) -> None:
        """Replace the filters (F, Esc, the overview, a jump to a hidden task); a search dropped closes its line."""
        if not filters.search:
            self.search_bar.value = ""
            self.search_bar.close()
        self.filters = filters

    def action_search(self) -> None:
        self.search_bar.open()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filters = replace(self.filters, search=event.value)

    @on(SearchBar.Closed)
    def _search_closed(self, event: SearchBar.Closed) -> None:
        if event.cleared or not self.filters.searching:
            self.search_bar.close()
            self.filters = replace(self.filters, search="")
        self.ledger_tree.focus()

    def action_clear_search(self) -> None:
        self.show_only(replace(self.filters, search=""))

    def action_clear_filters(self) -> None:
        self.show_only(ViewFilters())

    def action_filter_my_unit(self) -> None:
        """`m`: the session's own unit (again: all units), so `m` `o` lists the unit's overdue tasks."""
        mine = self.my_unit()
        if mine is None:
            return
        unit = self.filters.unit
        same = unit is not None and canonical_unit(unit) == canonical_unit(mine)
        self.filters = replace(self.filters, unit=None if same else mine)

    def action_filter_overdue(self) -> None:
        self.filters = replace(self.filters, overdue=not self.filters.overdue)

    # ------------------------------------------------------------------ dialogs (tui/screens/main_dialogs.py)

    async def action_jump(self) -> None:
        await main_dialogs.open_jump(self)

    async def action_filter_unit(self) -> None:
        await main_dialogs.pick_unit(self)

    async def action_filter_status(self) -> None:
        await main_dialogs.pick_status(self)

    async def action_overview(self) -> None:
        await main_dialogs.open_overview(self)

    async def action_export(self) -> None:
        await main_dialogs.open_export(self)

    async def action_import(self) -> None:
        await main_dialogs.open_import(self)

    async def action_help(self) -> None:
        await main_dialogs.open_help(self)

    def help_rows(self) -> list[HelpRow]:
        return main_dialogs.help_rows(self)
