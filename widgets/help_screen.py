"""The `?` help: every key the screen answers to, from its real bindings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, NamedTuple

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.core.linebreak import LineBroken

__all__ = ["HelpRow", "HelpScreen", "help_rows"]


class HelpRow(NamedTuple):
    group: str
    keys: str
    description: str


def help_rows(screen: Screen[Any], group_of: Callable[[DOMNode], str]) -> list[HelpRow]:
    """Every key that applies on `screen` now, from its active bindings (focused widget, screen, app),
    each action's keys on one row, under the name `group_of` gives the node that binds it."""
    groups: dict[tuple[int, str, str], list[str]] = {}
    names: dict[int, str] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        node = active.node
        names[id(node)] = group_of(node)
        groups.setdefault((id(node), binding.action, binding.description), []).append(
            screen.app.get_key_display(Binding(key, binding.action, key_display=binding.key_display))
        )
    return [
        HelpRow(names[node_id], " ".join(dict.fromkeys(keys)), description)
        for (node_id, _action, description), keys in groups.items()
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "关闭", id="help.close"),
        Binding("j,down", "scroll_down", "下滚", show=False, id="help.down"),
        Binding("k,up", "scroll_up", "上滚", show=False, id="help.up"),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 72;
        max-width: 100%;
        height: 90%;
        border: ascii $accent;
        border-title-align: center;
        background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, rows: Sequence[HelpRow]) -> None:
        super().__init__()
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
        table.add_column("键", style="bold", no_wrap=True)
        table.add_column("作用")
        group = None
        for row in self.rows:
            if row.group != group:
                if group is not None:
                    table.add_row("", "")
                table.add_row(Text.assemble((row.group, "underline")), "")
                group = row.group
            # Text, not str: a Rich table reads a str cell as markup, and a key may well be `[`.
            table.add_row(Text(row.keys), LineBroken(row.description))  # wrapped as Chinese is (issue 16)
        table.add_row("", "")
        table.add_row("Esc", "关闭帮助")
        with VerticalScroll() as scroll:
            scroll.border_title = "按键帮助"
            yield Static(table, id="help-table")

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up()

    def action_close(self) -> None:
        self.dismiss(None)
