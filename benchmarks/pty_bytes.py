"""Bytes per keypress: what taizhang writes to its terminal for each key, beside a bare Textual app of its shape.

Links to the townships are slow: every byte a key costs is time on the wire. Both apps run in a real
pseudo-terminal at 120x40 with TERM=xterm-256color and no COLORTERM (sshd forwards TERM only), counted as
issue 16 counted them: the first frame is everything written until the footer shows plus 1.5 s; each key's
bytes are everything written after it until the terminal has been quiet for 0.2 s (medians).

- taizhang on the 72-task ledger: the cursor moved down the tree from the top, a status key (Space on task 5,
  each press a change), a note saved (Enter in the note dialog; also the whole note: `n`, text, Enter).
- the bare yardstick (benchmarks/bare_app.py, imports nothing of the project): the same moves, `2` for a
  status (its detail's status line changes) and `n` for a note (a line is added to its detail).

Also the time to the first frame of each (medians of `--runs`, run in turns), as a ratio: issue 16's target is
1.1x the bare app.

Run: `python -m benchmarks.pty_bytes [--presses 20] [--runs 9] [--transcripts DIR]` from the project root, in the
project's environment. `--transcripts` keeps what each app wrote (the first frame and one key of each kind,
the median one) for `python -m benchmarks.transcript FILE`. Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.cli_bench import PROJECT, SOURCE_DOCX, compile_bytecode, seed
from benchmarks.pty_bench import Terminal, first_frames

# sshd forwards TERM but not COLORTERM: a login over SSH draws in 256 colours.
BYTES_ENV = {name: value for name, value in os.environ.items() if name != "COLORTERM"} | {
    "TERM": "xterm-256color",
    "LANG": "C.UTF-8",
}
DOWN = b"\x1b[B"
# vit (urwid over taskwarrior) on 72 tasks in the same terminal, as issue 16 measured it: a reference for
# what a terminal app of this shape can cost, not measured here.
VIT_FIRST_FRAME_KB, VIT_DOWN_KB = 7.9, 0.42
# Issue 16's targets, as ratios to the bare app.
FIRST_FRAME_TARGET, PER_KEY_TARGET, FIRST_FRAME_TIME_TARGET = 1.3, 2.0, 1.1
TITLE = "洛江区落实"  # how the ledger's title starts; the bare app is given it, so both draw the same marker
AUTOREPEAT_PER_SECOND = 30  # a held key, as terminals repeat it


@dataclass
class KeyBytes:
    """What one app wrote: its first frame and, per kind of key, each press's bytes (and the transcripts)."""

    first_frame: bytes = b""
    presses: dict[str, list[bytes]] = field(default_factory=dict)

    def add(self, kind: str, written: bytes) -> None:
        self.presses.setdefault(kind, []).append(written)

    def median(self, kind: str) -> float:
        return statistics.median(len(written) for written in self.presses[kind])

    def median_transcript(self, kind: str) -> bytes:
        ordered = sorted(self.presses[kind], key=len)
        return ordered[len(ordered) // 2]


def _start(command: list[str]) -> tuple[Terminal, bytes]:
    terminal = Terminal(command, env=BYTES_ENV)
    terminal.wait_for("退出".encode())
    terminal.settle(quiet=1.5, limit=10.0)
    return terminal, bytes(terminal.output)


def _press(terminal: Terminal, figures: KeyBytes, kind: str, key: bytes, times: int) -> None:
    """Press `key` `times` times, each time counting what is written until the terminal is quiet."""
    for _ in range(times):
        terminal.send(key)
        figures.add(kind, terminal.settle())


def measure_taizhang(command: list[str], presses: int, notes: int) -> KeyBytes:
    terminal, first = _start(command)
    figures = KeyBytes(first_frame=first)
    try:
        _press(terminal, figures, "down", DOWN, presses)
        terminal.send(b":")
        terminal.settle()
        mark = len(terminal.output)
        terminal.send(b"5\r")
        terminal.wait_for("› 5".encode(), since=mark)
        terminal.settle()
        _press(terminal, figures, "status", b" ", presses)  # Space cycles the status: every press is a change
        for number in range(notes):
            mark = len(terminal.output)
            terminal.send(b"n")
            terminal.wait_for("写进展情况".encode(), since=mark)
            terminal.settle()
            terminal.send(f"基准测试进展 {number}".encode())
            terminal.settle()
            terminal.send(b"\r")
            saved = terminal.settle()
            figures.add("note", saved)
            figures.add("note, whole", bytes(terminal.output[mark:]))  # n, the text and Enter
    finally:
        terminal.send(b"q")
        terminal.close()
    return figures


def measure_bare(command: list[str], presses: int, notes: int) -> KeyBytes:
    terminal, first = _start(command)
    figures = KeyBytes(first_frame=first)
    try:
        _press(terminal, figures, "down", DOWN, presses)
        _press(terminal, figures, "status", b"2", presses)
        _press(terminal, figures, "note", b"n", notes)
    finally:
        terminal.send(b"q")
        terminal.close()
    return figures


def _kb(count: float) -> str:
    return f"{count / 1000:6.1f} KB"


def report(ours: KeyBytes, bare: KeyBytes, presses: int, notes: int, times: tuple[float, float], runs: int) -> None:
    mine, theirs = times
    verdict = "met" if mine / theirs <= FIRST_FRAME_TIME_TARGET else "not met"
    print(f"Time to the first frame, 72 tasks (medians of {runs}, run in turns)")
    print(f"{'first frame time':40} {mine * 1000:7.0f} ms {theirs * 1000:7.0f} ms {mine / theirs:6.2f}x  "
          f"<= {FIRST_FRAME_TIME_TARGET:.1f}x {verdict}")  # fmt: skip
    print("Bytes written to the terminal, 120x40, TERM=xterm-256color (KB = 1,000 bytes; medians)")
    print(f"{'':40} {'taizhang':>10} {'bare app':>10} {'ratio':>7}  target")
    rows = [
        ("first frame", len(ours.first_frame), len(bare.first_frame), FIRST_FRAME_TARGET),
        (f"one Down in the tree (of {presses})", ours.median("down"), bare.median("down"), PER_KEY_TARGET),
        (f"status key (of {presses}; bare: its `2`)", ours.median("status"), bare.median("status"), PER_KEY_TARGET),
        (f"note saved, Enter (of {notes}; bare: `n`)", ours.median("note"), bare.median("note"), PER_KEY_TARGET),
    ]
    for label, mine, theirs, target in rows:
        ratio = mine / theirs
        verdict = "met" if ratio <= target else "not met"
        print(f"{label:40} {_kb(mine):>10} {_kb(theirs):>10} {ratio:6.2f}x  <= {target:.1f}x {verdict}")
    print(f"{'whole note (n, its text, Enter)':40} {_kb(ours.median('note, whole')):>10}")
    print(f"vit (urwid), 72 tasks, from issue 16 (not measured here): first frame {VIT_FIRST_FRAME_KB} KB, Down {VIT_DOWN_KB} KB")
    link = 1_000_000 / 8  # bytes per second at 1 Mbit/s
    for name, figures in (("taizhang", ours), ("bare app", bare)):
        down, status = figures.median("down"), figures.median("status")
        print(
            f"at 1 Mbit/s, {name}: a Down takes {down / link * 1000:4.0f} ms on the wire, a status key "
            f"{status / link * 1000:4.0f} ms, the first frame {len(figures.first_frame) / link:4.2f} s; "
            f"holding Down ({AUTOREPEAT_PER_SECOND}/s) needs {down * 8 * AUTOREPEAT_PER_SECOND / 1e6:4.1f} Mbit/s"
        )


def keep_transcripts(folder: Path, ours: KeyBytes, bare: KeyBytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, figures in (("taizhang", ours), ("bare", bare)):
        (folder / f"{name}-first-frame.bin").write_bytes(figures.first_frame)
        for kind in figures.presses:
            (folder / f"{name}-{kind.replace(', ', '-')}.bin").write_bytes(figures.median_transcript(kind))
    print(f"transcripts in {folder} (read them with python -m benchmarks.transcript FILE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--notes", type=int, default=5)
    parser.add_argument("--runs", type=int, default=9, help="first frames timed, of each app")
    parser.add_argument("--transcripts", type=Path, help="keep what was written, per key, in this folder")
    args = parser.parse_args()
    compile_bytecode()
    taizhang = [shutil.which("taizhang") or sys.executable, *([] if shutil.which("taizhang") else ["-m", "tui.cli"])]
    bare = [sys.executable, str(PROJECT / "benchmarks" / "bare_app.py"), "72", TITLE]
    with tempfile.TemporaryDirectory(prefix="taizhang-bytes-") as folder:
        db = Path(folder) / "db.json"
        seed(db, SOURCE_DOCX)
        times = first_frames([*taizhang, "--db", str(db)], bare, (TITLE.encode(), "退出".encode()), args.runs)
        ours = measure_taizhang([*taizhang, "--db", str(db)], args.presses, args.notes)
    theirs = measure_bare(bare, args.presses, args.notes)
    report(ours, theirs, args.presses, args.notes, times, args.runs)
    if args.transcripts:
        keep_transcripts(args.transcripts, ours, theirs)


if __name__ == "__main__":
    main()
