"""Reporting upward: the ledger (or a filtered part of it) as a Word report, an Excel workbook, CSV or JSON
for one period.

No Textual here: the CLI calls `export_store` (or `render_store` for standard output), the app calls it
(or `export_ledger`) from a thread worker and shows progress through the callback. python-docx is
imported only for a .docx, openpyxl only for a .xlsx (tui/export_xlsx.py).

A reporting round is a calendar month (`Period`): its notes are the period's progress (进展情况);
a task without a note in the period is flagged 本期未更新; the status changes recorded in the period
are listed after the table, then the revisions imported in the period, with the words they changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.history import field_changes
from tui.model import Event, Ledger, Note, Status, Task, without_controls, without_controls_in
from tui.os_errors import os_error_line
from tui.shared_files import atomic_write_bytes

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table, _Cell

    from tui.store import Store

__all__ = [
    "COLUMNS",
    "CSV_COLUMNS",
    "FORMATS",
    "NOT_UPDATED",
    "ExportError",
    "ExportFilters",
    "ExportResult",
    "Period",
    "Progress",
    "Report",
    "ReportRow",
    "StatusChange",
    "TaskRevision",
    "build_report",
    "export_format",
    "export_ledger",
    "export_store",
    "format_named",
    "period_notes",
    "refuse_store_destination",
    "render_store",
]

FORMATS = {".docx": "docx", ".xlsx": "xlsx", ".csv": "csv", ".json": "json"}
_FORMAT_LIST = ".docx、.xlsx、.csv 或 .json"
COLUMNS = ("序号", "工作任务", "具体项目", "主要内容", "责任单位", "完成时限", "当前状态", "进展情况")
CSV_COLUMNS = (*COLUMNS, "逾期", "本期未更新")
NOT_UPDATED = "本期未更新"

# Called with (tasks written, tasks in the report); once more with (total, total) when the file is saved.
Progress = Callable[[int, int], None]


class ExportError(Exception):
    """An export that cannot be made; the message is one line of Chinese for the user."""


# ---------------------------------------------------------------------- periods


_PERIOD = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting round: one calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise ExportError(f"报告期“{text}”格式不对。请写成 年-月，如 2026-11。")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    @property
    def key(self) -> str:
        """`2026-11`: the same prefix as an ISO timestamp taken in this month."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def contains(self, at: str) -> bool:
        """Whether an ISO timestamp (as notes and events store it, in the writer's local time) falls in it."""
        return at[:7] == self.key


def period_notes(task: Task, period: Period) -> tuple[Note, ...]:
    """The task's notes written in the period, oldest first: its progress for that round."""
    return tuple(note for note in task.notes if period.contains(note.at))


# ---------------------------------------------------------------------- filters and the report


@dataclass(frozen=True)
class ExportFilters:
    """Which tasks go into the report: the same filters as `taizhang list` and the app's tree."""

    unit: str | None = None
    statuses: tuple[Status, ...] | None = None
    overdue: bool = False
    search: str | None = None

    def select(self, ledger: Ledger, today: dt.date) -> list[Task]:
        return ledger.select(
            today=today, unit=self.unit, statuses=self.statuses, overdue=self.overdue, search=self.search
        )

    def describe(self) -> list[str]:
        """The filters as the report's subtitle says them, e.g. ["责任单位：区卫健局", "仅列逾期任务"]."""
        parts = []
        if self.unit:
            parts.append(f"责任单位：{self.unit}")
        if self.statuses:
            parts.append("状态：" + "、".join(status.label for status in self.statuses))
        if self.overdue:
            parts.append("仅列逾期任务")
        if self.search:
            parts.append(f"含“{self.search}”")
        return parts

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "statuses": [status.value for status in self.statuses] if self.statuses else None,
            "overdue": self.overdue,
            "search": self.search,
        }


@dataclass(frozen=True)
class ReportRow:
    task: Task
    progress: tuple[Note, ...]  # the period's notes, oldest first
    progress_lines: tuple[str, ...]  # the same, as printed: `11月3日 张三：……`
    overdue: bool

    @property
    def not_updated(self) -> bool:
        return not self.progress


