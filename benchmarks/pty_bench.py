"""The app in a real pseudo-terminal: time to the first frame against the bare yardstick (benchmarks/bare_app.py,
a Textual app of the same shape with as many tasks in its tree that imports nothing of the project and reads no
store; at 5,000 tasks it builds every node, where taizhang builds collapsed groups lazily), and keypress-to-saved
latency (p50/p95) for a status change and a note, at the 72-task ledger and at a synthetic 5,000-task ledger with
20 notes per task.

Run: `python -m benchmarks.pty_bench [--runs N] [--presses N]` from the project root, in the project's
environment. Prints figures and ratios; asserts nothing (machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from benchmarks.cli_bench import PROJECT, SOURCE_DOCX, add_synthetic_notes, compile_bytecode, percentiles, seed
from benchmarks.synthetic import write_synthetic_docx
from tui.core.store import Store

ROWS, COLUMNS = 40, 120
ENV = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8", "COLORTERM": "truecolor"}


class Terminal:
    """A command running in a pseudo-terminal of ROWS x COLUMNS."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=ENV if env is None else env, start_new_session=True
        )
        os.close(slave)
        # A bytearray: appending to bytes copies everything drawn so far, which after a few hundred
        # redraws delayed the polling loop (and so every figure it measured) by tens of milliseconds.
        self.output = bytearray()

    def wait_for(self, *markers: bytes, timeout: float = 60.0, since: int = 0) -> float:
        """Seconds from start until every marker has been drawn (in the output after `since`)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.output += os.read(self.master, 1 << 16)
                except OSError:
                    break
                if all(self.output.find(marker, since) != -1 for marker in markers):
                    return time.perf_counter() - self.started
        raise TimeoutError(f"never drew {markers!r}; last output {bytes(self.output[-300:])!r}")

    def drain(self) -> None:
        while select.select([self.master], [], [], 0)[0]:
            try:
                self.output += os.read(self.master, 1 << 16)
            except OSError:
                return

    def settle(self, quiet: float = 0.2, limit: float = 5.0) -> bytes:
        """Everything drawn from now until the terminal has been quiet for `quiet` seconds."""
        start = len(self.output)
        deadline = time.perf_counter() + limit
        last = time.perf_counter()
        while time.perf_counter() < deadline and time.perf_counter() - last < quiet:
            if select.select([self.master], [], [], 0.02)[0]:
                try:
                    self.output += os.read(self.master, 1 << 16)
                except OSError:
                    break
                last = time.perf_counter()
        return bytes(self.output[start:])

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def first_frame_once(command: list[str], markers: tuple[bytes, ...]) -> float:
    terminal = Terminal(command)
    try:
        return terminal.wait_for(*markers)
    finally:
        terminal.close()


def first_frames(ours: list[str], bare: list[str], markers: tuple[bytes, ...], runs: int) -> tuple[float, float]:
    """Median time to the first frame of each command, run alternately so that load on a shared
    machine falls on both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    first_frame_once(ours, markers)  # warm the file cache and the bytecode for both
    first_frame_once(bare, markers)
    for _ in range(runs):
        times[0].append(first_frame_once(ours, markers))
        times[1].append(first_frame_once(bare, markers))
    return statistics.median(times[0]), statistics.median(times[1])


def journal_signature(store: Store) -> tuple[tuple[str, int], ...]:
    # The monthly shards only: the summary beside them is a cache written after the event is saved.
    shards = sorted(store.journal_dir.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].json")) if store.journal_dir.exists() else []
    return tuple((shard.name, shard.stat().st_mtime_ns) for shard in shards)


def until_saved(
    terminal: Terminal, store: Store, before: tuple[tuple[str, int], ...], started: float, timeout: float = 10.0
) -> float:
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if journal_signature(store) != before:
            return time.perf_counter() - started
        terminal.drain()  # an undrained terminal blocks the app's screen writes
        time.sleep(0.0005)
    screen = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", bytes(terminal.output[-3000:])).decode("utf-8", "replace")
    raise TimeoutError(f"the change never reached the store; the screen ends with:\n{screen}")


def keypress_to_saved(taizhang: list[str], db: Path, presses: int) -> dict[str, tuple[float, float]]:
    store = Store(db)
    terminal = Terminal([*taizhang, "--db", str(db)])
    figures: dict[str, list[float]] = {"status": [], "note": []}
    try:
        terminal.wait_for("退出".encode())
        time.sleep(1.0)
        terminal.drain()
        mark = len(terminal.output)
        terminal.send(b":")
        terminal.wait_for("跳转到序号".encode(), since=mark)
        mark = len(terminal.output)
        terminal.send(b"5\r")
        terminal.wait_for("› 5".encode(), since=mark)
        time.sleep(0.5)
        for i in range(presses):
            terminal.drain()
            before = journal_signature(store)
            started = time.perf_counter()
            terminal.send(b" ")  # Space cycles the status: every press is a change
            figures["status"].append(until_saved(terminal, store, before, started))
            time.sleep(0.05)
            terminal.send(b"n")
            time.sleep(0.3)
            terminal.send(f"bench {i}".encode())
            time.sleep(0.1)
            terminal.drain()
            before = journal_signature(store)
            started = time.perf_counter()
            terminal.send(b"\r")
            figures["note"].append(until_saved(terminal, store, before, started))
            time.sleep(0.2)
    finally:
        terminal.send(b"q")
        terminal.close()
    return {name: percentiles(samples) for name, samples in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--presses", type=int, default=60)  # p95 of 20 is the second-worst sample
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--notes", type=int, default=20)
    args = parser.parse_args()
    compile_bytecode()
    taizhang = [shutil.which("taizhang") or sys.executable, *([] if shutil.which("taizhang") else ["-m", "tui.cli"])]
    # A script path: `-m benchmarks.bare_app` would import the benchmarks package first.
    bare = [sys.executable, str(PROJECT / "benchmarks" / "bare_app.py")]
    with tempfile.TemporaryDirectory(prefix="taizhang-pty-") as folder:
        root = Path(folder)
        small = root / "small" / "db.json"
        seed(small, SOURCE_DOCX)
        big = root / "big" / "db.json"
        seed(big, write_synthetic_docx(root / "synthetic.docx", args.tasks))
        add_synthetic_notes(Store(big), args.notes)
        for label, db, tasks, title in (
            ("72 tasks", small, 72, "洛江区落实"),
            (f"{args.tasks} tasks x {args.notes} notes", big, args.tasks, "合成台账"),
        ):
            markers = (title.encode(), "退出".encode())
            yardstick_command = [*bare, str(tasks), title]  # the bare app reads no store: same count, same title
            ours, yardstick = first_frames([*taizhang, "--db", str(db)], yardstick_command, markers, args.runs)
            print(f"first frame ({label}): taizhang {ours * 1000:6.0f} ms, bare app {yardstick * 1000:6.0f} ms, "
                  f"ratio {ours / yardstick:.2f}x")  # fmt: skip
        for label, db in (("72 tasks", small), (f"{args.tasks} x {args.notes} notes", big)):
            for name, (p50, p95) in keypress_to_saved(taizhang, db, args.presses).items():
                print(f"keypress to saved, {name:6} ({label}): p50 {p50 * 1000:5.1f} ms  p95 {p95 * 1000:5.1f} ms")


if __name__ == "__main__":
    main()
