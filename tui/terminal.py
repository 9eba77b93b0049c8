"""The app's terminal over SSH: refuse to start without one, leave cleanly when it goes away.

No Textual here: the CLI checks the terminal before it imports Textual, and the app calls
`install_exit_handlers` from its `on_mount`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Mapping
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
