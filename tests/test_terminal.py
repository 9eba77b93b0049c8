"""The app's terminal: no escape codes without one; SIGHUP/SIGTERM make it leave cleanly, and surely."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT
from tui.core.interprocess_lock import InterProcessLock
from tui.core.model import Status
from tui.core.store import Store, StoreError

LOOP_PROGRAM = """
import asyncio, sys
from tui.terminal import install_exit_handlers

async def main():
    done = asyncio.Event()
    def leave():
        print("leaving cleanly", flush=True)
        done.set()
    install_exit_handlers(leave)
    print("ready", flush=True)
    await asyncio.wait_for(done.wait(), 20)

asyncio.run(main())
"""

PLAIN_PROGRAM = """
import time
from tui.terminal import install_exit_handlers
stop = []
restore = install_exit_handlers(lambda: stop.append(1))
print("ready", flush=True)
deadline = time.monotonic() + 20
while not stop and time.monotonic() < deadline:
    time.sleep(0.01)
restore()
print("leaving cleanly" if stop else "timed out", flush=True)
"""


@pytest.mark.parametrize("program", [LOOP_PROGRAM, PLAIN_PROGRAM], ids=["event-loop", "no-loop"])
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_exit_handlers_turn_hangup_and_term_into_a_clean_exit(program: str, signum: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", program], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    process.send_signal(signum)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out.strip() == "leaving cleanly"


def test_the_app_without_a_terminal_prints_one_line_and_never_loads_textual(db_path: Path) -> None:
    probe = (
        "import sys\nfrom tui.cli import main\ncode = main(['--db', sys.argv[1]])\n"
        "print('textual loaded' if 'textual' in sys.modules else 'textual not loaded')\nsys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(db_path)],
        cwd=PROJECT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == "textual not loaded\n"
    assert result.stderr.count("\n") == 1 and "需要在终端中运行" in result.stderr and "ssh -t" in result.stderr
    assert "\x1b" not in result.stderr


CONNECTION = {"SSH_CONNECTION": "10.0.0.9 50000 10.0.0.5 22"}


def test_the_no_terminal_line_suits_each_kind_of_login() -> None:
    """Issue 16: the one line named `taizhang list ...` and `taizhang --help` to every login, though a forced
    login can run neither; each login now hears what it can run."""
    from tui.core.forced_command import ALLOWED_COMMANDS
    from tui.terminal import no_terminal_message

    local = no_terminal_message({}, login="zhangsan", forced=False)
    assert "没有终端时可以运行命令 taizhang list、" in local and "taizhang --help" in local
    plain_ssh = no_terminal_message(CONNECTION, login="zhangsan", forced=False)
    assert "ssh -t zhangsan@10.0.0.5 taizhang" in plain_ssh and "ssh zhangsan@10.0.0.5 taizhang list --overdue" in plain_ssh
    forced = no_terminal_message(CONNECTION, login="zhangsan", forced=True)
    assert "ssh -t zhangsan@10.0.0.5" in forced and "ssh -T zhangsan@10.0.0.5 export -o - --format docx" in forced
    assert "taizhang list" not in forced and "--help" not in forced  # a forced login runs neither
    assert all(command in forced for command in ALLOWED_COMMANDS)
    unforced = no_terminal_message({**CONNECTION, "SSH_ORIGINAL_COMMAND": "list"}, login="zhangsan", forced=False)
    assert "ForceCommand 没有加 --ssh" in unforced and "部署”第 4 步" in unforced
    assert "taizhang list" not in unforced and "--help" not in unforced
    for line in (local, plain_ssh, forced, unforced):
        assert "\n" not in line and line.startswith("taizhang 需要在终端中运行")


def test_a_forced_login_without_ssh_flag_says_what_the_administrator_must_add(db_path: Path) -> None:
    import os

    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db_path)],
        cwd=PROJECT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **CONNECTION, "SSH_ORIGINAL_COMMAND": "list --overdue"},
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "ForceCommand 没有加 --ssh" in result.stderr


# The event loop stuck as Textual's was (textual#6692): in `Queue.put`, waiting for room that no thread makes.
WEDGED_PROGRAM = """
import asyncio, queue, sys
from tui.terminal import install_exit_handlers

async def main():
    install_exit_handlers(
        lambda: print("the loop ran the exit callback", flush=True),
        on_hangup=lambda: print("terminal gone", flush=True),
        finish_writes=lambda: print("writes finished", flush=True),
        deadline_seconds=float(sys.argv[1]),
    )
    output = queue.Queue(1)
    output.put("frame")
    print("ready", flush=True)
    output.put("next frame")

asyncio.run(main())
"""


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_wedged_event_loop_still_ends_by_the_deadline(signum: int) -> None:
    """Regression (issue 18): a session whose event loop waited for Textual's dead output thread never ended."""
    deadline = 1.0
    process = subprocess.Popen(
        [sys.executable, "-c", WEDGED_PROGRAM, str(deadline)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    signalled = time.monotonic()
    process.send_signal(signum)
    out, err = process.communicate(timeout=30)
    waited = time.monotonic() - signalled
    assert process.returncode == 128 + signum, err
    expected = ["terminal gone", "writes finished"] if signum == signal.SIGHUP else ["writes finished"]
    assert out.split("\n")[:-1] == expected
    assert deadline <= waited < deadline + 10


def test_finish_writes_lets_the_write_in_flight_end_and_no_other_start(db_path: Path) -> None:
    """What the last-resort exit waits for: the write this process has begun, and nothing after it."""
    store = Store(db_path, user="tester")
    first, second = (task.id for task in store.load().tasks[:2])
    other_process = InterProcessLock(store.lock_path, timeout=5)  # another session, holding the store
    other_process.acquire()
    in_flight = threading.Thread(target=store.set_status, args=(first, Status.DONE))
    in_flight.start()
    time.sleep(0.2)
    assert not store.finish_writes(0.2)  # still waiting for the other session: not finished
    other_process.release()
    in_flight.join(timeout=10)
    assert store.finish_writes(5.0)
    refused: list[StoreError] = []

    def late_write() -> None:
        try:
            store.set_status(second, Status.DONE)
        except StoreError as error:  # after the lock's timeout, long after this test
            refused.append(error)

    late = threading.Thread(target=late_write, daemon=True)
    late.start()
    late.join(timeout=0.5)
    assert late.is_alive()  # held off: the process ends before it can write
    statuses = Store(db_path).load()
    assert statuses.by_id(first).status is Status.DONE
    assert statuses.by_id(second).status is Status.NOT_STARTED
