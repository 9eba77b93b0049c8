"""argparse in Chinese: usage, help and errors of every `taizhang` command, and `--version`.

argparse writes its own words in English (`usage:`, `positional arguments`, `options`, `show this help
message and exit`, `the following arguments are required: STATUS` ...) through `gettext`, with no Chinese
catalogue. The parser here names its sections and help in Chinese and translates each error by the
message id argparse formats it from (`ARGPARSE_MESSAGES`); an id it does not know stays as argparse wrote it.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import Any, NoReturn

__all__ = ["ARGPARSE_MESSAGES", "ChineseParser", "VersionAction", "translated_error", "version_line"]

USAGE_PREFIX = "用法："

# argparse's message ids (Python 3.11-3.13) -> the same message in Chinese, with the same placeholders.
ARGPARSE_MESSAGES = {
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少 %s",
    "unrecognized arguments: %s": "多余或无法识别的参数 %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有 %(value)s（可用：%(choices)s）",
    "expected one argument": "后面要跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少要跟一个值",
    "expected %s argument": "后面要跟 %s 个值",
    "expected %s arguments": "后面要跟 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "not allowed with argument %s": "不能与 %s 同时使用",
    "ignored explicit argument %r": "不接受值 %s",
    "one of the arguments %s is required": "须给出 %s 之一",
    "invalid %(type)s value: %(value)r": "值 %(value)s 不对",
    "unexpected option string: %s": "多余的选项 %s",
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sr]|%[sr]")


def _pattern(message_id: str) -> re.Pattern[str]:
    parts, position = [], 0
    for number, match in enumerate(_PLACEHOLDER.finditer(message_id)):
        parts.append(re.escape(message_id[position : match.start()]))
        parts.append(f"(?P<{match.group(1) or f'_{number}'}>.+?)")
        position = match.end()
    parts.append(re.escape(message_id[position:]))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


_PATTERNS = [(_pattern(message_id), chinese) for message_id, chinese in ARGPARSE_MESSAGES.items()]


def translated_error(message: str) -> str:
    """An argparse error message in Chinese (the inner message of `argument X: ...` too)."""
    for pattern, chinese in _PATTERNS:
        match = pattern.match(message)
        if match is None:
            continue
        values = {name: translated_error(value) if name == "message" else value for name, value in match.groupdict().items()}
        positional = [values.pop(name) for name in sorted(values) if name.startswith("_")]
        return chinese % (tuple(positional) if positional else values)
    return message


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str) -> None:
        # A fixed width: asking the terminal for its size on each of the parser's ~30 arguments
        # is a noticeable share of a `taizhang mark`.
        super().__init__(prog, width=100)

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)


def version_line() -> str:
    from importlib.metadata import PackageNotFoundError, version  # only when asked: it costs a `mark` 10 ms

    try:
        return f"taizhang {version('taizhang')}"
    except PackageNotFoundError:
        return "taizhang（版本未知：未按 pip install 安装）"


class VersionAction(argparse.Action):
    """`--version`: the installed version, looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> NoReturn:
        print(version_line())
        parser.exit(0)


class ChineseParser(argparse.ArgumentParser):
    """argparse with its usage, sections and help in Chinese, and mistakes reported in one Chinese line
    (exit status 2)."""

    def __init__(
        self, *, add_help: bool = True, parents: Sequence[argparse.ArgumentParser] = (), **kwargs: Any
    ) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(add_help=False, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")
        # The parents' arguments join the sections by their (now Chinese) titles, as argparse adds them.
        for parent in parents:
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: 参数有误：{translated_error(message)}。运行 {self.prog} --help 查看用法。\n")
