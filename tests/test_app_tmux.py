"""End to end: the installed `taizhang` in a real terminal (tmux), driven by keys, checked on the store."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tui.core.model import Status, Task
from tui.core.store import Store

TAIZHANG = shutil.which("taizhang") or str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "taizhang")

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (tests/run.sh installs it)")


class Terminal:
    def __init__(self, command: list[str], width: int = 100, height: int = 30) -> None:
        self.session = f"taizhang-test-{uuid.uuid4().hex[:8]}"
        env = {"LANG": "C.UTF-8", "TERM": "xterm-256color", "PATH": os.environ.get("PATH", "")}
        exported = " ".join(f"{key}={value}" for key, value in env.items())
        shell_command = f"env -i {exported} HOME={os.environ.get('HOME', '/tmp')} " + " ".join(command)
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height), shell_command],
            check=True,
        )
        subprocess.run(["tmux", "set-option", "-t", self.session, "remain-on-exit", "on"], check=True)

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.session], capture_output=True, text=True, check=False
        ).stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear; the screen shows:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True)

    def literal(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, "-l", text], check=True)

    def exited(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = subprocess.run(
                ["tmux", "display-message", "-p", "-t", self.session, "#{pane_dead}"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            if dead == "1":
                return True
            time.sleep(0.1)
        return False

    def jump_to(self, no: int, shown: str) -> None:
        """`:` and the number, once the tree is up; waits for `shown` in the detail."""
        self.wait_for("强化乡镇（街道）")
        self.keys(":")
        self.wait_for("跳转到序号")
        self.keys(*str(no), "Enter")
        self.wait_for(shown)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.session], capture_output=True, check=False)


def quit_and_read(terminal: Terminal, db_path: Path, no: int) -> Task:
    """Press q and check the app left; then task `no` as saved."""
    terminal.keys("q")
    assert terminal.exited(), terminal.screen()
    task = Store(db_path).load().by_no(no)
    assert task is not None
    return task


def test_installed_taizhang_marks_a_task_and_adds_a_note(db_path: Path) -> None:
    terminal = Terminal([TAIZHANG, "--db", str(db_path)])
    try:
        terminal.jump_to(12, "12. 扩大城乡社区养老扶残服务供给")
        terminal.keys("3")
        terminal.wait_for("12 号任务：未启动 -> 已完成")
        terminal.keys("n")
        terminal.wait_for("为 12 号任务写进展情况")
        terminal.literal("养老床位已验收 tmux")
        terminal.wait_for("养老床位已验收 tmux")  # typed into the dialog before Enter, as a person would
        terminal.keys("Enter")
        terminal.wait_for("已为 12 号任务添加进展情况")
        task = quit_and_read(terminal, db_path, 12)
    finally:
        terminal.close()
    assert task.status == Status.DONE
    assert [note.text for note in task.notes] == ["养老床位已验收 tmux"]


def test_the_note_editor_over_both_panes_shows_every_chinese_character_regression_textual_6357(db_path: Path) -> None:
    """The editor spans the tree and the detail; Textual cut its lines at the panes' edge beneath, and a
    Chinese character straddling it reached the terminal as two spaces. In a real terminal, as repainted
    key by key."""
    terminal = Terminal([TAIZHANG, "--db", str(db_path)])
    try:
        terminal.jump_to(10, "10. 完善城乡社区志愿服务制度")
        terminal.keys("n")
        terminal.wait_for("为 10 号任务写进展情况：完善城乡社区志愿服务制度")
        for word in ("第三季度督导检查", "发现两个社区站点", "未按期建成已约谈"):
            terminal.literal(word)
        terminal.wait_for("第三季度督导检查发现两个社区站点未按期建成已约谈")
        terminal.keys("Escape")  # kept as the task's draft
        deadline = time.monotonic() + 10
        while "Enter 保存" in terminal.screen() and time.monotonic() < deadline:
            time.sleep(0.1)
        terminal.keys("q")
        assert terminal.exited(), terminal.screen()
    finally:
        terminal.close()


def test_installed_taizhang_as_a_township_editor_changes_its_own_row(db_path: Path, tmp_path: Path) -> None:
    """Issue 14: a 马甲镇 account (users.toml in a folder only root writes, named by TAIZHANG_USERS, as README 部署
    says) marks and writes on 马甲镇's own row of task 12; the overall row stays; `m` lists all 72 tasks."""
    from tui.core.store import current_user

    Store(db_path).set_towns(["万安街道", "双阳街道", "河市镇", "马甲镇", "罗溪镇", "虹山乡"])
    etc = tmp_path / "etc"
    etc.mkdir(mode=0o755)
    users = etc / "users.toml"
    users.write_text(f'default_role = "viewer"\n\n[users.{current_user()}]\nunit = "马甲镇"\nrole = "editor"\n', encoding="utf-8")
    users.chmod(0o644)
    terminal = Terminal([f"TAIZHANG_USERS={users}", TAIZHANG, "--db", str(db_path)], width=120, height=36)
    try:
        terminal.jump_to(12, "按键改动：马甲镇 的一行")
        terminal.keys("2")
        terminal.wait_for("12 号任务 马甲镇：未启动 -> 推进中")
        terminal.keys("n")
        terminal.wait_for("为 12 号任务（马甲镇）写进展情况")
        terminal.literal("马甲镇已摸底 tmux")
        terminal.wait_for("马甲镇已摸底 tmux")
        terminal.keys("Enter")
        terminal.wait_for("已为 12 号任务（马甲镇）添加进展情况")
        terminal.keys("3")  # 已完成 on its own row is its to set; 已销号 is not
        terminal.wait_for("12 号任务 马甲镇：推进中 -> 已完成")
        terminal.keys("5")
        terminal.wait_for("销号只能由主管进行")
        terminal.keys("m")
        screen = terminal.wait_for("状态为 马甲镇 的一行")
        assert "单位:马甲镇" in screen and "显示" not in screen  # all 72 tasks shown
        task = quit_and_read(terminal, db_path, 12)
    finally:
        terminal.close()
    assert task.status_for("马甲镇") == Status.DONE and task.status == Status.NOT_STARTED
    assert [note.text for note in task.notes_for("马甲镇")] == ["马甲镇已摸底 tmux"] and task.notes == ()
