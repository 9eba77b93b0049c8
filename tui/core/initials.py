"""Pinyin initials of Chinese text, for search (`wjj` finds 区卫健局): two ways to the same letters.

`initials` is pypinyin's `lazy_pinyin`, which reads each character from the words around it (给 is jǐ in
供给, 调 tiáo in 协调): about 5 µs a character, so 1.5 s for the names and contents of a 5,000-task ledger,
after 0.2 s to import its phrase dictionary. The search index builds it in a worker. Its dictionaries take
some 58 MB that a long-lived session (one per member of staff logged in, all day) would keep for good, so the
app has them worked out by a short-lived process (`initials_apart`).

`quick_initials` reads every character its most common way, through one `str.translate` table built from
pypinyin's character dictionary alone (read without importing the package): tens of milliseconds for the
same ledger, and the same letters for all but a few characters in a hundred (measured on the task list:
94 of 12,866 two- to four-letter queries missed). The index answers with it until `initials` is built.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

__all__ = ["initials", "initials_apart", "quick_initials"]


def initials(text: str) -> str:
    """The pinyin initials of `text` read word by word, lower case, other characters kept
    (`区卫健局2025年` -> `qwjj2025n`)."""
    from pypinyin import Style, lazy_pinyin  # loads its dictionaries: only when initials are first built

    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()


def initials_apart(texts: Sequence[str]) -> list[str]:
    """`initials` of each of `texts`, worked out by another Python process (`python -m tui.core.initials`), which
    takes pypinyin's dictionaries with it when it ends; `quick_initials` when that process cannot run."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui.core.initials"],
            input=json.dumps(list(texts), ensure_ascii=False),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
            check=True,
        )
        letters = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        letters = None
    if isinstance(letters, list) and len(letters) == len(texts) and all(isinstance(each, str) for each in letters):
        return letters
    return [quick_initials(text) for text in texts]


def quick_initials(text: str) -> str:
    """The pinyin initials of `text` with every character read its most common way, lower case, other
    characters kept: what `initials` gives but for characters whose reading depends on the word."""
    return text.translate(_most_common_initial()).lower()


def _character_readings() -> dict[int, str]:
    """pypinyin's character dictionary (code point -> "zhōng,zhòng", the most common reading first), read
    without importing the package, whose `__init__` loads the phrase dictionary and the word segmenter."""
    spec = importlib.util.find_spec("pypinyin")
    folders = spec.submodule_search_locations if spec is not None else None
    if folders:
        path = Path(next(iter(folders))) / "pinyin_dict.json"
        try:
            return {int(key): value for key, value in json.loads(path.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError):
            pass  # another layout of the package: ask it
    from pypinyin.pinyin_dict import pinyin_dict

    return dict(pinyin_dict)


@functools.cache
def _most_common_initial() -> dict[int, str]:
    table: dict[int, str] = {}
    for code, readings in _character_readings().items():
        letter = unicodedata.normalize("NFD", readings.split(",", 1)[0].strip())[:1]
        if letter:
            table[code] = letter
    return table


def _initials_of_standard_input() -> None:
    """`initials_apart`'s other side: a JSON list of texts in, the list of their initials out."""
    texts = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    sys.stdout.buffer.write(json.dumps([initials(text) for text in texts], ensure_ascii=False).encode("utf-8"))


if __name__ == "__main__":
    _initials_of_standard_input()
