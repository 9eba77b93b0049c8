"""Read the ledger from an Excel workbook (.xlsx as Excel, WPS or LibreOffice save it) with openpyxl.

The table is looked for sheet by sheet: the first sheet with a header row by name (importers.table's
header matching, every accepted spelling) holds it, and the rows above its header are the title. Merged
cells read as the .docx reader reads them, the text in the first cell and the cells it covers empty, so
`build_ledger` turns a workbook laid out like the source table into the same records as the .docx.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from importers.docx_reader import archive_names
from importers.records import DocumentError, LedgerDocument
from importers.table import build_ledger, clean_text, clean_title, is_header_row

__all__ = ["MAX_UNPACKED_BYTES", "read_xlsx"]

# A workbook of the real task list unpacks to about 100 KB; a 5,000-task ledger to a few MB.
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
# How far down a sheet its header row may sit (title rows, a 附件 label, blank rows above it).
HEADER_SEARCH_ROWS = 30
# The line a report puts under its title (`截至 2026年11月28日　报告期：…`, tui.export): not part of the title.
_REPORT_SUBTITLE = "截至"

Row = list[str]


def _refuse_declarations(path: Path, name: str) -> None:
    """No part of a workbook needs a DTD: refuse one that declares entities (billion laughs) before parsing."""
    try:
        with zipfile.ZipFile(path) as archive:
            for entry in archive.infolist():
                if entry.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(entry) as handle:
                        data = handle.read()
                        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                            raise DocumentError(
                                f"{name} 含有 Excel 文件不该有的 XML 声明，已拒绝导入。请确认文件来源。"
                            )
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as error:
        raise DocumentError(f"{name} 已损坏或不完整，无法打开。请重新保存或重新下载该 .xlsx 文件。") from error


def _text(value: Any) -> str:
    """A cell's value as the document's text: numbers without a trailing `.0`, dates as 年月日."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _sheet_rows(sheet: Any) -> list[Row]:
    sheet.reset_dimensions()  # a sheet's stated size can be wrong (some tools write A1): read every row there is
    return [[_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def _header_index(rows: Sequence[Row]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if is_header_row(row):
            return index
    return None


def _title(rows: Iterable[Row]) -> str:
    lines = [" ".join(filter(None, (clean_text(cell) for cell in row))) for row in rows]
    return clean_title([line for line in lines if not line.startswith(_REPORT_SUBTITLE)])


def read_xlsx(path: Path, *, name: str | None = None) -> LedgerDocument:
    """Read the ledger table from a workbook; raise DocumentError with one line of Chinese for anything unusable."""
    name = name or path.name
    names = archive_names(path, name, max_bytes=MAX_UNPACKED_BYTES, kind=".xlsx")
    if "xl/workbook.xml" not in names:
        raise DocumentError(f"{name} 不是 Excel 工作簿（缺少工作簿部件）。请导入 .docx、.xlsx 或 .txt 格式的任务清单。")
    _refuse_declarations(path, name)
    import openpyxl  # only when a workbook is actually imported

    unreadable = f"{name} 是 Excel 文件，但无法读取（可能已损坏）。请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。"
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises KeyError, ValueError, zipfile and XML errors on broken parts
        raise DocumentError(unreadable) from error
    try:
        sheets = [_sheet_rows(sheet) for sheet in workbook.worksheets if hasattr(sheet, "iter_rows")]
    except Exception as error:
        raise DocumentError(unreadable) from error
    finally:
        workbook.close()

    for rows in sheets:
        header = _header_index(rows)
        if header is not None:
            return build_ledger(_title(rows[:header]), [rows[header:]], source=name)
    # No sheet has a header by name: build_ledger says so, naming the accepted headers.
    return build_ledger("", [rows for rows in sheets if rows], source=name)
