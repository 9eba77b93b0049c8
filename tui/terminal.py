"""The app's terminal over SSH: refuse to start without one, leave cleanly when it goes away.

No Textual here: the CLI checks the terminal before it imports Textual, and the app calls
`install_exit_handlers` from its `on_mount`.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from typing import TextIO

__all__ = ["EXIT_SIGNALS", "install_exit_handlers", "terminal_refusal"]

EXIT_SIGNALS = (signal.SIGHUP, signal.SIGTERM)

NO_TERMINAL_MESSAGE = (
    "taizhang 需要在终端中运行（用 ssh -t 登录）。"
    "命令行用法：taizhang list / show / mark / note / history，详见 taizhang --help。"
)


def terminal_refusal(streams: tuple[TextIO, ...] | None = None) -> str | None:
    """The one line to print instead of escape codes when stdin, stdout or stderr is not a terminal.

    sshd runs a `ForceCommand` for every request, with or without a terminal (`ssh host cmd`, sftp).
    """
    checked = streams if streams is not None else (sys.stdin, sys.stdout, sys.stderr)
    for stream in checked:
        try:
            if stream is None or not stream.isatty():
                return NO_TERMINAL_MESSAGE
        except (AttributeError, ValueError, OSError):
            return NO_TERMINAL_MESSAGE
    return None


def install_exit_handlers(
    exit_callback: Callable[[], object], loop: asyncio.AbstractEventLoop | None = None
) -> Callable[[], None]:
    """Call `exit_callback` on SIGHUP (the SSH connection dropped) or SIGTERM; returns an uninstaller.

    Textual installs no handler, so without this the process dies mid-frame. The callback runs
    in the event loop (e.g. `app.exit`), so a change being saved finishes first; writes are atomic,
    so even a later SIGKILL leaves a whole store. SIGHUP is never ignored: Textual's input thread
    then spins at full CPU on the dead terminal.
    """
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
    if loop is not None:
        for signum in EXIT_SIGNALS:
            loop.add_signal_handler(signum, exit_callback)

        def remove_loop_handlers() -> None:
            for signum in EXIT_SIGNALS:
                loop.remove_signal_handler(signum)

        return remove_loop_handlers

    previous = {signum: signal.getsignal(signum) for signum in EXIT_SIGNALS}

    def handler(_signum: int, _frame: object) -> None:
        exit_callback()

    for signum in EXIT_SIGNALS:
        signal.signal(signum, handler)

    def restore() -> None:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)

    return restore
