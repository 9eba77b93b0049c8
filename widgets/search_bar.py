"""The `/` search line: the screen filters as the text changes; Enter keeps the search, Esc clears it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

__all__ = ["SearchBar"]


class SearchBar(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_search", "清除查找", id="search.clear"),
    ]

    DEFAULT_CSS = """
    SearchBar {
        dock: bottom;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
        display: none;
    }
    SearchBar.-open {
        display: block;
    }
    SearchBar:focus {
        border: none;
    }
    """

    @dataclass
    class Closed(Message):
        """The user left the search line; `cleared` when the search was dropped (Esc)."""

        search_bar: SearchBar
        cleared: bool

        @property
        def control(self) -> SearchBar:
            return self.search_bar

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="查找：内容、单位、进展，或拼音首字母（如 mzj）", id=id, compact=True)

    def open(self) -> None:
        self.add_class("-open")
        # Focus now, not via `focus()` (a callback queued behind keys already typed): `/mzj` typed
        # quickly must search for `mzj`, not run the `m` key of the tree.
        self.screen.set_focus(self)

    def close(self) -> None:
        self.remove_class("-open")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Closed(self, cleared=False))

    def action_clear_search(self) -> None:
        self.value = ""
        self.post_message(self.Closed(self, cleared=True))
