"""The split view: the ledger tree on the left, the highlighted task's detail on the right."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from tui.core.history import TaskHistory, describe_changes, history_rows
from tui.core.model import Event, Ledger, Status, Task, canonical_unit
from tui.core.permissions import Identity, identity_label
from tui.core.search import SearchIndex
from tui.core.store import Revision, Store, StoreError
from tui.long_lived import bulk_load, exempt_from_gc
from widgets.ledger_footer import LedgerFooter
from widgets.ledger_header import LedgerHeader
from widgets.ledger_tree import LedgerTree, Section, Subsection
from widgets.message_line import MessageLine
from widgets.search_bar import SearchBar
from widgets.store_watcher import StoreWatcher
from widgets.task_detail import TaskDetail

# The dialogs are imported when first opened: the first frame should not wait for them.
if TYPE_CHECKING:
    from widgets.help_screen import HelpRow
    from widgets.note_dialog import NoteSaving

__all__ = ["MainScreen"]

T = TypeVar("T")

_STATUS_KEYS = Binding.Group("状态", compact=True)
# Space cycles through the everyday states; 受阻 and 已销号 have their own keys.
_CYCLE = {Status.NOT_STARTED: Status.IN_PROGRESS, Status.IN_PROGRESS: Status.DONE, Status.DONE: Status.NOT_STARTED}
# The write keys' actions, each with the name Store.refusal gives it.
_STORE_ACTIONS = {"set_status": "status", "cycle_status": "status", "add_note": "note", "undo": "undo"}
_TASK_ACTIONS = {"set_status", "cycle_status", "add_note", "show_all"}
_NOTHING_SHOWN = "没有符合条件的任务。按 F 清除筛选，或按 Esc 清除查找。"


@dataclass(frozen=True)
class FreshLedger:
    """A ledger read by a worker, with the store's revision from just before the read."""

    ledger: Ledger
    revision: Revision


