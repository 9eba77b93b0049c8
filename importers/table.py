"""Turn the cells of the ledger table (from any format) into task records.

Both the .docx and the .txt readers reduce their document to a title and a list of tables,
each a list of rows of cell texts; everything about *meaning* lives here so both formats
give identical records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from importers.records import DocumentError, LedgerDocument, TaskRecord

__all__ = [
    "REQUIRED_COLUMNS",
    "Continued",
    "accepted_headers",
    "build_ledger",
    "clean_text",
    "clean_title",
    "is_header_row",
    "split_units",
]



@dataclass(frozen=True)
class Continued:
    """A cell that continues the vertically merged cell above it (Word's w:vMerge); `text` is that cell's text."""

    text: str


Cell = str | Continued
Row = Sequence[Cell]

# Header text -> field. Several spellings are accepted for each column: the source's name first, then
# the names other 任务分解表 use for it.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "no": ("序号",),
    "section": ("工作任务", "重点任务", "主要任务"),
    "subsection": ("具体项目", "具体工作"),
    "content": ("主要内容", "任务内容", "具体措施", "工作措施"),
    "units": ("责任单位", "牵头单位"),
    "deadline": ("完成时限", "完成时间", "时间节点", "时限要求"),
}
# Columns of cooperating units beside 牵头单位: their units follow the lead's, in column order.
PARTNER_COLUMN_NAMES = ("配合单位", "协办单位", "参与单位")
REQUIRED_COLUMNS = tuple(names[0] for names in COLUMN_NAMES.values())
_PARTNER = "partner"  # column-map keys `partner1`, `partner2`, ... for the cooperating units' columns
# Columns whose merged cell speaks for every row it spans: a unit cell merged down three tasks gives all three
# its units. In the others (序号, 主要内容) a continuation reads as empty: rows under one merged 序号 are the
# parts of one task, joined as a row split across pages is.
_SPANNING = ("section", "subsection", "units", "deadline")


def accepted_headers() -> str:
    """Every header name accepted, for the message when a table has none that fits."""
    parts = []
    for field_name, (name, *others) in COLUMN_NAMES.items():
        if field_name == "units":
            parts.append(f"{name}（或 {'、'.join(others)}，可另有 {'、'.join(PARTNER_COLUMN_NAMES)}）")
        else:
            parts.append(f"{name}（或 {'、'.join(others)}）" if others else name)
    return "；".join(parts)

_ARTEFACT = re.compile(r"\[bookmark:[^\]]*\]")
_ATTACHMENT_LABEL = re.compile(r"^附件\s*\d*\s*[:：]?$")
_SPACES = re.compile(r"\s+")
# A line of the unit cell is a note, not a unit, when it reads like a sentence.
_SENTENCE_PUNCTUATION = re.compile(r"[，。；：！？,.;:]")
_UNIT_SEPARATORS = re.compile(r"[、，,；;\s]+")
_MAX_UNIT_LENGTH = 16


def clean_text(text: str) -> str:
    """Drop export artefacts and surrounding blank space, keep the wording as written."""
    text = _ARTEFACT.sub("", text).replace("\r", "").replace("\u3000", " ")
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def clean_title(paragraphs: Sequence[str]) -> str:
    """The document's title: the paragraphs before the table, less the 附件 label."""
    parts = []
    for paragraph in paragraphs:
        text = _SPACES.sub("", clean_text(paragraph))
        if text and not _ATTACHMENT_LABEL.match(text):
            parts.append(text)
    return "".join(parts)


def split_units(cell: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split a 责任单位 cell into (units, remarks); a sentence-like line is a remark."""
    units: list[str] = []
    remarks: list[str] = []
    for line in clean_text(cell).split("\n"):
        if not line:
            continue
        if (_SENTENCE_PUNCTUATION.search(line) and len(line) > _MAX_UNIT_LENGTH) or line.endswith("。"):
            remarks.append(line)
            continue
        for name in _UNIT_SEPARATORS.split(line):
            if name and name not in units:
                units.append(name)
    return tuple(units), tuple(remarks)


def _normalise_header(cell: Cell) -> str:
    return _SPACES.sub("", cell) if isinstance(cell, str) else ""


def _column_map(row: Row) -> dict[str, int] | None:
    """Map fields to column positions if `row` is a header row, else None."""
    headers = [_normalise_header(cell) for cell in row]
    found: dict[str, int] = {}
    for field_name, names in COLUMN_NAMES.items():
        for index, header in enumerate(headers):
            if header in names:
                found[field_name] = index
                break
    partners = (index for index, header in enumerate(headers) if header in PARTNER_COLUMN_NAMES)
    found.update({f"{_PARTNER}{number}": index for number, index in enumerate(partners, start=1)})
    # A row naming at least 序号 and 主要内容 is a header row, even if other columns are missing.
    if "no" in found and "content" in found:
        return found
    return None


def is_header_row(row: Row) -> bool:
    """Whether `row` is the ledger table's header: it names 序号 and 主要内容 (in any accepted spelling)."""
    return _column_map(row) is not None


def _units_cell(cells: Sequence[str], columns: dict[str, int]) -> str:
    """The units of a row: 责任单位, or 牵头单位 followed by the cooperating units' columns."""
    partners = [index for key, index in columns.items() if key.startswith(_PARTNER)]
    return "\n".join(cells[index] for index in (columns["units"], *partners))


def _cell_texts(row: Row, columns: dict[str, int]) -> list[str]:
    """The row's cells by column position, cleaned; a merged cell's continuation as described at _SPANNING."""
    spanning = {index for key, index in columns.items() if key in _SPANNING or key.startswith(_PARTNER)}
    texts = []
    for index in range(max(columns.values()) + 1):
        cell = row[index] if index < len(row) else ""
        if isinstance(cell, Continued):
            cell = cell.text if index in spanning else ""
        texts.append(clean_text(cell))
    return texts


def _missing_columns(columns: dict[str, int]) -> list[str]:
    return [names[0] for field_name, names in COLUMN_NAMES.items() if field_name not in columns]


def _parse_number(text: str) -> int | None:
    text = _SPACES.sub("", text).rstrip(".．、")
    return int(text) if text.isdigit() else None


def build_ledger(title: str, tables: Sequence[Sequence[Row]], *, source: str) -> LedgerDocument:
    """Read task records from the tables of a document.

    `tables` are in document order; a table without a header row that directly follows a
    ledger table with the same number of columns continues it (a table split across pages).
    Raises DocumentError with a message naming `source` when no ledger table is found.
    """
    columns: dict[str, int] | None = None
    width = 0
    saw_table = False
    incomplete_header: list[str] = []
    records: list[TaskRecord] = []
    section = subsection = ""
    extra: list[str] = []

    for table in tables:
        if not table:
            continue
        saw_table = True
        header_index = None
        for index, row in enumerate(table[:3]):
            candidate = _column_map(row)
            if candidate is not None:
                header_index, table_columns = index, candidate
                break
        if header_index is not None:
            missing = _missing_columns(table_columns)
            if missing:
                incomplete_header = missing
                columns = None
                continue
            columns = table_columns
            width = len(table[header_index])
            extra = [
                _normalise_header(cell)
                for i, cell in enumerate(table[header_index])
                if i not in columns.values() and _normalise_header(cell)
            ]
            body = table[header_index + 1 :]
        elif columns is not None and len(table[0]) == width:
            body = table
        else:
            columns = None
            continue

        for row in body:
            if _column_map(row) is not None:
                continue  # a header row repeated inside the table
            cells = _cell_texts(row, columns)
            no_text, content = cells[columns["no"]], cells[columns["content"]]
            if not no_text and not content:
                continue
            new_section, new_subsection = cells[columns["section"]], cells[columns["subsection"]]
            if new_section and new_section != section:
                section = new_section
                subsection = ""
            if new_subsection:
                subsection = new_subsection
            units, remarks = split_units(_units_cell(cells, columns))
            number = _parse_number(no_text)
            if number is None:
                if no_text or not records:
                    continue  # not a task row (a total, a note under the table)
                # A row split across pages: the rest of the previous task's cells.
                previous = records[-1]
                records[-1] = TaskRecord(
                    no=previous.no,
                    section=previous.section,
                    subsection=previous.subsection,
                    content="\n".join(filter(None, [previous.content, content])),
                    units=previous.units + tuple(u for u in units if u not in previous.units),
                    deadline=previous.deadline or cells[columns["deadline"]],
                    remarks=previous.remarks + tuple(r for r in remarks if r not in previous.remarks),
                )
                continue
            records.append(
                TaskRecord(
                    no=number,
                    section=section,
                    subsection=subsection,
                    content=content,
                    units=units,
                    deadline=_SPACES.sub("", cells[columns["deadline"]]),
                    remarks=remarks,
                )
            )

    if not records:
        if incomplete_header:
            raise DocumentError(
                f"{source} 的表格缺少列：{'、'.join(incomplete_header)}。表头可用的列名：{accepted_headers()}。"
            )
        if saw_table:
            raise DocumentError(f"{source} 中没有找到任务表格。表头可用的列名：{accepted_headers()}。请检查文件内容。")
        raise DocumentError(f"{source} 中没有表格。请导入《任务清单及工作台账分解表》。")
    numbers = [record.no for record in records]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        raise DocumentError(f"{source} 中序号重复：{'、'.join(map(str, duplicates))}。请修正表格后再导入。")
    return LedgerDocument(title=title, tasks=tuple(records), extra_columns=tuple(extra))
