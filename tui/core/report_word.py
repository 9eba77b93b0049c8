"""The report as a Word document: landscape A4, the fonts and sizes of government documents (GB/T 9704).

python-docx is imported only when a .docx is written. Every text of the report goes through `_paragraph`,
which drops control characters (XML cannot hold most of them).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tui.core.model import without_controls
from tui.core.report import COLUMNS, NOT_UPDATED, Progress, Report, month_day
from tui.core.report_layout import (
    BODY_FONT,
    CHANGE_COLUMNS,
    DIFF_MARK,
    FONT_FALLBACKS,
    HEADING_FONT,
    LATIN_FONT,
    REPORTING_COLUMNS,
    REVISION_COLUMNS,
    TITLE_FONT,
    reporting_values,
    run_lengths,
    subtitle,
    unit_lines,
)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table, _Cell

__all__ = ["docx_bytes"]

# Chinese font sizes in points.
SIZE_2 = 22.0  # 二号
SIZE_3 = 16.0  # 三号
SIZE_4 = 14.0  # 四号
SIZE_5 = 10.5  # 五号
SIZE_SMALL_5 = 9.0  # 小五

# A4 as Word writes it (297 × 210 mm in twips); landscape A4 less 2 cm margins leaves 25.7 cm.
A4_LONG_TWIPS, A4_SHORT_TWIPS = 16838, 11906
PAGE_MARGIN_CM = 2.0
COLUMN_WIDTHS_CM = (1.2, 2.3, 2.7, 6.6, 3.0, 1.9, 1.9, 6.1)
CHANGE_WIDTHS_CM = (1.2, 9.8, 3.2, 4.0, 3.5, 3.9)
REPORTING_WIDTHS_CM = (3.6, 1.8, 1.8, 1.8, 16.6)
REVISION_WIDTHS_CM = (1.2, 5.0, 12.0, 3.5, 3.9)

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _set_font(run: Any, east_asia: str, size: float, *, latin: str = LATIN_FONT, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = latin
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph(container: Any, text: str, east_asia: str, size: float, *, align: Any = None, first: bool = False) -> Any:
    """Add a paragraph (or fill a cell's first, empty one) with one run of text (every text of the report)."""
    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    text = without_controls(text)  # also: XML cannot hold most of them, python-docx would refuse the report
    if text:
        _set_font(paragraph.add_run(text), east_asia, size)
    return paragraph


def _fill_cell(cell: _Cell, lines: Sequence[str], east_asia: str, size: float, align: Any) -> None:
    for index, line in enumerate(lines or [""]):
        _paragraph(cell, line, east_asia, size, align=align, first=index == 0)


def _set_default_styles(document: DocxDocument) -> None:
    """Normal: 仿宋_GB2312 五号, single spacing, no gaps; East-Asian text tagged zh-CN."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(SIZE_5)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if r_pr is not None:
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r_pr.append(lang)
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")


def _register_fonts(document: DocxDocument) -> None:
    """Declare the report's fonts in the font table with a GB2312 charset and the alternative to use."""
    from lxml import etree

    part = next(
        (rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable")),
        None,
    )
    if part is None:
        return
    root = etree.fromstring(part.blob)
    for name, alternative in FONT_FALLBACKS.items():
        font = etree.SubElement(root, f"{{{_W_NS}}}font", {f"{{{_W_NS}}}name": name})
        etree.SubElement(font, f"{{{_W_NS}}}altName", {f"{{{_W_NS}}}val": alternative})
        etree.SubElement(font, f"{{{_W_NS}}}charset", {f"{{{_W_NS}}}val": "86"})  # GB2312
        etree.SubElement(font, f"{{{_W_NS}}}family", {f"{{{_W_NS}}}val": "modern" if name == HEADING_FONT else "roman"})
        etree.SubElement(font, f"{{{_W_NS}}}pitch", {f"{{{_W_NS}}}val": "variable"})
    # python-docx keeps the font table as an opaque part: replace its bytes.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number_footer(document: DocxDocument) -> None:
    """`— 1 —` centred at the foot of every page, as government documents number pages."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(paragraph.add_run("— "), "宋体", SIZE_4)
    run = paragraph.add_run()
    _set_font(run, "宋体", SIZE_4)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "1":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    _set_font(paragraph.add_run(" —"), "宋体", SIZE_4)


def _new_table(document: DocxDocument, headers: Sequence[str], widths_cm: Sequence[float]) -> Table:
    """A bordered table with fixed column widths and a header row (黑体) repeated on every page."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm
    from docx.table import _Cell

    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(Cm(width).twips for width in widths_cm)))
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        tr_pr.append(OxmlElement(tag))
    for tc, text, width in zip(header._tr.tc_lst, headers, widths_cm, strict=True):
        cell = _Cell(tc, table)
        cell.width = Cm(width)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _paragraph(cell, text, HEADING_FONT, SIZE_5, align=WD_ALIGN_PARAGRAPH.CENTER, first=True)
    return table


