"""The `d` overview: the whole ledger and each section (overall statuses, 本期未更新), then each unit and township
(its own rows' statuses, overdue and 本期未报送), the most behind first: the 催办 list. The figures are
`tui.core.overview`'s; this screen only draws them, and Enter on a row shows its tasks in the tree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from tui.core.display import terminal_safe
from tui.core.model import Event, Ledger, Status
from tui.core.overview import OverviewChoice, OverviewRow, overview_rows
from tui.core.report import Period
from widgets.ascii_progress import ascii_bar
from widgets.overview_table import OffScreen, OverviewTable
from widgets.plain_label import PlainLabel

__all__ = ["OverviewScreen"]

# The row between the sections and the units: it names what the units' last column counts instead.
_UNITS_HEADING = "units-heading"
_HINT = "Enter 在任务树中查看该行的任务"  # Esc is in the footer


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
        width: 100%;
        height: auto;
        background: $panel;
        padding: 0 1;
    }
    OverviewScreen DataTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    OverviewScreen #overview-hint {
        width: 100%;
        height: auto;
        max-height: 2;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, ledger: Ledger, today: dt.date, history: Iterable[Event]) -> None:
        """`ledger` loaded with its notes; `history`: every event (`Store.history()`), for the status changes."""
        super().__init__()
        self.ledger = ledger
        self.today = today
        self.period = Period.of(today)
        self.rows = overview_rows(ledger, today, history, self.period)
        self._by_key = {_row_key(row): row for row in self.rows}

    def compose(self) -> ComposeResult:
        whole = self.rows[0]
        heading = Text.assemble(
            (f"{terminal_safe(self.ledger.title) or '台账'}  总览", "bold"),
            f"\n截至 {self.today.year}年{self.today.month}月{self.today.day}日，报告期 {self.period.label}："
            f"共 {whole.total} 项，已完成或销号 {whole.finished} 项，逾期 {whole.overdue} 项，"
            f"本期未更新 {whole.not_reported} 项",
        )
        yield PlainLabel(heading, id="overview-heading")
        yield OverviewTable(id="overview-table")
        yield PlainLabel(_HINT, id="overview-hint")
        yield Footer(show_command_palette=False)

    @property
    def table(self) -> OverviewTable:
        return self.query_one("#overview-table", OverviewTable)

    def on_mount(self) -> None:
        table = self.table
        table.add_column("范围", key="label")
        table.add_column("任务", key="total")
        for status in Status:
            table.add_column(status.label, key=status.value)
        table.add_column("逾期", key="overdue")
        table.add_column("本期未更新", key="not_reported")
        table.add_column("完成进度", key="progress")
        units_started = False
        for row in self.rows:
            if row.choice.kind == "unit" and not units_started:
                units_started = True
                # The units' own rows from here: their last figure is what each unit did not report.
                heading = Text("各单位（最落后的在前）", style="bold")
                blank = [Text("") for _column in range(len(table.columns) - 3)]
                table.add_row(heading, *blank, Text("本期未报送", style="bold"), Text(""), key=_UNITS_HEADING)
            label = Text(terminal_safe(row.label), style="" if row.choice.kind == "unit" else "bold")
            percent = round(100 * row.finished / row.total) if row.total else 0
            table.add_row(
                label,
                Text(str(row.total), justify="right"),
                *(Text(str(row.by_status[status]), justify="right") for status in Status),
                Text(str(row.overdue), justify="right", style="bold red" if row.overdue else ""),
                Text(str(row.not_reported), justify="right"),
                Text(f"{ascii_bar(row.finished, row.total)} {percent:>3}%"),
                key=_row_key(row),
            )
        table.focus()
        self.watch(table, "scroll_x", self._show_off_screen, init=False)
        self.watch(table, "scroll_y", self._show_off_screen, init=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_off_screen)

    def _show_off_screen(self) -> None:
        """The hint line says what is out of view (rows above and below, columns left and right), before Enter."""
        signs = off_screen_signs(self.table.off_screen())
        if signs == self.off_screen_text:
            return  # a cursor move that scrolled nothing new into view: no new layout
        hint = self.query_one("#overview-hint", PlainLabel)
        hint.update(Text.assemble((signs, "bold"), "   " if signs else "", _HINT))
        self.off_screen_text = signs

    off_screen_text = ""

    @property
    def highlighted(self) -> OverviewRow | None:
        """The row under the cursor (None on the units' heading)."""
        table = self.table
        if not 0 <= table.cursor_row < table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._by_key.get(key or "")

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


def off_screen_signs(hidden: OffScreen) -> str:
    """`上面还有 5 行  下面还有 3 个单位  右边还有 2 列 (Right)`: what is out of view, and which key shows it."""
    signs = []
    if hidden.rows_above:
        signs.append(f"上面还有 {len(hidden.rows_above)} 行")
    if hidden.rows_below:
        below = [key for key in hidden.rows_below if key != _UNITS_HEADING]
        units = sum(key.startswith("unit:") for key in below)
        signs.append(f"下面还有 {units} 个单位" if units == len(below) else f"下面还有 {len(hidden.rows_below)} 行")
    if hidden.columns_left:
        signs.append(f"左边还有 {len(hidden.columns_left)} 列 (Left)")
    if hidden.columns_right:
        signs.append(f"右边还有 {len(hidden.columns_right)} 列 (Right)")
    return "  ".join(signs)


def _row_key(row: OverviewRow) -> str:
    return f"{row.choice.kind}:{row.choice.name}"
