"""Keys handled one at a time, in the order they were typed (a mixin for the Textual app).

Textual sends each key to the focused widget the moment it arrives, but runs a screen's key
bindings only once the key has bubbled back up to the app. Keys typed in a burst, or while the
event loop is busy, are therefore all sent to the widget focused *before* the first of them took
effect: after `n`, the note typed right away went to the tree (its `5` and Space taken as status
keys) instead of the note dialog, and a key could even be overtaken by a later one.

`OrderedKeys` holds each key until the one before it has been handled all the way: by the widget
it went to, by every container it bubbled through, by the bindings it triggered, and by the
messages those posted (a dialog's Submitted, its dismissal). Only then is the next key sent on,
to whatever has the focus by then, exactly as if the user had typed slowly.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from textual import events
from textual.dom import DOMNode
from textual.message_pump import MessagePump

from tui.textual_internals import KeyHoldingApp

__all__ = ["OrderedKeys"]

# Rounds of markers sent through the chain: the second one waits for the messages the key's
# handlers posted to themselves (an Input's Submitted, a dialog's dismissal).
_ROUNDS = 2
# A key whose marker never comes back (a widget removed mid-way) releases the next key anyway.
_RELEASE_AFTER_SECONDS = 1.0


class OrderedKeys(KeyHoldingApp):
    """Mix into the App: each typed key is sent on only when the previous one has been handled."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._held_keys: deque[events.Key] = deque()
        self._key_in_flight: object | None = None  # a token for the key being handled

    async def hold_key(self, key: events.Key) -> bool:
        self._held_keys.append(key)
        await self._send_held_keys()
        return True

    async def _send_held_keys(self) -> None:
        while self._held_keys and self._key_in_flight is None:
            key = self._held_keys.popleft()
            target: DOMNode = self.focused or self.screen
            chain: list[MessagePump] = []
            node: DOMNode | None = target
            while node is not None and node is not self:
                chain.append(node)
                node = node.parent
            token = object()
            self._key_in_flight = token
            await self.send_key(key)
            self._pass_marker(chain, 0, token, _ROUNDS)
            asyncio.get_running_loop().call_later(_RELEASE_AFTER_SECONDS, self._release_soon, token)

    def _pass_marker(self, chain: list[MessagePump], index: int, token: object, rounds: int) -> None:
        """Queue a marker behind the key in each node it bubbles through, in turn, then in the app."""
        if self._key_in_flight is not token:
            return
        while index < len(chain):
            if chain[index].call_later(self._pass_marker, chain, index + 1, token, rounds):
                return
            index += 1  # that node has closed: nothing more will come from it
        after: Callable[[], object] = (
            (lambda: self._pass_marker(chain, 0, token, rounds - 1)) if rounds > 1 else (lambda: self._release(token))
        )
        if not self.call_later(after):
            self._release_soon(token)

    async def _release(self, token: object) -> None:
        if self._key_in_flight is token:
            self._key_in_flight = None
            await self._send_held_keys()

    def _release_soon(self, token: object) -> None:
        if self._key_in_flight is token:
            self.call_later(self._release, token)
