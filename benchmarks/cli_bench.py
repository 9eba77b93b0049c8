"""Command-line and store figures: `taizhang mark` / `list --json` against `python -c "import json"`,
import time of the 72-task and a 5,000-task document, peak memory, and store write latency.

Run: `python -m benchmarks.cli_bench` (from the project root, in the project's environment).
Prints figures and ratios; no thresholds are asserted (machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.synthetic import write_synthetic_docx
from importers import read_document
from tui.core.model import Status
from tui.core.store import Store

PROJECT = Path(__file__).resolve().parent.parent
SOURCE_DOCX = PROJECT / "data" / "source" / "task-list.docx"
TAIZHANG = shutil.which("taizhang") or f"{sys.executable} -m tui.cli"


def compile_bytecode() -> None:
    """Compile the project's modules, as `pip install` does for a deployment: with
    PYTHONDONTWRITEBYTECODE set (as on the development machine) every run would otherwise
    recompile each module edited since its .pyc was written, and time that instead."""
    import compileall

    for package in ("importers", "tui", "widgets", "benchmarks"):
        compileall.compile_dir(PROJECT / package, quiet=1)


def wall(command: list[str], runs: int, *alternatives: list[str]) -> float:
    """Median wall time of a command, in seconds (taking turns with `alternatives`, if any)."""
    commands = [command, *alternatives]
    times = []
    for run in range(runs):
        start = time.perf_counter()
        subprocess.run(commands[run % len(commands)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def marks(command: list[str], db: Path, runs: int) -> float:
    """`taizhang mark` of one task, its status changing every time (so every run writes)."""
    return wall(
        [*command, "mark", "5", "in_progress", "--db", str(db)], runs, [*command, "mark", "5", "done", "--db", str(db)]
    )


def peak_rss_mb(command: list[str]) -> float:
    """Peak resident memory of a command (GNU time's %M, else the rusage of the child)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def seed(path: Path, document: Path) -> Store:
    import hashlib

    store = Store(path)
    store.seed(
        read_document(document),
        source_name=document.name,
        source_sha256=hashlib.sha256(document.read_bytes()).hexdigest(),
    )
    return store


def add_synthetic_notes(store: Store, per_task: int) -> None:
    ids = [task.id for task in store.load().tasks]
    notes = [
        (task_id, f"2025-{month:02d}-15T10:00:00+08:00", f"第{k + 1}条进展：召开协调会，推进阶段性工作。")
        for k in range(per_task)
        for month in [k % 12 + 1]
        for task_id in ids
    ]
    store.add_notes(notes)


def seed_synthetic(root: Path, tasks: int, notes: int) -> Path:
    """`root/big/db.json`: the synthetic ledger of `tasks` tasks with `notes` notes each (the README's large one)."""
    big = root / "big" / "db.json"
    add_synthetic_notes(seed(big, write_synthetic_docx(root / "synthetic.docx", tasks)), notes)
    return big


@contextmanager
def seeded_folder(prefix: str) -> Iterator[tuple[Path, Path, list[str]]]:
    """What the pty benchmarks start with: bytecode compiled, a temporary folder, the 72-task ledger seeded in it
    (`root/small/db.json`) and the `taizhang` command."""
    compile_bytecode()
    taizhang = taizhang_argv()
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        root = Path(folder)
        small = root / "small" / "db.json"
        seed(small, SOURCE_DOCX)
        yield root, small, taizhang


def taizhang_argv() -> list[str]:
    """The installed `taizhang`, else this interpreter running the command line's module."""
    installed = shutil.which("taizhang")
    return [installed] if installed else [sys.executable, "-m", "tui.cli"]


def store_write_latency(store: Store, runs: int) -> dict[str, tuple[float, float]]:
    """Latency of a status change and of a note through the store, as a running app makes them."""
    ids = [task.id for task in store.load().tasks]
    cycle = [Status.IN_PROGRESS, Status.DONE, Status.BLOCKED]
    figures: dict[str, list[float]] = {"status": [], "note": []}
    for i in range(runs):
        task_id = ids[(i * 37) % len(ids)]
        start = time.perf_counter()
        store.set_status(task_id, cycle[i % 3])
        figures["status"].append(time.perf_counter() - start)
        start = time.perf_counter()
        store.add_note(task_id, f"基准测试进展 {i}")
        figures["note"].append(time.perf_counter() - start)
    return {name: percentiles(samples) for name, samples in figures.items()}


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--notes", type=int, default=20, help="notes per task in the large ledger")
    args = parser.parse_args()
    compile_bytecode()
    command = TAIZHANG.split()
    with tempfile.TemporaryDirectory(prefix="taizhang-bench-") as folder:
        root = Path(folder)
        small = root / "small" / "db.json"
        seed(small, SOURCE_DOCX)
        baseline = wall([sys.executable, "-c", "import json"], args.runs)
        mark = marks(command, small, args.runs)
        listing = wall([*command, "list", "--json", "--db", str(small)], args.runs)
        print(f"python -c 'import json'       {baseline * 1000:7.1f} ms  (1.00x)")
        print(f"taizhang mark (72 tasks)       {mark * 1000:7.1f} ms  ({mark / baseline:.2f}x)   target <= 3x")
        print(f"taizhang list --json (72)      {listing * 1000:7.1f} ms  ({listing / baseline:.2f}x)")

        import_small = wall([*command, "import", str(SOURCE_DOCX), "--dry-run", "--db", str(root / "none.json")], 5)
        big_doc = write_synthetic_docx(root / f"synthetic-{args.tasks}.docx", args.tasks)
        big = root / "big" / "db.json"
        import_big = timed(
            lambda: subprocess.run(
                [*command, "import", str(big_doc), "--db", str(big)], check=True, stdout=subprocess.DEVNULL
            )
        )
        memory = peak_rss_mb([*command, "import", str(big_doc), "--dry-run", "--db", str(root / "none2.json")])
        print(f"import 72-task .docx           {import_small * 1000:7.1f} ms")
        print(f"import {args.tasks}-task .docx        {import_big * 1000:7.1f} ms   target <= 3000 ms")
        print(f"peak memory, {args.tasks}-task import  {memory:7.1f} MB")

        for label, store in (("72 tasks", Store(small)), (f"{args.tasks} x {args.notes} notes", Store(big))):
            if store.path == big:
                started = time.perf_counter()
                add_synthetic_notes(store, args.notes)
                print(f"(wrote {args.tasks * args.notes} synthetic notes in {time.perf_counter() - started:.1f} s)")
                cold = timed(lambda: Store(big).load())
                print(f"load, cold ({label})  {cold * 1000:7.1f} ms")
            for name, (p50, p95) in store_write_latency(store, args.runs * 4).items():
                print(f"store {name:6} ({label:>16})  p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms")
        mark_big = marks(command, big, args.runs)
        print(
            f"taizhang mark ({args.tasks} x {args.notes})     {mark_big * 1000:7.1f} ms  ({mark_big / baseline:.2f}x)"
        )


if __name__ == "__main__":
    main()
