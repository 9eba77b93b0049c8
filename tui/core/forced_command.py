"""Commands through sshd's forced login: `taizhang --ssh` as the ForceCommand (README 部署).

sshd runs the forced command for every request, with or without a terminal, and puts what the client
asked for in `SSH_ORIGINAL_COMMAND` (unset for an interactive login). `taizhang --ssh` starts the app
when the client asked for nothing, and otherwise runs the request if it is one of `ALLOWED_COMMANDS`,
split by shell-word rules (`shlex.split`, never a shell), under the same login and roles as the app.
A request may neither name the server's files (`--db`, `export -o FILE`, `import FILE`: reports go to
standard output and documents come from standard input) nor anything else; each refusal is one line.

No Textual here: the CLI and the export dialog (the command that fetches a report) use it.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Mapping, Sequence

__all__ = [
    "ALLOWED_COMMANDS",
    "CommandRefused",
    "export_words",
    "fetch_command",
    "forced_arguments",
    "no_terminal_line",
    "requested_words",
    "ssh_destination",
]

# What a client may run through the forced login.
ALLOWED_COMMANDS = ("list", "show", "history", "export", "mark", "note", "import", "check", "towns")
# The program's own name may lead the request (`ssh host taizhang list`).
PROGRAM = "taizhang"
# Where a login's address is unknown (not over SSH), the examples say this.
SERVER_PLACEHOLDER = "服务器"
_LONGEST_ECHO = 40  # a refused request is named, shortened to this many characters
# Characters a shell (the local one: cmd.exe, PowerShell, sh; then the server's shell-word split) would read
# as more than text. Words without them are written bare, Chinese included (shlex.quote would quote those).
_SHELL_SPECIAL = set(" \t\n\"'`$&|;<>()[]{}*?~#!%^,=\\")


class CommandRefused(Exception):
    """A request the forced login does not run; the message is one line of Chinese for the client."""


def ssh_destination(login: str, environ: Mapping[str, str]) -> str:
    """`zhangsan@10.0.0.5` (with `-p PORT` in front for another port than 22): where this login's client
    connected to, from sshd's `SSH_CONNECTION` (client address and port, server address and port)."""
    parts = environ.get("SSH_CONNECTION", "").split()
    if len(parts) != 4:
        return f"{login}@{SERVER_PLACEHOLDER}"
    host, port = parts[2], parts[3]
    return (f"-p {port} " if port != "22" else "") + f"{login}@{host}"


def _plain_word(word: str) -> bool:
    return bool(word) and not any(ch in _SHELL_SPECIAL for ch in word)


def _local_name(name: str) -> str:
    return name if _plain_word(name) else f'"{name}"'


def fetch_command(destination: str, words: Sequence[str], local_file: str) -> str:
    """`ssh -T zhangsan@服务器 export -o - --format docx > 台账.docx`: the command, run on one's own computer,
    that saves the report the words ask for (the file name quoted only when a shell would split it)."""
    remote = " ".join(word if _plain_word(word) else shlex.quote(word) for word in words)
    return f"ssh -T {destination} {remote} > {_local_name(local_file)}"


def export_words(
    kind: str, period_key: str, *, unit: str | None = None, statuses: Sequence[str] = (), overdue: bool = False
) -> list[str]:
    """`export -o - --format docx --period 2026-11 --unit 区卫健局 …`: the request for a report with these filters."""
    words = ["export", "-o", "-", "--format", kind, "--period", period_key]
    if unit:
        words += ["--unit", unit]
    for status in statuses:
        words += ["--status", status]
    if overdue:
        words.append("--overdue")
    return words


def _example(destination: str) -> str:
    return fetch_command(destination, ["export", "-o", "-", "--format", "docx"], "台账.docx")


def _allowed() -> str:
    return "、".join(ALLOWED_COMMANDS)


def no_terminal_line(login: str, environ: Mapping[str, str]) -> str:
    """What a forced login without a terminal and without a command says, in one line."""
    destination = ssh_destination(login, environ)
    return (
        f"taizhang 需要在终端中运行（用 ssh -t {destination} 登录）。"
        f"不开终端可以运行命令 {_allowed()}，如 {_example(destination)}"
    )


def requested_words(
    original: str | None, *, login: str = "账号", environ: Mapping[str, str] | None = None
) -> list[str] | None:
    """The client's request as words for taizhang's own parser; None when it asked for nothing (the app starts).

    Raises CommandRefused for anything but one of ALLOWED_COMMANDS (an optional leading `taizhang` aside).
    """
    if original is None or not original.strip():
        return None
    try:
        words = shlex.split(original)
    except ValueError:  # an unclosed quote
        raise CommandRefused(f"命令中的引号不成对：{_shortened(original)}。请检查引号后重试。") from None
    if words and words[0] == PROGRAM:
        words = words[1:]
    if not words:
        return None
    if words[0] not in ALLOWED_COMMANDS:
        example = _example(ssh_destination(login, environ or {}))
        raise CommandRefused(f"通过 SSH 不能运行“{_shortened(words[0])}”：只能运行 {_allowed()}，如 {example}")
    return words


def _shortened(text: str) -> str:
    return text if len(text) <= _LONGEST_ECHO else text[: _LONGEST_ECHO - 1] + "…"


def refuse_server_paths(args: argparse.Namespace) -> None:
    """After parsing: the request names none of the server's files (abbreviations like `--d` included)."""
    if hasattr(args, "db"):  # --db has no default: present only when given, however spelled
        raise CommandRefused("通过 SSH 不能用 --db 指定数据文件：台账由服务器设定。请去掉 --db 后重试。")
    if args.command == "export" and args.output != "-":
        raise CommandRefused(
            "通过 SSH 导出只能写到标准输出：用 -o - 并重定向到自己电脑上的文件，"
            "如 export -o - --format docx > 台账.docx（报告不会存到服务器上）。"
        )
    if args.command == "import" and args.file != "-":
        raise CommandRefused(
            "通过 SSH 导入只能从标准输入读取：用 - 代替文件名，并把自己电脑上的文件重定向进来，"
            "如 import - --format docx --yes < 修订版.docx。"
        )


def forced_arguments(
    parser: argparse.ArgumentParser, outer: argparse.Namespace, environ: Mapping[str, str], *, login: str
) -> argparse.Namespace:
    """The arguments to run for `taizhang --ssh` (`outer`): the client's request, or `outer` itself (the app).

    What the ForceCommand line set (`--read-only`, `--db`) holds for the request too. Argparse's own
    mistakes exit with its one line, as on the command line.
    """
    if outer.command is not None:
        raise CommandRefused(
            "--ssh 只用于 sshd 的 ForceCommand，后面不能再跟命令（客户端的命令在 SSH_ORIGINAL_COMMAND 中）。"
        )
    words = requested_words(environ.get("SSH_ORIGINAL_COMMAND"), login=login, environ=environ)
    if words is None:
        return outer
    args = parser.parse_args(words)
    refuse_server_paths(args)
    args.ssh = True
    args.read_only = outer.read_only
    if hasattr(outer, "db"):
        args.db = outer.db
    return args
