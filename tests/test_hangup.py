"""Every session ends with its terminal (issue 18): the installed `taizhang` in a real pseudo-terminal,
closed at a random moment, 50 times; no process may remain 5 s later and no acknowledged change is lost.

Regression: a terminal closed while the app drew (a dropped SSH connection, `tmux kill-session`) left
the process alive for ever, wedged in `Queue.put` on Textual's dead output thread (textual#6692).
Closing the pty's master hangs up its slave: the kernel sends the session leader SIGHUP and SIGCONT,
as it does when sshd or tmux closes a session.
"""

from __future__ import annotations

import fcntl
import os
import pty
import random
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import PROJECT, seed_store
from tui.core.model import Status
from tui.core.store import Store

TAIZHANG = shutil.which("taizhang") or str(PROJECT / ".venv" / "bin" / "taizhang")
ROWS, COLUMNS = 40, 120
RUNS = 50
PARALLEL = 5
GONE_WITHIN_SECONDS = 5.0
DOWN, UP = b"\x1b[B", b"\x1b[A"
# `python -c` makes the program the session leader with the pty as its controlling terminal (as sshd and
# tmux do), then becomes it (exec: same pid). Popen's preexec_fn is unsafe with the test's threads.
LOGIN = "import os, sys; os.login_tty(0); os.execv(sys.argv[1], sys.argv[1:])"
STATUS_KEYS = {"2": "推进中", "3": "已完成", "4": "受阻"}
MOMENTS = ("right after start", "mid-redraw", "dialog open", "save in flight", "slow link")


@dataclass
class Outcome:
    moment: str
    task_no: int
    acknowledged: list[str] = field(default_factory=list)  # new statuses the message line confirmed
    remaining: list[int] = field(default_factory=list)  # pids of the session still alive 5 s after closing


def _session_pids(session: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":  # fields: state ppid pgrp session ...
            pids.append(int(entry.name))
    return pids


class PtySession:
    """The installed `taizhang` in a fresh pty of ROWS x COLUMNS; the test is the terminal."""

    def __init__(self, db: Path) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {"LANG": "C.UTF-8", "TERM": "xterm-256color", "HOME": os.environ.get("HOME", "/tmp"), "PATH": "/usr/bin:/bin"}
        self.process = subprocess.Popen(
            [sys.executable, "-c", LOGIN, TAIZHANG, "--db", str(db)], stdin=slave, stdout=slave, stderr=slave, env=env
        )
        os.close(slave)
        self.output = bytearray()

    def wait_for(self, text: str, *, since: int = 0, timeout: float = 60.0) -> None:
        marker = text.encode()
        deadline = time.monotonic() + timeout
        while self.output.find(marker, since) == -1:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} was never drawn; the app's last output: {bytes(self.output[-400:])!r}")
            if select.select([self.master], [], [], 0.05)[0]:
                self.output += os.read(self.master, 1 << 16)

    def send(self, data: bytes) -> int:
        """Type `data`; returns where the output stood, to wait for what it draws next."""
        mark = len(self.output)
        os.write(self.master, data)
        return mark

    def close_and_wait(self) -> list[int]:
        """Close the terminal; the pids of its session still alive GONE_WITHIN_SECONDS later (then killed)."""
        os.close(self.master)
        deadline = time.monotonic() + GONE_WITHIN_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None and not _session_pids(self.process.pid):
                return []
            time.sleep(0.05)
        remaining = _session_pids(self.process.pid)
        if self.process.poll() is None:
            remaining = sorted({self.process.pid, *remaining})
        for pid in remaining:
            with suppress(ProcessLookupError):
                os.kill(pid, 9)
        self.process.wait()
        return remaining


def _one_session(db: Path, moment: str, task_no: int, rng: random.Random) -> Outcome:
    outcome = Outcome(moment, task_no)
    session = PtySession(db)
    try:
        if moment == "right after start":
            time.sleep(rng.uniform(0.0, 0.8))  # before, during or just after the first frame
            return outcome
        session.wait_for("退出")  # the footer: the first frame is up
        session.wait_for("跳转到序号", since=session.send(b":"))
        session.wait_for(f"› {task_no}", since=session.send(f"{task_no}\r".encode()))
        key = rng.choice(sorted(STATUS_KEYS))
        # The message line confirms the save: from here on the change must survive the hangup.
        session.wait_for(f"{task_no} 号任务：未启动 -> {STATUS_KEYS[key]}", since=session.send(key.encode()))
        outcome.acknowledged.append(STATUS_KEYS[key])
        if moment == "mid-redraw":
            session.send(DOWN * 30)
            time.sleep(rng.uniform(0.0, 0.09))
        elif moment == "dialog open":
            session.wait_for("写进展情况", since=session.send(b"n"))
            session.send("挂断时正在输入的进展".encode())
            time.sleep(rng.uniform(0.0, 0.1))
        elif moment == "save in flight":
            other = rng.choice(sorted(set(STATUS_KEYS) - {key}))
            session.send(other.encode() + b"n")
            time.sleep(rng.uniform(0.0, 0.03))
        else:  # a slow link: nothing reads what the app draws, keys keep coming, then the line drops
            for index in range(300):  # each frame is ~20 KB, the pty holds ~20 KB: the output backs up
                session.send(DOWN if index % 20 < 10 else UP)
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.3))
        return outcome
    finally:
        outcome.remaining = session.close_and_wait()


@pytest.mark.skipif(not Path(TAIZHANG).exists(), reason="taizhang is not installed in .venv")
def test_fifty_sessions_closed_at_random_moments_all_end_and_keep_what_they_saved(tmp_path: Path) -> None:
    seed = int(os.environ.get("TAIZHANG_HANGUP_SEED", random.randrange(1 << 30)))
    db = tmp_path / "data" / "db.json"
    seed_store(db)  # no users.toml: every session may set every status
    plan = [(MOMENTS[index % len(MOMENTS)], index + 1, random.Random(seed + index)) for index in range(RUNS)]
    with ThreadPoolExecutor(PARALLEL) as pool:  # sessions of the same store, a few at a time
        outcomes = list(pool.map(lambda run: _one_session(db, *run), plan))

    context = f"(TAIZHANG_HANGUP_SEED={seed} reproduces the moments)"
    stuck = [(outcome.moment, outcome.task_no, outcome.remaining) for outcome in outcomes if outcome.remaining]
    assert stuck == [], f"processes still alive {GONE_WITHIN_SECONDS} s after their terminal closed {context}"
    store = Store(db)
    ledger = store.load()
    history = store.history()
    for outcome in outcomes:
        task = ledger.by_no(outcome.task_no)
        assert task is not None
        saved = [Status(event.new).label for event in history if event.task == task.id and event.kind == "status"]
        for label in outcome.acknowledged:
            assert label in saved, f"task {outcome.task_no} ({outcome.moment}): {label} was confirmed, then lost {context}"
    check = subprocess.run([TAIZHANG, "check", "--db", str(db)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    assert "数据完好" in check.stdout and "残留的临时文件" not in check.stdout, check.stdout
