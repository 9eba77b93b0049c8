"""The header line: ledger title, counts, and the active filters."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui.core.display import terminal_safe
from tui.core.model import Status, Task

__all__ = ["LedgerHeader", "counts_line"]


def counts_line(tasks: Sequence[Task], today: dt.date, shown: int) -> str:
    """`共 72 项  已完成 3  推进中 5  受阻 1  逾期 20`, and `显示 N 项` when filters hide some."""
    counts = Counter(task.status for task in tasks)
    overdue = sum(task.is_overdue(today) for task in tasks)
    summary = (
        f"共 {len(tasks)} 项  已完成 {counts[Status.DONE]}  推进中 {counts[Status.IN_PROGRESS]}"
        f"  受阻 {counts[Status.BLOCKED]}  逾期 {overdue}"
    )
    if shown != len(tasks):
        summary += f"  显示 {shown} 项"
    return summary


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
        self, *, title: str, counts: str, filters: Sequence[str], read_only: bool = False, identity: str = ""
    ) -> None:
        """`identity`: who this session is (`zhangsan・区卫健局・编辑`), right-aligned on the title line."""
        heading = Text(terminal_safe(title) or "台账", style="bold", no_wrap=True, overflow="crop")
        text = Text(counts)
        if read_only:
            text.append("  [只读]", style="bold")
        if filters:
            text.append("  筛选：", style="bold")
            text.append(terminal_safe(" | ".join(filters)), style="bold reverse")  # unit names, the search typed
            text.append("  (F 清除)", style="dim")
        first_line: Text | Table = heading
        if identity:
            first_line = Table.grid(expand=True)
            first_line.add_column(ratio=1, no_wrap=True, overflow="crop")
            first_line.add_column(justify="right", no_wrap=True)
            first_line.add_row(heading, Text(f"  {terminal_safe(identity)}"))
        self.update(Group(first_line, text))
        self.shown_text = f"{heading.plain}  {identity}\n{text.plain}" if identity else f"{heading.plain}\n{text.plain}"

    shown_text = ""
