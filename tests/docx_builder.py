"""Build real .docx task lists for tests with python-docx (merged cells, split tables, odd columns)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HEADER = ("序号", "工作任务", "具体项目", "主要内容", "责任单位", "完成时限")


def add_table(document, rows: Sequence[Sequence[str]], *, merge_blank_columns: Sequence[int] = ()) -> None:
    """Add a table; in `merge_blank_columns`, a blank cell is merged (w:vMerge) into the one above."""
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            lines = text.split("\n")
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    for column in merge_blank_columns:
        start = None
        for r in range(1, len(rows) + 1):
            blank = r < len(rows) and rows[r][column] == ""
            if blank and start is None:
                start = r - 1
            if not blank and start is not None:
                table.cell(start, column).merge(table.cell(r - 1, column))
                # merge() joins the texts; the cell keeps only the top text, as Word writes it.
                top = table.cell(start, column)
                for paragraph in top.paragraphs[1:]:
                    paragraph._p.getparent().remove(paragraph._p)
                top.paragraphs[0].text = rows[start][column]
                start = None
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
