"""A label for text that came from users or files: shown as written, never read as markup.

Textual's Label reads a `str` as content markup: a note's `[/]` raises MarkupError while the screen is
drawn (the app ends), and `[@click=app.quit]` becomes a link that runs an action in the reader's session.
This label turns every `str` it is given, at creation or in `update`, into `tui.core.display.plain_text`.
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Label

from tui.core.display import plain_text

__all__ = ["PlainLabel"]


class PlainLabel(Label):
    def __init__(
        self,
        content: VisualType = "",
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(plain_text(content) if isinstance(content, str) else content, markup=False, id=id, classes=classes)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(plain_text(content) if isinstance(content, str) else content, layout=layout)
