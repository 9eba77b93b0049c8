"""App figures: time to first frame against a bare Textual app with the same widgets, and the latency
from a status key to the change being on disk (p50/p95).

Run: `python -m benchmarks.app_bench [--runs N] [--presses N]` from the project root, in the project's
environment. Headless (App.run_test); prints figures and ratios, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bare_app import BareApp
from importers import read_document
from tui.app import make_app
from tui.core.store import Store

PROJECT = Path(__file__).resolve().parent.parent
SOURCE_DOCX = PROJECT / "data" / "source" / "task-list.docx"
SIZE = (120, 40)


def seeded(folder: Path) -> Path:
    path = folder / "db.json"
    Store(path).seed(
        read_document(SOURCE_DOCX),
        source_name=SOURCE_DOCX.name,
        source_sha256=hashlib.sha256(SOURCE_DOCX.read_bytes()).hexdigest(),
    )
    return path


async def first_frame(make: callable) -> float:  # type: ignore[valid-type]
    started = time.perf_counter()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        elapsed = time.perf_counter() - started
    return elapsed


async def key_to_saved(db_path: Path, presses: int) -> list[float]:
    app = make_app(db_path)
    latencies: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        store = Store(db_path)
        for _ in range(presses):
            before = len(store.history())
            started = time.perf_counter()
            app.simulate_key("space")  # not pilot.press: it also waits for the screen to settle
            while len(store.history()) == before:
                await asyncio.sleep(0.0005)
            latencies.append(time.perf_counter() - started)
            await pilot.pause()
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--presses", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = seeded(Path(folder))
        ledger = Store(db_path).load()
        await first_frame(lambda: BareApp(len(ledger.tasks), ledger.title))  # warm imports and caches for both
        bare = [await first_frame(lambda: BareApp(len(ledger.tasks), ledger.title)) for _ in range(args.runs)]
        ours = [await first_frame(lambda: make_app(db_path)) for _ in range(args.runs)]
        bare_ms, ours_ms = statistics.median(bare) * 1000, statistics.median(ours) * 1000
        print(f"first frame, {SIZE[0]}x{SIZE[1]}, median of {args.runs}:")
        print(f"  bare Textual app (no store):    {bare_ms:7.1f} ms")
        print(f"  taizhang app:                   {ours_ms:7.1f} ms   ratio {ours_ms / bare_ms:.2f}x")
        latencies = await key_to_saved(db_path, args.presses)
        print(f"key (Space) to saved on disk, {args.presses} presses:")
        print(f"  p50 {percentile(latencies, 0.5) * 1000:6.1f} ms   p95 {percentile(latencies, 0.95) * 1000:6.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
