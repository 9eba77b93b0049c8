"""The header line: ledger title, counts, and the active filters."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

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


class LedgerHeader(Widget):
    """Two lines: the title (and who this session is), then the counts and the filters. Each line is drawn
    again only when its text changes: a status key changes the counts, not the title (250 B a key over SSH)."""

    DEFAULT_CSS = """
    LedgerHeader {
        dock: top;
        height: 2;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[str, tuple[str, ...], tuple[str, ...], bool, str, str] | None = None
        self._lines: tuple[Text, Text] = (Text(""), Text(""))
        self._strips: list[Strip | None] = [None, None]
        self.shown_text = ""

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
        if shown != self._shown:
            self._shown = shown
            self._draw()

    def on_resize(self) -> None:
        self._draw()  # the filters line is chosen for the width, the title cropped to it

    def _draw(self) -> None:
        if self._shown is None:
            return
        title, counts, filters, read_only, identity, clear_key = self._shown
        # The header spans the screen (docked): its width is known before it is first laid out.
        width = self.size.width or self.app.size.width - self.styles.gutter.width
        heading = Text(terminal_safe(title) or "台账", style="bold")
        first = _title_line(heading, Text(f"  {terminal_safe(identity)}") if identity else Text(""), width)
        second = filters_line(counts, filters, width, read_only=read_only, clear_key=clear_key)
        clearing = "F 清除全部筛选" if clear_key == "F" else f"{clear_key} 清除查找"
        self.tooltip = plain_text("筛选：" + "\n".join(filters) + "\n" + clearing) if filters else None
        self.shown_text = f"{heading.plain}  {identity}\n{second.plain}" if identity else f"{heading.plain}\n{second.plain}"
        for y, (old, new) in enumerate(zip(self._lines, (first, second), strict=True)):
            if new != old or self._strips[y] is None:
                self._strips[y] = None  # rendered when painted, in the widget's style
                self.refresh(Region(0, y, self.size.width, 1))
        self._lines = (first, second)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = [None, None]  # drawn in the old colours (a theme changed)

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        if y > 1 or width <= 0:
            return Strip.blank(width, self.rich_style)
        strip = self._strips[y]
        if strip is None or strip.cell_length != width:
            options = self.app.console.options.update_width(width)
            segments = self.app.console.render_lines(self._lines[y], options, style=self.rich_style, pad=True)[0]
            strip = self._strips[y] = Strip(segments, width)
        return strip


def _title_line(heading: Text, identity: Text, width: int) -> Text:
    """The title cropped to what the identity leaves of `width`, the identity at the right edge."""
    room = max(width - identity.cell_len, 0)
    line = heading.copy()
    line.truncate(room, overflow="crop", pad=True)
    line.append_text(identity)
    line.no_wrap, line.overflow = True, "crop"
    return line