@dataclass(frozen=True)
class StatusChange:
    """A status change (or the undo of one) recorded in the period."""

    at: str
    who: str
    task: Task
    old: Status | None
    new: Status
    undo: bool

    @property
    def change_text(self) -> str:
        old = self.old.label if self.old else "—"
        return ("撤销：" if self.undo else "") + f"{old} → {self.new.label}"


@dataclass(frozen=True)
class TaskRevision:
    """A revised task list's change to a task (or its return from the archive), imported in the period."""

    at: str
    who: str
    task: Task
    event: Event
    # `主要内容 …建设{+，2026年底前实现全覆盖+}。`, `完成时限 2025 → 2026`: the words that changed, as the
    # import preview and `taizhang history` show them.
    changes: tuple[str, ...]

    @property
    def restored(self) -> bool:
        return self.event.kind == "restore"


@dataclass(frozen=True)
class Report:
    title: str
    as_of: dt.date
    period: Period
    filters: ExportFilters
    rows: tuple[ReportRow, ...]
    status_changes: tuple[StatusChange, ...] = ()
    revisions: tuple[TaskRevision, ...] = ()

    @property
    def not_updated_count(self) -> int:
        return sum(row.not_updated for row in self.rows)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    tasks: int
    not_updated: int
    period: Period
    status_changes: int = 0


