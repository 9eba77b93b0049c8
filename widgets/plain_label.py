"""A label for text that came from users or files: shown as written, never read as markup, and wrapped as
Chinese is typeset.

Textual's Label reads a `str` as content markup: a note's `[/]` raises MarkupError while the screen is
drawn (the app ends), and `[@click=app.quit]` becomes a link that runs an action in the reader's session.
This label turns every `str` it is given, at creation or in `update`, into `tui.core.display.plain_text`.

Textual wraps Chinese between any two characters (a line starting with `，`, `2025` split as `2` / `025`);
text given to this label, or drawn as a `LineBrokenText`, breaks by `tui.core.linebreak` instead.
"""

from __future__ import annotations

from rich.text import Text
from textual.visual import RichVisual, VisualType
from textual.widget import Widget
from textual.widgets import Label

from tui.core.display import plain_text
from tui.core.linebreak import LineBroken

__all__ = ["LineBrokenText", "PlainLabel"]


class LineBrokenText(RichVisual):
    """`text` for a widget, broken into lines by the Chinese rules at whatever width it is drawn; read back
    (`str`) as the text itself, as Textual's own text reads."""

    def __init__(self, widget: Widget, text: Text) -> None:
        super().__init__(widget, LineBroken(text))
        self.plain = text.plain

    def __str__(self) -> str:
        return self.plain


class PlainLabel(Label):
    def __init__(
        self,
        content: VisualType = "",
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__("", markup=False, id=id, classes=classes)
        self.update(content, layout=False)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        if isinstance(content, str):
            content = plain_text(content)
        # An empty label stays Textual's own text: it takes no room, as before.
        super().update(LineBrokenText(self, content) if isinstance(content, Text) and content.plain else content, layout=layout)
