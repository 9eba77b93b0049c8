"""File-name completion for path inputs: folders, and files with the wanted extensions."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from pathlib import Path

from textual.suggester import Suggester

from tui.core.model import without_controls

__all__ = ["PathSuggester", "complete_path"]


def complete_path(value: str, suffixes: Iterable[str]) -> str | None:
    """`value` completed to the first folder (with a trailing `/`) or wanted file it starts.

    The typed part is kept as typed (`~`, relative paths); hidden entries appear only once a `.` is typed.
    A name holding control characters is never offered: anyone who can write the folder can choose it.
    """
    if not value:
        return None
    wanted = tuple(suffix.lower() for suffix in suffixes)
    folder_text, _, stem = value.rpartition("/")
    folder = Path(os.path.expanduser(folder_text + "/" if folder_text or value.startswith("/") else "."))
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return None
    for entry in entries:
        name = entry.name
        if not name.startswith(stem) or name == stem or (name.startswith(".") and not stem.startswith(".")):
            continue
        if without_controls(name) != name:
            continue
        try:
            is_folder = entry.is_dir()
        except OSError:
            continue
        if is_folder:
            return value + name[len(stem) :] + "/"
        if name.lower().endswith(wanted):
            return value + name[len(stem) :]
    return None


class PathSuggester(Suggester):
    """Suggests the rest of a path from the filesystem (Right arrow or Tab accepts it)."""

    def __init__(self, suffixes: Iterable[str]) -> None:
        # No cache: files appear and disappear while the dialog is open. Case-sensitive: a casefolded
        # value would not name the same file.
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = tuple(suffixes)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_path, value, self.suffixes)
