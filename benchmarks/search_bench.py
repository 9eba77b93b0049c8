"""The first search: how long `/` `w` takes to show its result, at 72 tasks and at 5,000 tasks x 20 notes.

Two views of it:
- the app in a real pseudo-terminal (120x40): `/` half a second after the first frame, then `w`; the time from
  `w` until the header shows the search (`查找:w`) over the filtered tree, then the same for `j` and `j` (`wjj`);
- the search index alone (`tui.core.search.SearchIndex`), in this process: the first query on an index that has
  built nothing (`update` + `matches_now`, what a key costs while the worker builds), the build itself (what
  the worker does after the first frame), a later query; and `taizhang list --search` from the command line.

Run: `python -m benchmarks.search_bench [--tasks 5000] [--notes 20] [--runs 3]` from the project root, in the
project's environment. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.cli_bench import seed_synthetic, seeded_folder, wall
from benchmarks.pty_bench import Terminal
from tui.core.search import SearchIndex
from tui.core.store import Store


def first_search_in_the_app(taizhang: list[str], db: Path, title: str) -> list[float]:
    """Seconds from each of `w`, `j`, `j` (typed after `/`, half a second after the first frame) until the
    header shows the search it filtered by (`查找:wj`), drawn with the tree it filtered."""
    terminal = Terminal([*taizhang, "--db", str(db)])
    try:
        terminal.wait_for(title.encode(), "退出".encode())
        time.sleep(0.5)
        terminal.drain()
        mark = len(terminal.output)
        terminal.send(b"/")
        terminal.wait_for("拼音首字母".encode(), since=mark)
        times = []
        for typed in ("w", "wj", "wjj"):
            terminal.drain()
            mark = len(terminal.output)
            started = time.perf_counter()
            terminal.send(typed[-1].encode())
            terminal.wait_for(f"查找:{typed}".encode(), since=mark, timeout=120)
            times.append(time.perf_counter() - started)
        return times
    finally:
        terminal.send(b"\x1b")
        terminal.close()


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def index_figures(db: Path) -> dict[str, float]:
    """Seconds for the index's steps over the ledger at `db` (fresh processes would pay the table load too:
    the first query includes reading pypinyin's character table, as in a session's first search)."""
    ledger = Store(db).load()
    index = SearchIndex()
    first = timed(lambda: (index.update(ledger.tasks), index.matches_now("w")))
    complete = index.matches_now("w").complete
    build = timed(index.build)
    later = timed(lambda: (index.update(ledger.tasks), index.matches_now("wjj")))
    return {"first query, nothing built": first, "build (the worker)": build, "later query": later, "complete": complete}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with seeded_folder("taizhang-search-") as (root, small, taizhang):
        big = seed_synthetic(root, args.tasks, args.notes)
        for label, db, title in (
            ("72 tasks", small, "洛江区落实"),
            (f"{args.tasks} tasks x {args.notes} notes", big, "合成台账"),
        ):
            figures = index_figures(db)
            print(f"search index ({label}): " + ", ".join(
                f"{name} {value * 1000:.0f} ms" for name, value in figures.items() if name != "complete"
            ) + ("" if figures["complete"] else " (the first answer read initials the quick way until built)"))  # fmt: skip
            for query in ("wjj", "卫健局"):
                seconds = wall([*taizhang, "list", "--search", query, "--db", str(db)], args.runs)
                print(f"taizhang list --search {query} ({label}): {seconds * 1000:.0f} ms")
            runs = [first_search_in_the_app(taizhang, db, title) for _ in range(args.runs)]
            w, j1, j2 = (statistics.median(run[k] for run in runs) for k in range(3))
            print(
                f"app ({label}), / then w half a second after the first frame, until shown (median of {args.runs}): "
                f"w {w * 1000:.0f} ms, then j {j1 * 1000:.0f} ms, j {j2 * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
