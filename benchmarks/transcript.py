"""Decode what an app wrote to its terminal: which screen rows and columns each write touched, and how many
of its bytes were text, colour changes (SGR) and cursor moves.

Textual writes a frame as runs: `ESC[row;colH` (move), then text interleaved with `ESC[...m` (style). This
splits a transcript at each move and counts, per run, the bytes of text, of style sequences and of the moves
themselves, so that a keypress's bytes can be laid over the screen's regions (benchmarks/BYTES.md).

`python -m benchmarks.transcript FILE [--columns 120]` prints the rows a transcript wrote (bytes, cells
written, style sequences) and the totals by kind. `benchmarks.pty_bytes --transcripts DIR` writes such files.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rich.cells import cell_len

__all__ = ["Run", "by_region", "decode", "rows_written"]

# taizhang's screen at 120x40 (header, pane titles, the tree | its scrollbar and the pane border | the detail,
# the message line once shown, the footer): where a run starts says what it rewrote.
TAIZHANG_REGIONS = (
    ("header", range(1, 3), range(1, 121)),
    ("pane titles", range(3, 4), range(1, 121)),
    ("tree", range(4, 39), range(1, 48)),
    ("tree scrollbar, pane border", range(4, 40), range(48, 50)),
    ("detail", range(4, 40), range(50, 121)),
    ("message line or last tree row", range(39, 40), range(1, 48)),
    ("footer", range(40, 41), range(1, 121)),
)

_SEQUENCE = re.compile(rb"\x1b\[([0-9;?<>=]*)([A-Za-z~])|\x1b[()][A-Za-z0-9]|\x1b[=>78]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


@dataclass
class Run:
    """What was written after one cursor move: from (row, column), 1-based as the terminal counts."""

    row: int
    column: int
    move_bytes: int = 0
    text: str = ""
    text_bytes: int = 0
    style_bytes: int = 0
    styles: int = 0
    other_bytes: int = 0  # modes, cursor visibility, synchronized output, titles
    style_codes: list[str] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return self.move_bytes + self.text_bytes + self.style_bytes + self.other_bytes

    @property
    def cells(self) -> int:
        return cell_len(self.text)


def decode(data: bytes) -> list[Run]:
    """The transcript as runs, one per cursor move (bytes before the first move form a run at row 0)."""
    runs = [Run(0, 0)]
    position = 0
    for match in _SEQUENCE.finditer(data):
        if match.start() > position:
            chunk = data[position : match.start()]
            runs[-1].text += chunk.decode("utf-8", "replace")
            runs[-1].text_bytes += len(chunk)
        length = match.end() - match.start()
        final = match.group(2)
        if final == b"H" or final == b"f":
            row, _, column = (match.group(1) or b"1;1").decode().partition(";")
            runs.append(Run(int(row or 1), int(column or 1), move_bytes=length))
        elif final == b"m":
            runs[-1].style_bytes += length
            runs[-1].styles += 1
            runs[-1].style_codes.append(match.group(1).decode())
        else:
            runs[-1].other_bytes += length
        position = match.end()
    if position < len(data):
        runs[-1].text += data[position:].decode("utf-8", "replace")
        runs[-1].text_bytes += len(data) - position
    return [run for run in runs if run.bytes]


def rows_written(runs: list[Run]) -> dict[int, list[Run]]:
    by_row: dict[int, list[Run]] = defaultdict(list)
    for run in runs:
        by_row[run.row].append(run)
    return dict(sorted(by_row.items()))


def by_region(runs: list[Run], regions: tuple[tuple[str, range, range], ...] = TAIZHANG_REGIONS) -> dict[str, int]:
    """Bytes per screen region, by where each run starts; a run of 100 cells or more from column 1 rewrote a
    whole row across every region and is counted apart."""
    totals: dict[str, int] = {"whole rows": 0}
    for run in runs:
        if run.column == 1 and run.cells >= 100 and run.row not in (1, 2, 3, 40):
            totals["whole rows"] += run.bytes
            continue
        name = next((name for name, rows, columns in regions if run.row in rows and run.column in columns), "elsewhere")
        totals[name] = totals.get(name, 0) + run.bytes
    return {name: count for name, count in totals.items() if count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    runs = decode(args.file.read_bytes())
    total = sum(run.bytes for run in runs)
    print(f"{args.file.name}: {total} bytes in {len(runs)} runs")
    print(f"{'row':>4} {'bytes':>6} {'runs':>4} {'cells':>5} {'SGR':>4}  from column: text")
    for row, row_runs in rows_written(runs).items():
        text = " | ".join(f"{run.column}: {run.text.strip()[:40]}" for run in row_runs)
        print(
            f"{row:>4} {sum(r.bytes for r in row_runs):>6} {len(row_runs):>4} {sum(r.cells for r in row_runs):>5} "
            f"{sum(r.styles for r in row_runs):>4}  {text}"
        )
    kinds = {
        "text": sum(run.text_bytes for run in runs),
        "style (SGR)": sum(run.style_bytes for run in runs),
        "cursor moves": sum(run.move_bytes for run in runs),
        "other": sum(run.other_bytes for run in runs),
    }
    print("  ".join(f"{name} {value} B ({value / max(total, 1):.0%})" for name, value in kinds.items()))
    print("by region (taizhang at 120x40): " + ", ".join(f"{name} {count} B" for name, count in by_region(runs).items()))


if __name__ == "__main__":
    main()
