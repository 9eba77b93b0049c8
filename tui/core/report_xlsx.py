"""The report as an Excel workbook (openpyxl), in the 台账 layout of the Word report.

Sheet 台账: a title, the 截至/报告期 line, then the Word report's columns with 工作任务 and 具体项目 merged
down, wrapped text, a frozen header row repeated on every printed page, landscape A4 one page wide.
Sheet 本期报送情况: per unit, its tasks and those it reported nothing on this period; sheet 本期状态变更:
the period's net status change of each task's rows; sheet 本期任务清单修订 (when there are any): the
revisions imported in the period, deleted words struck through and inserted ones underlined.

Every text is written as text: a note starting with `=` stays a note, never a formula.
No Textual here; openpyxl is imported only when a workbook is written.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len

from tui.core.model import without_controls
from tui.core.report import COLUMNS, NOT_UPDATED, Progress, Report, month_day
from tui.core.report_layout import (
    BODY_FONT,
    CHANGE_COLUMNS,
    DIFF_MARK,
    HEADING_FONT,
    REPORTING_COLUMNS,
    REVISION_COLUMNS,
    TITLE_FONT,
    reporting_values,
    run_lengths,
    subtitle,
    unit_lines,
)

__all__ = ["CHANGES_SHEET", "LEDGER_SHEET", "REPORTING_SHEET", "REVISIONS_SHEET", "xlsx_bytes"]

LEDGER_SHEET = "台账"
REPORTING_SHEET = "本期报送情况"
CHANGES_SHEET = "本期状态变更"
REVISIONS_SHEET = "本期任务清单修订"

# Column widths in Excel's units (about one Latin character; a Chinese character takes two), in the
# proportions of the Word report's columns.
COLUMN_WIDTHS = (6, 12, 14, 40, 16, 11, 10, 40)
CHANGE_WIDTHS = (6, 40, 16, 20, 14, 16)
REPORTING_WIDTHS = (16, 8, 8, 8, 60)
REVISION_WIDTHS = (6, 24, 60, 14, 16)
BODY_SIZE = 10.5  # 五号
LINE_POINTS = 14.5  # the height of one wrapped line of BODY_SIZE text
MAX_CELL_CHARACTERS = 32767  # Excel's limit for one cell
HEADER_ROW = 3  # title, the 截至/报告期 line, then the header

_TEXT = "s"


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return {
        "title": Font(name=TITLE_FONT, size=18),
        "subtitle": Font(name=BODY_FONT, size=12),
        "heading": Font(name=HEADING_FONT, size=BODY_SIZE, bold=True),
        "body": Font(name=BODY_FONT, size=BODY_SIZE),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "header_fill": PatternFill("solid", fgColor="E7E6E6"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
        "justify": Alignment(horizontal="justify", vertical="center", wrap_text=True),
    }


def _put(sheet: Any, row: int, column: int, value: Any, font: Any, alignment: Any, border: Any = None) -> Any:
    """Write one cell. Text goes in as text, without control characters and within Excel's cell limit."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = without_controls(value)  # also: openpyxl refuses most of them
        if len(text) > MAX_CELL_CHARACTERS:
            text = text[: MAX_CELL_CHARACTERS - 1] + "…"
        cell.value = text
        cell.data_type = _TEXT  # `=…`, `#N/A`: what a user wrote, never a formula or an error value
    else:
        cell.value = value
    cell.font = font
    cell.alignment = alignment
    if border is not None:
        cell.border = border
    return cell


def _lines_needed(text: str, width: int) -> int:
    """How many lines `text` wraps to in a column `width` units wide (a Chinese character takes two)."""
    usable = max(1, width - 1)
    return sum(max(1, math.ceil(cell_len(line) / usable)) for line in str(text).split("\n"))


def _fit_height(sheet: Any, row: int, texts: Sequence[Any], widths: Sequence[int]) -> None:
    """Set the row's height from its longest wrapped cell: Excel does not measure wrapped rows on opening."""
    lines = max((_lines_needed(text, width) for text, width in zip(texts, widths, strict=True) if text), default=1)
    sheet.row_dimensions[row].height = lines * LINE_POINTS + 4


