"""Read the ledger from the plain-text export of the Word document.

The export writes each table row as its cells, one per line starting with a TAB; further
lines of a cell follow without a TAB; a blank line ends the row. Lines before the first row
are the title.
"""

from __future__ import annotations

from importers.records import DocumentError, LedgerDocument
from importers.table import build_ledger, clean_title

__all__ = ["decode_text", "parse_text", "read_text"]


def decode_text(data: bytes, name: str) -> str:
    """Decode an export in UTF-8 (with or without BOM) or GB18030, as Windows tools write it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"{name} 不是可识别的文本文件（既非 UTF-8 也非 GBK 编码）。请导入 .docx 或 UTF-8 文本。")


def parse_text(text: str, *, name: str) -> LedgerDocument:
    title_lines: list[str] = []
    tables: list[list[list[str]]] = [[]]
    row: list[str] | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith("\t"):
            if row is None:
                row = []
                tables[-1].append(row)
            row.append(line[1:])
        elif not line.strip():
            row = None
        elif row is not None:
            row[-1] += "\n" + line
        elif not tables[-1]:
            title_lines.append(line)
        else:
            tables.append([])  # a paragraph between two tables
    return build_ledger(clean_title(title_lines), [t for t in tables if t], source=name)


def read_text(data: bytes, *, name: str) -> LedgerDocument:
    return parse_text(decode_text(data, name), name=name)
