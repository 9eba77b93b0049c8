"""The command palette (`ctrl+p`) in Chinese, without ambiguous-width glyphs.

Textual's palette says `Search for commands…` and `No matches found`, shows a 🔎 and draws its edges with
▔ and ▁ (`hkey`): English to staff, and glyphs that some CJK terminals draw two cells wide. The placeholder
is the palette's own argument, the edges and the icon are CSS; the empty state is the one disabled option
the palette ever adds to its list (every command is a `Command`), so the list says it in Chinese instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.align import Align
from rich.text import Text
from textual.app import ComposeResult
from textual.command import Command, CommandInput, CommandList, CommandPalette
from textual.containers import Horizontal, Vertical
from textual.visual import VisualType
from textual.widgets import LoadingIndicator
from textual.widgets.option_list import Option

__all__ = ["NO_MATCHES", "PLACEHOLDER", "LedgerPalette"]

PLACEHOLDER = "输入要做的事查找命令，如 已完成、导出"
NO_MATCHES = "没有找到这样的命令"


class LedgerCommandList(CommandList):
    """The palette's list, whose empty state reads in Chinese."""

    def add_options(self, new_options: Iterable[Option | VisualType | None]) -> LedgerCommandList:
        return super().add_options(_in_chinese(option) for option in new_options)


def _in_chinese(option: Option | VisualType | None) -> Option | VisualType | None:
    if isinstance(option, Option) and option.disabled and not isinstance(option, Command):
        return Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True, id=option.id)
    return option


class LedgerPalette(CommandPalette):
    DEFAULT_CSS = """
    LedgerPalette #--input {
        border: ascii $accent;
    }
    LedgerPalette #--input.--list-visible {
        border-bottom: none;
    }
    LedgerPalette CommandInput, LedgerPalette CommandInput:focus {
        border: none;
        height: 1;
        padding: 0 1;
    }
    LedgerPalette CommandList, LedgerPalette CommandList:focus {
        border: ascii $accent;
        border-top: none;
    }
    LedgerPalette CommandList.--populating {
        border-bottom: none;
    }
    LedgerPalette LoadingIndicator, LedgerPalette LoadingIndicator.--visible {
        display: none;
    }
    """

    def __init__(self) -> None:
        super().__init__(placeholder=PLACEHOLDER, id="--command-palette")

    def compose(self) -> ComposeResult:
        # CommandPalette.compose (textual 8.2.8, pinned) without the 🔎 and with the Chinese list; the palette
        # finds its parts by type (CommandInput, CommandList, LoadingIndicator) and styles them by these ids.
        with Vertical(id="--container"):
            with Horizontal(id="--input"):
                yield CommandInput(placeholder=PLACEHOLDER, select_on_focus=False)
            with Vertical(id="--results"):
                yield LedgerCommandList()
                yield LoadingIndicator()