def _add_row(table: Table) -> list[_Cell]:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.table import _Cell

    row = table.add_row()  # cells take the grid's widths
    # A row split over two pages leaves a line or two of a task at a page's foot: move it whole.
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    cells = [_Cell(tc, table) for tc in row._tr.tc_lst]
    for cell in cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return cells


def _merge_vertically(cell: _Cell, *, first: bool) -> None:
    """Mark a cell as the start (`restart`) or a continuation of a vertical merge, as the source does."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    # python-docx puts w:vMerge in its schema place within w:tcPr (before w:vAlign), which Word insists on.
    cell._tc.vMerge = "restart" if first else "continue"
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def docx_bytes(report: Report, progress: Progress | None) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, Twips

    document = Document()
    _set_default_styles(document)
    _register_fonts(document)
    properties = document.core_properties
    properties.title = without_controls(report.title)
    properties.subject = f"{report.period.label}进展情况"
    properties.author = properties.last_modified_by = "taizhang"
    properties.comments = ""
    properties.created = properties.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    properties.revision = 1

    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Twips(A4_LONG_TWIPS), Twips(A4_SHORT_TWIPS)
    section.left_margin = section.right_margin = Cm(PAGE_MARGIN_CM)
    section.top_margin = section.bottom_margin = Cm(PAGE_MARGIN_CM)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    _page_number_footer(document)

    center, left, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY
    title = _paragraph(document, report.title, TITLE_FONT, SIZE_2, align=center)
    title.paragraph_format.line_spacing = Pt(30)
    subtitle_line = _paragraph(document, subtitle(report), BODY_FONT, SIZE_3, align=center)
    subtitle_line.paragraph_format.space_before = Pt(6)
    subtitle_line.paragraph_format.space_after = Pt(10)

    table = _new_table(document, COLUMNS, COLUMN_WIDTHS_CM)
    rows = report.rows
    section_runs = run_lengths([row.task.section for row in rows])
    subsection_runs = run_lengths([(row.task.section, row.task.subsection) for row in rows])
    total = len(rows)
    for index, row in enumerate(rows):
        task = row.task
        cells = _add_row(table)
        _fill_cell(cells[0], [str(task.no)], BODY_FONT, SIZE_5, center)
        for cell, text, runs in ((cells[1], task.section, section_runs), (cells[2], task.subsection, subsection_runs)):
            if runs[index]:  # first row of a run: the text; the rows below continue the merge
                _fill_cell(cell, [text], BODY_FONT, SIZE_5, center)
                if runs[index] > 1:
                    _merge_vertically(cell, first=True)
            else:
                _merge_vertically(cell, first=False)
        _fill_cell(cells[3], task.content.split("\n"), BODY_FONT, SIZE_5, justify)
        _fill_cell(cells[4], unit_lines(task), BODY_FONT, SIZE_5, center)
        _fill_cell(cells[5], [task.deadline], BODY_FONT, SIZE_5, center)
        status_lines = [task.status.label, "逾期"] if row.overdue else [task.status.label]
        _fill_cell(cells[6], status_lines, BODY_FONT, SIZE_5, center)
        if row.progress_lines:
            _fill_cell(cells[7], row.progress_lines, BODY_FONT, SIZE_5, justify)
        else:
            _fill_cell(cells[7], [NOT_UPDATED], BODY_FONT, SIZE_5, center)
        if progress:
            progress(index + 1, total)
    if not rows:
        _paragraph(document, "没有符合条件的任务。", BODY_FONT, SIZE_3, align=center)

    if report.reporting:
        _heading(document, f"本期报送情况（{report.period.label}）")
        reporting = _new_table(document, REPORTING_COLUMNS, REPORTING_WIDTHS_CM)
        for unit in report.reporting:
            cells = _add_row(reporting)
            for cell, value, align in zip(cells, reporting_values(unit), (center, center, center, center, left), strict=True):
                _fill_cell(cell, [str(value)], BODY_FONT, SIZE_5, align)

    _heading(document, f"本期状态变更（{report.period.label}）")
    if report.status_changes:
        changes = _new_table(document, CHANGE_COLUMNS, CHANGE_WIDTHS_CM)
        for change in report.status_changes:
            cells = _add_row(changes)
            _fill_cell(cells[0], [str(change.task.no)], BODY_FONT, SIZE_5, center)
            _fill_cell(cells[1], [change.task.title], BODY_FONT, SIZE_5, left)
            _fill_cell(cells[2], [change.unit], BODY_FONT, SIZE_5, center)
            _fill_cell(cells[3], [change.change_text], BODY_FONT, SIZE_5, center)
            _fill_cell(cells[4], [f"{month_day(change.at)} {change.at[11:16]}"], BODY_FONT, SIZE_5, center)
            _fill_cell(cells[5], [change.who], BODY_FONT, SIZE_5, center)
    else:
        _paragraph(document, "本期没有任务状态变更。", BODY_FONT, SIZE_3, align=left)
    if report.revisions:
        _revisions_table(document, report)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _heading(document: DocxDocument, text: str) -> None:
    """A part's heading after the table (黑体 三号), kept on the page of what follows it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    heading = _paragraph(document, text, HEADING_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.LEFT)
    heading.paragraph_format.space_before = Pt(18)
    heading.paragraph_format.space_after = Pt(6)
    heading.paragraph_format.keep_with_next = True


