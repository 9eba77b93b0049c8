"""The task detail pane: breadcrumb, full content, units, deadline, status, each unit's row (UnitTable), and the
notes of every row (newest first) and the history."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.deadlines import read_deadline
from tui.core.display import STATUS_GLYPHS, STATUS_STYLES, diff_text, plain_text, terminal_safe
from tui.core.history import HistoryRow
from tui.core.model import Note, Status, Task, minute_of
from tui.core.permissions import RowTarget
from widgets.unit_table import UnitTable

__all__ = ["TaskDetail"]

# The newest rows only, unless asked for all (`a`): the pane stays short, and it is redrawn after
# every change, so drawing years of notes made each keypress cost grow with them.
HISTORY_ROWS_SHOWN = 8
NOTES_SHOWN = 12  # a year of monthly notes


def _every_row_note(task: Task) -> list[Note]:
    """The notes of every row of the task (the overall one and each unit's), oldest first."""
    return list(heapq.merge(task.notes, task.unit_notes, key=lambda note: note.at))


class TaskDetail(VerticalScroll, can_focus=True):
    """Read-only; the screen tells it what to show."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "下滚", show=False, id="detail.down"),
        Binding("k,up", "scroll_up", "上滚", show=False, id="detail.up"),
        Binding("g,home", "scroll_home", "到顶部", show=False, id="detail.home"),
        Binding("G,end", "scroll_end", "到底部", show=False, id="detail.end"),
    ]

    DEFAULT_CSS = """
    TaskDetail {
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    TaskDetail > #detail-body, TaskDetail > #detail-notes {
        width: 1fr;
    }
    """

    def compose(self):
        yield Static("", id="detail-body")
        yield UnitTable(id="detail-units")
        yield Static("", id="detail-notes")

    @property
    def body(self) -> Static:
        return self.query_one("#detail-body", Static)

    @property
    def notes_body(self) -> Static:
        """What follows the unit table: the notes and the history."""
        return self.query_one("#detail-notes", Static)

    @property
    def unit_table(self) -> UnitTable:
        return self.query_one("#detail-units", UnitTable)

    @property
    def text(self) -> str:
        """What the pane shows, as plain text (for tests and screen readers)."""
        units = self.unit_table.text
        return "\n".join(part for part in (self._shown_text, units, self._notes_text) if part)

    _shown_text = ""
    _notes_text = ""
    _shown_task_id: str | None = None

    def _show(self, parts: list[Text], *, task_id: str | None = None, below_units: Sequence[Text] = ()) -> None:
        """`parts` above the unit table (shown by `show_task` only), `below_units` after it."""
        self._shown_text = "\n".join(part.plain for part in parts)
        self._notes_text = "\n".join(part.plain for part in below_units)
        self.body.update(Group(*parts))
        notes = self.notes_body
        notes.update(Group(*below_units))
        notes.display = bool(below_units)
        if task_id is None:
            self.unit_table.hide()
        # The same task redrawn (a change arrived) keeps the reader's place; another task starts at the top.
        if task_id is None or task_id != self._shown_task_id:
            self.scroll_home(animate=False)
        self._shown_task_id = task_id

    def show_message(self, message: str) -> None:
        self._show([plain_text(message, style="italic")])

    def show_task(
        self,
        task: Task,
        *,
        district_note: str,
        today: dt.date,
        history: Sequence[HistoryRow] = (),
        pending: bool = False,
        show_all: bool = False,
        target: RowTarget | None = None,
        notice: str = "",
    ) -> None:
        """Show a task; `pending`: its notes and history are still being read (a large journal);
        `show_all`: every note and history row, not just the newest; `target`: the row this session's keys act
        on (None: they change nothing here); `notice`: a line under the status (可销号)."""
        all_notes = _every_row_note(task)
        notes_shown = len(all_notes) if show_all else NOTES_SHOWN
        history_shown = len(history) if show_all else HISTORY_ROWS_SHOWN
        overdue = task.is_overdue(today)
        label = Text()
        parts = [
            Text(f"{terminal_safe(task.section)} › {terminal_safe(task.subsection or '-')} › {task.no}", style="dim"),
            Text(f"{task.no}. {terminal_safe(task.title)}", style="bold"),
            Text(""),
            Text(terminal_safe(task.content)),
            Text(""),
        ]
        units = Text("责任单位：", style="bold")
        for index, unit in enumerate(task.units):
            if index:
                units.append("、")
            units.append(terminal_safe(unit))
            if index == 0:
                units.append("（牵头）", style="bold")
        parts.append(units)
        for remark in task.remarks:
            if remark != district_note:
                parts.append(Text.assemble(("备注：", "bold"), terminal_safe(remark)))
        if district_note:
            parts.append(Text.assemble(("说明：", "bold"), terminal_safe(district_note)))
        deadline = Text.assemble(("完成时限：", "bold"), terminal_safe(read_deadline(task.deadline).label()))
        if overdue:
            deadline.append("  逾期", style="bold red reverse")
        parts.append(deadline)
        label.append(STATUS_GLYPHS[task.status] + " " + task.status.label, style=STATUS_STYLES[task.status])
        parts.append(Text.assemble(("状态：", "bold"), label))
        if notice:
            parts.append(Text(terminal_safe(notice), style="bold green"))
        parts.append(Text(""))
        self.unit_table.show(task, target=target, pending=pending)
        unit_rows = task.unit_rows()
        below: list[Text] = [Text("")] if unit_rows else []
        if pending:
            below.append(Text("进展情况", style="bold underline"))
            below.append(Text("正在读取进展情况和改动记录…", style="dim italic"))
            self._show(parts, task_id=task.id, below_units=below)
            return
        below.append(Text(f"进展情况（{len(all_notes)} 条）", style="bold underline"))
        if all_notes:
            names = {unit_row.key: unit_row.unit for unit_row in unit_rows}
            for note in reversed(all_notes[-notes_shown:]):
                when_who = f"{minute_of(note.at)}  {terminal_safe(note.by)}"
                whose = f"  【{terminal_safe(names.get(note.unit, note.unit))}】" if note.unit else ""
                below.append(Text.assemble((when_who, "dim"), (whose, "bold"), "\n", terminal_safe(note.text)))
            if len(all_notes) > notes_shown:
                older = len(all_notes) - notes_shown
                below.append(Text(f"另有 {older} 条较早的进展情况：taizhang show {task.no}（在此按 a 全部显示）", style="dim"))
        else:
            below.append(Text("暂无。按 n 添加一条进展情况。", style="dim"))
        if history:
            below.append(Text(""))
            below.append(Text(f"改动记录（{len(history)} 条）", style="bold underline"))
            for row in history[:history_shown]:
                what = diff_text(row.what) if row.diff else terminal_safe(row.what)
                below.append(Text.assemble((f"{row.when}  {terminal_safe(row.who)}", "dim"), "  ", what))
            if len(history) > history_shown:
                older = len(history) - history_shown
                below.append(Text(f"另有 {older} 条较早的记录：taizhang history {task.no}（在此按 a 全部显示）", style="dim"))
        self._show(parts, task_id=task.id, below_units=below)

    def show_group(self, name: str, tasks: Sequence[Task], *, today: dt.date, row_of: str | None = None) -> None:
        """A section's or subsection's counts; `row_of`: of that unit's own rows, as the tree then shows them."""
        counts = {status: sum(task.status_for(row_of) == status for task in tasks) for status in Status}
        overdue = sum(task.is_overdue_for(row_of, today) for task in tasks)
        parts = [Text(terminal_safe(name), style="bold"), Text("")]
        whose = f"（状态为 {terminal_safe(row_of)} 的一行）" if row_of else ""
        parts.append(Text(f"共 {len(tasks)} 项任务{whose}"))
        for status, count in counts.items():
            parts.append(Text.assemble(f"  {STATUS_GLYPHS[status]} ", (status.label, STATUS_STYLES[status]), f"  {count}"))
        if overdue:
            parts.append(Text(f"  逾期 {overdue} 项", style="bold red"))
        parts.append(Text(""))
        parts.append(Text("按 Enter 展开或折叠，j/k 移动到任务。", style="dim"))
        self._show(parts)
