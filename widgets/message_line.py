"""The message line above the footer: what this session's last change did, until the next one.

This session's own saves are said here, not in a toast: a toast per save re-laid out the screen
three times as it came, moved and went (30-50 ms each, more under a dialog, whose translucent
backdrop re-renders the whole ledger beneath), so a quick mark-then-note waited on toasts; and when
working fast they piled up in the corner. A key that does not apply says why here too, where the
eye already is. Toasts stay for what needs attention: errors, colleagues' changes. The line takes
no room until the first message, and later messages repaint it without a new layout.
"""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tui.core.display import terminal_safe

__all__ = ["MessageLine"]


class MessageLine(Widget):
    DEFAULT_CSS = """
    MessageLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
        display: none;
    }
    MessageLine.-shown {
        display: block;
    }
    MessageLine.-two-lines {
        height: 2;
    }
    """

    # Repaint only: the line's size never changes with its text.
    shown_text: reactive[str] = reactive("", layout=False)

    def say(self, message: str, at: dt.datetime) -> None:
        """Show `message`, stamped with the time it happened (`10:42  31 号任务：未启动 -> 推进中`)."""
        self.shown_text = f"{at:%H:%M}  {terminal_safe(message)}"
        self.set_class(True, "-shown")
        self._fit()

    def _fit(self) -> None:
        # A refused key's reason can be longer than an 80-column line: it takes a second line rather
        # than lose its end. Only such a message changes the layout; a save's message fits on one.
        width = self.screen.size.width - self.styles.gutter.width
        self.set_class(cell_len(self.shown_text) > width, "-two-lines")

    def on_resize(self) -> None:
        self._fit()

    def render(self) -> Text:
        # Cropped, not ellipsised: "…" is drawn two cells wide by some CJK terminals. On two lines, broken
        # where Chinese may break (no line starting with `，`, no number split).
        text = Text(self.shown_text, overflow="crop")
        if not self.has_class("-two-lines"):
            return text
        from tui.core.linebreak import wrapped  # not before the first frame: most messages fit one line

        return wrapped(text, self.content_size.width)
