"""Resident memory of an idle session while another account changes the ledger: the app in a real
pseudo-terminal (120x40), at the 72-task ledger and at a synthetic 5,000-task ledger with 20 notes per
task; its resident set size after every 500 changes made by others, and the growth from 500 changes to
the last (the target: at most +10 MB after 5,000).

The other account writes through `Store` in this process (as `taizhang note` / `mark` would, without
starting a program per change): two notes and one status change in turn, on random tasks, at a steady
rate. The session reloads about once a second, announcing each change as a toast.

Run: `python -m benchmarks.memory_bench [--changes N] [--rate PER_SECOND]` from the project root, in the
project's environment. Prints figures; asserts nothing (machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from pathlib import Path

from benchmarks.cli_bench import seed_synthetic, seeded_folder
from benchmarks.pty_bench import Terminal
from tui.core.model import Status
from tui.core.store import Store

STEP = 500
STATUSES = (Status.IN_PROGRESS, Status.DONE, Status.BLOCKED, Status.NOT_STARTED)


def resident_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Drain(threading.Thread):
    """Reads whatever the app draws, as a terminal does, so that it never waits to write."""

    def __init__(self, terminal: Terminal) -> None:
        super().__init__(daemon=True)
        self.terminal = terminal
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.terminal.drain()
            self.terminal.output.clear()  # keep nothing: this benchmark measures the app, not itself
            time.sleep(0.02)


def settled_mb(pid: int, seconds: float = 12.0) -> float:
    """Resident memory once the session is quiet again: its toasts gone, a collection run (after ~10 s)."""
    time.sleep(seconds)
    return resident_mb(pid)


def changes_by_others(taizhang: list[str], db: Path, changes: int, rate: float, seed_value: int) -> list[tuple[int, float]]:
    """(changes so far, resident MB) at the start and after every STEP changes."""
    terminal = Terminal([*taizhang, "--db", str(db)])
    drain = Drain(terminal)
    figures: list[tuple[int, float]] = []
    try:
        terminal.wait_for("退出".encode(), timeout=120)
        drain.start()
        pid = terminal.process.pid
        figures.append((0, settled_mb(pid, 15.0)))  # a large ledger's notes are read after the first frame
        other = Store(db, user="lisi")
        ids = [task.id for task in other.load(with_notes=False).tasks]
        rng = random.Random(seed_value)
        started = time.perf_counter()
        for index in range(1, changes + 1):
            task_id = rng.choice(ids)
            if index % 3 == 0:
                other.set_status(task_id, STATUSES[index // 3 % len(STATUSES)])
            else:
                other.add_note(task_id, f"李四的第 {index} 条进展：已与社区对接，下周复核。")
            time.sleep(max(0.0, started + index / rate - time.perf_counter()))
            if index % STEP == 0 or index == changes:
                pause = time.perf_counter()
                figures.append((index, settled_mb(pid)))
                print(f"    {index:5} changes: {figures[-1][1]:6.1f} MB", flush=True)
                started += time.perf_counter() - pause
    finally:
        drain.stopped.set()
        terminal.send(b"q")
        terminal.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=20.0, help="changes per second by the other account")
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--ledger", choices=("both", "72", "large"), default="both")
    args = parser.parse_args()
    with seeded_folder("taizhang-memory-") as (root, small, taizhang):
        ledgers = []
        if args.ledger in ("both", "72"):
            ledgers.append(("72 tasks", small))
        if args.ledger in ("both", "large"):
            ledgers.append((f"{args.tasks} tasks x {args.notes} notes", seed_synthetic(root, args.tasks, args.notes)))
        for label, db in ledgers:
            print(f"resident memory of an idle session, {label}, {args.changes} changes by others at {args.rate:g}/s:")
            figures = dict(changes_by_others(taizhang, db, args.changes, args.rate, args.seed))
            first = figures.get(STEP, figures[0])
            last_count = max(figures)
            print(
                f"  {label}: start {figures[0]:.1f} MB, after {min(STEP, last_count)} {first:.1f} MB, "
                f"after {last_count} {figures[last_count]:.1f} MB: {figures[last_count] - first:+.1f} MB "
                f"from {min(STEP, last_count)} to {last_count} (target <= +10 MB)",
                flush=True,
            )


if __name__ == "__main__":
    main()
