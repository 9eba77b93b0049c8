"""The progress-note editor: a wrapping text area; Enter saves, Esc cancels and nothing is saved (the text
typed is handed to `on_cancel`, which keeps it as the task's draft: shown again, marked as a draft, the next
time the note is asked for). An error shown clears as soon as the text is edited again.

It is a widget of the ledger screen on a layer of its own, docked at the bottom over the footer, not a
screen: opening and closing it write only the rows it covers (a screen, opaque or not, made Textual paint
every cell of the terminal when it opened and again when it closed: 26-60 KB a note over SSH, issue 16 F8).
While it is open it holds the focus (Tab stays in it) and the ledger's keys are typed into it.

A note that cannot be saved (too long, the disk full, no permission, the lock held too long, the task
removed meanwhile) keeps its text: the dialog stays open showing why, or, when the write failed after
the dialog had closed, the screen opens it again with the text and the reason (`NoteSaving`).

One editor serves every note of a session (`NoteDialog.of_screen`): each new dialog's text area would
stay alive for the rest of the session, held by its watcher of the app's theme (Textual does not
drop a watcher when its widget is removed: textual#6666), and the full collections over that growing
heap stalled the app for a quarter of a second and more, growing through the day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label, TextArea

from tui.core.display import terminal_safe
from tui.core.model import Note, NoteError, minute_of, note_text, without_controls
from widgets.plain_label import PlainLabel

__all__ = ["NoteDialog", "NoteSaving"]

_WAIT_FOR_SAVE_SECONDS = 0.25


class NoteSaving:
    """One note being written: whoever writes it calls `finish` on the event loop when it is done.

    The dialog waits a moment for the outcome: a failure by then is shown in the dialog, which stays open
    with the text. A slower write (a colleague's write holding the lock) outlives the dialog; if it then
    fails, `finish` returns False and the caller must give the text back (open the dialog with it).
    """

    def __init__(self) -> None:
        self.done = asyncio.Event()
        self.reason: str | None = None  # why the note was not saved; None once written
        self.dialog_waits = True

    def finish(self, reason: str | None) -> bool:
        """Record the outcome (`reason` None: written); whether the dialog is still there to show it."""
        self.reason = reason
        self.done.set()
        return self.dialog_waits


class NoteDialog(Vertical):
    """Shown by `open` after `ask`; closes itself on Enter (once saved) or Esc, and calls `on_closed`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save", "保存", priority=True, id="note.save"),
        Binding("escape", "cancel", "取消", priority=True, id="note.cancel"),
        # The focus stays in the note while it is open, as it did in a dialog screen.
        Binding("tab,shift+tab", "stay", "留在进展情况", show=False, priority=True, id="note.stay"),
    ]

    DEFAULT_CSS = """
    /* Over the ledger, on its own layer (MainScreen declares it): the panes beneath keep their size, so
       opening and closing the note write only the rows it covers. Opaque: a translucent backdrop made
       Textual render and tint the ledger beneath on every change under it. The heading and the last note
       keep the task in view. */
    NoteDialog {
        layer: note;
        dock: bottom;
        width: 100%;
        height: auto;
        border: ascii $accent;
        background: $surface;
        padding: 0 1;
        display: none;
    }
    /* As tall as the note, two to six lines: closing the editor rewrites the ledger rows it covered, and a
       short note's editor covers five rows fewer (2 KB less per note over SSH, issue 16). */
    NoteDialog TextArea {
        height: auto;
        min-height: 2;
        max-height: 6;
    }
    NoteDialog #note-error {
        color: $error;
    }
    NoteDialog #note-draft {
        color: $text-warning;
    }
    NoteDialog #note-last {
        color: $text-muted;
        max-height: 3;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.heading = ""
        self.last_note = ""
        self.on_save: Callable[[str], NoteSaving | None] | None = None
        self.on_cancel: Callable[[str], None] | None = None
        self.text = ""
        self.error = ""
        self.draft = False
        self._error_over: str | None = None  # the text the error shown is about: editing it clears the error
        self._on_closed: Callable[[], None] | None = None
        self._focus_before: Widget | None = None

    @classmethod
    async def of_screen(cls, screen: Screen[Any]) -> NoteDialog:
        """The screen's one note editor, mounted on first use (not before the first frame: it imports TextArea)."""
        found = screen.query(cls)
        if found:
            return found.first()
        editor = cls(id="note")
        # The first child: its layer comes first in the arrangement, so showing or hiding it leaves every other
        # widget's place (and order) in the compositor's map as it was, and nothing but its own rows is repainted.
        await screen.mount(editor, before=0)
        return editor

    @property
    def is_open(self) -> bool:
        return self.display

    def open(self, on_closed: Callable[[], None] | None = None) -> None:
        """Show the note asked for (`ask`) and take the focus; `on_closed` is called once it closes."""
        self._on_closed = on_closed
        focused = self.screen.focused
        self._focus_before = focused if focused is not None and self not in focused.ancestors_with_self else None
        self.display = True
        # Focus now, not via `focus()` (a callback queued behind keys already typed): keys the app handles
        # after `n` must reach the text area, never the ledger beneath.
        self.screen.set_focus(self.query_one(TextArea))

    def _close(self) -> None:
        self.display = False
        before = self._focus_before
        self.screen.set_focus(before if before is not None and before.is_attached else None)
        on_closed, self._on_closed = self._on_closed, None
        if on_closed is not None:
            on_closed()

    def ask(
        self,
        heading: str,
        on_save: Callable[[str], NoteSaving | None] | None = None,
        *,
        last_note: Note | None = None,
        text: str = "",
        error: str = "",
        draft: bool = False,
        on_cancel: Callable[[str], None] | None = None,
    ) -> NoteDialog:
        """Ready the dialog for a new note: an empty text area (without the last note's undo history), or
        `text` with the `error` that kept it from being saved, or `text` kept as a draft (`draft`, said above it).

        `on_cancel` is called with the text as typed when Esc closes the dialog (to keep it as a draft).

        `last_note`: the task's newest note, shown above the text area as the pane shows it
        (`上次 2026-11-28 10:00  zhangsan：...`): the editor may cover the pane's notes.

        `on_save` is called with the note as it will be stored before the dialog closes: the save starts
        without waiting for the redraw. If it returns a NoteSaving, the dialog closes once the note is
        written (or after 0.25 s), and stays open with the text and the reason if it was not.
        """
        self.heading = heading
        self.last_note = "" if last_note is None else f"上次 {minute_of(last_note.at)}  {last_note.by}：{last_note.text}"
        self.on_save = on_save
        self.on_cancel = on_cancel
        self.text = text
        self.error = error
        self.draft = draft
        if self.is_mounted:
            self.query_one("#note-heading", PlainLabel).update(heading)
            self._show_last_note()
            self._show_draft()
            self._load_text()
            self._show_error(error)
        return self

    def compose(self) -> ComposeResult:
        yield PlainLabel(self.heading, id="note-heading")
        yield PlainLabel(id="note-last")
        yield PlainLabel("草稿：上次按 Esc 时留下的文字（删空后按 Esc 即不再保留）", id="note-draft")
        yield TextArea(id="note-text", soft_wrap=True, show_line_numbers=False, compact=True)
        yield PlainLabel("", id="note-error")
        yield Label("Enter 保存   Esc 取消", id="note-hint")

    def _show_last_note(self) -> None:
        label = self.query_one("#note-last", PlainLabel)
        label.update(Text(terminal_safe(self.last_note)))  # as the pane shows it: "[...]" is not markup
        label.display = bool(self.last_note)

    def _show_draft(self) -> None:
        self.query_one("#note-draft", PlainLabel).display = self.draft

    def _show_error(self, message: str) -> None:
        self._error_over = self.query_one(TextArea).text if message else None
        self.query_one("#note-error", PlainLabel).update(message)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Typing resumes: the error was about the text as it was (empty, too long, not saved), so it goes."""
        if self._error_over is not None and event.text_area.text != self._error_over:
            self._show_error("")

    def _load_text(self) -> None:
        text_area = self.query_one(TextArea)
        text_area.load_text(self.text)
        text_area.move_cursor(text_area.document.end)

    def on_mount(self) -> None:
        self._show_last_note()
        self._show_draft()
        self._load_text()
        self._show_error(self.error)

    async def action_save(self) -> None:
        text_area = self.query_one(TextArea)
        # Enter is a priority key, handled by the app as soon as it arrives; the keys typed before it may
        # still wait in the text area's queue (a busy moment, a fast typist). Let it take them first, so
        # the note is saved whole; the app handles no further key until this dialog is gone.
        arrived = asyncio.Event()
        text_area.call_later(arrived.set)
        await arrived.wait()
        typed = text_area.text
        if not without_controls(typed).strip():
            self._show_error("进展情况不能为空。请输入内容，或按 Esc 取消。")
            return
        try:
            text = note_text(typed)
        except NoteError as error:  # too long: the text stays in the box to be shortened
            self._show_error(str(error))
            return
        saving = self.on_save(text) if self.on_save is not None else None
        if saving is not None:
            # Closing the dialog redraws the screen beneath, which would hold the event loop and the
            # GIL while the note is written: let the write finish first, unless it is slow (a
            # colleague's write holding the lock), in which case it carries on after the dialog closes.
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(saving.done.wait(), _WAIT_FOR_SAVE_SECONDS)
            if not saving.done.is_set():
                saving.dialog_waits = False  # from here on, a failure gives the text back by reopening the dialog
            elif saving.reason is not None:
                self._show_error(saving.reason)  # not saved: the text stays
                return
        self._close()

    def action_cancel(self) -> None:
        if self.on_cancel is not None:
            self.on_cancel(self.query_one(TextArea).text)
        self._close()

    def action_stay(self) -> None:
        """Tab: the focus stays in the note."""
