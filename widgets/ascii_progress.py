"""A progress line drawn in ASCII (`[#####.....] 36/72`): Textual's ProgressBar draws box-drawing glyphs,
which some CJK terminals render two cells wide."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

__all__ = ["AsciiProgress", "ascii_bar"]


def ascii_bar(done: int, total: int, width: int = 10) -> str:
    """`#####.....`: `done` of `total` in `width` cells (an empty total shows an empty bar)."""
    filled = round(width * done / total) if total > 0 else 0
    # Something done never shows as nothing, and not everything never shows as full.
    if done > 0 and filled == 0:
        filled = 1
    if done < total and filled == width:
        filled = width - 1
    filled = max(0, min(width, filled))
    return "#" * filled + "." * (width - filled)


class AsciiProgress(Static):
    """`[####......] 30/72 项` while work runs; the caller says how far it is."""

    DEFAULT_CSS = """
    AsciiProgress {
        height: 1;
        width: 100%;
        color: $accent;
    }
    """

    def __init__(self, *, unit: str = "项", bar_width: int = 30, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.unit = unit
        self.bar_width = bar_width
        self.done = 0
        self.total = 0

    def show_progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.update(Text(f"[{ascii_bar(done, total, self.bar_width)}] {done}/{total} {self.unit}"))

    def show_text(self, text: str) -> None:
        self.update(text)
