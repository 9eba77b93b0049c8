"""Build real .docx task lists for tests with python-docx (merged cells, split tables, odd columns)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import _Cell

HEADER = ("序号", "工作任务", "具体项目", "主要内容", "责任单位", "完成时限")


def add_table(document, rows: Sequence[Sequence[str]], *, merge_blank_columns: Sequence[int] = ()) -> None:
    """Add a table; in `merge_blank_columns`, a blank cell is merged (w:vMerge) into the one above.

    Cells are reached through the table's XML (`tr_lst` / `tc_lst`): python-docx's `table.cell()` and
    `merge()` re-walk the whole grid on every call, which takes seconds for the source's 73 rows.
    """
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    trs = table._tbl.tr_lst
    for r, (tr, row) in enumerate(zip(trs, rows, strict=True)):
        for c, (tc, text) in enumerate(zip(tr.tc_lst, row, strict=True)):
            if c in merge_blank_columns and r > 0 and text == "":
                # A continuation keeps no text of its own, as Word writes it.
                tc.vMerge = "continue"
                above = trs[r - 1].tc_lst[c]
                if above.vMerge is None:
                    above.vMerge = "restart"
                continue
            cell = _Cell(tc, table)
            lines = text.split("\n")
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    header = table.rows[0]._tr
    properties = header.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))


def write_docx(
    path: Path,
    tables: Sequence[Sequence[Sequence[str]]],
    *,
    title: Sequence[str] = ("附件1", "洛江区测试任务清单", "任务清单及工作台账分解表"),
    merge_blank_columns: Sequence[int] = (),
    between: str = "",
) -> Path:
    document = docx.Document()
    for line in title:
        document.add_paragraph(line)
    for index, rows in enumerate(tables):
        if index and between:
            document.add_paragraph(between)
        add_table(document, rows, merge_blank_columns=merge_blank_columns)
    document.save(str(path))
    return path


def vmerge_values(path: Path, column: int) -> list[str | None]:
    """The w:vMerge value of each data row's cell in `column` (None when not merged)."""
    document = docx.Document(str(path))
    values = []
    for tr in document.tables[0]._tbl.tr_lst[1:]:
        tc = tr.tc_lst[column]
        merge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
        values.append(None if merge is None else merge.get(qn("w:val"), "continue"))
    return values


def write_txt(path: Path, rows: Sequence[Sequence[str]], *, title: Sequence[str] = ("附件1", "洛江区测试任务清单")) -> Path:
    """The plain-text export of a one-table document, as the source's task-list.txt is laid out: the title
    lines, then each row's cells one per line after a TAB (a cell's further lines without one), a blank line
    after each row."""
    lines = list(title)
    for row in rows:
        for cell in row:
            lines.append("\t" + cell)
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def merge_across(path: Path, row: int, first: int, last: int, text: str) -> Path:
    """Merge cells `first`..`last` of `row` of the first table horizontally (w:gridSpan), holding `text`."""
    document = docx.Document(str(path))
    table = document.tables[0]
    merged = table.cell(row, first).merge(table.cell(row, last))
    for paragraph in merged.paragraphs[1:]:
        paragraph._p.getparent().remove(paragraph._p)
    merged.paragraphs[0].text = text
    document.save(str(path))
    return path
