"""Issue 15: `taizhang --ssh` as sshd's ForceCommand runs the client's request (SSH_ORIGINAL_COMMAND) when it is
one of the allowed commands, split by shell-word rules, and refuses anything else in one line, writing nothing.
The real sshd runs these in tests/test_ssh_e2e.py; here the parser and the CLI in this process."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from tests.conftest import files_digest
from tui.cli import build_parser, main
from tui.core.forced_command import (
    ALLOWED_COMMANDS,
    CommandRefused,
    export_words,
    fetch_command,
    forced_arguments,
    no_terminal_line,
    requested_words,
    ssh_destination,
)
from tui.core.store import current_user

CONNECTION = {"SSH_CONNECTION": "192.0.2.7 50022 10.1.2.3 22"}


# ---------------------------------------------------------------------- the words of a request


@pytest.mark.parametrize(
    ("original", "words"),
    [
        ("list --json", ["list", "--json"]),
        ("taizhang list --json", ["list", "--json"]),  # the program's name may lead
        ("  show   12  ", ["show", "12"]),
        ('note 12 "走访 3 户，已完成"', ["note", "12", "走访 3 户，已完成"]),
        ("note 12 '他说\"好\"'", ["note", "12", '他说"好"']),
        ("note 12 a\\ b", ["note", "12", "a b"]),
        ("mark 12 in_progress --note '$(reboot); `id`'", ["mark", "12", "in_progress", "--note", "$(reboot); `id`"]),
        ("export -o - --format docx --unit 区卫健局", ["export", "-o", "-", "--format", "docx", "--unit", "区卫健局"]),
        ("import - --format docx --yes", ["import", "-", "--format", "docx", "--yes"]),
        ("history", ["history"]),
        ("check", ["check"]),
        ("towns", ["towns"]),  # issue 14
        ("towns set 万安街道 双阳街道", ["towns", "set", "万安街道", "双阳街道"]),
    ],
)
def test_allowed_requests_are_split_by_shell_word_rules(original: str, words: list[str]) -> None:
    assert requested_words(original) == words


@pytest.mark.parametrize("original", [None, "", "   ", "taizhang", " taizhang  "])
def test_no_request_starts_the_app(original: str | None) -> None:
    assert requested_words(original) is None


@pytest.mark.parametrize(
    "original",
    [
        "bash",
        "bash -i",
        "sh -c 'taizhang list'",
        "scp -t /tmp",
        "scp -f /srv/taizhang/db.json",
        "internal-sftp",
        "/usr/lib/openssh/sftp-server",
        "rsync --server -vlogDtpre.iLsfxC . /tmp",
        "--db /tmp/x list",
        "--read-only list",
        "--ssh list",
        "--help",
        "rm -rf /",
        "list;bash",
        "$(bash)",
        "taizhang taizhang list",
        "LIST",
    ],
)
def test_other_requests_are_refused_in_one_line(original: str) -> None:
    with pytest.raises(CommandRefused) as refused:
        requested_words(original, login="zhangsan", environ=CONNECTION)
    message = str(refused.value)
    assert "\n" not in message
    assert "只能运行 list、show、history、export、mark、note、import、check、towns" in message
    assert "ssh -T zhangsan@10.1.2.3 export -o - --format docx > 台账.docx" in message


def test_an_unclosed_quote_is_refused() -> None:
    with pytest.raises(CommandRefused, match="引号不成对"):
        requested_words('note 12 "unclosed')


def test_a_long_refused_word_is_shortened() -> None:
    with pytest.raises(CommandRefused) as refused:
        requested_words("x" * 5000)
    assert len(str(refused.value)) < 300


def test_the_allowed_list_is_one_constant() -> None:
    assert ALLOWED_COMMANDS == ("list", "show", "history", "export", "mark", "note", "import", "check", "towns")
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(ALLOWED_COMMANDS) <= set(commands)


# ---------------------------------------------------------------------- after parsing


def _forced(original: str, *outer: str) -> argparse.Namespace:
    parser = build_parser()
    return forced_arguments(
        parser, parser.parse_args(["--ssh", *outer]), {"SSH_ORIGINAL_COMMAND": original}, login="zhangsan"
    )


@pytest.mark.parametrize(
    ("original", "wanted"),
    [
        ("list --db /tmp/x", "--db"),
        ("list --db=/tmp/x", "--db"),
        ("list --d /tmp/x", "--db"),  # argparse's abbreviation of --db
        ("mark 12 done --db /srv/other/db.json", "--db"),
        ("export -o /tmp/x.docx", "标准输出"),
        ("export --output=/tmp/x.docx --format docx", "标准输出"),
        ("export -o /srv/taizhang/x.csv", "标准输出"),
        ("import /srv/taizhang/backups/x/db.json", "标准输入"),
        ("import /tmp/revised.docx --yes", "标准输入"),
    ],
)
def test_requests_naming_server_files_are_refused(original: str, wanted: str) -> None:
    with pytest.raises(CommandRefused, match=wanted) as refused:
        _forced(original)
    assert "\n" not in str(refused.value)


def test_the_force_command_lines_options_hold_for_the_request() -> None:
    args = _forced("mark 12 done", "--read-only", "--db", "/srv/taizhang/db.json")
    assert (args.command, args.no, args.status) == ("mark", "12", "done")
    assert args.read_only and args.db == "/srv/taizhang/db.json"
    assert _forced("export -o - --format xlsx").output == "-"
    assert _forced("import - --format docx --yes").file == "-"
    outer = build_parser().parse_args(["--ssh"])
    assert forced_arguments(build_parser(), outer, {}, login="zhangsan") is outer  # no request: the app


def test_a_command_after_ssh_on_the_force_command_line_is_refused() -> None:
    parser = build_parser()
    with pytest.raises(CommandRefused, match="ForceCommand"):
        forced_arguments(parser, parser.parse_args(["--ssh", "list"]), {}, login="zhangsan")


# ---------------------------------------------------------------------- through the CLI


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Path, original: str | None):
    monkeypatch.setenv("TAIZHANG_DB", str(db))
    if original is None:
        monkeypatch.delenv("SSH_ORIGINAL_COMMAND", raising=False)
    else:
        monkeypatch.setenv("SSH_ORIGINAL_COMMAND", original)
    monkeypatch.setenv("SSH_CONNECTION", CONNECTION["SSH_CONNECTION"])
    try:
        code = main(["--ssh"])
    except SystemExit as exit_:  # argparse's own one-line mistakes, as on the command line
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "original",
    [
        "bash",
        "--db /tmp/x list",
        "list --db /tmp/x.json",
        "mark 12 done --db /tmp/x.json",
        "export -o {tmp}/x.docx",
        "import {tmp}/x.docx --yes",
        "internal-sftp",
        "list && bash",  # argparse: unrecognised arguments
        "\x1b]0;owned\x07bash",  # a refused word is named without its control characters
    ],
)
def test_refused_requests_write_nothing(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], original: str
) -> None:
    (tmp_path / "x.docx").write_bytes(b"")  # an import of it must not even be read
    before = files_digest(db_path.parent)
    code, out, err = _run(monkeypatch, capsys, db_path, original.format(tmp=tmp_path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("taizhang: ") and "Traceback" not in err
    assert "\x1b" not in err and "\x07" not in err
    assert files_digest(db_path.parent) == before
    assert (tmp_path / "x.docx").read_bytes() == b""
    assert not Path("/tmp/x.json").exists()


def test_an_allowed_request_runs_under_the_login(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(monkeypatch, capsys, db_path, "taizhang mark 12 in_progress --note '已走访 3 户'")
    assert code == 0, err
    assert "已将 12 号任务由 未启动 标为 推进中" in out
    code, out, _err = _run(monkeypatch, capsys, db_path, "history 12 --json")
    assert code == 0
    events = json.loads(out)
    assert [(e["by"], e["kind"], e.get("new")) for e in events][:1] == [(current_user(), "status", "in_progress")]
    code, out, _err = _run(monkeypatch, capsys, db_path, "list --json --status in_progress")
    assert code == 0 and [task["no"] for task in json.loads(out)] == [12]


def test_without_a_command_and_a_terminal_the_line_says_what_works(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(monkeypatch, capsys, db_path, None)  # pytest's streams are no terminal
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "需要在终端中运行" in err
    who = current_user()
    assert f"ssh -t {who}@10.1.2.3" in err
    assert "list、show、history、export、mark、note、import、check、towns" in err
    assert f"ssh -T {who}@10.1.2.3 export -o - --format docx > 台账.docx" in err


# ---------------------------------------------------------------------- the command that fetches a report


def test_the_destination_is_the_address_the_client_reached() -> None:
    assert ssh_destination("lisi", CONNECTION) == "lisi@10.1.2.3"
    assert ssh_destination("lisi", {"SSH_CONNECTION": "::1 50022 ::1 2222"}) == "-p 2222 lisi@::1"
    assert ssh_destination("lisi", {}) == "lisi@服务器"
    assert ssh_destination("lisi", {"SSH_CONNECTION": "garbage"}) == "lisi@服务器"


def test_the_fetch_command_carries_the_filters_and_period() -> None:
    words = export_words("xlsx", "2026-10", unit="区卫健局", statuses=["in_progress", "blocked"], overdue=True)
    command = fetch_command("lisi@10.1.2.3", words, "台账-区卫健局-2026-10.xlsx")
    assert command == (
        "ssh -T lisi@10.1.2.3 export -o - --format xlsx --period 2026-10 --unit 区卫健局 "
        "--status in_progress --status blocked --overdue > 台账-区卫健局-2026-10.xlsx"
    )
    # What the server would run of it: the same words, through the same parser.
    remote = command.split(" ", 3)[3].rsplit(" > ", 1)[0]
    assert requested_words(remote) == words
    assert fetch_command("lisi@h", ["export"], "my report.docx").endswith('> "my report.docx"')
    assert no_terminal_line("lisi", CONNECTION).count("\n") == 0
