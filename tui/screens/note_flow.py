"""The `n` note from the ledger screen: asked in the screen's one note editor, written by the LedgerWriter.

Nothing typed is lost: a note the store refuses stays in the open dialog with the reason (NoteSaving),
and a note whose write failed after its dialog had closed is offered again, with its text and the
reason, as soon as the dialog is free. A note left with Esc is kept as that row's draft for the session (in
memory: a draft is not a note, and the store holds only what was saved) and offered the next time `n` is
pressed there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from tui.core.model import Task

if TYPE_CHECKING:
    from widgets.note_dialog import NoteSaving
from widgets.ledger_writer import LedgerWriter

__all__ = ["NoteFlow"]


class NoteFlow:
    def __init__(self, screen: Screen[Any], writer: LedgerWriter) -> None:
        self._screen = screen
        self._writer = writer
        # Notes whose write failed after their dialog had closed, (task, unit, text, reason): offered again in the
        # dialog, for the same row.
        self._unsaved: list[tuple[Task, str | None, str, str]] = []
        self._drafts: dict[tuple[str, str | None], str] = {}  # (task id, unit) -> the text left with Esc

    def draft_of(self, task: Task, unit: str | None = None) -> str | None:
        """The note left with Esc on the row of `unit` of `task`, if any."""
        return self._drafts.get((task.id, unit))

    def _keep_draft(self, key: tuple[str, str | None], text: str) -> None:
        if text.strip():
            self._drafts[key] = text
        else:
            self._drafts.pop(key, None)  # emptied and left: nothing to keep

    def _save(self, task: Task, unit: str | None, text: str) -> NoteSaving | None:
        self._drafts.pop((task.id, unit), None)  # a note that then fails to save comes back with its reason
        return self._writer.add_note(task, text, unit=unit)

    async def ask(self, task: Task, unit: str | None = None, text: str = "", error: str = "") -> None:
        """The note dialog for the row of `unit` of `task` (None: the overall row): empty, or holding its draft, or
        holding `text` that could not be saved, and why (`error`)."""
        from widgets.note_dialog import NoteDialog

        # Awaited: the app handles the next key only once the editor has mounted and focused its text
        # area, so a note typed right after `n` is never lost to the half-built editor.
        editor = await NoteDialog.of_screen(self._screen)
        if editor.is_open:
            editor.action_cancel()  # asked again (the focus was clicked away): what it holds is kept as a draft
        notes = task.notes_for(unit)
        row = f"（{unit}）" if unit else ""
        key = (task.id, unit)
        draft = None if text else self._drafts.get(key)
        editor.ask(
            f"为 {task.no} 号任务{row}写进展情况：{task.title}",
            on_save=lambda typed: self._save(task, unit, typed),
            last_note=notes[-1] if notes else None,
            text=draft or text,
            error=error,
            draft=draft is not None,
            on_cancel=lambda typed: self._keep_draft(key, typed),
        )
        editor.open(self._offer_unsaved)

    def not_saved(self, message: LedgerWriter.NoteNotSaved) -> None:
        """A note's write failed after its dialog closed: give its text back in the dialog."""
        self._unsaved.append((message.task, message.unit, message.text, message.reason))
        self._offer_unsaved()

    def _offer_unsaved(self) -> None:
        """Open the note editor again with a note whose write failed after it closed (once it is free)."""
        from widgets.note_dialog import NoteDialog

        editors = self._screen.query(NoteDialog)
        if self._unsaved and not (editors and editors.first().is_open):
            task, unit, text, reason = self._unsaved.pop(0)
            self._screen.call_later(self.ask, task, unit, text, reason)
