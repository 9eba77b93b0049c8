"""The screen as a terminal shows it, as plain text: what a clerk reads at a given size (issue 16)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App


def screen_lines(app: App[object]) -> list[str]:
    """Every row of the screen as drawn now (dialogs over the screen below included), trailing spaces kept,
    a wide character once (as it reads, though it takes two cells)."""
    update = app.screen._compositor.render_update(full=True)
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, force_terminal=True, color_system=None
    )
    console.print(update)
    return console.export_text(styles=False).split("\n")[:height]


def screen_text(app: App[object]) -> str:
    return "\n".join(screen_lines(app))
