"""The progress-note dialog: a wrapping text area; Enter saves, Esc cancels and nothing is saved.

One dialog serves every note of a session (`NoteDialog.for_app`): each new dialog's text area would
stay alive for the rest of the session, held by its watcher of the app's theme (Textual does not
drop a watcher when its widget is removed: textual#6666), and the full collections over that growing
heap stalled the app for a quarter of a second and more, growing through the day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from tui.display import terminal_safe
from tui.model import Note, minute_of

__all__ = ["NoteDialog"]

_WAIT_FOR_SAVE_SECONDS = 0.25


class NoteDialog(ModalScreen[str | None]):
    """Dismisses with the note's text, or None when cancelled. Call `ask` before each push."""

    SCREEN_NAME = "note-dialog"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save", "保存", priority=True, id="note.save"),
        Binding("escape", "cancel", "取消", priority=True, id="note.cancel"),
    ]

    DEFAULT_CSS = """
    /* Opaque, not Textual's translucent backdrop: that re-renders and tints the whole ledger beneath
       whenever anything under it changes (a save being shown, a colleague's change), 30-50 ms a time
       while the note is typed. The heading and the last note keep the task in view instead. */
    NoteDialog {
        align: center middle;
        background: $background;
    }
    NoteDialog > Vertical {
        width: 90%;
        max-width: 76;
        height: auto;
        border: ascii $accent;
        background: $surface;
        padding: 0 1;
    }
    NoteDialog TextArea {
        height: 6;
    }
    NoteDialog #note-error {
        color: $error;
    }
    NoteDialog #note-last {
        color: $text-muted;
        max-height: 3;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.heading = ""
        self.last_note = ""
        self.on_save: Callable[[str], asyncio.Event | None] | None = None

    @classmethod
    def for_app(cls, app: App[object]) -> NoteDialog:
        """The app's one note dialog, installed on first use (installed screens outlive their dismissal)."""
        try:
            return app.get_screen(cls.SCREEN_NAME, cls)
        except KeyError:
            dialog = cls()
            app.install_screen(dialog, cls.SCREEN_NAME)
            return dialog

    def ask(
        self,
        heading: str,
        on_save: Callable[[str], asyncio.Event | None] | None = None,
        *,
        last_note: Note | None = None,
    ) -> NoteDialog:
        """Ready the dialog for a new note: an empty text area (without the last note's undo history).

        `last_note`: the task's newest note, shown above the text area as the pane shows it
        (`上次 2026-11-28 10:00  zhangsan：...`): the opaque backdrop hides the pane.

        `on_save` is called with the text before the dialog closes: the save starts without waiting for
        the redraw. If it returns an asyncio.Event set once the note is written, the dialog closes then
        (or after 0.25 s).
        """
        self.heading = heading
        self.last_note = "" if last_note is None else f"上次 {minute_of(last_note.at)}  {last_note.by}：{last_note.text}"
        self.on_save = on_save
        if self.is_mounted:
            self.query_one("#note-heading", Label).update(Text(heading))
            self._show_last_note()
            self.query_one("#note-error", Label).update("")
            self.query_one(TextArea).load_text("")
        return self

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.heading), id="note-heading")
            yield Label(id="note-last")
            yield TextArea(id="note-text", soft_wrap=True, show_line_numbers=False, compact=True)
            yield Label("", id="note-error")
            yield Label("Enter 保存   Esc 取消", id="note-hint")

    def _show_last_note(self) -> None:
        label = self.query_one("#note-last", Label)
        label.update(Text(terminal_safe(self.last_note)))  # as written: a note's "[...]" is not markup
        label.display = bool(self.last_note)

    def on_mount(self) -> None:
        self._show_last_note()
        # Focus now, not via `focus()` (a callback queued behind keys already typed): keys the app
        # handles after this dialog has mounted must reach the text area, never the bare screen.
        self.set_focus(self.query_one(TextArea))

    async def action_save(self) -> None:
        text_area = self.query_one(TextArea)
        # Enter is a priority key, handled by the app as soon as it arrives; the keys typed before it may
        # still wait in the text area's queue (a busy moment, a fast typist). Let it take them first, so
        # the note is saved whole; the app handles no further key until this dialog is gone.
        typed = asyncio.Event()
        text_area.call_later(typed.set)
        await typed.wait()
        text = text_area.text.strip()
        if not text:
            self.query_one("#note-error", Label).update("进展情况不能为空。请输入内容，或按 Esc 取消。")
            return
        if self.on_save is not None:
            written = self.on_save(text)
            if written is not None:
                # Closing the dialog redraws the screen beneath, which would hold the event loop and the
                # GIL while the note is written: let the write finish first, unless it is slow (a
                # colleague's write holding the lock), in which case it carries on after the dialog closes.
                with suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(written.wait(), _WAIT_FOR_SAVE_SECONDS)
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
