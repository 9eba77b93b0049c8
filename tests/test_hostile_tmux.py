"""Issue 12 end to end: the installed `taizhang` in a real terminal (tmux) while another session writes hostile
notes. The terminal's title stays, the screen is not cleared, the text shows as written, the app stays up."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import PROJECT
from tests.hostile_text import plant_raw_note
from tests.test_app_tmux import TAIZHANG, Terminal, pytestmark  # noqa: F401 - skipped without tmux
from tui.core.store import current_user

TITLE = "taizhang-hostile-test"


def pane(terminal: Terminal, field: str) -> str:
    return subprocess.run(
        ["tmux", "display-message", "-p", "-t", terminal.session, f"#{{{field}}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def another_session(db_path: Path, *argv: str) -> None:
    subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db_path), *argv], cwd=PROJECT, check=True, timeout=60)


def test_hostile_notes_leave_the_real_app_up_its_title_and_its_screen_regression_issue12(db_path: Path) -> None:
    # The writers' display names too: the account running the tests (the app's and the CLI's) and another.
    (db_path.parent / "users.toml").write_text(
        f'[users.{current_user()}]\nname = "[/]张\\u001b]0;pwned\\u0007三"\n\n'
        '[users.old]\nname = "[@click=app.quit]老\\u001b[2J王"\n',
        encoding="utf-8",
    )
    terminal = Terminal([TAIZHANG, "--db", str(db_path)], width=120, height=36)
    try:
        terminal.wait_for("强化乡镇（街道）")
        terminal.wait_for(f"[/]张]0;pwned三({current_user()})")  # the header names this session
        subprocess.run(["tmux", "select-pane", "-t", terminal.session, "-T", TITLE], check=True)
        assert pane(terminal, "pane_title") == TITLE
        terminal.keys(":")
        terminal.wait_for("跳转到序号")
        terminal.keys("1", "9", "Enter")
        terminal.wait_for("› 19")

        another_session(db_path, "note", "19", "x \x1b]0;pwned\x07 \x1b[2J y")
        terminal.wait_for("x ]0;pwned [2J y")
        another_session(db_path, "note", "19", "测试 [/] 结束")
        terminal.wait_for("测试 [/] 结束")
        another_session(db_path, "note", "19", "[@click=app.quit]点此")
        terminal.wait_for("[@click=app.quit]点此")
        # A note written before the fix (or by hand): the escapes are in the store itself.
        plant_raw_note(db_path, 19, "旧 \x1b]2;pwned\x07\x1b[2J\r 记录\u202e", by="old")
        terminal.wait_for("旧 ]2;pwned[2J 记录")
        terminal.wait_for("[@click=app.quit]老[2J王")  # the writer of the planted note, in the toast and the history
        time.sleep(1.0)  # the toast and the detail drawn, with whatever they carried

        assert pane(terminal, "pane_title") == TITLE, "a note retitled the terminal"
        assert pane(terminal, "pane_dead") == "0", terminal.screen()
        shown = terminal.screen()
        assert "一、完善城乡社区服务格局" in shown, f"the screen was cleared:\n{shown}"
        assert "他人改动" in shown
        terminal.keys("q")
        assert terminal.exited(), terminal.screen()
    finally:
        terminal.close()
