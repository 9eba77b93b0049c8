"""`taizhang export`: the ledger as a Word report, CSV and JSON for a monthly reporting round.

Every exported file is opened again (python-docx, csv, json) and checked: rows, statuses, the period's
notes, merged section cells, the repeated header row, landscape A4, fonts and filters.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell

from tests.accounts import cannot_run_as_nobody, open_folder, taizhang_as_nobody
from tests.conftest import FIXED_NOW, PROJECT, fixed_clock, seed_store
from tui.cli import main
from tui.core.export import export_ledger, export_store
from tui.core.model import Status
from tui.core.report import COLUMNS, ExportFilters, Period
from tui.core.report_data import CSV_COLUMNS
from tui.core.store import Store

TZ = FIXED_NOW.tzinfo
TITLE = "洛江区落实《泉州市“十四五”城乡社区服务体系建设实施方案》任务清单及工作台账分解表"


class Clock:
    """A store clock the test moves between months."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def reported_db(tmp_path: Path) -> Path:
    """A store with two months of work: October and November 2026 (the fixed clock's month)."""
    path = tmp_path / "data" / "db.json"
    clock = Clock(at(10, 10))
    seed_store(path, clock=clock, user="admin")
    zhang = Store(path, clock=clock, user="zhang")
    li = Store(path, clock=clock, user="li")
    ledger = zhang.load()
    t3, t5, t6, t7 = (ledger.by_no(no).id for no in (3, 5, 6, 7))

    zhang.set_status(t5, Status.IN_PROGRESS)  # 10月10日
    clock.now = at(10, 12)
    zhang.add_note(t5, "十月：已召开专题会议部署")
    li.add_note(t3, "十月：邻里中心完成选址")

    clock.now = at(11, 3)
    zhang.add_note(t5, "十一月：监委会换届完成")
    clock.now = at(11, 5, 15)
    li.set_status(t6, Status.DONE)
    li.add_note(t6, "公共卫生委员会已全覆盖")
    clock.now = at(11, 20)
    zhang.add_note(t5, "十一月：制度汇编印发")
    blocked = zhang.set_status(t7, Status.BLOCKED)
    clock.now = at(11, 21)
    assert blocked is not None
    zhang.undo(blocked.id)
    return path


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's store reads the fixed clock: 2026-11-28, so the default period is 2026-11."""
    monkeypatch.setattr("tui.core.store.api._local_now", fixed_clock)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def store_fingerprint(db: Path) -> dict[str, str]:
    files = [db, *sorted(db.with_name("db.journal").glob("*.json"))]
    return {file.name: hashlib.sha256(file.read_bytes()).hexdigest() for file in files}


# ---------------------------------------------------------------------- reading a .docx back


@dataclass
class CellView:
    lines: list[str]
    v_merge: str | None  # None, "restart" or "continue"
    tc: object

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def table_rows(table: Table) -> list[list[CellView]]:
    """The table's cells as stored: one per w:tc (python-docx's row.cells repeats merged cells)."""
    rows = []
    for tr in table._tbl.tr_lst:
        row = []
        for tc in tr.tc_lst:
            cell = _Cell(tc, table)
            lines = [paragraph.text for paragraph in cell.paragraphs]
            row.append(CellView(lines=[] if lines == [""] else lines, v_merge=tc.vMerge, tc=tc))
        rows.append(row)
    return rows


def merged_column(rows: list[list[CellView]], column: int) -> list[str]:
    """What a reader sees in a vertically merged column: each continuation shows the text above."""
    values: list[str] = []
    for row in rows:
        cell = row[column]
        if cell.v_merge == "continue":
            assert cell.lines == [], "a continued merge holds no text of its own"
            assert values, "a merge cannot continue in the first row"
            values.append(values[-1])
        else:
            values.append(cell.text)
    return values


def by_number(rows: list[list[CellView]]) -> dict[int, list[CellView]]:
    return {int(row[0].text): row for row in rows}


def run_fonts(paragraph) -> list[tuple[str | None, str | None, float | None]]:
    """(eastAsia font, ascii font, size in pt) of each run."""
    result = []
    for run in paragraph.runs:
        fonts = run._element.rPr.rFonts
        size = run.font.size.pt if run.font.size else None
        result.append((fonts.get(qn("w:eastAsia")), fonts.get(qn("w:ascii")), size))
    return result


# ---------------------------------------------------------------------- Word


