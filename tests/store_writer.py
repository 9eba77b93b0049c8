"""A writer process for the concurrency tests: `python -m tests.store_writer DB NAME MODE COUNT START_AT`.

MODE `store` writes through `Store`, `cli` through `tui.cli.main` (a fresh Store per command, as
each `taizhang` run has). Each round writes the note `NAME-i` on a shared task and on the writer's
own task, and moves a shared task's status on. `forever` loops until killed (COUNT is ignored) and
prints `ready` once it is about to write.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tui.cli import main as cli_main
from tui.core.model import Status
from tui.core.store import Store

SHARED_NOS = (1, 2)
CYCLE = (Status.IN_PROGRESS, Status.DONE, Status.BLOCKED, Status.NOT_STARTED)


def run(db: Path, name: str, mode: str, count: int, start_at: float) -> None:
    own_no = 10 + int(name.lstrip("w"))
    store = Store(db, user=name)
    ids = {task.no: task.id for task in store.load().tasks}
    print("ready", flush=True)
    while time.time() < start_at:
        time.sleep(0.001)
    rounds = range(count) if mode != "forever" else iter(int, 1)
    for i, _ in enumerate(rounds):
        shared = SHARED_NOS[i % len(SHARED_NOS)]
        status = CYCLE[i % len(CYCLE)]
        if mode == "cli":
            for argv in (
                ["note", str(shared), f"{name}-{i}"],
                ["note", str(own_no), f"{name}-own-{i}"],
                ["mark", str(shared), status.value],
            ):
                if cli_main(["--db", str(db), *argv]) != 0:
                    raise SystemExit(f"{name}: taizhang {' '.join(argv)} failed")
        else:
            store.add_note(ids[shared], f"{name}-{i}")
            store.add_note(ids[own_no], f"{name}-own-{i}")
            store.set_status(ids[shared], status)


if __name__ == "__main__":
    db_arg, name_arg, mode_arg, count_arg, start_arg = sys.argv[1:6]
    run(Path(db_arg), name_arg, mode_arg, int(count_arg), float(start_arg))
