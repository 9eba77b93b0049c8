"""What the command line prints: one line of Chinese per mistake, JSON, padded columns, never a control character."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from tui.core.model import without_controls, without_controls_in

__all__ = ["CliError", "pad", "print_json", "printing", "printing_without_controls", "unwrapped"]


class CliError(Exception):
    """A user mistake on the command line; one line of Chinese, exit status 2."""


class _WithoutControls:
    """A text stream that passes on what is printed without control characters (`without_controls`)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(without_controls(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, buffer (bytes pass as they are), ...
        return getattr(self._stream, name)


def unwrapped(stream: Any) -> Any:
    return stream._stream if isinstance(stream, _WithoutControls) else stream


@contextmanager
def printing(streams: tuple[Any, Any]) -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = streams
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def printing_without_controls() -> Any:
    """Everything the CLI prints (tasks, notes, names, file names, errors) reaches the terminal without
    control characters, whoever wrote the text: an ESC in a note must not retitle or clear the reader's
    terminal. Stored text is written without them already; this covers older stores, documents, paths."""
    return printing((_WithoutControls(sys.stdout), _WithoutControls(sys.stderr)))


def print_json(data: Any) -> None:
    # Cleaned values, not just escaped ones: a script printing a note it read here gets no ESC either.
    sys.stdout.write(json.dumps(without_controls_in(data), ensure_ascii=False, indent=2) + "\n")


def pad(text: str, width: int) -> str:
    """`text` followed by spaces to fill `width` terminal cells."""
    from tui.core.display import cell_width  # rich's measure: only commands that print columns load it

    return text + " " * max(0, width - cell_width(text))
