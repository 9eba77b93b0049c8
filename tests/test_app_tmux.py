"""End to end: the installed `taizhang` in a real terminal (tmux), driven by keys, checked on the store."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tui.core.model import Status
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

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.session], capture_output=True, check=False)


def test_installed_taizhang_marks_a_task_and_adds_a_note(db_path: Path) -> None:
    terminal = Terminal([TAIZHANG, "--db", str(db_path)])
    try:
        terminal.wait_for("强化乡镇（街道）")  # the tree is up
        terminal.keys(":")
        terminal.wait_for("跳转到序号")
        terminal.keys("1", "2", "Enter")
        terminal.wait_for("› 12")
        terminal.keys("3")
        terminal.wait_for("12 号任务：未启动 -> 已完成")
        terminal.keys("n")
        terminal.wait_for("为 12 号任务写进展情况")
        terminal.literal("养老床位已验收 tmux")
        terminal.wait_for("养老床位已验收 tmux")  # typed into the dialog before Enter, as a person would
        terminal.keys("Enter")
        terminal.wait_for("已为 12 号任务添加进展情况")
        terminal.keys("q")
        assert terminal.exited(), terminal.screen()
    finally:
        terminal.close()
    task = Store(db_path).load().by_no(12)
    assert task is not None
    assert task.status == Status.DONE
    assert [note.text for note in task.notes] == ["养老床位已验收 tmux"]
