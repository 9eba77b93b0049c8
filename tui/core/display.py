"""Text for the terminal: safe glyphs, status marks and widths. No Textual here.

Text from users and files (notes, contents, names, file names, paths, import diffs) reaches the app's
screen only as `plain_text(...)` (a Rich `Text`, never markup) or through a widget that makes one of
it (`widgets.plain_label.PlainLabel`, the app's `notify`, the ledger tree's labels).
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from tui.core.model import Status, without_controls

__all__ = ["STATUS_GLYPHS", "STATUS_STYLES", "cell_width", "diff_text", "fit_cells", "plain_text", "terminal_safe"]

# East-Asian "ambiguous width" quotes are drawn two cells wide by some terminals and one by
# others, which shifts everything after them; CJK corner brackets are wide everywhere.
_SAFE = str.maketrans({"“": "「", "”": "」", "‘": "『", "’": "』", "…": "...", "—": "-", "·": "・"})

# ASCII marks, readable without colour; the colours only add to them.
STATUS_GLYPHS = {
    Status.NOT_STARTED: "[ ]",
    Status.IN_PROGRESS: "[~]",
    Status.DONE: "[x]",
    Status.BLOCKED: "[!]",
    Status.CLOSED: "[-]",
}
# Only the 16 ANSI colours, so a `TERM=xterm` login over SSH shows the same thing.
STATUS_STYLES = {
    Status.NOT_STARTED: "",
    Status.IN_PROGRESS: "bold yellow",
    Status.DONE: "green",
    Status.BLOCKED: "bold red",
    Status.CLOSED: "dim",
}


def terminal_safe(text: str) -> str:
    """`text` as the panes show it: no control characters (`without_controls`), no ambiguous-width glyphs."""
    return without_controls(text).translate(_SAFE)


def plain_text(text: str, style: str | Style = "") -> Text:
    """Text from a user or a file for the screen: shown as written (`[/]`, `[@click=...]` are not markup,
    so they cannot break the screen or carry an action), without control characters."""
    return Text(without_controls(text), style=style)


def cell_width(text: str) -> int:
    """How many terminal cells `text` takes (CJK two, combining marks none), as Textual lays it out."""
    return cell_len(text)


def fit_cells(text: str, width: int, tail: str = "..") -> str:
    """`text` cut to at most `width` terminal cells, never mid-character, marked with `tail` when cut."""
    if cell_width(text) <= width:
        return text
    if width <= len(tail):
        return tail[: max(0, width)]
    budget = width - len(tail)
    kept: list[str] = []
    used = 0
    for char in text:
        size = cell_width(char)
        if used + size > budget:
            break
        kept.append(char)
        used += size
    return "".join(kept) + tail


_DELETED = re.compile(r"\[-.*?-\]", re.DOTALL)
_INSERTED = re.compile(r"\{\+.*?\+\}", re.DOTALL)


def diff_text(text: str) -> Text:
    """Text holding a content diff, with deletions in red (struck through) and insertions in green.

    The `[-old-]` / `{+new+}` marks stay, so the diff reads the same without colour. `text` must already be
    terminal-safe; it is never parsed as markup.
    """
    shown = Text(text)
    shown.highlight_regex(_DELETED, "bold red strike")
    shown.highlight_regex(_INSERTED, "bold green")
    return shown
