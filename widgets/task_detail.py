"""The task detail pane: breadcrumb, title, status, deadline and the newest note first; then each unit's row
(UnitTable), the content and its units, the notes of every row (newest first) and the newest change (`a`: all of
them, oldest first).

Drawn line by line (Textual's line API): the pane keeps the lines it drew and, when it shows another task or a
change, repaints only the lines that differ, and its size never changes with its text. A cursor move over SSH
then writes the few lines in which two tasks differ rather than the whole pane twice (issue 16, BYTES.md F4).
Every wrapped text is broken the Chinese way (tui/core/linebreak.py). On a short pane (80x24) a long content is
folded after a few lines (`a` shows it whole), so the status and the newest note stay in view.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.strip import Strip

from tui.core.deadlines import read_deadline
from tui.core.display import STATUS_GLYPHS, STATUS_STYLES, diff_text, fit_cells, plain_text, terminal_safe
from tui.core.history import HistoryRow, person
from tui.core.linebreak import wrapped
from tui.core.model import Note, Status, Task, minute_of
from tui.core.permissions import RowTarget
from tui.textual_internals import OwnVirtualSize, QuietFocus
from widgets.unit_table import UnitTable

__all__ = ["TaskDetail"]

# The newest rows only, unless asked for all (`a`): the pane stays short, and it is redrawn after
# every change, so drawing years of notes made each keypress cost grow with them.
NOTES_SHOWN = 12  # a year of monthly notes
# A content longer than this many lines is folded to CONTENT_LINES_FOLDED when the task does not fit the pane.
CONTENT_LINES_FOLDED = 4
_MARGIN = 1  # a blank column before the text, drawn in the lines (CSS padding was a run of its own on every line)
NEWEST_NOTE_LINES = 3  # of the newest note under the status (all of it is in 进展情况 below)


@dataclass(frozen=True)
class _Lines:
    """A block that makes its own lines for a width (cut rather than wrapped); `plain`: its text for `text`
    (None: its lines at the width drawn)."""

    lines: Callable[[int], list[Text]]
    plain: str | None = None


# What the pane shows: blocks of text, each broken into lines at the pane's width, or making its own lines.
Block = Text | _Lines


def _one_line(text: Text) -> _Lines:
    """`text` cut to one line (the breadcrumb: the tree shows where the task is)."""
    return _Lines(lambda width: [Text(fit_cells(text.plain, width), style=text.style)], text.plain)


def _first_lines(text: Text, count: int) -> _Lines:
    """`text` broken into lines, the first `count` of them (the last one marked `..` when cut)."""

    def lines(width: int) -> list[Text]:
        broken = list(wrapped(text, width).split("\n", allow_blank=True))
        if len(broken) <= count:
            return broken
        last = broken[count - 1]
        return [*broken[: count - 1], Text(fit_cells(last.plain + " ..", width), style=last.style)]

    return _Lines(lines, text.plain)


def _every_row_note(task: Task) -> list[Note]:
    """The notes of every row of the task (the overall one and each unit's), oldest first."""
    return list(heapq.merge(task.notes, task.unit_notes, key=lambda note: note.at))


def _note_heading(task: Task, name_of: Callable[[str], str]) -> Callable[[Note], Text]:
    """When a note of `task` was written and by whom (by display name), and for which unit's row."""
    names = {row.key: row.unit for row in task.unit_rows()} if task.unit_notes else {}

    def heading(note: Note) -> Text:
        whose = f"  【{terminal_safe(names.get(note.unit, note.unit))}】" if note.unit else ""
        return Text.assemble((f"{minute_of(note.at)}  {terminal_safe(person(note.by, name_of))}", "dim"), (whose, "bold"))

    return heading


def _draws_blank_alike(style: Style | None, other: Style | None) -> bool:
    """Whether a blank drawn in `style` looks as one drawn in `other`: same background, nothing drawn on a blank."""
    if style is None or other is None:
        return style is other
    return style.bgcolor == other.bgcolor and not any(
        (style.underline, style.reverse, style.strike, style.overline, other.underline, other.reverse, other.strike)
    )


def _fewer_runs(segments: list[Segment]) -> list[Segment]:
    """The line's segments, blanks drawn in the style of the text beside them where that looks the same, then
    merged: every change of style is a colour sequence over SSH (the margin and the padding after a bold or dim
    line each cost one)."""
    restyled = list(segments)
    for index, segment in enumerate(restyled):
        if segment.text.strip(" "):
            continue
        neighbour = restyled[index - 1] if index else (restyled[1] if len(restyled) > 1 else None)
        if neighbour is not None and _draws_blank_alike(segment.style, neighbour.style):
            restyled[index] = Segment(segment.text, neighbour.style)
    return list(Segment.simplify(restyled))


class TaskDetail(OwnVirtualSize, QuietFocus, can_focus=True):
    """Read-only; the screen tells it what to show."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "下滚", show=False, id="detail.down"),
        Binding("k,up", "scroll_up", "上滚", show=False, id="detail.up"),
        Binding("g,home", "scroll_home", "到顶部", show=False, id="detail.home"),
        Binding("G,end", "scroll_end", "到底部", show=False, id="detail.end"),
    ]

    DEFAULT_CSS = """
    TaskDetail {
        padding: 0;
        scrollbar-size-vertical: 1;
        /* Its column always there: the lines keep their width whether or not a task is longer than the pane. */
        overflow-y: scroll;
        overflow-x: hidden;
    }
    TaskDetail > .unit-table--target {
        background: $accent 30%;
        text-style: bold;
    }
    TaskDetail > .unit-table--heading {
        color: $text-muted;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"unit-table--target", "unit-table--heading"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.unit_table = UnitTable()
        self.blocks: list[Block] = []  # what is shown, before it is broken into lines
        self._fold: tuple[int, Text] | None = None  # index of the content block, and the hint shown when folded
        self._strips: list[Strip] = []
        self._lines: list[str] = []  # the lines drawn, as plain text
        self._drawn_width = 0
        self._shown_task_id: str | None = None

    # ------------------------------------------------------------------ what is shown

    @property
    def text(self) -> str:
        """What the pane shows, as plain text, each block unbroken (for tests and screen readers)."""
        width = self._drawn_width or 80
        return "\n".join(
            block.plain if block.plain is not None else "\n".join(line.plain for line in block.lines(width))
            for block in self.blocks
        )

    @property
    def shown_lines(self) -> list[str]:
        """The lines drawn, as the terminal shows them (broken at the pane's width, the content maybe folded)."""
        return list(self._lines)

    def _show(self, blocks: list[Block], *, task_id: str | None = None, fold: tuple[int, Text] | None = None) -> None:
        self.blocks = blocks
        self._fold = fold
        if task_id is None:
            self.unit_table.hide()
        # The same task redrawn (a change arrived) keeps the reader's place; another task starts at the top.
        if task_id is None or task_id != self._shown_task_id:
            self.scroll_to(y=0, animate=False)
        self._shown_task_id = task_id
        self._redraw()

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
        name_of: Callable[[str], str] = str,
    ) -> None:
        """Show a task; `pending`: its notes and history are still being read (a large journal);
        `show_all`: the whole content, every note and history row, not just the newest; `target`: the row this
        session's keys act on (None: they change nothing here); `notice`: a line under the status (可销号);
        `name_of`: a login's display name (`Store.display_name`), as the history names people."""
        all_notes = _every_row_note(task)
        heading = _note_heading(task, name_of)
        breadcrumb = Text(f"{terminal_safe(task.section)} › {terminal_safe(task.subsection or '-')} › {task.no}", style="dim")
        blocks: list[Block] = [
            _one_line(breadcrumb),
            Text(f"{task.no}. {terminal_safe(task.title)}", style="bold"),
        ]
        status = Text.assemble(
            ("状态：", "bold"), (STATUS_GLYPHS[task.status] + " " + task.status.label, STATUS_STYLES[task.status])
        )
        if notice:  # on the status line: a notice coming and going does not move every line below it
            status.append("    ")
            status.append(terminal_safe(notice), style="bold green")
        blocks.append(status)
        deadline = Text.assemble(("完成时限：", "bold"), terminal_safe(read_deadline(task.deadline).label()))
        if task.is_overdue(today):
            deadline.append("  逾期", style="bold red reverse")
        blocks.append(deadline)
        if pending:
            blocks.append(Text("最新进展：正在读取...", style="dim"))
        elif all_notes:
            blocks.append(self._newest_note(all_notes[-1], heading))
        blocks.append(Text(""))
        # The unit table before the content, whose length varies most from task to task: moving between tasks,
        # the lines above it stay put and are not written again.
        self.unit_table.show(task, target=target, pending=pending)
        if self.unit_table.shown:
            blocks += [_Lines(self._unit_table_lines), Text("")]
        fold_at = len(blocks)
        blocks.append(Text(terminal_safe(task.content)))
        units = Text("责任单位：", style="bold")
        for index, unit in enumerate(task.units):
            if index:
                units.append("、")
            units.append(terminal_safe(unit))
            if index == 0:
                units.append("（牵头）", style="bold")
        blocks.append(units)
        for remark in task.remarks:
            if remark != district_note:
                blocks.append(Text.assemble(("备注：", "bold"), terminal_safe(remark)))
        if district_note:
            blocks.append(Text.assemble(("说明：", "bold"), terminal_safe(district_note)))
        blocks.append(Text(""))
        if pending:
            blocks.append(Text("进展情况", style="bold underline"))
            blocks.append(Text("正在读取进展情况和改动记录…", style="dim italic"))
        else:
            blocks += self._notes(task, all_notes, show_all, heading)
            blocks += self._history(task, history, show_all)
        hint = Text("...（内容未完，按 a 展开全文）", style="dim")
        self._show(blocks, task_id=task.id, fold=None if show_all else (fold_at, hint))

    @staticmethod
    def _newest_note(note: Note, heading: Callable[[Note], Text]) -> _Lines:
        """Under the status: who wrote the newest note when, and its first lines (all of it is in 进展情况)."""
        text = Text.assemble(("最新进展：", "bold"), heading(note), "  ", " ".join(terminal_safe(note.text).split()))
        return _first_lines(text, NEWEST_NOTE_LINES)

    @staticmethod
    def _notes(task: Task, all_notes: list[Note], show_all: bool, heading: Callable[[Note], Text]) -> list[Block]:
        blocks: list[Block] = [Text(f"进展情况（{len(all_notes)} 条）", style="bold underline")]
        if not all_notes:
            return [*blocks, Text("暂无。按 n 添加一条进展情况。", style="dim")]
        shown = len(all_notes) if show_all else NOTES_SHOWN
        for note in reversed(all_notes[-shown:]):
            blocks.append(Text.assemble(heading(note), "\n", terminal_safe(note.text)))
        if len(all_notes) > shown:
            older = len(all_notes) - shown
            blocks.append(Text(f"另有 {older} 条较早的进展情况：taizhang show {task.no}（在此按 a 全部显示）", style="dim"))
        return blocks

    @staticmethod
    def _history(task: Task, history: Sequence[HistoryRow], show_all: bool) -> list[Block]:
        """The newest change (every one with `show_all`, oldest first). One row, not the newest eight: each change
        moved every row shown, and each moved row was written again over SSH (BYTES.md F7)."""
        if not history:
            return []
        rows = history if show_all else history[:1]  # history_rows gives them newest first
        more = "" if len(rows) == len(history) else "，按 a 看全部"
        blocks: list[Block] = [Text(""), Text(f"改动记录（{len(history)} 条{more}）", style="bold underline")]
        for row in reversed(rows):
            what = diff_text(row.what) if row.diff else terminal_safe(row.what)
            blocks.append(Text.assemble((f"{row.when}  {terminal_safe(row.who)}", "dim"), "  ", what))
        return blocks

    def show_group(self, name: str, tasks: Sequence[Task], *, today: dt.date, row_of: str | None = None) -> None:
        """A section's or subsection's counts; `row_of`: of that unit's own rows, as the tree then shows them."""
        counts = {status: sum(task.status_for(row_of) == status for task in tasks) for status in Status}
        overdue = sum(task.is_overdue_for(row_of, today) for task in tasks)
        blocks: list[Block] = [Text(terminal_safe(name), style="bold"), Text("")]
        whose = f"（状态为 {terminal_safe(row_of)} 的一行）" if row_of else ""
        blocks.append(Text(f"共 {len(tasks)} 项任务{whose}"))
        for status, count in counts.items():
            blocks.append(Text.assemble(f"  {STATUS_GLYPHS[status]} ", (status.label, STATUS_STYLES[status]), f"  {count}"))
        if overdue:
            blocks.append(Text(f"  逾期 {overdue} 项", style="bold red"))
        blocks.append(Text(""))
        blocks.append(Text("按 Enter 展开或折叠，j/k 移动到任务。", style="dim"))
        self._show(blocks)

    # ------------------------------------------------------------------ drawing

    def _unit_table_lines(self, width: int) -> list[Text]:
        return self.unit_table.lines(
            width,
            self.get_component_rich_style("unit-table--heading", partial=True),
            self.get_component_rich_style("unit-table--target", partial=True),
        )

    def _broken(self, width: int) -> list[Text]:
        """Every block broken into lines of `width` cells; the content folded when the task does not fit."""
        per_block = [
            list(wrapped(block, width).split("\n", allow_blank=True)) if isinstance(block, Text) else block.lines(width)
            for block in self.blocks
        ]
        height = self.scrollable_content_region.height
        if self._fold is not None and height and sum(len(lines) for lines in per_block) > height:
            index, hint = self._fold
            content = per_block[index]
            if len(content) > CONTENT_LINES_FOLDED + 1:
                per_block[index] = [*content[:CONTENT_LINES_FOLDED], hint]
        lines = [line for block_lines in per_block for line in block_lines]
        for line in lines:
            line.no_wrap, line.overflow = True, "crop"
        return lines

    def _redraw(self) -> None:
        """Break the blocks into lines at the pane's width, and repaint only the lines that changed."""
        width = self.scrollable_content_region.width - _MARGIN
        if width <= 0:
            return  # not laid out yet: drawn on the first resize
        console = self.app.console
        base = self.rich_style
        options = console.options.update_width(width)
        lines = self._broken(width)
        rendered = console.render_lines(Group(*lines), options, style=base, pad=True) if lines else []
        margin = Segment(" " * _MARGIN, base)
        strips = [Strip(_fewer_runs([margin, *line]), width + _MARGIN) for line in rendered]
        previous = self._strips if width == self._drawn_width else []
        self._strips = strips
        self._lines = [line.plain for line in lines]
        self._drawn_width = width
        # Never shorter than the pane: a shorter task does not change the pane's virtual size (a layout pass).
        size = Size(width + _MARGIN, max(len(strips), self.scrollable_content_region.height))
        if size != self.virtual_size:
            self.virtual_size = size
        scroll_y = round(self.scroll_offset.y)
        for y in range(max(len(strips), len(previous))):
            if y >= len(previous) or y >= len(strips) or strips[y] != previous[y]:
                # The line only, not the scrollbar beside it (ScrollView.refresh_line spans the virtual width).
                self.refresh(Region(0, y - scroll_y, width + _MARGIN, 1))

    def laid_out(self) -> None:
        # Before the frame that shows the new size: the first frame shows the task, drawn once. At the same width
        # only the lines that change are refreshed (a taller or shorter pane folds the content differently).
        self._redraw()

    def render_line(self, y: int) -> Strip:
        scroll_y = round(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        line = scroll_y + y
        if 0 <= line < len(self._strips):
            return self._strips[line].crop_extend(0, width, self.rich_style).apply_offsets(0, line)
        return Strip.blank(width, self.rich_style)
