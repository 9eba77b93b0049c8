"""The stock Footer, rebuilt only when the keys it shows change.

Textual's Footer recomposes all its keys (some twenty widgets, each styled anew) every time a
screen refreshes its bindings; the ledger screen does that after every change, cursor move and
notification, and the rebuild was most of the cost of a keypress.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["LedgerFooter"]

Shown = tuple[tuple[str, str, str, bool, str], ...]


class LedgerFooter(Footer):
    _shown: Shown | None = None

    def _keys_shown(self, screen: Screen) -> Shown:
        return tuple(
            (key, active.binding.action, active.binding.description, active.enabled, active.tooltip)
            for key, active in screen.active_bindings.items()
            if active.binding.show
        )

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = self._keys_shown(screen)
            if shown == self._shown:
                return
            first = self._shown is None
            self._shown = shown
            if first:
                # The stock footer waits for a refresh before it composes its keys, so they arrive
                # one frame after everything else: compose the first set in the frame being built.
                self._bindings_ready = True
                self.call_later(self.recompose)
                return
        super().bindings_changed(screen)