class _Turns:
    """Runs store writes from worker threads one at a time, in the order the keys were pressed."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._issued = 0
        self._serving = 0

    def ticket(self) -> int:
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


def _write_failure(error: BaseException | None) -> str:
    """Why a write failed, for the person who made it."""
    if isinstance(error, StoreError):
        return str(error)
    return f"保存失败：{error}。改动未保存，请重试；若仍失败请联系管理员。"


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "set_status('not_started')", "未启动", group=_STATUS_KEYS, id="status.not_started"),
        Binding("2", "set_status('in_progress')", "推进中", group=_STATUS_KEYS, id="status.in_progress"),
        Binding("3", "set_status('done')", "已完成", group=_STATUS_KEYS, id="status.done"),
        Binding("4", "set_status('blocked')", "受阻", group=_STATUS_KEYS, id="status.blocked"),
        Binding("5", "set_status('closed')", "已销号", group=_STATUS_KEYS, id="status.closed"),
        Binding("space", "cycle_status", "切换状态", show=False, id="status.cycle"),
        # Short labels and `u` kept out of the footer: at 80 columns every shown key must fit, `q 退出` included.
        Binding("n", "add_note", "进展", id="note.add"),
        Binding("u", "undo", "撤销", show=False, id="undo"),
        Binding("a", "show_all", "全部进展和记录", show=False, id="detail.all"),
        Binding("colon,number_sign", "jump", "跳转", id="jump"),
        Binding("slash", "search", "查找", id="search"),
        Binding("f", "filter_unit", "单位", id="filter.unit"),
        Binding("m", "filter_my_unit", "本单位", id="filter.mine"),
        Binding("s", "filter_status", "按状态", show=False, id="filter.status"),
        Binding("o", "filter_overdue", "逾期", id="filter.overdue"),
        Binding("F", "clear_filters", "清除筛选", show=False, id="filter.clear"),
        Binding("escape", "clear_search", "清除查找", show=False, id="search.clear_all"),
        # Not in the footer, which is full at 80 columns: `?` help and the command palette list them.
        Binding("d", "overview", "总览", show=False, id="overview"),
        Binding("e", "export", "导出", show=False, id="export"),
        Binding("i", "import", "导入", show=False, id="import"),
        Binding("question_mark", "help", "帮助", id="help"),
        Binding("tab", "app.focus_next", "切换窗格", show=False, id="pane.next"),
        Binding("shift+tab", "app.focus_previous", "切换窗格（反向）", show=False, id="pane.previous"),
        Binding("ctrl+c,super+c", "screen.copy_text", "复制选中的文字", show=False, id="copy"),
    ]

    current_task: reactive[Task | None] = reactive(None)
    current_group: reactive[Section | Subsection | None] = reactive(None)

    class _Saved(Message):
        """A change this screen's worker wrote; the subclasses say which kind.

        `fresh` is the ledger the worker read back after writing, so that the event loop does not
        have to (at 5,000 tasks that read held up the next key); None if it could not be read.
        """

        screen: MainScreen
        fresh: FreshLedger | None

        @property
        def control(self) -> MainScreen:
            return self.screen

    @dataclass
    class StatusSaved(_Saved):
        screen: MainScreen
        task_no: int
        event: Event | None
        status: Status
        fresh: FreshLedger | None = None

    @dataclass
    class NoteSaved(_Saved):
        screen: MainScreen
        task_no: int
        event: Event
        fresh: FreshLedger | None = None

    @dataclass
    class UndoSaved(_Saved):
        screen: MainScreen
        task_no: int
        event: Event
        fresh: FreshLedger | None = None

    @dataclass
    class NotesRead(Message):
        """The worker has folded every note in the journal: a reload now shows them at once."""

        screen: MainScreen

        @property
        def control(self) -> MainScreen:
            return self.screen

    # A journal up to this size is read before the first frame (a few tens of milliseconds); a
    # larger one is read by a worker after it, so a ledger with years of notes opens at once.
    NOTES_READ_BEFORE_FIRST_FRAME_BYTES: ClassVar[int] = 2_000_000

    def __init__(self, store: Store, *, read_only: bool = False) -> None:
        super().__init__()
        self.store = store
        self.read_only = read_only
        self.ledger = Ledger(title="", district_note="", tasks=())
        self.unit_filter: str | None = None
        self.section_filter: str | None = None  # set from the overview (d)
        self.status_filter: Status | None = None
        self.overdue_only = False
        self.search_text = ""
        self.undo_stack: list[str] = []  # ids of the events this session wrote, newest last
        # Every event this session wrote, added by the writing worker: the watcher's reload skips them.
        self._written: set[str] = set()
        self._search_index = SearchIndex()
        self._turns = _Turns()
        self._history = TaskHistory(store)
        self._notes_read = False  # every note folded: until then the ledger is loaded without notes
        self._show_all_of: str | None = None  # the task whose every note and history row is shown (`a`)
        # Notes whose write failed after their dialog had closed, (task, text, reason): offered again in the dialog.
        self._unsaved_notes: list[tuple[Task, str, str]] = []

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield LedgerHeader(id="header")
        with Horizontal(id="panes"):
            with Vertical(id="tree-pane", classes="pane"):
                yield Static("任务", classes="pane-title")
                yield LedgerTree(id="tree")
                yield SearchBar(id="search")
            with Vertical(id="detail-pane", classes="pane"):
                yield Static("详情", classes="pane-title")
                yield TaskDetail(id="detail")
        yield MessageLine(id="message")
        yield LedgerFooter(show_command_palette=False)
        yield StoreWatcher(self.store, id="watcher")

    @property
    def tree(self) -> LedgerTree:  # type: ignore[override]  # i13-ui renames it
        return self.query_one("#tree", LedgerTree)

    @property
    def detail(self) -> TaskDetail:
        return self.query_one("#detail", TaskDetail)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one("#search", SearchBar)

    def on_mount(self) -> None:
        try:
            self._notes_read = self.store.journal_bytes() <= self.NOTES_READ_BEFORE_FIRST_FRAME_BYTES
        except OSError:
            self._notes_read = True  # the load below reports what is wrong with the store
        self.reload_ledger(filters_changed=True)
        if (identity := self.identity()) is not None and identity.locked:
            self._say(identity.locked)  # users.toml is not trusted: say at once why everyone only reads
        self.tree.focus()
        # Now rather than when the tree's message arrives: the first frame shows the task and its keys.
        self._follow_item(self.tree.highlighted_item)
        if self._notes_read:
            exempt_from_gc()
        else:
            self._read_notes()

    @work(thread=True, group="load", exit_on_error=False, description="读取进展情况")
    def _read_notes(self) -> None:
        with bulk_load():
            self.store.load()  # folds every shard once; the reload that follows reuses the fold
        self.post_message(self.NotesRead(self))

    @on(NotesRead)
    def _notes_arrived(self, _message: NotesRead) -> None:
        self._notes_read = True
        self.reload_ledger()
        self._show_current_task()  # its notes and history, even if the task itself did not change
        exempt_from_gc()

    def _read_all_notes_now(self) -> None:
        """Views that count or search notes need them all: fold them now if the worker has not yet."""
        if not self._notes_read:
            self._notes_read = True
            self.reload_ledger()

    # ------------------------------------------------------------------ state -> view

    def reload_ledger(self, *, filters_changed: bool = False) -> None:
        """Re-read the store (only changed files are parsed) and redraw, keeping selection and filters.

        After an import, on a change made elsewhere, and whenever a worker could not read the ledger
        back after its own write (then `_show_fresh` shows what the worker read).
        """
        try:
            self.ledger = self.store.load(with_notes=self._notes_read)
        except StoreError as error:
            self.notify(str(error), severity="error", timeout=8)
            return
        self._refresh_view(filters_changed=filters_changed)

    def _read_back(self) -> FreshLedger | None:
        """In a worker, after a write: the ledger as it is now (None: the screen reads it and reports why)."""
        try:
            revision = self.store.revision()
            return FreshLedger(self.store.load(with_notes=self._notes_read), revision)
        except StoreError:
            return None

    def _show_fresh(self, fresh: FreshLedger | None) -> None:
        """Show a ledger a worker read back, if nothing changed on disk since (else read it again here)."""
        if (
            fresh is None
            or fresh.ledger.notes_loaded != self._notes_read
            or fresh.revision != self.store.revision()
        ):
            self.reload_ledger()
            return
        self.ledger = fresh.ledger
        self._refresh_view()

    def _visible_tasks(self) -> list[Task]:
        tasks = self.ledger.select(
            today=self.store.today(),
            unit=self.unit_filter,
            statuses=[self.status_filter] if self.status_filter else None,
            overdue=self.overdue_only,
        )
        if self.section_filter:
            tasks = [task for task in tasks if task.section == self.section_filter]
        if self.search_text.strip():
            self._search_index.update(self.ledger.tasks)
            matching = self._search_index.matches(self.search_text)
            tasks = [task for task in tasks if task.id in matching]
        return tasks

    def _refresh_view(self, *, filters_changed: bool = False) -> None:
        today = self.store.today()
        tasks = self._visible_tasks()
        self.tree.show_tasks(tasks, today, keep_collapsed=not filters_changed)
        self._show_header(len(tasks))
        if self.current_task is not None:
            fresh = self.ledger.by_id(self.current_task.id)
            if fresh is not None and fresh.id in {task.id for task in tasks}:
                self.current_task = fresh
        if not tasks:
            self.current_task = None
            self.current_group = None
            self.detail.show_message(_NOTHING_SHOWN)
        self.refresh_bindings()

    def _show_header(self, shown: int) -> None:
        today = self.store.today()
        tasks = self.ledger.tasks
        counts = {status: sum(task.status == status for task in tasks) for status in Status}
        overdue = sum(task.is_overdue(today) for task in tasks)
        summary = (
            f"共 {len(tasks)} 项  已完成 {counts[Status.DONE]}  推进中 {counts[Status.IN_PROGRESS]}"
            f"  受阻 {counts[Status.BLOCKED]}  逾期 {overdue}"
        )
        if shown != len(tasks):
            summary += f"  显示 {shown} 项"
        self.query_one(LedgerHeader).show(
            title=self.ledger.title,
            counts=summary,
            filters=self.active_filters(),
            read_only=self.read_only,
            identity=identity_label(identity) if (identity := self.identity()) else "",
        )

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

    def active_filters(self) -> list[str]:
        filters = []
        if self.section_filter:
            filters.append(self.section_filter)
        if self.unit_filter:
            filters.append(f"单位:{self.unit_filter}")
        if self.status_filter:
            filters.append(f"状态:{self.status_filter.label}")
        if self.overdue_only:
            filters.append("逾期")
        if self.search_text.strip():
            filters.append(f"查找:{self.search_text.strip()}")
        return filters

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
        if not self.ledger.notes_loaded:
            self.detail.show_task(task, district_note=self.ledger.district_note, today=self.store.today(), pending=True)
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
        )

    def action_show_all(self) -> None:
        """`a`: every note and history row of this task (again: the newest only)."""
        task = self.current_task
        if task is not None:
            self._show_all_of = None if self._show_all_of == task.id else task.id
            self._show_current_task()

    def watch_current_group(self, group: Section | Subsection | None) -> None:
        if group is None:
            return
        if isinstance(group, Section):
            tasks = [task for task in self._visible_tasks() if task.section == group.name]
            name = group.name
        else:
            tasks = [
                task
                for task in self._visible_tasks()
                if task.section == group.section and task.subsection == group.name
            ]
            name = f"{group.section} › {group.name}"
        self.detail.show_group(name, tasks, today=self.store.today())

    # ------------------------------------------------------------------ which keys apply

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Esc with no search to clear is not refused: it has nothing to do, as anywhere else.
        if action == "clear_search":
            return bool(self.search_text)
        return self.refusal(action) is None

    def refusal(self, action: str) -> str | None:
        """Why the key for `action` does not apply now, in the words staff see; None when it does.

        The one place the screen decides this: `check_action` hides the key (footer, help, palette),
        and pressing it anyway says this on the message line (`say_refusal`). A write that applies
        here is checked again against the task when pressed (`_refused`), and by the store.
        """
        if action in _STORE_ACTIONS:
            try:
                reason = self.store.refusal(_STORE_ACTIONS[action])
            except StoreError:
                reason = None  # users.toml unreadable: pressing the key says so (`_refused`)
            if reason is not None:
                return reason
        if action == "filter_my_unit" and self.my_unit() is None:
            return self._no_unit_reason()
        if action in _TASK_ACTIONS and self.current_task is None:
            return self._no_task_reason()
        if action == "undo" and not self.undo_stack:
            return "本次没有可以撤销的改动。"
        if action == "clear_filters" and not (
            self.unit_filter or self.section_filter or self.status_filter or self.overdue_only
        ):
            return "当前没有筛选，无需清除。"
        if action == "import":
            try:
                return self.store.refusal("import")
            except StoreError as error:
                return str(error)
        return None

    def _no_unit_reason(self) -> str:
        try:
            login = self.store.identity().login
        except StoreError as error:
            return str(error)
        return f"未在 users.toml 中设定本单位（账号 {login}），m 无从筛选：请按 f 选择单位。"

    def _no_task_reason(self) -> str:
        if self.current_group is None:
            return _NOTHING_SHOWN
        kind = "工作任务" if isinstance(self.current_group, Section) else "具体项目"
        return f"请先在任务树中选中一项任务（当前是{kind}）。"

    def say_refusal(self, action: str) -> bool:
        """A key pressed whose `action` does not apply now: say why on the message line. Whether it did."""
        reason = self.refusal(action)
        if reason is not None:
            self._say(reason)
        return reason is not None

    # ------------------------------------------------------------------ writes

    def _refused(self, action: str, task: Task, new_status: Status | None = None) -> bool:
        """Say why this session may not do `action` to `task`, if it may not (the store enforces it again)."""
        try:
            reason = self.store.refusal(action, task.id, new_status=new_status)
        except StoreError as error:
            reason = str(error)
        if reason is not None:
            self._say(reason)
        return reason is not None

    def action_set_status(self, value: str) -> None:
        task = self.current_task
        if task is not None and not self._refused("status", task, Status(value)):
            self._save_status(task, Status(value), self._turns.ticket())

    def action_cycle_status(self) -> None:
        task = self.current_task
        if task is not None and not self._refused("status", task):
            self._save_status(task, None, self._turns.ticket())

    @work(thread=True, group="store", exit_on_error=False, description="保存状态")
    def _save_status(self, task: Task, status: Status | None, ticket: int) -> None:
        def job() -> tuple[Event | None, Status]:
            wanted = status
            if wanted is None:  # cycle from what is on disk now, so quick repeated presses each take a step
                wanted = _CYCLE.get(self.store.status_of(task.id), Status.NOT_STARTED)
            return self.store.set_status(task.id, wanted), wanted

        event, wanted = self._turns.run(ticket, job)
        if event is not None:
            self._written.add(event.id)
        self.post_message(self.StatusSaved(self, task.no, event, wanted, self._read_back()))

    async def action_add_note(self) -> None:
        task = self.current_task
        if task is None or self._refused("note", task):
            return
        await self._ask_note(task)

    async def _ask_note(self, task: Task, text: str = "", error: str = "") -> None:
        """The note dialog for `task`, empty or holding `text` that could not be saved, and why (`error`)."""
        from widgets.note_dialog import NoteDialog, NoteSaving

        def save(typed: str) -> NoteSaving:
            saving = NoteSaving()
            self._save_note(task, typed, self._turns.ticket(), asyncio.get_running_loop(), saving)
            return saving

        # Awaited: the app handles the next key only once the dialog has mounted and focused its text
        # area, so a note typed right after `n` is never lost to the half-built dialog.
        dialog = NoteDialog.for_app(self.app).ask(
            f"为 {task.no} 号任务写进展情况：{task.title}",
            on_save=save,
            last_note=task.notes[-1] if task.notes else None,
            text=text,
            error=error,
        )
        await self.app.push_screen(dialog, self._offer_unsaved_note)

    @work(thread=True, group="store", exit_on_error=False, description="保存进展")
    def _save_note(
        self, task: Task, text: str, ticket: int, loop: asyncio.AbstractEventLoop, saving: NoteSaving
    ) -> None:
        try:
            event = self._turns.run(ticket, lambda: self.store.add_note(task.id, text))
        except Exception as error:  # whatever went wrong, the text goes back to the dialog: nothing typed is lost
            loop.call_soon_threadsafe(self._note_not_saved, task, text, f"未保存：{_write_failure(error)}", saving)
            return
        loop.call_soon_threadsafe(saving.finish, None)  # the dialog may close
        self._written.add(event.id)
        self.post_message(self.NoteSaved(self, task.no, event, self._read_back()))

    def _note_not_saved(self, task: Task, text: str, reason: str, saving: NoteSaving) -> None:
        if saving.finish(reason):
            return  # the dialog is still open: it shows the reason and keeps the text
        self._unsaved_notes.append((task, text, reason))
        self._offer_unsaved_note()

    def _offer_unsaved_note(self, _closed: object = None) -> None:
        """Open the note dialog again with a note whose write failed after its dialog closed (once it is free)."""
        from widgets.note_dialog import NoteDialog

        if self._unsaved_notes and NoteDialog.for_app(self.app) not in self.app.screen_stack:
            task, text, reason = self._unsaved_notes.pop(0)
            self.call_later(self._ask_note, task, text, reason)

    def action_undo(self) -> None:
        event_id = self.undo_stack.pop()
        self.refresh_bindings()
        self._save_undo(event_id, self._turns.ticket())

    @work(thread=True, group="store", exit_on_error=False, description="撤销")
    def _save_undo(self, event_id: str, ticket: int) -> None:
        event = self._turns.run(ticket, lambda: self.store.undo(event_id))
        self._written.add(event.id)
        task = self.ledger.by_id(event.task)
        self.post_message(self.UndoSaved(self, task.no if task else 0, event, self._read_back()))

    def _say(self, message: str) -> None:
        """What this session's own change did, or why its key was refused, on the message line (a toast
        per save was too slow)."""
        self.query_one("#message", MessageLine).say(message, self.store.clock())

    @on(StatusSaved)
    def _status_saved(self, message: StatusSaved) -> None:
        if message.event is None:
            self._say(f"{message.task_no} 号任务已是 {message.status.label}，未改动。")
        else:
            self.undo_stack.append(message.event.id)
            old = Status(message.event.old).label
            self._say(f"{message.task_no} 号任务：{old} -> {message.status.label}")
        self._show_fresh(message.fresh)

    @on(NoteSaved)
    def _note_saved(self, message: NoteSaved) -> None:
        self.undo_stack.append(message.event.id)
        self._say(f"已为 {message.task_no} 号任务添加进展情况。")
        self._show_fresh(message.fresh)

    @on(UndoSaved)
    def _undo_saved(self, message: UndoSaved) -> None:
        event = message.event
        what = f"{Status(event.old).label} -> {Status(event.new).label}" if event.new else "删去一条进展情况"
        self._say(f"已撤销：{message.task_no} 号任务 {what}")
        self._show_fresh(message.fresh)

    @on(StoreWatcher.Changed)
    def _store_changed_elsewhere(self, message: StoreWatcher.Changed) -> None:
        """Another session wrote: reload in place and say who did what.

        The tree keeps its cursor by task id (after a reseed too) and its scroll; the filters stay.
        """
        if not message.reseeded and all(event.id in self._written for event in message.events) and message.events:
            return  # only this session's own writes: already reloaded when each was saved
        self.reload_ledger()
        # This login's own changes (this session's writes and imports) are already on screen and announced.
        others = [event for event in message.events if event.by != self.store.user]
        for line in describe_changes(others, self.ledger, self.store.display_name):
            self.notify(line, title="他人改动", timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed write or read is reported: a notification, never a traceback."""
        if event.state != WorkerState.ERROR or event.worker.group not in ("store", "load"):
            return
        error = event.worker.error
        if event.worker.group == "load" and not isinstance(error, StoreError):
            message = f"读取进展情况失败：{error}。请退出后重新打开台账；若仍失败请联系管理员。"
        else:
            message = _write_failure(error)
        self.notify(message, severity="error", timeout=10)
        self.reload_ledger()

    # ------------------------------------------------------------------ navigation

    async def action_jump(self) -> None:
        from widgets.jump_dialog import JumpDialog

        def jump(number: int | None) -> None:
            if number is None:
                return
            task = self.ledger.by_no(number)
            if task is None:
                return
            if not self.tree.select_task_id(task.id):
                # Hidden by a filter: drop the filters rather than refuse.
                self._clear_all_filters()
                self.tree.select_task_id(task.id)
            self.current_group = None
            self.current_task = task
            self.tree.focus()

        archived: dict[int, str] = {}
        if self.ledger.archived:  # a number a revision took away says so
            from tui.core.reseed import archived_number

            dates = self.store.archive_dates()
            archived = {t.no: gone for t in self.ledger.archived if (gone := archived_number(self.ledger, t.no, dates))}
        numbers = [task.no for task in self.ledger.tasks]
        await self.app.push_screen(JumpDialog(numbers, archived), jump)  # see action_add_note

    def action_search(self) -> None:
        self.search_bar.open()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search_text = event.value
        if self.search_text.strip():
            self._read_all_notes_now()  # the search looks in the notes too
        self._refresh_view(filters_changed=True)

    @on(SearchBar.Closed)
    def _search_closed(self, event: SearchBar.Closed) -> None:
        if event.cleared or not self.search_text.strip():
            self.search_bar.close()
            if self.search_text:
                self.search_text = ""
                self._refresh_view(filters_changed=True)
        self.tree.focus()

    def action_clear_search(self) -> None:
        self.search_bar.value = ""
        self.search_text = ""
        self.search_bar.close()
        self._refresh_view(filters_changed=True)

    async def action_filter_unit(self) -> None:
        from widgets.picker_dialog import PickerDialog

        units = self.ledger.units()
        choices = [("", f"全部单位（{len(self.ledger.tasks)}）")]
        choices += [(name, f"{name}（{count}）") for name, count in units]

        def chosen(unit: str | None) -> None:
            if unit is None:
                return
            self.unit_filter = unit or None
            self._refresh_view(filters_changed=True)

        current = self.unit_filter or self.my_unit() or ""
        await self.app.push_screen(PickerDialog("按责任单位筛选", choices, current=current), chosen)

    def action_filter_my_unit(self) -> None:
        """`m`: the session's own unit (again: all units), so `m` `o` lists the unit's overdue tasks."""
        mine = self.my_unit()
        if mine is None:
            return
        same = self.unit_filter is not None and canonical_unit(self.unit_filter) == canonical_unit(mine)
        self.unit_filter = None if same else mine
        self._refresh_view(filters_changed=True)

    async def action_filter_status(self) -> None:
        from widgets.picker_dialog import PickerDialog

        counts = {status: sum(task.status == status for task in self.ledger.tasks) for status in Status}
        choices = [("", f"全部状态（{len(self.ledger.tasks)}）")]
        choices += [(status.value, f"{status.label}（{counts[status]}）") for status in Status]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            self.status_filter = Status(value) if value else None
            self._refresh_view(filters_changed=True)

        current = self.status_filter.value if self.status_filter else ""
        await self.app.push_screen(PickerDialog("按状态筛选", choices, current=current), chosen)

    def action_filter_overdue(self) -> None:
        self.overdue_only = not self.overdue_only
        self._refresh_view(filters_changed=True)

    def action_clear_filters(self) -> None:
        self._clear_all_filters()

    def _clear_all_filters(self) -> None:
        self.unit_filter = None
        self.section_filter = None
        self.status_filter = None
        self.overdue_only = False
        self.search_text = ""
        self.search_bar.value = ""
        self.search_bar.close()
        self._refresh_view(filters_changed=True)

    # ------------------------------------------------------------------ overview, export, import

    async def action_overview(self) -> None:
        from tui.screens.overview import OverviewChoice, OverviewScreen

        def chosen(choice: OverviewChoice | None) -> None:
            if choice is None:
                return
            # The row's counts are over the whole ledger: show exactly its tasks, whatever was filtered before.
            self.status_filter = None
            self.overdue_only = False
            self.search_text = ""
            self.search_bar.value = ""
            self.search_bar.close()
            self.unit_filter = choice.name if choice.kind == "unit" else None
            self.section_filter = choice.name if choice.kind == "section" else None
            self._refresh_view(filters_changed=True)
            self.tree.focus()

        self._read_all_notes_now()  # its 本期未更新 counts notes
        await self.app.push_screen(OverviewScreen(self.ledger, self.store.today()), chosen)

    async def action_export(self) -> None:
        from tui.core.export import ExportResult
        from widgets.export_dialog import ExportDialog, ExportScope

        scope = ExportScope(
            unit=self.unit_filter,
            statuses=(self.status_filter,) if self.status_filter else None,
            overdue=self.overdue_only,
            section=self.section_filter,
        )

        def saved(result: ExportResult | None) -> None:
            if result is not None:
                self.notify(
                    f"已导出 {result.tasks} 项任务到 {result.path}"
                    f"（报告期 {result.period.label}，本期未更新 {result.not_updated} 项）。",
                    timeout=10,
                )

        await self.app.push_screen(ExportDialog(self.store, scope, search_active=bool(self.search_text.strip())), saved)

    async def action_import(self) -> None:
        from widgets.import_dialog import ImportDialog, ImportOutcome

        def finished(outcome: ImportOutcome | None) -> None:
            if outcome is None:
                return
            self.notify(outcome.message, timeout=15)
            if outcome.changed:
                self.reload_ledger(filters_changed=True)

        await self.app.push_screen(ImportDialog(self.store), finished)

    # ------------------------------------------------------------------ help

    def help_rows(self) -> list[HelpRow]:
        """Every key that applies now, from the screen's active bindings (focused pane, screen, app)."""
        from widgets.help_screen import HelpRow
        groups: dict[tuple[int, str, str], list[str]] = {}
        names: dict[int, str] = {}
        for key, active in self.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.system:
                continue
            node = active.node
            names[id(node)] = self._binding_group(node)
            groups.setdefault((id(node), binding.action, binding.description), []).append(
                self.app.get_key_display(Binding(key, binding.action, key_display=binding.key_display))
            )
        return [
            HelpRow(names[node_id], " ".join(dict.fromkeys(keys)), description)
            for (node_id, _action, description), keys in groups.items()
        ]

    def _binding_group(self, node: object) -> str:
        if node is self.tree:
            return "任务树"
        if node is self.detail:
            return "详情"
        if node is self:
            return "台账"
        return "程序"

    async def action_help(self) -> None:
        from widgets.help_screen import HelpScreen

        await self.app.push_screen(HelpScreen(self.help_rows()))
