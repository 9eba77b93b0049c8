"""The progress-note dialog: a wrapping text area; Enter saves, Esc cancels and nothing is saved."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

__all__ = ["NoteDialog"]

_WAIT_FOR_SAVE_SECONDS = 0.25


class NoteDialog(ModalScreen[str | None]):
    """Dismisses with the note's text, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save", "保存", priority=True, id="note.save"),
        Binding("escape", "cancel", "取消", priority=True, id="note.cancel"),
    ]

    DEFAULT_CSS = """
    NoteDialog {
        align: center middle;
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
    """

    def __init__(self, heading: str, on_save: Callable[[str], asyncio.Event | None] | None = None) -> None:
        super().__init__()
        self.heading = heading
        # Called with the text before the dialog closes: the save starts without waiting for the redraw.
        # If it returns an asyncio.Event set once the note is written, the dialog closes then (or after 0.25 s).
        self.on_save = on_save

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.heading, id="note-heading")
            yield TextArea(id="note-text", soft_wrap=True, show_line_numbers=False, compact=True)
            yield Label("", id="note-error")
            yield Label("Enter 保存   Esc 取消", id="note-hint")

    def on_mount(self) -> None:
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
