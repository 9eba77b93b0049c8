"""The overview's table (`d`): its first column stays while the others scroll, a column at a time.

At 80 columns the overview's figures are wider than the screen. Textual's table scrolls one cell per
Right, and End scrolled the row names away; here the first column (范围, the unit) is fixed, Left and Right
bring the previous or next column wholly into view, Home and End go to either edge, and `off_screen()` says
which rows and columns are out of view, for the screen to show a sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

__all__ = ["OffScreen", "OverviewTable"]


@dataclass(frozen=True)
class OffScreen:
    """What is out of view: rows above and below (their keys, in order), columns left and right (labels)."""

    rows_above: tuple[str, ...] = ()
    rows_below: tuple[str, ...] = ()
    columns_left: tuple[str, ...] = ()
    columns_right: tuple[str, ...] = ()


class OverviewTable(DataTable[str | Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "cursor_right", "右边一列", show=False, id="overview.right"),
        Binding("h", "cursor_left", "左边一列", show=False, id="overview.left"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, fixed_columns=1)

    def _column_edges(self) -> list[tuple[str, int, int]]:
        """Each scrolling column's label and where its text starts and ends (its padding left out), counted
        from the table's left: a column whose padding alone is cut off is in view."""
        edges = []
        left = 0
        padding = self.cell_padding
        for number, column in enumerate(self.ordered_columns):
            right = left + column.get_render_width(self)
            if number >= self.fixed_columns:
                edges.append((column.label.plain, left + padding, right - padding))
            left = right
        return edges

    def _fixed_width(self) -> int:
        return sum(column.get_render_width(self) for column in self.ordered_columns[: self.fixed_columns])

    def _view(self) -> tuple[int, int]:
        """The stretch of the scrolling columns in view, in the same counting as `_column_edges`."""
        start = round(self.scroll_x) + self._fixed_width()
        return start, round(self.scroll_x) + self.scrollable_content_region.width

    def action_cursor_right(self) -> None:
        """The next column cut off or hidden on the right, wholly into view."""
        _start, end = self._view()
        hidden = [right for _label, _left, right in self._column_edges() if right > end]
        if hidden:
            self.scroll_to(x=min(self.max_scroll_x, hidden[0] + self.cell_padding - self.scrollable_content_region.width), animate=False)

    def action_cursor_left(self) -> None:
        """The previous column cut off or hidden on the left, wholly into view."""
        start, _end = self._view()
        hidden = [left for _label, left, _right in self._column_edges() if left < start]
        if hidden:
            self.scroll_to(x=max(0, hidden[-1] - self.cell_padding - self._fixed_width()), animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_to(x=0, animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_to(x=self.max_scroll_x, animate=False)

    def off_screen(self) -> OffScreen:
        start, end = self._view()
        edges = self._column_edges()
        rows = [row.key.value or "" for row in self.ordered_rows]
        top = round(self.scroll_y)
        shown = max(0, self.scrollable_content_region.height - (self.header_height if self.show_header else 0))
        return OffScreen(
            rows_above=tuple(rows[:top]),
            rows_below=tuple(rows[top + shown :]),
            columns_left=tuple(label for label, left, _right in edges if left < start),
            columns_right=tuple(label for label, _left, right in edges if right > end),
        )
