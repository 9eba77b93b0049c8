"""The `d` overview: for each section and each unit, tasks by status, overdue, 本期未更新, and progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.core.display import terminal_safe
from tui.core.model import Ledger, Status, Task
from tui.core.report import Period, period_notes
from widgets.ascii_progress import ascii_bar

__all__ = ["OverviewChoice", "OverviewRow", "OverviewScreen", "overview_rows"]

_ALL = "全部任务"
_STATUS_ORDER = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.BLOCKED, Status.CLOSED)


@dataclass(frozen=True)
class OverviewChoice:
    """Where Enter on a row takes the tree: one section, one unit, or everything."""

    kind: Literal["all", "section", "unit"]
    name: str = ""


@dataclass(frozen=True)
class OverviewRow:
    choice: OverviewChoice
    label: str
    total: int
    by_status: dict[Status, int]
    overdue: int
    not_updated: int

    @property
    def finished(self) -> int:
        return self.by_status[Status.DONE] + self.by_status[Status.CLOSED]


def _row(choice: OverviewChoice, label: str, tasks: Iterable[Task], today: dt.date, period: Period) -> OverviewRow:
    tasks = list(tasks)
    return OverviewRow(
        choice=choice,
        label=label,
        total=len(tasks),
        by_status={status: sum(task.status is status for task in tasks) for status in _STATUS_ORDER},
        overdue=sum(task.is_overdue(today) for task in tasks),
        not_updated=sum(not period_notes(task, period) for task in tasks),
    )


def overview_rows(ledger: Ledger, today: dt.date) -> list[OverviewRow]:
    """The whole ledger, then each section in document order, then each unit (most tasks first)."""
    period = Period.of(today)
    rows = [_row(OverviewChoice("all"), _ALL, ledger.tasks, today, period)]
    sections = dict.fromkeys(task.section for task in ledger.tasks)
    for section in sections:
        tasks = [task for task in ledger.tasks if task.section == section]
        rows.append(_row(OverviewChoice("section", section), section, tasks, today, period))
    for unit, _count in ledger.units():
        tasks = [task for task in ledger.tasks if task.has_unit(unit)]
        rows.append(_row(OverviewChoice("unit", unit), unit, tasks, today, period))
    return rows


class OverviewScreen(Screen[OverviewChoice | None]):
    """Dismisses with the row chosen with Enter, or None with Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,d", "close", "返回", id="overview.close"),
        Binding("enter", "choose", "在任务树中查看", id="overview.choose"),
        Binding("j", "cursor_down", "下移", show=False, id="overview.down"),
        Binding("k", "cursor_up", "上移", show=False, id="overview.up"),
    ]

    DEFAULT_CSS = """
    OverviewScreen #overview-heading {
        height: auto;
        background: $panel;
        padding: 0 1;
    }
    OverviewScreen DataTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    OverviewScreen .overview-hint {
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, ledger: Ledger, today: dt.date) -> None:
        super().__init__()
        self.ledger = ledger
        self.today = today
        self.period = Period.of(today)
        self.rows = overview_rows(ledger, today)

    def compose(self) -> ComposeResult:
        whole = self.rows[0]
        heading = Text.assemble(
            (f"{terminal_safe(self.ledger.title) or '台账'}  总览", "bold"),
            f"\n截至 {self.today.year}年{self.today.month}月{self.today.day}日，报告期 {self.period.label}："
            f"共 {whole.total} 项，已完成或销号 {whole.finished} 项，逾期 {whole.overdue} 项，"
            f"本期未更新 {whole.not_updated} 项",
        )
        yield Static(heading, id="overview-heading")
        yield DataTable(id="overview-table", cursor_type="row", zebra_stripes=True)
        yield Static("Enter 在任务树中查看该行的任务   Esc 返回", classes="overview-hint")
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#overview-table", DataTable)

    def on_mount(self) -> None:
        table = self.table
        table.add_column("范围", key="label")
        table.add_column("任务", key="total")
        for status in _STATUS_ORDER:
            table.add_column(status.label, key=status.value)
        table.add_column("逾期", key="overdue")
        table.add_column("本期未更新", key="not_updated")
        table.add_column("完成进度", key="progress")
        for row in self.rows:
            label = Text(terminal_safe(row.label), style="" if row.choice.kind == "unit" else "bold")
            percent = round(100 * row.finished / row.total) if row.total else 0
            table.add_row(
                label,
                Text(str(row.total), justify="right"),
                *(Text(str(row.by_status[status]), justify="right") for status in _STATUS_ORDER),
                Text(str(row.overdue), justify="right", style="bold red" if row.overdue else ""),
                Text(str(row.not_updated), justify="right"),
                Text(f"{ascii_bar(row.finished, row.total)} {percent:>3}%"),
                key=f"{row.choice.kind}:{row.choice.name}",
            )
        table.focus()

    @property
    def highlighted(self) -> OverviewRow | None:
        index = self.table.cursor_row
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def action_choose(self) -> None:
        row = self.highlighted
        if row is not None:
            self.dismiss(row.choice)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_choose()

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)