def _day(at: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(at[:10])
    except ValueError:
        return None


def _month_day(at: str) -> str:
    day = _day(at)
    return f"{day.month}月{day.day}日" if day else at[:10]


def _same_person(login: str) -> str:
    return login


def build_report(
    ledger: Ledger,
    *,
    today: dt.date,
    period: Period | None = None,
    filters: ExportFilters | None = None,
    history: Iterable[Event] = (),
    display_name: Callable[[str], str] | None = None,
) -> Report:
    """What the report says, independent of the file format."""
    period = period or Period.of(today)
    filters = filters or ExportFilters()
    who = display_name or _same_person
    rows = []
    for task in filters.select(ledger, today):
        notes = period_notes(task, period)
        lines = tuple(f"{_month_day(note.at)} {who(note.by)}：{note.text}" for note in notes)
        rows.append(ReportRow(task=task, progress=notes, progress_lines=lines, overdue=task.is_overdue(today)))
    by_id = {row.task.id: row.task for row in rows}
    events = list(history)
    changes = []
    for event in events:
        if event.kind not in ("status", "undo") or not event.new or not period.contains(event.at):
            continue
        task = by_id.get(event.task)
        if task is None:
            continue
        try:
            new = Status(event.new)
            old = Status(event.old) if event.old else None
        except ValueError:
            continue
        changes.append(StatusChange(event.at, who(event.by), task, old, new, undo=event.kind == "undo"))
    return Report(
        title=ledger.title,
        as_of=today,
        period=period,
        filters=filters,
        rows=tuple(rows),
        status_changes=tuple(changes),
        revisions=tuple(
            TaskRevision(event.at, who(event.by), by_id[event.task], event, tuple(field_changes(event)))
            for event in events
            if event.kind in ("import", "restore") and period.contains(event.at) and event.task in by_id
        ),
    )


# ---------------------------------------------------------------------- cell texts shared by the formats


def _unit_lines(task: Task) -> list[str]:
    return [*task.units, *task.remarks]


def _date_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _subtitle(report: Report) -> str:
    parts = [f"截至 {_date_label(report.as_of)}", f"报告期：{report.period.label}", *report.filters.describe()]
    return "　".join(parts)


# ---------------------------------------------------------------------- CSV and JSON


def _csv_bytes(report: Report, progress: Progress | None) -> bytes:
    buffer = io.StringIO()
    # Rows end in LF, as the line breaks inside cells do: Excel and WPS read both, and a report then holds
    # no CR at all (nothing a terminal could act on, whatever opens the file).
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    total = len(report.rows)
    for done, row in enumerate(report.rows, start=1):
        task = row.task
        units = "、".join(task.units) + "".join(f"\n{remark}" for remark in task.remarks)
        writer.writerow(
            without_controls_in([
                task.no,
                task.section,
                task.subsection,
                task.content,
                units,
                task.deadline,
                task.status.label,
                "\n".join(row.progress_lines),
                "是" if row.overdue else "否",
                "是" if row.not_updated else "否",
            ])
        )
        if progress:
            progress(done, total)
    # The BOM lets Excel and WPS recognise UTF-8 instead of reading GBK.
    return buffer.getvalue().encode("utf-8-sig")


def _json_bytes(report: Report, progress: Progress | None) -> bytes:
    tasks = []
    total = len(report.rows)
    for done, row in enumerate(report.rows, start=1):
        data = row.task.to_json(report.as_of)
        data["period_notes"] = [note.to_json() for note in row.progress]
        data["not_updated"] = row.not_updated
        tasks.append(data)
        if progress:
            progress(done, total)
    document = {
        "header": {
            "title": report.title,
            "as_of": report.as_of.isoformat(),
            "period": report.period.key,
            "period_label": report.period.label,
            "filters": report.filters.to_json(),
            "count": len(tasks),
            "not_updated": report.not_updated_count,
        },
        "tasks": tasks,
        "status_changes": [
            {
                "at": change.at,
                "by": change.who,
                "no": change.task.no,
                "task": change.task.id,
                "old": change.old.value if change.old else None,
                "new": change.new.value,
                "undo": change.undo,
            }
            for change in report.status_changes
        ],
        "revisions": [_revision_json(revision) for revision in report.revisions],
    }
    return (json.dumps(without_controls_in(document), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _revision_json(revision: TaskRevision) -> dict[str, Any]:
    from tui.reseed import content_diff

    data: dict[str, Any] = {
        "at": revision.at,
        "by": revision.who,
        "no": revision.task.no,
        "task": revision.task.id,
        "kind": revision.event.kind,
        "fields": revision.event.fields,
        "changes": list(revision.changes),
    }
    content = revision.event.fields.get("content")
    if isinstance(content, list) and len(content) == 2:
        data["content_diff"] = content_diff(str(content[0] or ""), str(content[1] or ""))
    return data


# ---------------------------------------------------------------------- Word


# Fonts of Chinese government documents (GB/T 9704), with the font Word/WPS should use when the
# first is not installed (written as w:altName in the font table).
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
FONT_FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei"}

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
CHANGE_COLUMNS = ("序号", "任务", "状态变更", "时间", "操作人")
CHANGE_WIDTHS_CM = (1.2, 12.0, 5.0, 3.5, 3.9)
REVISION_COLUMNS = ("序号", "任务", "修订内容", "时间", "操作人")
REVISION_WIDTHS_CM = (1.2, 5.0, 12.0, 3.5, 3.9)
_DIFF_MARK = re.compile(r"(\[-.*?-\]|\{\+.*?\+\})", re.DOTALL)

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


def _run_lengths(keys: Sequence[Any]) -> list[int]:
    """For each position, how many equal keys start there (0 inside a run): where merges begin and end."""
    lengths = [0] * len(keys)
    start = 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index] != keys[start]:
            lengths[start] = index - start
            start = index
    return lengths


def _docx_bytes(report: Report, progress: Progress | None) -> bytes:
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
    subtitle = _paragraph(document, _subtitle(report), BODY_FONT, SIZE_3, align=center)
    subtitle.paragraph_format.space_before = Pt(6)
    subtitle.paragraph_format.space_after = Pt(10)

    table = _new_table(document, COLUMNS, COLUMN_WIDTHS_CM)
    rows = report.rows
    section_runs = _run_lengths([row.task.section for row in rows])
    subsection_runs = _run_lengths([(row.task.section, row.task.subsection) for row in rows])
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
        _fill_cell(cells[4], _unit_lines(task), BODY_FONT, SIZE_5, center)
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

    heading = _paragraph(document, f"本期状态变更（{report.period.label}）", HEADING_FONT, SIZE_3, align=left)
    heading.paragraph_format.space_before = Pt(18)
    heading.paragraph_format.space_after = Pt(6)
    heading.paragraph_format.keep_with_next = True
    if report.status_changes:
        changes = _new_table(document, CHANGE_COLUMNS, CHANGE_WIDTHS_CM)
        for change in report.status_changes:
            cells = _add_row(changes)
            _fill_cell(cells[0], [str(change.task.no)], BODY_FONT, SIZE_5, center)
            _fill_cell(cells[1], [change.task.title], BODY_FONT, SIZE_5, left)
            _fill_cell(cells[2], [change.change_text], BODY_FONT, SIZE_5, center)
            _fill_cell(cells[3], [f"{_month_day(change.at)} {change.at[11:16]}"], BODY_FONT, SIZE_5, center)
            _fill_cell(cells[4], [change.who], BODY_FONT, SIZE_5, center)
    else:
        _paragraph(document, "本期没有任务状态变更。", BODY_FONT, SIZE_3, align=left)
    if report.revisions:
        _revisions_table(document, report)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _revisions_table(document: DocxDocument, report: Report) -> None:
    """The period's revisions: deleted words struck through, inserted ones underlined, as Word marks changes."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    center, left, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY
    heading = _paragraph(document, f"本期任务清单修订（{report.period.label}）", HEADING_FONT, SIZE_3, align=left)
    heading.paragraph_format.space_before = Pt(18)
    heading.paragraph_format.space_after = Pt(6)
    heading.paragraph_format.keep_with_next = True
    table = _new_table(document, REVISION_COLUMNS, REVISION_WIDTHS_CM)
    for revision in report.revisions:
        cells = _add_row(table)
        _fill_cell(cells[0], [str(revision.task.no)], BODY_FONT, SIZE_5, center)
        _fill_cell(cells[1], [revision.task.title], BODY_FONT, SIZE_5, left)
        lines = [*(["恢复已归档的任务"] if revision.restored else []), *revision.changes] or ["导入修订版"]
        for index, line in enumerate(lines):
            paragraph = _paragraph(cells[2], "", BODY_FONT, SIZE_5, align=justify, first=index == 0)
            for piece in _DIFF_MARK.split(line):
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
        _fill_cell(cells[3], [f"{_month_day(revision.at)} {revision.at[11:16]}"], BODY_FONT, SIZE_5, center)
        _fill_cell(cells[4], [revision.who], BODY_FONT, SIZE_5, center)


def _xlsx_bytes(report: Report, progress: Progress | None) -> bytes:
    from tui.export_xlsx import xlsx_bytes  # openpyxl only when a workbook is written

    return xlsx_bytes(report, progress)


_WRITERS: dict[str, Callable[[Report, Progress | None], bytes]] = {
    "docx": _docx_bytes,
    "xlsx": _xlsx_bytes,
    "csv": _csv_bytes,
    "json": _json_bytes,
}


# ---------------------------------------------------------------------- writing the file


def export_format(output: Path) -> str:
    """`docx`, `xlsx`, `csv` or `json` from the file name's extension; anything else is refused."""
    suffix = output.suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if not suffix:
        raise ExportError(f"文件名“{output.name}”没有扩展名。请以 {_FORMAT_LIST} 结尾，以选择导出格式。")
    raise ExportError(f"不能导出为“{suffix}”格式。请以 {_FORMAT_LIST} 结尾的文件名导出。")


def format_named(name: str) -> str:
    """A format as `--format` names it (`docx`, `.XLSX`, ...); anything else is refused."""
    kind = name.strip().lower().lstrip(".")
    if kind in FORMATS.values():
        return kind
    raise ExportError(f"不能导出为“{name}”格式。--format 可用 {'、'.join(dict.fromkeys(FORMATS.values()))}。")


def _check_destination(output: Path) -> None:
    folder = output.parent
    if output.is_dir():
        raise ExportError(f"{output} 是一个目录。请在后面写上文件名，如 {output / '台账.docx'}。")
    if not folder.exists():
        raise ExportError(f"输出目录 {folder} 不存在。请先创建该目录，或换一个保存位置。")
    if not folder.is_dir():
        raise ExportError(f"{folder} 不是目录。请换一个保存位置。")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"没有写入目录 {folder} 的权限。请换一个保存位置，如自己的主目录。")


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def refuse_store_destination(store: Store, output: Path | str) -> None:
    """Refuse (ExportError) an export whose file would land inside the store's folder or be its users.toml.

    The store's folder is that of db.json, with everything below it (the journal, backups/). Folders
    are compared by identity (device and inode), not by name, on the real path of the destination, so
    no spelling gets round it: `..`, symlinked folders or a symlink as the file itself, /proc/self/root,
    another case on a case-insensitive file system, a bind mount.

    One exception, for a store that nobody else can write to (a folder writable by its owner alone, as
    a personal copy is): a new report may sit beside db.json, since it can reach no one else's data.
    Its own files and the folders below it are refused all the same. A shared store (the group-writable
    folder of README 部署) takes no file at all.
    """
    output = Path(output).expanduser()
    try:
        store_folder = os.stat(store.path.parent)
    except OSError:
        return  # no store folder: nothing to protect (the export then fails to read the store)
    real = output.resolve()
    users = store.users_path.resolve()
    if real == users:
        raise ExportError(f"不能导出到台账的权限文件 {output}。请换一个文件名。")
    for folder in (real.parent, *real.parent.parents):
        try:
            inside = _same_file(os.stat(folder), store_folder)
        except OSError:
            continue  # a folder that does not exist yet cannot be the store's
        if inside and not (folder == real.parent and _personal_report(store, store_folder, real)):
            raise ExportError(
                f"不能导出到 {output}：它在台账数据文件所在的目录 {store.path.parent} 之内（含备份）。"
                "请换一个保存位置，如自己的主目录。"
            )


def _personal_report(store: Store, store_folder: os.stat_result, real: Path) -> bool:
    """A file beside db.json that may take a report: the folder is its owner's alone, and the file is
    none of the store's own (db.json, its lock, users.toml, the journal, backups/)."""
    if store_folder.st_mode & 0o022:
        return False
    own_names = {store.path.name, store.lock_path.name, store.users_path.name, store.journal_dir.name, "backups"}
    if real.name.casefold() in {name.casefold() for name in own_names}:
        return False
    try:
        return not _same_file(os.stat(real), os.stat(store.path))
    except OSError:
        return True  # no such file yet (or no db.json): a new report


def export_ledger(
    ledger: Ledger,
    output: Path | str,
    *,
    today: dt.date,
    filters: ExportFilters | None = None,
    period: Period | None = None,
    history: Iterable[Event] = (),
    display_name: Callable[[str], str] | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the report for `period` (default: this month) of the tasks `filters` select to `output`.

    The format comes from the extension. Raises ExportError with a one-line message for the user;
    on any failure the file at `output` is left as it was.
    """
    output = Path(output).expanduser()
    kind = export_format(output)
    _check_destination(output)
    report = build_report(
        ledger, today=today, period=period, filters=filters, history=history, display_name=display_name
    )
    payload = _WRITERS[kind](report, progress)
    try:
        # The real path: the file lands where export_store looked (a symlink is written through, not replaced).
        atomic_write_bytes(output.resolve(), payload)
    except OSError as error:
        raise ExportError(os_error_line(error, f"写入 {output} ", "，未生成文件")) from None
    if progress:
        progress(len(report.rows), len(report.rows))
    return _result(report, output, kind)


def _result(report: Report, path: Path, kind: str) -> ExportResult:
    return ExportResult(
        path=path,
        format=kind,
        tasks=len(report.rows),
        not_updated=report.not_updated_count,
        period=report.period,
        status_changes=len(report.status_changes),
    )


def render_store(
    store: Store, kind: str, *, filters: ExportFilters | None = None, period: Period | None = None
) -> tuple[bytes, ExportResult]:
    """The report `export_store` would write, as bytes in format `kind` (for standard output: `export -o -`)."""
    report = build_report(
        store.load(),
        today=store.today(),
        period=period,
        filters=filters,
        history=store.history(),
        display_name=store.display_name,
    )
    return _WRITERS[kind](report, None), _result(report, Path("-"), kind)


def export_store(
    store: Store,
    output: Path | str,
    *,
    filters: ExportFilters | None = None,
    period: Period | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """`export_ledger` over what a store holds now, with its clock, history and users' names."""
    refuse_store_destination(store, output)
    return export_ledger(
        store.load(),
        output,
        today=store.today(),
        filters=filters,
        period=period,
        history=store.history(),
        display_name=store.display_name,
        progress=progress,
    )
