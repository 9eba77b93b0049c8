"""The Textual app: `taizhang` with no subcommand.

Textual is imported here, in tui/screens/, widgets/, tui/key_order.py and tui/textual_internals.py (the
one module that touches Textual's private API); never by the core the CLI runs on.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.actions import ActionParseResult
from textual.actions import parse as parse_action
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.timer import Timer

from tui.core.model import without_controls
from tui.core.store import Store
from tui.key_order import OrderedKeys
from tui.long_lived import collect_garbage, collect_rarely, keep_large_blocks_apart
from tui.screens.main import AFTER_FIRST_FRAME_SECONDS, MainScreen
from tui.terminal import install_exit_handlers
from tui.textual_internals import DriverGuard, keep_wide_characters_whole, release_old_toasts
from widgets.store_watcher import StoreWatcher

__all__ = ["LedgerCommands", "TaizhangApp", "make_app", "run_app"]

_SWITCH_INTERVAL_SECONDS = 0.0005
# After SIGHUP/SIGTERM the app normally ends within a few tenths of a second; if it has not after this
# long, the process ends itself, once a store write in flight has finished (or this grace has passed).
_EXIT_DEADLINE_SECONDS = 2.0
_WRITE_GRACE_SECONDS = 1.5
# Others' changes leave cyclic garbage: collected once they pause for this long (their toasts gone by
# then), or after this many reloads while they keep coming (a session at 120x40 held ~25 KB per change).
_GARBAGE_QUIET_SECONDS = 10.0
_GARBAGE_RELOADS = 10


_KEY_NAMES = {
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "enter": "Enter",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "space": "Space",
    "escape": "Esc",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
}


class LedgerCommands(Provider):
    """The command palette's ledger commands: every key binding that applies on the current screen."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        commands: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[tuple[int, str]] = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.system or not active.enabled:
                continue
            if (id(active.node), binding.action) in seen:
                continue
            seen.add((id(active.node), binding.action))
            display = self.app.get_key_display(Binding(key, binding.action, key_display=binding.key_display))
            commands.append((binding.description, f"按键 {display}", partial(self.app.run_action, binding.action, active.node)))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class WholeCellScrollBarRender(ScrollBarRender):
    """Scrollbar thumbs in whole cells: Textual's eighth-block glyphs are ambiguous-width in CJK terminals."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


class TaizhangApp(OrderedKeys, App[None]):  # OrderedKeys: no typed key is lost or reordered
    CSS_PATH = "taizhang.tcss"
    TITLE = "台账"
    COMMANDS: ClassVar = {LedgerCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "退出", id="quit"),
        Binding("ctrl+q", "quit", "退出", show=False, priority=True, id="quit.ctrl"),
        Binding("ctrl+p", "command_palette", "命令面板", show=False, priority=True, id="palette"),
    ]

    def __init__(self, store: Store, *, read_only: bool = False, leave_on_hangup: bool = False) -> None:
        super().__init__()
        ScrollBar.renderer = WholeCellScrollBarRender
        keep_wide_characters_whole()
        self.store = store
        self.read_only = read_only
        self.leave_on_hangup = leave_on_hangup
        self._reloads_uncollected = 0
        self._garbage_timer: Timer | None = None

    def on_mount(self) -> None:
        if self.leave_on_hangup:
            # After the first frame: it loads the C library (ctypes), which the first frame does not need.
            self.set_timer(AFTER_FIRST_FRAME_SECONDS, keep_large_blocks_apart)
            # Textual installs no handler: a dropped SSH connection (SIGHUP) would kill the process
            # mid-frame. Leave cleanly instead, and for certain: Textual's own shutdown can wedge on a
            # terminal that has gone (see tui/textual_internals.py), so a deadline ends the process.
            guard = DriverGuard(self)
            guard.resume_only_after_suspend()
            install_exit_handlers(
                self.exit,
                on_hangup=guard.terminal_gone,
                finish_writes=partial(self.store.finish_writes, _WRITE_GRACE_SECONDS),
                deadline_seconds=_EXIT_DEADLINE_SECONDS,
            )

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        if await super().run_action(action, default_namespace, namespaces):
            return True
        # Textual passes over a key whose action check_action refuses, as if it were not bound: on the
        # ledger screen the key says why instead (and counts as handled, as a key that ran would).
        if isinstance(default_namespace, MainScreen) and isinstance(action, str):
            destination, name, _parameters = parse_action(action)
            return not destination and default_namespace.say_refusal(name)
        return False

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification (a screen's or a widget's `notify` comes here too) shows its message and title
        as written, without control characters: they carry notes, names and file names. Read as markup, a
        note's `[/]` ended every other session and `[@click=...]` ran an action in the reader's session.
        `markup` is ignored, as Widget.notify passes True unless told otherwise."""
        super().notify(
            without_controls(message), title=without_controls(title), severity=severity, timeout=timeout, markup=False
        )

    def action_command_palette(self) -> None:
        """`ctrl+p`: the palette in Chinese, without ambiguous-width glyphs (widgets/ledger_palette.py)."""
        from widgets.ledger_palette import LedgerPalette

        if self.use_command_palette and not LedgerPalette.is_open(self):
            self.push_screen(LedgerPalette())

    def action_help_quit(self) -> None:
        """`ctrl+c` does not quit (it copies in a text field): say in Chinese which keys do, here and now."""
        keys = [
            self.get_key_display(Binding(key, active.binding.action))
            for key, active in self.active_bindings.items()
            if active.binding.action in ("quit", "app.quit")
        ]
        if keys:
            self.notify(f"按 {' 或 '.join(sorted(set(keys), key=len))} 退出台账。", title="要退出吗？")

    def on_notify(self, _message: Notify) -> None:
        # After Textual's own handler: what earlier toasts left behind is let go (tui/textual_internals.py).
        release_old_toasts(self)

    @on(StoreWatcher.Changed)
    def _collect_garbage_of_changes(self, _message: StoreWatcher.Changed) -> None:
        """After the screen reloaded for a change made elsewhere (the message bubbles up from it)."""
        self._reloads_uncollected += 1
        if self._reloads_uncollected >= _GARBAGE_RELOADS:
            self._collect_garbage()
        elif self._garbage_timer is None:
            self._garbage_timer = self.set_timer(_GARBAGE_QUIET_SECONDS, self._collect_garbage, name="garbage")
        else:
            self._garbage_timer.reset()

    def _collect_garbage(self) -> None:
        self._reloads_uncollected = 0
        if self._garbage_timer is not None:
            self._garbage_timer.stop()
            self._garbage_timer = None
        collect_garbage()

    def get_key_display(self, binding: Binding) -> str:
        # Textual shows arrows and a return symbol: ambiguous-width glyphs in CJK terminals.
        if binding.key_display:
            return binding.key_display
        named = _KEY_NAMES.get(binding.key)
        return named if named is not None else super().get_key_display(binding)

    def get_default_screen(self) -> Screen:
        return MainScreen(self.store, read_only=self.read_only)


def make_app(
    db_path: Path | str,
    *,
    clock: Callable[[], dt.datetime] | None = None,
    user: str | None = None,
    read_only: bool = False,
) -> TaizhangApp:
    """The app over the store at `db_path` (tests pass a fixed clock and user)."""
    return TaizhangApp(Store(db_path, clock=clock, user=user, read_only=read_only), read_only=read_only)


def run_app(store: Store, read_only: bool = False) -> int:
    """Run the app in this terminal; the exit status for the CLI (which has checked it is a terminal)."""
    # Store writes run in worker threads while the event loop thread lays out and draws, holding the
    # GIL; at CPython's default 5 ms switch interval a write started meanwhile waits 5 ms for each
    # hand-over, which tripled the keypress-to-saved time of a note (benchmarks/pty_bench.py).
    sys.setswitchinterval(_SWITCH_INTERVAL_SECONDS)
    collect_rarely()
    app = TaizhangApp(store, read_only=read_only, leave_on_hangup=True)
    app.run()
    return app.return_code or 0
