"""The app's terminal over SSH: refuse to start without one, leave cleanly when it goes away.

No Textual here: the CLI checks the terminal before it imports Textual, and the app calls
`install_exit_handlers` from its `on_mount`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import TextIO

__all__ = ["EXIT_SIGNALS", "install_exit_handlers", "no_terminal_message", "terminal_refusal"]

EXIT_SIGNALS = (signal.SIGHUP, signal.SIGTERM)

_COMMANDS = "list、show、mark、note、history、export、import、check"


def no_terminal_message(environ: Mapping[str, str], *, login: str, forced: bool) -> str:
    """Why the app does not start without a terminal, and what this login can run instead, in one line.

    Four logins see it: a local one (cron, a pipe), a plain SSH login without `-t`, sshd's ForceCommand with
    `--ssh` (commands come from the client), and a ForceCommand without `--ssh`, which can run no command
    at all: the administrator has to add it (README 部署 step 4).
    """
    from tui.core.forced_command import no_terminal_line, ssh_destination

    if forced:
        return no_terminal_line(login, environ)
    destination = ssh_destination(login, environ)
    if environ.get("SSH_ORIGINAL_COMMAND"):  # a ForceCommand that was not given --ssh ignores the request
        return (
            f"taizhang 需要在终端中运行（用 ssh -t {destination} 登录）。服务器的 ForceCommand 没有加 --ssh，"
            "不能运行客户端带来的命令：请管理员按 README“部署”第 4 步在 ForceCommand 的 taizhang 后加上 --ssh。"
        )
    if environ.get("SSH_CONNECTION"):
        return (
            f"taizhang 需要在终端中运行（用 ssh -t {destination} taizhang 登录）。"
            f"不开终端可以运行命令 {_COMMANDS}，如 ssh {destination} taizhang list --overdue，详见 taizhang --help。"
        )
    return (
        "taizhang 需要在终端中运行（标准输入和输出都须是终端；通过 SSH 时用 ssh -t 登录）。"
        f"没有终端时可以运行命令 taizhang {_COMMANDS}，详见 taizhang --help。"
    )


def terminal_refusal(
    streams: tuple[TextIO, ...] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    login: str = "",
    forced: bool = False,
) -> str | None:
    """The one line to print instead of escape codes when stdin, stdout or stderr is not a terminal
    (`no_terminal_message`); None when all three are.

    sshd runs a `ForceCommand` for every request, with or without a terminal (`ssh host cmd`, sftp).
    """
    checked = streams if streams is not None else (sys.stdin, sys.stdout, sys.stderr)
    for stream in checked:
        try:
            if stream is not None and stream.isatty():
                continue
        except (AttributeError, ValueError, OSError):
            pass
        return no_terminal_message(os.environ if environ is None else environ, login=login, forced=forced)
    return None


class _ExitWatch:
    """A thread that learns of SIGHUP/SIGTERM through a pipe, asks the app to leave and, with a deadline,
    ends the process itself if the app has not left by then."""

    def __init__(
        self,
        exit_callback: Callable[[], object],
        loop: asyncio.AbstractEventLoop | None,
        on_hangup: Callable[[], object] | None,
        finish_writes: Callable[[], object] | None,
        deadline_seconds: float | None,
    ) -> None:
        self.exit_callback = exit_callback
        self.loop = loop
        self.on_hangup = on_hangup
        self.finish_writes = finish_writes
        self.deadline_seconds = deadline_seconds
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.write_fd, False)
        self.thread = threading.Thread(target=self._watch, name="taizhang-exit-watch", daemon=True)

    def note(self, signum: int, _frame: object) -> None:
        """The Python-level handler: runs in the main thread whenever it next runs Python code."""
        with suppress(OSError):
            os.write(self.write_fd, bytes([signum]))

    def _watch(self) -> None:
        leaving = False
        try:
            # Reads until `stop` closes the other end: a pipe nobody reads would fail the signal handlers.
            while data := os.read(self.read_fd, 64):
                exit_signal = next((signum for signum in data if signum in EXIT_SIGNALS), None)
                if exit_signal is not None and not leaving:
                    leaving = True
                    self._leave(exit_signal)
        finally:
            os.close(self.read_fd)

    def _leave(self, signum: int) -> None:
        noticed = time.monotonic()
        try:
            if signum == signal.SIGHUP and self.on_hangup is not None:
                self.on_hangup()
            if self.loop is None:
                self.exit_callback()
            else:
                with suppress(RuntimeError):  # the loop has closed: the process is ending anyway
                    self.loop.call_soon_threadsafe(self.exit_callback)
        finally:  # whatever went wrong above, the deadline holds
            if self.deadline_seconds is not None:
                time.sleep(max(0.0, noticed + self.deadline_seconds - time.monotonic()))
                # Still here: the app's shutdown is stuck (or slow). Let a store write in flight finish, then end.
                try:
                    if self.finish_writes is not None:
                        self.finish_writes()
                finally:
                    os._exit(128 + signum)

    def stop(self) -> None:
        os.close(self.write_fd)  # the thread reads the end of the pipe and closes its end


def install_exit_handlers(
    exit_callback: Callable[[], object],
    loop: asyncio.AbstractEventLoop | None = None,
    *,
    on_hangup: Callable[[], object] | None = None,
    finish_writes: Callable[[], object] | None = None,
    deadline_seconds: float | None = None,
) -> Callable[[], None]:
    """Call `exit_callback` on SIGHUP (the SSH connection dropped) or SIGTERM; returns an uninstaller.

    Textual installs no handler, so without this the process dies mid-frame. The callback runs in the
    event loop (`app.exit`), so a change being saved finishes first; without a loop it runs in a thread.
    A thread of its own, not the main thread, reacts to the signal: the event loop may be the thing
    that is stuck. On SIGHUP it first calls `on_hangup` (the terminal is gone: stop drawing). With
    `deadline_seconds`, if the process is still alive that long after the signal, it calls
    `finish_writes` (wait for a store write in flight) and ends the process with status 128 + signal.
    Store writes are atomic, so even that, or a later SIGKILL, leaves a whole store. SIGHUP is never
    ignored: Textual's input thread then spins at full CPU on the dead terminal.
    """
    if loop is None:
        with suppress(RuntimeError):
            loop = asyncio.get_running_loop()
    watch = _ExitWatch(exit_callback, loop, on_hangup, finish_writes, deadline_seconds)
    previous = {signum: signal.getsignal(signum) for signum in EXIT_SIGNALS}
    for signum in EXIT_SIGNALS:
        signal.signal(signum, watch.note)
    # Where no one else uses it, the wakeup fd lets CPython's C-level handler write the signal number to
    # the pipe at once, from whichever thread the kernel interrupted: then the watcher does not even
    # wait for the main thread to run Python code again. (The bytes of other signals are ignored.)
    previous_wakeup = signal.set_wakeup_fd(watch.write_fd, warn_on_full_buffer=False)
    if previous_wakeup != -1:
        signal.set_wakeup_fd(previous_wakeup)
    watch.thread.start()

    def restore() -> None:
        if previous_wakeup == -1:
            signal.set_wakeup_fd(-1)
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
        watch.stop()

    return restore
