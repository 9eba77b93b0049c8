"""Every string the command line shows staff is Chinese (issue 16): argparse's usage, section titles, help and
errors for every command, and `taizhang --version` prints the installed version.

Regression: `taizhang mark 5` said `the following arguments are required: STATUS`, and `--help` showed
`usage:`, `positional arguments`, `options` and `show this help message and exit`.
"""

from __future__ import annotations

import argparse
from importlib.metadata import version
from pathlib import Path

import pytest

from tui.cli import build_parser, main
from tui.cli_argparse import translated_error

ENGLISH = (
    "usage:",
    "positional arguments",
    "options:",
    "optional arguments",
    "show this help message",
    "the following arguments are required",
    "invalid choice",
    "choose from",
    "unrecognized arguments",
    "expected one argument",
    "expected at least",
    "ambiguous option",
    "error:",
    "argument ",
)
COMMANDS = ["import", "list", "show", "mark", "note", "history", "export", "check"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as leaving:
        main(list(args))
    out, err = capsys.readouterr()
    return int(leaving.value.code or 0), out, err


def assert_chinese(text: str) -> None:
    for words in ENGLISH:
        assert words not in text, (words, text)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_of_every_command_is_chinese(capsys, command: str | None) -> None:
    code, out, err = run(capsys, *([command] if command else []), "--help")
    assert code == 0 and err == ""
    assert out.startswith("用法：taizhang") and "显示本帮助并退出" in out
    assert_chinese(out)


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _parsers(sub)
    return found


def test_every_argument_says_what_it_is() -> None:
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            assert action.help, (parser.prog, action.option_strings or action.dest)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["mark", "5"], "缺少 STATUS"),
        (["mark"], "缺少 NO, STATUS"),
        (["bogus"], "没有 'bogus'（可用："),
        (["list", "--bogus"], "多余或无法识别的参数 --bogus"),
        (["mark", "5", "done", "--note"], "参数 --note：后面要跟一个值"),
        (["list", "--s", "done"], "选项 --s 不明确，可能是 --status, --search"),
        (["mark", "5", "done", "extra"], "多余或无法识别的参数 extra"),
    ],
)
def test_argparse_errors_are_one_chinese_line(capsys, db_path: Path, args: list[str], expected: str) -> None:
    code, out, err = run(capsys, *args, "--db", str(db_path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "参数有误：" in err and expected in err, err
    assert "--help 查看用法" in err
    assert_chinese(err)


def test_version_prints_the_installed_version(capsys) -> None:
    code, out, err = run(capsys, "--version")
    assert (code, out, err) == (0, f"taizhang {version('taizhang')}\n", "")


def test_a_message_argparse_adds_later_stays_as_written() -> None:
    assert translated_error("something new in Python 3.14") == "something new in Python 3.14"
    assert translated_error("argument --x: something new") == "参数 --x：something new"