def _setup_sheet(sheet: Any, widths: Sequence[int], header_row: int) -> None:
    """Widths, the frozen header, print titles, landscape A4 one page wide, page numbers in the footer."""
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    margin = 2.0 / 2.54  # 2 cm, as the Word report
    sheet.page_margins.left = sheet.page_margins.right = margin
    sheet.page_margins.top = sheet.page_margins.bottom = margin
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _heading_rows(sheet: Any, styles: dict[str, Any], title: str, subtitle: str | None, width: int) -> None:
    """The title (and the 截至/报告期 line) across the table's width, then nothing until the header row."""
    rows = [(title, styles["title"], 30)] + ([(subtitle, styles["subtitle"], 20)] if subtitle is not None else [])
    for row, (text, font, height) in enumerate(rows, start=1):
        _put(sheet, row, 1, text, font, styles["center"])
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.row_dimensions[row].height = height


def _header(sheet: Any, styles: dict[str, Any], row: int, headers: Sequence[str]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = _put(sheet, row, column, text, styles["heading"], styles["center"], styles["border"])
        cell.fill = styles["header_fill"]
    sheet.row_dimensions[row].height = 24


def _ledger_sheet(sheet: Any, report: Report, styles: dict[str, Any], progress: Progress | None) -> None:
    sheet.title = LEDGER_SHEET
    _heading_rows(sheet, styles, report.title, subtitle(report), len(COLUMNS))
    _header(sheet, styles, HEADER_ROW, COLUMNS)
    rows = report.rows
    section_runs = run_lengths([row.task.section for row in rows])
    subsection_runs = run_lengths([(row.task.section, row.task.subsection) for row in rows])
    center, justify, border, body = styles["center"], styles["justify"], styles["border"], styles["body"]
    total = len(rows)
    for index, row in enumerate(rows):
        task = row.task
        line = HEADER_ROW + 1 + index
        status = f"{task.status.label}\n逾期" if row.overdue else task.status.label
        progress_text = "\n".join(row.progress_lines) or NOT_UPDATED
        values = (task.no, task.section, task.subsection, task.content, "\n".join(unit_lines(task)), task.deadline,
                  status, progress_text)  # fmt: skip
        aligns = (center, center, center, justify, center, center, center, justify if row.progress_lines else center)
        for column, (value, align) in enumerate(zip(values, aligns, strict=True), start=1):
            merged_away = (column == 2 and not section_runs[index]) or (column == 3 and not subsection_runs[index])
            if merged_away:
                sheet.cell(row=line, column=column).border = border  # the merge's first cell holds the text
                continue
            _put(sheet, line, column, value, body, align, border)
        # Merged cells do not push their rows taller: size the row by its own columns only.
        own = [value if column not in (2, 3) else "" for column, value in enumerate(values, start=1)]
        _fit_height(sheet, line, own, COLUMN_WIDTHS)
        if progress:
            progress(index + 1, total)
    for column, runs in ((2, section_runs), (3, subsection_runs)):
        for index, length in enumerate(runs):
            if length > 1:
                first = HEADER_ROW + 1 + index
                sheet.merge_cells(start_row=first, start_column=column, end_row=first + length - 1, end_column=column)
    if not rows:
        _message_row(sheet, HEADER_ROW + 1, "没有符合条件的任务。", len(COLUMNS), styles, "center")
    _setup_sheet(sheet, COLUMN_WIDTHS, HEADER_ROW)


def _message_row(sheet: Any, row: int, text: str, width: int, styles: dict[str, Any], align: str) -> None:
    """One line across the table where its rows would be (`没有符合条件的任务。`)."""
    _put(sheet, row, 1, text, styles["body"], styles[align])
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _listing(sheet: Any, styles: dict[str, Any], title: str, headers: Sequence[str], widths: Sequence[int],
             rows: Sequence[Sequence[Any]], aligns: Sequence[str], empty: str) -> None:  # fmt: skip
    """A sheet holding one table under its title (the status changes, the revisions)."""
    header_row = 2
    _heading_rows(sheet, styles, title, None, len(headers))
    _header(sheet, styles, header_row, headers)
    for line, values in enumerate(rows, start=header_row + 1):
        for column, (value, align) in enumerate(zip(values, aligns, strict=True), start=1):
            _put(sheet, line, column, value, styles["body"], styles[align], styles["border"])
        _fit_height(sheet, line, [str(value) for value in values], widths)
    if not rows:
        _message_row(sheet, header_row + 1, empty, len(headers), styles, "left")
    _setup_sheet(sheet, widths, header_row)


def _when(at: str) -> str:
    return f"{month_day(at)} {at[11:16]}"


def _changes_sheet(sheet: Any, report: Report, styles: dict[str, Any]) -> None:
    rows = [(change.task.no, change.task.title, change.unit, change.change_text, _when(change.at), change.who)
            for change in report.status_changes]  # fmt: skip
    _listing(sheet, styles, f"本期状态变更（{report.period.label}）", CHANGE_COLUMNS, CHANGE_WIDTHS, rows,
             ("center", "left", "center", "center", "center", "center"), "本期没有任务状态变更。")  # fmt: skip


def _reporting_sheet(sheet: Any, report: Report, styles: dict[str, Any]) -> None:
    rows = [reporting_values(unit) for unit in report.reporting]
    _listing(sheet, styles, f"本期报送情况（{report.period.label}）", REPORTING_COLUMNS, REPORTING_WIDTHS, rows,
             ("center", "center", "center", "center", "left"), "没有需要报送的单位。")  # fmt: skip


def _marked_text(lines: Sequence[str], size: float) -> Any:
    """A revision's changes as rich text: `[-deleted-]` struck through, `{+inserted+}` underlined and bold."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    plain = InlineFont(rFont=BODY_FONT, sz=size)
    struck = InlineFont(rFont=BODY_FONT, sz=size, strike=True)
    inserted = InlineFont(rFont=BODY_FONT, sz=size, u="single", b=True)
    blocks = []
    for number, line in enumerate(lines):
        for piece in DIFF_MARK.split(("\n" if number else "") + without_controls(line)):
            if piece.startswith("[-") and piece.endswith("-]"):
                blocks.append(TextBlock(struck, piece[2:-2]))
            elif piece.startswith("{+") and piece.endswith("+}"):
                blocks.append(TextBlock(inserted, piece[2:-2]))
            elif piece:
                blocks.append(TextBlock(plain, piece))
    return CellRichText(blocks)


def _revisions_sheet(sheet: Any, report: Report, styles: dict[str, Any]) -> None:
    rows = []
    for revision in report.revisions:
        lines = [*(["恢复已归档的任务"] if revision.restored else []), *revision.changes] or ["导入修订版"]
        rows.append((revision.task.no, revision.task.title, _marked_text(lines, BODY_SIZE), _when(revision.at),
                     revision.who))  # fmt: skip
    _listing(sheet, styles, f"本期任务清单修订（{report.period.label}）", REVISION_COLUMNS, REVISION_WIDTHS, rows,
             ("center", "left", "justify", "center", "center"), "")  # fmt: skip


def xlsx_bytes(report: Report, progress: Progress | None) -> bytes:
    """The workbook's bytes for `report`; `progress` is called after each task row."""
    from openpyxl import Workbook

    workbook = Workbook()
    styles = _styles()
    _ledger_sheet(workbook.active, report, styles, progress)
    _reporting_sheet(workbook.create_sheet(REPORTING_SHEET), report, styles)
    _changes_sheet(workbook.create_sheet(CHANGES_SHEET), report, styles)
    if report.revisions:
        _revisions_sheet(workbook.create_sheet(REVISIONS_SHEET), report, styles)
    workbook.properties.title = without_controls(report.title)
    workbook.properties.subject = f"{report.period.label}进展情况"
    workbook.properties.creator = workbook.properties.lastModifiedBy = "taizhang"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
