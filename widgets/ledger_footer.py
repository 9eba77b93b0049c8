"""The key line at the bottom: the screen's shown keys as one line of text, drawn again only when they change.

Textual's Footer is a widget per key (some fifteen here, each styled by CSS as it mounts and again when its keys
change): styling them was a third of the time to the first frame, and it recomposed all of them whenever the keys
changed. One line of text costs one widget; a key that does not apply now (a task's keys on a section row) is
greyed rather than hidden, so moving between rows changes at most that line (issue 16, benchmarks/BYTES.md F2).
Clicking a key presses it, as in Textual's footer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget

__all__ = ["FooterItem", "LedgerFooter"]

_GAP = "  "


@dataclass(frozen=True)
class FooterItem:
    """One entry of the line: its keys as shown (`12345` for a group of keys), what they do, the key a click
    presses, and whether it applies now."""

    keys: str
    description: str
    key: str
    enabled: bool


class LedgerFooter(Widget):
    DEFAULT_CSS = """
    LedgerFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    LedgerFooter > .ledger-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    LedgerFooter > .ledger-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"ledger-footer--key", "ledger-footer--description"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: tuple[FooterItem, ...] = ()
        self._spans: list[tuple[int, int, FooterItem]] = []  # cells each item takes, for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        items, shown = self._items(screen), self.items
        if items == shown:
            return
        self.items = items
        same_line = [(item.keys, item.description) for item in items] == [(item.keys, item.description) for item in shown]
        if same_line and len(self._spans) == len(items):
            # Only greyed or not: repaint the cells of those keys, not the line.
            for (start, end, _item), old, new in zip(self._spans, shown, items, strict=True):
                if old.enabled != new.enabled:
                    self.refresh(Region(start, 0, end - start, 1))
        else:
            self.refresh()

    def _items(self, screen: Screen) -> tuple[FooterItem, ...]:
        """The shown keys in order, a group of keys (the statuses) as one item, one item per action."""
        items: list[FooterItem] = []
        seen: set[str] = set()
        grouped: dict[object, int] = {}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            display = self.app.get_key_display(binding)
            group = binding.group
            if group is not None and group in grouped:
                index = grouped[group]
                item = items[index]
                items[index] = FooterItem(item.keys + display, item.description, item.key, item.enabled or active.enabled)
                continue
            if group is not None:
                grouped[group] = len(items)
            description = group.description if group is not None else binding.description
            items.append(FooterItem(display, description, key, active.enabled))
        return tuple(items)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("ledger-footer--key", partial=True)
        description_style = self.get_component_rich_style("ledger-footer--description", partial=True)
        greyed = Style(dim=True, bold=False)
        # The descriptions and gaps are the line's own style, one run from a key to the next: a run of its own
        # each cost a colour change over SSH (a quarter of the footer's bytes, issue 16).
        line = Text(" ", style=description_style, no_wrap=True, overflow="crop", end="")
        self._spans = []
        for item in self.items:
            start = line.cell_len
            line.append(item.keys, key_style if item.enabled else key_style + greyed)
            line.append(" " + item.description, None if item.enabled else greyed)
            self._spans.append((start, line.cell_len, item))
            line.append(_GAP)
        return line

    @property
    def text(self) -> str:
        """The line as plain text (for tests)."""
        return "  ".join(f"{item.keys} {item.description}" for item in self.items)

    def on_click(self, event: events.Click) -> None:
        for start, end, item in self._spans:
            if start <= event.x < end:
                if item.enabled:
                    self.app.simulate_key(item.key)
                else:
                    self.app.bell()
                return
