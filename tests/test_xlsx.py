"""Issue 15: the ledger as an Excel workbook in the 台账 layout, and task lists read from workbooks laid out like
the source table (header by name, merged cells, several sheets). Workbooks are opened again with openpyxl;
the one LibreOffice saves from the source document is made here with soffice."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from importers import DocumentError, read_document
from tests.conftest import SOURCE_DOCX, fixed_clock, seed_store
from tests.docx_builder import write_docx
from tests.test_export import reported_db  # noqa: F401 (fixture: two months of work)
from tests.test_importers import GOLDEN, ROWS, summary
from tui.cli import main
from tui.core.export import export_store
from tui.core.report import COLUMNS, NOT_UPDATED, ExportFilters, Period, build_report
from tui.core.report_xlsx import CHANGES_SHEET, LEDGER_SHEET, REPORTING_SHEET, REVISIONS_SHEET
from tui.core.store import Store

SOURCE = read_document(SOURCE_DOCX)


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def _merged(sheet, column: int) -> list[tuple[int, int]]:
    """The (first row, last row) of each vertical merge in `column`."""
    return sorted(
        (merge.min_row, merge.max_row)
        for merge in sheet.merged_cells.ranges
        if merge.min_col == merge.max_col == column and merge.max_row > merge.min_row
    )


def _runs(keys: list) -> list[tuple[int, int]]:
    """Where equal neighbouring keys start and end, as sheet rows (the tasks start on row 4)."""
    runs, start = [], 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index] != keys[start]:
            if index - start > 1:
                runs.append((4 + start, 4 + index - 1))
            start = index
    return runs


# ---------------------------------------------------------------------- writing


def test_xlsx_report_in_the_ledger_layout(reported_db: Path, tmp_path: Path) -> None:  # noqa: F811
    store = Store(reported_db)
    output = tmp_path / "台账.xlsx"
    result = export_store(store, output, period=Period(2026, 11))
    assert (result.format, result.tasks) == ("xlsx", 72)
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == [LEDGER_SHEET, REPORTING_SHEET, CHANGES_SHEET]  # issue 14 adds 本期报送情况
    sheet = workbook[LEDGER_SHEET]
    rows = _rows(sheet)
    assert rows[0][0] == GOLDEN["title"] and "A1:H1" in {str(r) for r in sheet.merged_cells.ranges}
    assert rows[1][0].startswith("截至 ") and "报告期：2026年11月" in rows[1][0]
    assert rows[2] == COLUMNS
    tasks = [row for row in rows[3:] if isinstance(row[0], int)]
    assert [row[0] for row in tasks] == list(range(1, 73))

    # 工作任务 and 具体项目 merged down over each run, their text in the run's first cell only.
    ledger = store.load()
    assert _merged(sheet, 2) == _runs([task.section for task in ledger.tasks])
    assert _merged(sheet, 3) == _runs([(task.section, task.subsection) for task in ledger.tasks])
    assert tasks[0][1] == ledger.tasks[0].section and tasks[1][1] is None

    by_no = {row[0]: row for row in tasks}
    assert by_no[5][3] == ledger.by_no(5).content
    # Issue 14: the period's notes grouped by unit, the lead first (these are task 5's overall notes, its lead's).
    assert by_no[5][7].split("\n") == ["【区民政局】11月3日 zhang：十一月：监委会换届完成；11月20日 zhang：十一月：制度汇编印发"]
    assert by_no[6][6] == "已完成" and by_no[1][7] == NOT_UPDATED
    assert by_no[1][4] == "区民政局\n以下均需各乡镇（街道）落实，不再列出。"
    overdue = [task.no for task in ledger.tasks if task.is_overdue(store.today())]
    assert overdue and all(by_no[no][6].endswith("\n逾期") for no in overdue)

    # Wrapped text, widths for reading, a frozen header repeated on every printed page, landscape A4.
    assert sheet.cell(row=4, column=4).alignment.wrap_text
    widths = [sheet.column_dimensions[get_column_letter(c)].width for c in range(1, 9)]
    assert widths[3] == max(widths) and widths[0] == min(widths)
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.row_dimensions[4].height > sheet.row_dimensions[5].height  # task 1's unit cell holds a remark

    # The period's status changes on the second sheet, as the report has them.
    report = build_report(ledger, today=store.today(), period=Period(2026, 11), history=store.history())
    changes = [row for row in _rows(workbook[CHANGES_SHEET])[2:] if row[0] is not None]
    assert [(row[0], row[2], row[3], row[5]) for row in changes] == [
        (change.task.no, change.unit, change.change_text, change.who) for change in report.status_changes
    ]
    # Issue 14: one net change per task and unit; task 7's mark and its undo cancel out.
    assert [(row[0], row[3]) for row in changes] == [(6, "未启动 → 已完成")]


def test_an_empty_selection_says_so(reported_db: Path, tmp_path: Path) -> None:  # noqa: F811
    output = tmp_path / "空.xlsx"
    export_store(Store(reported_db), output, filters=ExportFilters(search="没有这样的任务"), period=Period(2026, 10))
    workbook = openpyxl.load_workbook(output)
    assert _rows(workbook[LEDGER_SHEET])[3][0] == "没有符合条件的任务。"
    assert _rows(workbook[CHANGES_SHEET])[2][0] == "本期没有任务状态变更。"


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    """A task list (or a note) whose text starts with `=` or reads as an error value must not become a formula
    in the report: opening it would run what a document's author wrote."""
    rows = [*ROWS[:2], ("2", "", "", '=HYPERLINK("http://example.invalid","点此")', "区民政局", "#N/A")]
    source = write_docx(tmp_path / "formula.docx", [rows])
    db = tmp_path / "data" / "db.json"
    seed_store(db, source)
    output = tmp_path / "r.xlsx"
    export_store(Store(db), output)
    cells = {cell.coordinate: cell for row in openpyxl.load_workbook(output)[LEDGER_SHEET].iter_rows() for cell in row}
    content, deadline = cells["D5"], cells["F5"]
    assert (content.value, content.data_type) == ('=HYPERLINK("http://example.invalid","点此")', "s")
    assert (deadline.value, deadline.data_type) == ("#N/A", "s")
    with zipfile.ZipFile(output) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_the_periods_revisions_on_a_third_sheet_with_the_changed_words_marked(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl.cell.rich_text import CellRichText

    monkeypatch.setattr("tui.core.store.api._local_now", fixed_clock)  # the CLI's import lands in the report's period

    from tests.test_app_import import CONTENT_EDITED_NO, write_revision

    store = Store(db_path, clock=fixed_clock, user="lisi")
    write_revision(tmp_path / "revised.docx", store.load().tasks)
    assert main(["import", str(tmp_path / "revised.docx"), "--yes", "--db", str(db_path)]) == 0
    output = tmp_path / "r.xlsx"
    export_store(Store(db_path, clock=fixed_clock), output)
    workbook = openpyxl.load_workbook(output, rich_text=True)
    assert workbook.sheetnames == [LEDGER_SHEET, REPORTING_SHEET, CHANGES_SHEET, REVISIONS_SHEET]
    rows = list(workbook[REVISIONS_SHEET].iter_rows(min_row=3, values_only=True))
    edited = next(row for row in rows if isinstance(row[2], CellRichText) and "主要内容" in str(row[2]))
    assert edited[0] == CONTENT_EDITED_NO + 1  # renumbered by the inserted task
    struck = [block.text for block in edited[2] if not isinstance(block, str) and block.font.strike]
    inserted = [block.text for block in edited[2] if not isinstance(block, str) and block.font.u == "single"]
    assert struck == ["，"] and inserted == ["；"]
    assert any("完成时限 2025 → 2026" in str(row[2]) for row in rows)


def test_cli_export_by_extension_and_by_format(reported_db: Path, tmp_path: Path, capsys) -> None:  # noqa: F811
    assert main(["export", "-o", str(tmp_path / "a.xlsx"), "--db", str(reported_db)]) == 0
    assert main(["export", "-o", str(tmp_path / "b.xlsx"), "--format", "xlsx", "--db", str(reported_db)]) == 0
    for name in ("a.xlsx", "b.xlsx"):
        assert openpyxl.load_workbook(tmp_path / name).sheetnames[0] == LEDGER_SHEET


# ---------------------------------------------------------------------- reading


def test_the_exported_workbook_reimports_to_the_same_records(reported_db: Path, tmp_path: Path) -> None:  # noqa: F811
    output = tmp_path / "台账.xlsx"
    export_store(Store(reported_db), output)
    document = read_document(output)
    assert document.tasks == SOURCE.tasks
    assert document.title == SOURCE.title
    assert document.extra_columns == ("当前状态", "进展情况")


def _source_like_workbook(path: Path, *, headers: tuple[str, ...], cover_sheet: bool) -> Path:
    """The source table as someone would lay it out in Excel: a 附件 label and a merged title above the header,
    工作任务 and 具体项目 merged down, 序号 and year deadlines typed as numbers, optionally behind a cover sheet."""
    workbook = openpyxl.Workbook()
    if cover_sheet:
        workbook.active.title = "说明"
        workbook.active["A1"] = "本表由区民政局汇总，请勿改动表头。"
        sheet = workbook.create_sheet("任务清单")
    else:
        sheet = workbook.active
    sheet.append(["附件1"])
    sheet.append([SOURCE.title])
    sheet.merge_cells("A2:F2")
    sheet.append(list(headers))
    first = {"section": 0, "subsection": 0}
    previous: dict[str, object] = {"section": None, "subsection": None}
    for index, task in enumerate(SOURCE.tasks):
        row = 4 + index
        keys = {"section": task.section, "subsection": (task.section, task.subsection)}
        deadline: object = int(task.deadline) if task.deadline.isdigit() else task.deadline
        sheet.append([task.no, task.section, task.subsection, task.content, "\n".join((*task.units, *task.remarks)),
                      deadline])  # fmt: skip
        for column, name in ((2, "section"), (3, "subsection")):
            if keys[name] != previous[name]:
                first[name] = row
            elif row > first[name]:
                sheet.cell(row=row, column=column).value = None
            previous[name] = keys[name]
    # Merge each run after filling it (openpyxl keeps only the first cell's value of a merge).
    for column, key in ((2, lambda t: t.section), (3, lambda t: (t.section, t.subsection))):
        start = 0
        keys = [key(task) for task in SOURCE.tasks]
        for index in range(1, len(keys) + 1):
            if index == len(keys) or keys[index] != keys[start]:
                if index - start > 1:
                    sheet.merge_cells(
                        start_row=4 + start, start_column=column, end_row=4 + index - 1, end_column=column
                    )
                start = index
    sheet.append([])
    sheet.append([None, "注：以上任务按季度报送进展。"])
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("headers", "cover_sheet"),
    [
        (("序号", "工作任务", "具体项目", "主要内容", "责任单位", "完成时限"), False),
        (("序号", "重点任务", "具体工作", "任务内容", "牵头单位", "完成时间"), True),
    ],
    ids=["source-headers", "variant-headers-behind-a-cover-sheet"],
)
def test_a_workbook_laid_out_like_the_source_reads_as_the_docx(
    tmp_path: Path, headers: tuple[str, ...], cover_sheet: bool
) -> None:
    path = _source_like_workbook(tmp_path / "任务清单.xlsx", headers=headers, cover_sheet=cover_sheet)
    document = read_document(path)
    assert document.tasks == SOURCE.tasks
    assert document.title == GOLDEN["title"]
    assert summary(document) == GOLDEN["tasks"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (tests/run.sh installs it)")
def test_the_source_saved_as_xlsx_by_libreoffice_reads_as_the_docx(tmp_path: Path) -> None:
    """The source document's table saved as a workbook by LibreOffice: Writer writes it as HTML, Calc opens that
    and saves it as .xlsx, with the merged cells LibreOffice makes of the table's vertical merges."""
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    shutil.copy(SOURCE_DOCX, tmp_path / "task-list.docx")
    for options in (["--convert-to", "html", "task-list.docx"],
                    ["--infilter=HTML (StarCalc)", "--convert-to", "xlsx", "task-list.html"]):  # fmt: skip
        subprocess.run(["soffice", profile, "--headless", *options], cwd=tmp_path, capture_output=True, timeout=180)
    workbook_path = tmp_path / "task-list.xlsx"
    assert workbook_path.exists()
    sheet = openpyxl.load_workbook(workbook_path).worksheets[0]
    assert any(merge.max_row > merge.min_row for merge in sheet.merged_cells.ranges)  # the sections are merged
    document = read_document(workbook_path)
    assert document.tasks == SOURCE.tasks
    assert document.title == GOLDEN["title"]


# ---------------------------------------------------------------------- bad workbooks


def _workbook_with(path: Path, change: Callable[[str, bytes], bytes] = lambda _name, data: data) -> Path:
    """A copy of a workbook laid out like the source with its parts passed through `change(name, data)`."""
    source = _source_like_workbook(path.with_name("base.xlsx"), headers=GOLDEN_HEADERS, cover_sheet=False)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy:
        for entry in original.infolist():
            copy.writestr(entry, change(entry.filename, original.read(entry.filename)))
    return path


def _entities(name: str, data: bytes) -> bytes:
    """The sheet with a billion-laughs DTD in front of its root element."""
    if name != "xl/worksheets/sheet1.xml":
        return data
    declaration, _, body = data.partition(b"?>")
    return declaration + b"?>" + BILLION_LAUGHS + body


GOLDEN_HEADERS = ("序号", "工作任务", "具体项目", "主要内容", "责任单位", "完成时限")
BILLION_LAUGHS = b'<!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'


def _bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            for _ in range(40):
                handle.write(b" " * (1024 * 1024))
    return path


@pytest.mark.parametrize(
    ("make", "wanted"),
    [
        (lambda p: _workbook_with(p, _entities), "XML 声明"),
        (lambda p: _bomb(p), "异常巨大"),
        (lambda p: p.write_bytes(_workbook_with(p.with_name("w.xlsx")).read_bytes()[:3000]) and p, "已损坏或不完整"),
        (lambda p: _workbook_with(p, lambda n, d: b"<not-a-workbook" if n == "xl/workbook.xml" else d), "但无法读取"),
    ],
    ids=["entity-declaration", "zip-bomb", "truncated", "broken-part"],
)
def test_a_bad_workbook_is_refused_in_one_line(tmp_path: Path, make, wanted: str) -> None:
    path = make(tmp_path / "坏.xlsx")
    with pytest.raises(DocumentError) as refused:
        read_document(path)
    message = str(refused.value)
    assert wanted in message and "坏.xlsx" in message and "\n" not in message


def test_a_workbook_without_the_table_names_the_headers_it_needs(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "电话"])
    workbook.active.append(["张三", "123"])
    workbook.save(tmp_path / "通讯录.xlsx")
    with pytest.raises(DocumentError, match="没有找到任务表格。表头可用的列名：序号"):
        read_document(tmp_path / "通讯录.xlsx")
    workbook = openpyxl.Workbook()
    workbook.active.append(["序号", "工作任务", "主要内容"])
    workbook.active.append([1, "一、测试", "1.内容"])
    workbook.save(tmp_path / "缺列.xlsx")
    with pytest.raises(DocumentError, match="缺少列：具体项目、责任单位、完成时限"):
        read_document(tmp_path / "缺列.xlsx")


def test_a_refused_workbook_leaves_the_store_untouched(db_path: Path, tmp_path: Path, capsys) -> None:
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    bad = _bomb(tmp_path / "bomb.xlsx")
    assert main(["import", str(bad), "--yes", "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "已拒绝导入" in err
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
