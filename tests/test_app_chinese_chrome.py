"""Issue 16: Textual's own strings in Chinese (the command palette, the ctrl+c quit prompt) and the palette
drawn without the ambiguous-width glyphs (▔ ▁ 🔎) the rest of the app avoids."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from tests.pilot_helpers import notices, open_dialog
from tests.screen_text import screen_text
from tui.app import TaizhangApp
from widgets.ledger_palette import NO_MATCHES, PLACEHOLDER

SIZE = (80, 24)
# East-Asian ambiguous-width glyphs Textual draws in its palette: its edges (`hkey`) and search icon.
PALETTE_GLYPHS = "▔▁🔎●"


async def test_palette_speaks_chinese_and_draws_no_ambiguous_glyphs(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        palette = await open_dialog(ledger_app, pilot, "ctrl+p", CommandPalette)
        assert palette.query_one(Input).placeholder == PLACEHOLDER
        shown = screen_text(ledger_app)
        assert PLACEHOLDER in shown
        assert "Search for commands" not in shown
        assert not any(glyph in shown for glyph in PALETTE_GLYPHS), [g for g in PALETTE_GLYPHS if g in shown]

        await pilot.press(*"xyz")
        await pilot.pause(0.8)  # the palette waits half a second before it says nothing matched
        commands = palette.query_one(CommandList)
        prompts = [str(commands.get_option_at_index(i).prompt.renderable) for i in range(commands.option_count)]
        assert prompts == [NO_MATCHES]
        shown = screen_text(ledger_app)
        assert NO_MATCHES in shown and "No matches found" not in shown
        assert not any(glyph in shown for glyph in PALETTE_GLYPHS)


async def test_ctrl_c_says_in_chinese_which_keys_quit(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert ledger_app.is_running
        assert notices(ledger_app) == ["按 q 或 ^q 退出台账。"]
        assert ledger_app._notifications and all(n.title == "要退出吗？" for n in ledger_app._notifications)
