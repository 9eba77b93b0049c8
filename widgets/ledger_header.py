"""The header line: ledger title, counts, and the active filters."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui.core.display import plain_text, terminal_safe
from tui.core.model import Status, Task

__all__ = ["LedgerHeader", "counts_line", "filters_line"]


def counts_line(tasks: Sequence[Task], today: dt.date, shown: int) -> tuple[str, ...]:
    """`共 72 项`, `已完成 3`, `推进中 5`, `受阻 1`, `逾期 20`, and `显示 N 项` when filters hide some: the header
    joins them with two spaces, or one where the line is short of room."""
    counts = Counter(task.status for task in tasks)
    overdue = sum(task.is_overdue(today) for task in tasks)
    summary = (
        f"共 {len(tasks)} 项",
        f"已完成 {counts[Status.DONE]}",
        f"推进中 {counts[Status.IN_PROGRESS]}",
        f"受阻 {counts[Status.BLOCKED]}",
        f"逾期 {overdue}",
    )
    return (*summary, f"显示 {shown} 项") if shown != len(tasks) else summary


def filters_line(
    counts: Sequence[str], filters: Sequence[str], width: int, *, read_only: bool = False, clear_key: str = "F"
) -> Text:
    """The header's second line in `width` cells: the counts, then the filters set and how to clear them.

    Where the filters do not fit in full they are summed up (`筛选 3 项・F 清除`; the full list is in the
    header's tooltip and in help), then the counts close up; narrower still, the summary comes first and
    the counts are what the edge cuts. Never the filters silently. `clear_key`: the key that clears them (`Esc`
    when the search is all there is: `F` then has nothing to clear)."""
    locked = Text("  [只读]", style="bold") if read_only else Text("")
    if not filters:
        return _first_fitting([Text.assemble("  ".join(counts), locked), Text.assemble(" ".join(counts), locked)], width)
    full = Text.assemble(
        ("  筛选：", "bold"),
        (terminal_safe(" | ".join(filters)), "bold reverse"),  # unit names, the search typed
        (f"  ({clear_key} 清除)", "dim"),
    )
    summary = Text.assemble((f"筛选 {len(filters)} 项", "bold reverse"), (f"・{clear_key} 清除", "dim"))
    return _first_fitting(
        [
            Text.assemble("  ".join(counts), locked, full),
            Text.assemble("  ".join(counts), locked, "  ", summary),
            Text.assemble(" ".join(counts), locked, "  ", summary),
            Text.assemble(summary, "  ", " ".join(reversed(counts)), locked),
        ],
        width,
    )


def _first_fitting(variants: Sequence[Text], width: int) -> Text:
    chosen = next((text for text in variants if text.cell_len <= width), variants[-1])
    chosen.no_wrap = True
    chosen.overflow = "crop"
    return chosen


class LedgerHeader(Static):
    DEFAULT_CSS = """
    LedgerHeader {
        dock: top;
        height: auto;
        max-height: 2;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def show(
        self,
        *,
        title: str,
        counts: Sequence[str],
        filters: Sequence[str],
        read_only: bool = False,
        identity: str = "",
        clear_key: str = "F",
    ) -> None:
        """`identity`: who this session is (`zhangsan・区卫健局・编辑`), right-aligned on the title line."""
        shown = (title, tuple(counts), tuple(filters), read_only, identity, clear_key)
        if shown == self._shown:
            return  # both lines written again over SSH for nothing, on every note saved
        self._shown = shown
        self._draw()

    def on_resize(self) -> None:
        self._draw()  # the filters line is chosen for the width

    def _draw(self) -> None:
        if self._shown is None:
            return
        title, counts, filters, read_only, identity, clear_key = self._shown
        heading = Text(terminal_safe(title) or "台账", style="bold", no_wrap=True, overflow="crop")
        # The header spans the screen (docked): its width is known before it is first laid out.
        width = self.size.width or self.app.size.width - self.styles.gutter.width
        text = filters_line(counts, filters, width, read_only=read_only, clear_key=clear_key)
        clearing = "F 清除全部筛选" if clear_key == "F" else f"{clear_key} 清除查找"
        self.tooltip = plain_text("筛选：" + "\n".join(filters) + "\n" + clearing) if filters else None
        first_line: Text | Table = heading
        if identity:
            first_line = Table.grid(expand=True)
            first_line.add_column(ratio=1, no_wrap=True, overflow="crop")
            first_line.add_column(justify="right", no_wrap=True)
            first_line.add_row(heading, Text(f"  {terminal_safe(identity)}"))
        self.update(Group(first_line, text))
        self.shown_text = f"{heading.plain}  {identity}\n{text.plain}" if identity else f"{heading.plain}\n{text.plain}"

    _shown: tuple[str, tuple[str, ...], tuple[str, ...], bool, str, str] | None = None
    shown_text = ""
