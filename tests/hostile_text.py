"""The hostile strings of issue 12, what each must look like once shown, and checks on what reached a terminal.

Each string is written between two CJK characters: `\\r` or a bidi override alone would be an empty note,
refused before it could show anything. What is forbidden is spelled out here independently of the
program's own rule (tui.core.model.without_controls), so that these checks can fail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tui.core.store import Store

# (written, shown): markup stays literally as written; control characters are gone; a zero-width
# joiner may stay; newlines and tabs inside a note stay.
CORPUS: tuple[tuple[str, str], ...] = (
    ("测试 [/] 结束", "测试 [/] 结束"),
    ("[@click=app.quit]点此", "[@click=app.quit]点此"),
    ("[@click=screen.cycle_status]点此", "[@click=screen.cycle_status]点此"),
    ("[link=file:///etc/passwd]x", "[link=file:///etc/passwd]x"),
    ("[bold]x[/bold]", "[bold]x[/bold]"),
    ("[bold red]x[/]", "[bold red]x[/]"),
    ("[x] 完成", "[x] 完成"),
    ("甲\x1b]0;pwned\x07乙", "甲]0;pwned乙"),
    ("甲\x1b[2J乙", "甲[2J乙"),
    ("甲\r乙", "甲乙"),
    ("甲\x00乙", "甲乙"),
    ("甲\u202e乙", "甲乙"),
    ("甲\u2066乙\u2069丙", "甲乙丙"),
    ("甲\x7f\x9b\x85乙", "甲乙"),
    ("家\u200d人", "家\u200d人"),
    ("第一行\n\t第二行", "第一行\n\t第二行"),
)

# 2,001 characters: one more than a note may hold.
TOO_LONG = "长" * 2001
LONGEST = "长" * 2000

# Everything a terminal could act on: C0 controls but newline and tab, DEL, C1, bidi overrides/isolates.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The bytes the acceptance names: ESC, BEL, CR, NUL.
FORBIDDEN_BYTES = (b"\x1b", b"\x07", b"\r", b"\x00")


def controls_in(text: str) -> list[str]:
    """The forbidden characters in `text`, as escapes (empty when it is clean)."""
    return [repr(char) for char in _FORBIDDEN.findall(text)]


def kept_by_a_text_area(written: str) -> str:
    """What a note typed or pasted into a text area is once stored: the text area breaks lines where
    str.splitlines does (CR, NEL, FS...), and the store drops the other control characters."""
    return _FORBIDDEN.sub("", "\n".join(written.splitlines()))


def assert_no_controls(text: str, where: str) -> None:
    found = controls_in(text)
    assert not found, f"{where} holds control characters {found}"


def assert_no_forbidden_bytes(data: bytes, where: str) -> None:
    for byte in FORBIDDEN_BYTES:
        assert byte not in data, f"{where} holds {byte!r}"


# ---------------------------------------------------------------------- documents and stores holding it

HEADER_ROW = ("序号", "工作任务", "具体项目", "主要内容", "责任单位", "完成时限")


def hostile_rows(*, c0: bool) -> list[list[str]]:
    """A small task table whose every text column carries hostile text.

    `c0`: with C0 controls (ESC, BEL...), which a .txt can hold but XML, so a .docx, cannot.
    """
    esc = "\x1b]0;pwned\x07\x1b[2J" if c0 else ""
    return [
        list(HEADER_ROW),
        ["1", f"一、[/]工作任务{esc}", "（一）[@click=app.quit]项目", f"1.[bold]强化[/bold]内容{esc}\u202e倒\u2066置\u2069", "区[x]局", f"2026年{esc}"],
        ["2", "", "", "2.[link=file:///etc/passwd]x 完善\x7f\x9b服务", "区民政局\u202e", "持续实施"],
        ["3", "二、第二项[/bold]", "（一）[bold red]x[/]", f"3.家\u200d人[x] 完成{esc}", "区卫健局", "2025年"],
    ]


def write_txt(path: Path, rows: list[list[str]], title: str = "洛江区[/]测试任务清单\x1b]0;pwned\x07") -> Path:
    """The plain-text export's layout: each cell on a line after a TAB, a blank line after each row."""
    lines = [title, ""]
    for row in rows:
        lines += [f"\t{cell}" for cell in row]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def plant_raw_note(db_path: Path, no: int, text: str, *, by: str = "tester") -> None:
    """Put a note into the journal exactly as given, as a store written before issue 12 (or edited by hand)
    may hold it: the store writes no control characters itself any more."""
    store = Store(db_path, user=by)
    task = store.task_by_no(no)
    assert task is not None
    event = store.add_note(task.id, "placeholder")
    shard_name, _, key = event.id.partition("#")
    shard = db_path.with_name(db_path.stem + ".journal") / f"{shard_name}.json"
    data = json.loads(shard.read_text(encoding="utf-8"))
    data["events"][key].update(text=text, by=by)
    shard.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def plant_raw_task_text(db_path: Path, no: int, *, title: str | None = None, **fields: object) -> None:
    """Set fields of a task's record (and the ledger's title) in db.json exactly as given (see plant_raw_note)."""
    data = json.loads(db_path.read_text(encoding="utf-8"))
    record = next(doc for doc in data["tasks"].values() if doc["no"] == no)
    record.update(fields)
    if title is not None:
        data["meta"]["1"]["title"] = title
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