def _revisions_table(document: DocxDocument, report: Report) -> None:
    """The period's revisions: deleted words struck through, inserted ones underlined, as Word marks changes."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    center, left, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY
    _heading(document, f"本期任务清单修订（{report.period.label}）")
    table = _new_table(document, REVISION_COLUMNS, REVISION_WIDTHS_CM)
    for revision in report.revisions:
        cells = _add_row(table)
        _fill_cell(cells[0], [str(revision.task.no)], BODY_FONT, SIZE_5, center)
        _fill_cell(cells[1], [revision.task.title], BODY_FONT, SIZE_5, left)
        lines = [*(["恢复已归档的任务"] if revision.restored else []), *revision.changes] or ["导入修订版"]
        for index, line in enumerate(lines):
            paragraph = _paragraph(cells[2], "", BODY_FONT, SIZE_5, align=justify, first=index == 0)
            for piece in DIFF_MARK.split(line):
                if not piece:
                    continue
                marked = piece.startswith(("[-", "{+"))
                run = paragraph.add_run(piece[2:-2] if marked else piece)
                _set_font(run, BODY_FONT, SIZE_5)
                if piece.startswith("[-"):
                    run.font.strike = True
                elif piece.startswith("{+"):
                    run.font.underline = True
                    run.font.bold = True
        _fill_cell(cells[3], [f"{month_day(revision.at)} {revision.at[11:16]}"], BODY_FONT, SIZE_5, center)
        _fill_cell(cells[4], [revision.who], BODY_FONT, SIZE_5, center)
