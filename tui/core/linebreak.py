"""Chinese line breaking: wrap text to a width in terminal cells the way Chinese is typeset.

No line starts with closing punctuation (，。、；：？！）」》】… and their ASCII kin), no line ends with
opening punctuation (（「《【“), and a number or a Latin word (`2025`, `10%`, `3.5`, `6月`, `N月`, `WPS`)
is never split unless it is longer than a line. Rich and Textual break Chinese between any two
characters, which put `，` at the head of a line and split `2025` as `到2` / `025年底`.

- `break_lines(text, width)`: the lines, as strings; joined they give the text back.
- `wrapped(text, width)`: a Rich `Text` (styles kept) with the breaks as newlines, for a known width.
- `LineBroken(text)`: a Rich renderable that breaks at whatever width it is drawn (a pane that resizes):
  hand it to a Textual `Static` or put it in a Rich `Group`.

No Textual here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

__all__ = ["CLOSING", "OPENING", "LineBroken", "break_lines", "break_offsets", "wrapped"]

# May not start a line: they close what comes before them.
CLOSING = frozenset("，。、；：？！．｡）」』》】〕〉〗〙｝］”’…‥・·％‰ー々〜～,.;:?!)]}%")
# May not end a line: they open what comes after them.
OPENING = frozenset("（「『《【〔〈〖〘｛［“‘([{")
# A number or a Latin word with what holds it together (`3.5`, `2025-12-31`, `10%`, `e-mail`), and a
# counter that belongs to a number (`6月`, `30日`, `3项`, `2万`). A run of printable ASCII breaks only at
# spaces, as Latin text does: a command or an address (`--format`, `tester@10.1.2.3`) is never split.
_WORD = re.compile(
    r"(?:[!-~]+|[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]+(?:[.．,:/\-_'+·][0-9A-Za-z０-９Ａ-Ｚａ-ｚ]+)*[%％‰]?)"
    r"(?:(?<=[0-9０-９])[年月日号时分秒项条个户人名家所处次岁天周倍元万亿])?"
)
_SPACES = re.compile(r"[ \t\u3000]+")


def _atoms(paragraph: str) -> Iterator[str]:
    """The paragraph in pieces no break may fall inside: a word or number, a run of spaces, a character."""
    position = 0
    while position < len(paragraph):
        match = _WORD.match(paragraph, position) or _SPACES.match(paragraph, position)
        end = match.end() if match else position + 1
        yield paragraph[position:end]
        position = end


def _groups(paragraph: str) -> list[str]:
    """Atoms joined where no break is allowed: closing punctuation and spaces to what precedes them, opening
    punctuation to what follows it, and a run of one dash or ellipsis (`——`, `……`) kept whole."""
    groups: list[str] = []
    for atom in _atoms(paragraph):
        if groups and (
            atom[0] in CLOSING
            or atom.isspace()
            or groups[-1][-1] in OPENING
            or (atom in "—…" and groups[-1][-1] == atom)
        ):
            groups[-1] += atom
        else:
            groups.append(atom)
    return groups


def _fits(line: str, width: int) -> bool:
    return cell_len(line.rstrip(" \t\u3000")) <= width  # spaces at a break hang past the edge


def _hard_split(group: str, width: int) -> list[str]:
    """A piece longer than a line, cut by characters: the only break that ignores the rules."""
    pieces, current = [], ""
    for char in group:
        if current and not _fits(current + char, width):
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def _paragraph_lines(paragraph: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for group in _groups(paragraph):
        if _fits(current + group, width):
            current += group
            continue
        if current:
            lines.append(current)
            current = ""
        if _fits(group, width):
            current = group
        else:
            *whole, current = _hard_split(group, width)
            lines.extend(whole)
    lines.append(current)
    return lines


def break_lines(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken by the rules above; its newlines are kept as breaks
    (an empty paragraph is an empty line). `"".join` of each paragraph's lines gives the paragraph back;
    spaces where a line breaks stay at the end of that line."""
    width = max(width, 2)  # a CJK character needs two cells
    return [line for paragraph in text.split("\n") for line in _paragraph_lines(paragraph, width)]


def break_offsets(text: str, width: int) -> list[int]:
    """Where `break_lines` adds breaks, as offsets into `text` (the text's own newlines not included)."""
    offsets: list[int] = []
    start = 0
    for paragraph in text.split("\n"):
        position = start
        for line in _paragraph_lines(paragraph, max(width, 2))[:-1]:
            position += len(line)
            offsets.append(position)
        start += len(paragraph) + 1
    return offsets


def wrapped(text: Text, width: int) -> Text:
    """`text` (its styles kept) broken into lines of at most `width` cells by the rules above, the breaks
    written as newlines and Rich's own wrapping off: for a width known in advance (a dialog)."""
    result = text.blank_copy()
    for number, piece in enumerate(text.divide(break_offsets(text.plain, width))):
        if number:
            result.append("\n")
        piece.style = ""  # the base style is the result's own
        result.append_text(piece)
    result.no_wrap = True
    result.overflow = "crop"
    return result


class LineBroken:
    """A Rich renderable: `text` broken by the rules above at the width it is drawn in (and again when that
    width changes). Its styles and justification are kept; its own `no_wrap` and `overflow` are not used."""

    def __init__(self, text: Text | str) -> None:
        self.text = text if isinstance(text, Text) else Text(text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield wrapped(self.text, options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = self.text.plain
        longest_group = max((cell_len(g) for p in plain.split("\n") for g in _groups(p)), default=0)
        longest_line = max((cell_len(p) for p in plain.split("\n")), default=0)
        return Measurement(min(longest_group, options.max_width), min(longest_line, options.max_width))
