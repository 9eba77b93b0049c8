"""The stock Footer, rebuilt only when the keys it shows change, and without waiting for a refresh.

Textual's Footer recomposes all its keys (some twenty widgets, each styled anew) every time a
screen refreshes its bindings; the ledger screen does that after every change, cursor move and
notification, and the rebuild was most of the cost of a keypress. A key that only turns greyed or
back (a task's keys on a section row) is restyled in place: a recompose rewrote the footer line and
laid out the screen again, over SSH on every such cursor move (benchmarks/BYTES.md F2).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from tui.textual_internals import grey_footer_keys

__all__ = ["LedgerFooter"]

Shown = tuple[tuple[str, str, str, str], ...]


class LedgerFooter(Footer):
    _shown: Shown | None = None

    def _keys_shown(self, screen: Screen) -> tuple[Shown, dict[str, bool]]:
        """The keys shown (key, action, description, tooltip), and whether each action is enabled."""
        shown = [(key, active) for key, active in screen.active_bindings.items() if active.binding.show]
        keys = tuple((key, active.binding.action, active.binding.description, active.tooltip) for key, active in shown)
        return keys, {active.binding.action: active.enabled for _key, active in shown}

    _recompose_pending = False

    def compose(self) -> ComposeResult:
        # The keys from the start: the stock footer composed none until the screen first refreshed its bindings,
        # then recomposed, and that second layout drew the whole first frame again.
        self._bindings_ready = True
        self._shown = self._keys_shown(self.screen)[0]
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown, enabled = self._keys_shown(screen)
            if shown == self._shown:
                if not self._recompose_pending:
                    grey_footer_keys(self, enabled)
                return
            self._shown = shown
            # The stock footer recomposes only after the next refresh, so its keys lagged a frame behind
            # everything else (on a busy first second, several): recompose as soon as this turn is
            # done, once for any number of changes in it.
            self._bindings_ready = True
            if not self._recompose_pending:
                self._recompose_pending = True
                self.call_later(self._recompose_now)
            return
        super().bindings_changed(screen)

    async def _recompose_now(self) -> None:
        self._recompose_pending = False
        await self.recompose()
