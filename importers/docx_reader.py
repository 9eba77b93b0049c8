"""Read the ledger from a Word .docx file (python-docx, walking the table XML directly).

`row.cells` in python-docx repeats merged cells and fails on irregular grids, so rows are
read from `w:tr/w:tc` with their `gridSpan` and `vMerge` (see PITFALLS.md).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from importers.records import DocumentError, LedgerDocument
from importers.table import Cell, Continued, build_ledger, clean_title

__all__ = ["MAX_UNPACKED_BYTES", "archive_names", "read_docx"]

# A real task list unpacks to well under a megabyte; anything past these is refused unread.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 2000
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def archive_names(path: Path, name: str, *, max_bytes: int = MAX_UNPACKED_BYTES, kind: str = ".docx") -> set[str]:
    """The part names of an Office (zip) document, refused unread when it is damaged or would unpack past
    the limits (a zip bomb): the sizes come from the zip's directory, before anything is decompressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise DocumentError(f"{name} 已损坏或不完整，无法打开。请重新保存或重新下载该 {kind} 文件。") from error
    total = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ENTRIES or total > max_bytes:
        raise DocumentError(
            f"{name} 解压后异常巨大（{len(entries)} 个部件，共 {total // (1024 * 1024)} MB），已拒绝导入。请确认文件来源。"
        )
    return names


def _check_archive(path: Path, name: str) -> None:
    names = archive_names(path, name)
    if "word/document.xml" not in names:
        if "xl/workbook.xml" in names:
            raise DocumentError(f"{name} 是 Excel 文件，不是 Word 文档。请导入 .docx 格式的任务清单。")
        raise DocumentError(f"{name} 不是 Word 文档（缺少正文部件）。请导入 .docx 格式的任务清单。")


def _cell_text(tc: Any) -> str:
    """A cell's text, one paragraph per line, including tracked insertions and fields."""
    lines = []
    for paragraph in tc.iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
            if node.tag == f"{_W}t":
                parts.append(node.text or "")
            elif node.tag == f"{_W}tab":
                parts.append(" ")
            else:
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def _table_rows(tbl: Any) -> list[list[Cell]]:
    """Rows of cell texts laid on the table's grid: a horizontally merged cell (w:gridSpan) fills its columns
    with its text first and '' after; a vertically merged one's continuation (w:vMerge) is `Continued`."""
    rows = []
    above: dict[int, str] = {}  # grid column -> the text of the last cell that started there
    for tr in tbl.iterchildren(f"{_W}tr"):
        cells: list[Cell] = []
        for tc in tr.iterchildren(f"{_W}tc"):
            column = len(cells)
            properties = tc.find(f"{_W}tcPr")
            span, continued = 1, False
            if properties is not None:
                grid_span = properties.find(f"{_W}gridSpan")
                if grid_span is not None:
                    span = int(grid_span.get(f"{_W}val", "1") or 1)
                v_merge = properties.find(f"{_W}vMerge")
                continued = v_merge is not None and v_merge.get(f"{_W}val", "continue") == "continue"
            if continued:
                cells.append(Continued(above.get(column, "")))
            else:
                above[column] = _cell_text(tc)
                cells.append(above[column])
            cells.extend([""] * (span - 1))
        rows.append(cells)
    return rows


def _paragraph_text(p: Any) -> str:
    return "".join(node.text or "" for node in p.iter(f"{_W}t"))


def read_docx(path: Path, *, name: str | None = None) -> LedgerDocument:
    """Read the ledger table from a .docx file; raise DocumentError for anything unusable."""
    import docx  # python-docx is only needed when a Word file is actually imported
    from lxml.etree import XMLSyntaxError

    name = name or path.name
    _check_archive(path, name)
    try:
        document = docx.Document(str(path))
    except (KeyError, ValueError, XMLSyntaxError, zipfile.BadZipFile, OSError) as error:
        raise DocumentError(f"{name} 无法作为 Word 文档读取。请在 Word 或 WPS 中打开后另存为 .docx 再导入。") from error
    except Exception as error:  # zlib.error and python-docx's own errors on corrupt parts
        raise DocumentError(f"{name} 内容已损坏，无法读取。请重新保存该 .docx 文件后再导入。") from error

    title_paragraphs: list[str] = []
    tables: list[list[list[Cell]]] = []
    for element in document.element.body.iterchildren():
        if element.tag == f"{_W}p" and not tables:
            title_paragraphs.append(_paragraph_text(element))
        elif element.tag == f"{_W}tbl":
            tables.append(_table_rows(element))
    return build_ledger(clean_title(title_paragraphs), tables, source=name)
