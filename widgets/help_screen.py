"""The `?` help: every key of the screen, from its real bindings; those that do not apply now greyed, with why."""

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

from tui.core.display import terminal_safe
from tui.core.linebreak import LineBroken

__all__ = ["HelpRow", "HelpScreen", "help_rows"]


class HelpRow(NamedTuple):
    group: str
    keys: str
    description: str
    reason: str = ""  # why the key does not apply now; "" when it does


class _Key(NamedTuple):
    node: DOMNode
    key: str
    binding: Binding
    enabled: bool


def _keys_of(screen: Screen[Any]) -> list[_Key]:
    """The keys of `screen` in the order they are looked up (focused widget, its containers, the screen, the
    app): the active ones, and in the screen's block every key of its own, those its `check_action` hides too."""
    active = screen.active_bindings
    own: list[_Key] = []
    for binding in Binding.make_bindings(type(screen).BINDINGS):
        found = active.get(binding.key)
        if found is None:
            own.append(_Key(screen, binding.key, binding, False))
        elif found.node is screen:
            own.append(_Key(screen, binding.key, found.binding, found.enabled))
    own_keys = {entry.key for entry in own}
    keys: list[_Key] = []
    for key, found in active.items():
        if found.node is screen or found.node is screen.app:
            if own:
                keys += own
                own = []
            if found.node is screen and key in own_keys:
                continue
        keys.append(_Key(found.node, key, found.binding, found.enabled))
    return keys + own


def help_rows(
    screen: Screen[Any], group_of: Callable[[DOMNode], str], why_not: Callable[[DOMNode, str], str | None]
) -> list[HelpRow]:
    """Every key of `screen`, from its bindings (focused widget, screen, app), each action's keys on one row,
    under the name `group_of` gives the node that binds it. A key that does not apply now (its node's
    `check_action` hides or greys it) carries `why_not(node, action)`, the reason pressing it would give."""
    groups: dict[tuple[int, str, str], list[str]] = {}
    names: dict[int, str] = {}
    reasons: dict[tuple[int, str, str], str] = {}
    for node, key, binding, enabled in _keys_of(screen):
        if not binding.description or binding.system:
            continue
        names[id(node)] = group_of(node)
        row = (id(node), binding.action, binding.description)
        groups.setdefault(row, []).append(
            screen.app.get_key_display(Binding(key, binding.action, key_display=binding.key_display))
        )
        if not enabled:
            reasons[row] = why_not(node, binding.action) or "现在用不了。"
    return [
        HelpRow(names[row[0]], " ".join(dict.fromkeys(keys)), row[2], reasons.get(row, ""))
        for row, keys in groups.items()
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
        width: 96;
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
            if row.reason:  # greyed, and why: the reason names logins and units, plain text
                table.add_row(
                    Text(row.keys, style="dim"),
                    LineBroken(Text.assemble((row.description, "dim"), "  ", (terminal_safe(row.reason), "dim italic"))),
                )
            else:
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