def test_docx_report_of_the_whole_ledger_for_this_month(
    reported_db: Path, fixed_today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_fingerprint(reported_db)
    out = tmp_path / "台账.docx"
    code, stdout, err = run_cli(capsys, "export", "-o", str(out), "--db", str(reported_db))
    assert (code, err) == (0, "")
    assert "已导出 72 项任务" in stdout and "报告期 2026年11月" in stdout
    assert store_fingerprint(reported_db) == before, "an export never writes the store"

    document = docx.Document(str(out))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (section.page_width.twips, section.page_height.twips) == (16838, 11906)  # A4
    usable = section.page_width - section.left_margin - section.right_margin
    assert Cm(1.5) <= section.left_margin <= Cm(3) and Cm(1.5) <= section.top_margin <= Cm(3)

    title, subtitle = document.paragraphs[0], document.paragraphs[1]
    assert title.text == TITLE
    assert subtitle.text.split("　") == ["截至 2026年11月28日", "报告期：2026年11月"]

    table = document.tables[0]
    rows = table_rows(table)
    header, body = rows[0], rows[1:]
    assert [cell.text for cell in header] == list(COLUMNS)
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader"), "the header row repeats on every page"
    assert not table.rows[1]._tr.xpath("./w:trPr/w:tblHeader")
    widths = [column.width for column in table.columns]
    assert len(widths) == 8 and sum(widths) <= usable

    assert [int(row[0].text) for row in body] == list(range(1, 73))
    tasks = by_number(body)
    # Task 5: in progress; only November's notes, dated, one paragraph each, oldest first.
    assert tasks[5][6].lines == ["推进中"]
    # Issue 14: grouped by unit, one paragraph each, the lead first (these notes are the lead's: the overall row).
    assert tasks[5][7].lines == ["【区民政局】11月3日 zhang：十一月：监委会换届完成；11月20日 zhang：十一月：制度汇编印发"]
    assert tasks[6][6].lines == ["已完成"]
    assert tasks[6][7].lines == ["【区民政局】11月5日 li：公共卫生委员会已全覆盖"]
    # Task 3's note is October's: not this period's progress.
    assert tasks[3][7].lines == ["本期未更新"]
    assert tasks[7][6].lines == ["未启动"], "the blocked mark was undone"
    # Task 10 (完成时限 2025) is overdue on 2026-11-28; task 1 (持续实施) never is.
    assert tasks[10][5].text == "2025" and tasks[10][6].lines == ["未启动", "逾期"]
    assert tasks[1][6].lines == ["未启动"]
    assert tasks[1][4].lines == ["区民政局", "以下均需各乡镇（街道）落实，不再列出。"]
    assert tasks[3][4].lines[:2] == ["区行政服务中心", "区民政局"]
    assert tasks[1][3].text.startswith("1．强化乡镇（街道）党（工）委责任")
    not_updated = [no for no, row in tasks.items() if row[7].lines == ["本期未更新"]]
    assert len(not_updated) == 70 and 5 not in not_updated and 6 not in not_updated

    # Sections and subsections merged vertically as in the source: one restart per run.
    ledger = Store(reported_db, clock=fixed_clock).load()
    assert merged_column(body, 1) == [task.section for task in ledger.tasks]
    assert merged_column(body, 2) == [task.subsection for task in ledger.tasks]
    assert sum(row[1].v_merge == "restart" for row in body) == 5
    assert sum(row[2].v_merge == "restart" for row in body) == 16
    assert all(row[1].v_merge in ("restart", "continue") for row in body)
    assert all(row[0].v_merge is None and row[3].v_merge is None for row in body)

    # Fonts of government documents, East-Asian names set through w:eastAsia.
    assert run_fonts(title) == [("方正小标宋简体", "Times New Roman", 22.0)]
    assert run_fonts(subtitle) == [("仿宋_GB2312", "Times New Roman", 16.0)]
    header_paragraph = _Cell(header[0].tc, table).paragraphs[0]
    assert run_fonts(header_paragraph) == [("黑体", "Times New Roman", 10.5)]
    body_paragraph = _Cell(tasks[5][7].tc, table).paragraphs[0]
    assert run_fonts(body_paragraph) == [("仿宋_GB2312", "Times New Roman", 10.5)]
    normal = document.styles["Normal"]
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and normal.font.size == Pt(10.5)
    font_table = next(
        rel.target_part.blob for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable")
    ).decode("utf-8")
    assert re.search(r'w:name="仿宋_GB2312">\s*<w:altName w:val="仿宋"/>', font_table)
    assert re.search(r'w:name="方正小标宋简体">\s*<w:altName w:val="宋体"/>', font_table)

    # The status changes of the period, after the table and 本期报送情况: task 5's October change is not among
    # them, and (issue 14) task 7's mark and its undo cancel out: one net change per task and unit.
    changes = table_rows(document.tables[2])
    assert [cell.text for cell in changes[0]] == ["序号", "任务", "单位", "状态变更", "时间", "操作人"]
    assert [[cell.text for cell in row] for row in changes[1:]] == [
        ["6", "推动村（居）民委员会下属委员会建设", "区民政局", "未启动 → 已完成", "11月5日 15:00", "li"],
    ]


def test_docx_filtered_by_unit_for_an_earlier_period(
    reported_db: Path, fixed_today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "卫健局-10月.docx"
    code, _, err = run_cli(
        capsys, "export", "-o", str(out), "--unit", "卫健", "--period", "2026-10", "--db", str(reported_db)
    )
    assert (code, err) == (0, ""), err
    document = docx.Document(str(out))
    assert document.paragraphs[1].text.split("　") == ["截至 2026年11月28日", "报告期：2026年10月", "责任单位：区卫健局"]
    body = table_rows(document.tables[0])[1:]
    ledger = Store(reported_db, clock=fixed_clock).load()
    expected = [task for task in ledger.tasks if task.has_unit("区卫健局")]
    assert [int(row[0].text) for row in body] == [task.no for task in expected] and len(expected) == 8
    assert all("区卫健局" in row[4].lines for row in body)
    tasks = by_number(body)
    assert tasks[3][7].lines == ["【区行政服务中心】10月12日 li：十月：邻里中心完成选址"]  # issue 14: by unit
    assert tasks[6][7].lines == ["本期未更新"], "task 6's note was written in November"
    # Rows of one section stay merged after filtering; a run of one row is not merged.
    assert merged_column(body, 1) == [task.section for task in expected]
    assert merged_column(body, 2) == [task.subsection for task in expected]
    assert document.paragraphs[-1].text == "本期没有任务状态变更。"


def test_docx_filtered_by_status_and_overdue(
    reported_db: Path, fixed_today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    done = tmp_path / "done.docx"
    assert run_cli(capsys, "export", "-o", str(done), "--status", "已完成", "--db", str(reported_db))[0] == 0
    document = docx.Document(str(done))
    assert "状态：已完成" in document.paragraphs[1].text
    body = table_rows(document.tables[0])[1:]
    assert [(row[0].text, row[6].text) for row in body] == [("6", "已完成")]
    assert body[0][1].v_merge is None, "a single row is not a merge"

    overdue = tmp_path / "overdue.docx"
    assert run_cli(capsys, "export", "-o", str(overdue), "--overdue", "--db", str(reported_db))[0] == 0
    document = docx.Document(str(overdue))
    assert "仅列逾期任务" in document.paragraphs[1].text
    body = table_rows(document.tables[0])[1:]
    ledger = Store(reported_db, clock=fixed_clock).load()
    expected = [task.no for task in ledger.tasks if task.is_overdue(FIXED_NOW.date())]
    assert [int(row[0].text) for row in body] == expected and 10 in expected
    assert all(row[6].lines[-1] == "逾期" for row in body)


def test_empty_selection_still_makes_a_report(reported_db: Path, tmp_path: Path) -> None:
    store = Store(reported_db, clock=fixed_clock)
    out = tmp_path / "none.docx"
    result = export_store(store, out, filters=ExportFilters(statuses=(Status.CLOSED,)))
    assert result.tasks == 0
    document = docx.Document(str(out))
    assert len(document.tables[0].rows) == 1
    assert any(paragraph.text == "没有符合条件的任务。" for paragraph in document.paragraphs)


# ---------------------------------------------------------------------- CSV and JSON


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        return list(reader)


def test_csv_has_a_bom_and_one_row_per_task(
    reported_db: Path, fixed_today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "台账.csv"
    assert run_cli(capsys, "export", "-o", str(out), "--db", str(reported_db))[0] == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf" + "序号,".encode())
    rows = read_csv(out)
    assert [int(row["序号"]) for row in rows] == list(range(1, 73))
    tasks = {int(row["序号"]): row for row in rows}
    assert tasks[5]["当前状态"] == "推进中"
    assert tasks[5]["进展情况"] == "【区民政局】11月3日 zhang：十一月：监委会换届完成；11月20日 zhang：十一月：制度汇编印发"
    assert (tasks[5]["逾期"], tasks[5]["本期未更新"]) == ("否", "否")
    assert (tasks[10]["逾期"], tasks[10]["本期未更新"], tasks[10]["进展情况"]) == ("是", "是", "")
    assert tasks[3]["责任单位"].startswith("区行政服务中心、区民政局、")
    assert tasks[1]["工作任务"] == "一、完善城乡社区服务格局", "every row carries its section: no merged cells in CSV"
    assert tasks[72]["具体项目"] == tasks[71]["具体项目"] != ""
    assert sum(row["本期未更新"] == "是" for row in rows) == 70


def test_csv_filtered_by_unit_and_period(
    reported_db: Path, fixed_today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "卫健.csv"
    code, _, err = run_cli(
        capsys, "export", "-o", str(out), "--unit", "区卫健局", "--period", "2026-10", "--db", str(reported_db)
    )
    assert (code, err) == (0, "")
    rows = read_csv(out)
    assert len(rows) == 8 and all("区卫健局" in row["责任单位"] for row in rows)
    tasks = {int(row["序号"]): row for row in rows}
    assert tasks[3]["进展情况"] == "【区行政服务中心】10月12日 li：十月：邻里中心完成选址" and tasks[3]["本期未更新"] == "否"
    assert tasks[6]["本期未更新"] == "是"


def test_json_has_a_header_and_the_tasks_of_list_json(
    reported_db: Path, fixed_today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "台账.json"
    assert run_cli(capsys, "export", "-o", str(out), "--unit", "区卫健局", "--db", str(reported_db))[0] == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["header"] == {
        "title": TITLE,
        "as_of": "2026-11-28",
        "period": "2026-11",
        "period_label": "2026年11月",
        "filters": {"unit": "区卫健局", "statuses": None, "overdue": False, "search": None},
        "count": 8,
        "not_updated": 7,
    }
    code, listed, _ = run_cli(capsys, "list", "--json", "--unit", "区卫健局", "--db", str(reported_db))
    listed_tasks = json.loads(listed)
    assert code == 0
    exported = [{k: v for k, v in task.items() if k not in ("period_notes", "not_updated")} for task in data["tasks"]]
    assert exported == listed_tasks
    task6 = next(task for task in data["tasks"] if task["no"] == 6)
    assert task6["status"] == "done" and task6["not_updated"] is False
    assert task6["period_notes"] == [{"at": "2026-11-05T15:00:00+08:00", "by": "li", "text": "公共卫生委员会已全覆盖"}]
    # Issue 14: net changes by unit (no undo rows any more).
    assert [(c["no"], c["unit"], c["role"], c["old"], c["new"]) for c in data["status_changes"]] == [
        (6, "区民政局", "lead", "not_started", "done")
    ]


def test_json_for_overdue_tasks_of_october(
    reported_db: Path, fixed_today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "overdue.json"
    code, _, _ = run_cli(capsys, "export", "-o", str(out), "--overdue", "--period", "2026-10", "--db", str(reported_db))
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["header"]["period"] == "2026-10" and data["header"]["filters"]["overdue"] is True
    assert data["tasks"] and all(task["overdue"] for task in data["tasks"])


# ---------------------------------------------------------------------- the function the app calls


def test_export_ledger_reports_progress_and_accepts_the_apps_filters(reported_db: Path, tmp_path: Path) -> None:
    store = Store(reported_db, clock=fixed_clock)
    calls: list[tuple[int, int]] = []
    result = export_ledger(
        store.load(),
        tmp_path / "search.docx",
        today=store.today(),
        filters=ExportFilters(search="邻里中心"),
        period=Period(2026, 10),
        history=store.history(),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert result.format == "docx" and result.period == Period(2026, 10)
    assert calls and calls[-1] == (result.tasks, result.tasks)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    body = table_rows(docx.Document(str(result.path)).tables[0])[1:]
    assert len(body) == result.tasks and any(row[0].text == "3" for row in body)


def test_period_parsing() -> None:
    assert Period.parse("2026-11") == Period(2026, 11) and Period.parse("2026-1").key == "2026-01"
    assert Period(2026, 1).previous() == Period(2025, 12)
    assert Period.of(dt.date(2026, 11, 28)).label == "2026年11月"
    assert Period(2026, 11).contains("2026-11-30T23:59:00+08:00") and not Period(2026, 11).contains("2026-12-01T00:00:00+08:00")


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("name", "wanted"),
    [("r.pdf", "“.pdf”"), ("r.xls", "“.xls”"), ("report", "没有扩展名"), ("r.doc", "“.doc”")],
)
def test_unknown_extension_is_refused_in_one_line(
    reported_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, wanted: str
) -> None:
    before = store_fingerprint(reported_db)
    code, stdout, err = run_cli(capsys, "export", "-o", str(tmp_path / name), "--db", str(reported_db))
    assert code == 2 and stdout == ""
    # Issue 15 added .xlsx to the formats (it was refused before).
    assert err.count("\n") == 1 and wanted in err and ".docx、.xlsx、.csv 或 .json" in err
    assert not (tmp_path / name).exists()
    assert store_fingerprint(reported_db) == before


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "2026/11", "11-2026", "abc", "2026-11-01", ""])
def test_bad_period_is_refused_in_one_line(
    reported_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], period: str
) -> None:
    out = tmp_path / "r.docx"
    code, stdout, err = run_cli(capsys, "export", "-o", str(out), "--period", period, "--db", str(reported_db))
    assert code == 2 and stdout == ""
    assert err == f"taizhang: 报告期“{period}”格式不对。请写成 年-月，如 2026-11。\n"
    assert not out.exists()


def test_bad_destinations_are_refused_in_one_line(
    reported_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_fingerprint(reported_db)
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x", encoding="utf-8")
    (tmp_path / "folder.docx").mkdir()
    cases = [
        (tmp_path / "missing" / "r.docx", "不存在"),
        (a_file / "r.csv", "不是目录"),
        (tmp_path / "folder.docx", "是一个目录"),
        (reported_db, "数据文件"),
        (reported_db.with_name("db.journal") / "2026-11.json", "数据文件"),
    ]
    for target, wanted in cases:
        code, stdout, err = run_cli(capsys, "export", "-o", str(target), "--db", str(reported_db))
        assert code == 2 and stdout == "" and err.count("\n") == 1 and wanted in err, (target, err)
        assert "Traceback" not in err
    assert store_fingerprint(reported_db) == before
    code, _, err = run_cli(capsys, "export", "-o", str(tmp_path / "r.docx"), "--unit", "不存在的局", "--db", str(reported_db))
    assert code == 2 and "没有名为“不存在的局”的责任单位" in err and not (tmp_path / "r.docx").exists()


def test_unwritable_folder_is_refused(reported_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder the account may only read: one line. Root writes anywhere, so under root (how CI runs) the
    export runs as `nobody`, from a copy of the store in a folder every account can reach."""
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        code, _, err = run_cli(capsys, "export", "-o", str(locked / "r.docx"), "--db", str(reported_db))
    else:
        if (reason := cannot_run_as_nobody()) is not None:
            pytest.skip(reason)
        with open_folder() as folder:
            db = shutil.copytree(reported_db.parent, folder / "data") / "db.json"
            locked = folder / "locked"
            locked.mkdir(mode=0o555)  # root's: nobody may read it, not write in it
            exported = taizhang_as_nobody("export", "-o", locked / "r.docx", "--db", db)
            code, err = exported.returncode, exported.stderr
            assert not (locked / "r.docx").exists()
    assert code == 2 and "没有写入目录" in err


def test_a_failed_write_keeps_the_previous_report_whole(reported_db: Path, tmp_path: Path) -> None:
    """A disk that fills up mid-write (here a file-size limit): the old report stays, no temp file is left."""
    out = tmp_path / "台账.docx"
    out.write_bytes(b"previous report")

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then write() fails with EFBIG instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "export", "-o", str(out), "--db", str(reported_db)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_file_size,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        cwd=PROJECT,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"taizhang: 写入 {out} 失败") and result.stderr.count("\n") == 1
    assert out.read_bytes() == b"previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "台账.docx"]


def test_export_replaces_an_existing_report_and_keeps_its_mode(reported_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    export_store(Store(reported_db, clock=fixed_clock), out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and (out.stat().st_mode & 0o777) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# ---------------------------------------------------------------------- an office suite opens it


def test_libreoffice_converts_the_report_to_pdf(reported_db: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: tests/run.sh installs libreoffice-writer-nogui")
    report = export_store(Store(reported_db, clock=fixed_clock), tmp_path / "report.docx").path
    profile = tmp_path / "lo-profile"  # a private profile: no clash with another soffice running
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = tmp_path / "report.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages >= 5, f"72 tasks fill several landscape pages, got {pages}"
