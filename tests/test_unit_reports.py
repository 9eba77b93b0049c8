"""Issue 14: the report and the overview by unit, checked against a hand-built ledger of known per-unit states.

Four tasks, two townships, three bureaus; October is the previous period, November (the fixed clock's month)
this one. Every figure below is worked out by hand from the events written in `worked_db`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.conftest import FIXED_NOW, fixed_clock, seed_store
from tests.docx_builder import HEADER, write_docx
from tests.test_export import table_rows
from tui.core.export import export_store
from tui.core.model import Status
from tui.core.overview import overview_rows, unit_overview_rows
from tui.core.report import ExportFilters, Period, build_report
from tui.core.report_xlsx import REPORTING_SHEET
from tui.core.store import Store
from tui.core.unit_progress import number_ranges

TZ = FIXED_NOW.tzinfo
NOTE = "以下均需各乡镇（街道）落实，不再列出。"
ROWS = [
    HEADER,
    ("1", "一、第一部分", "（一）第一小节", "1.第一项", f"区民政局\n{NOTE}", "持续实施"),
    ("2", "", "", "2.第二项", "区民政局、区卫健局", "2025"),
    ("3", "", "", "3.第三项", "区卫健局", "2026年6月底前"),
    ("4", "二、第二部分", "（一）另一小节", "1.第四项", "区教育局\n区卫健局", "2027"),
]
TOWNS = ("甲镇", "乙街道")


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 10, 10, 9, 0, tzinfo=TZ)

    def __call__(self) -> dt.datetime:
        return self.now


def _at(month: int, day: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, minute, tzinfo=TZ)


@pytest.fixture
def worked_db(tmp_path: Path) -> Path:
    """The hand-built ledger. No users.toml: each account writes whichever row it names."""
    db = tmp_path / "data" / "db.json"
    clock = Clock()
    seed_store(db, write_docx(tmp_path / "worked.docx", [ROWS]), clock=clock, user="admin")
    Store(db, clock=clock, user="admin").set_towns(TOWNS)
    ids = {task.no: task.id for task in Store(db).load().tasks}
    mz, wj, jz, yi = (Store(db, clock=clock, user=login) for login in ("minzheng", "weijian", "jiazhen", "yi"))

    # October (the previous period).
    mz.set_status(ids[1], Status.IN_PROGRESS)
    mz.add_note(ids[2], "十月：摸底")
    yi.add_note(ids[1], "十月：乙街道动员", unit="乙街道")
    # November.
    clock.now = _at(11, 3)
    mz.add_note(ids[1], "十一月：民政部署")
    jz.set_status(ids[1], Status.IN_PROGRESS, unit="甲镇")
    jz.add_note(ids[1], "十一月：甲镇走访", unit="甲镇")
    clock.now = _at(11, 5)
    mz.set_status(ids[2], Status.IN_PROGRESS)
    mz.set_status(ids[2], Status.BLOCKED)
    wj.set_status(ids[2], Status.DONE, unit="区卫健局")
    jz.add_note(ids[2], "十一月：甲镇配合", unit="甲镇")
    clock.now = _at(11, 6)
    blocked = wj.set_status(ids[3], Status.BLOCKED)  # the lead's mark, then its undo: no report, no change
    assert blocked is not None
    wj.undo(blocked.id)
    jz.set_status(ids[3], Status.IN_PROGRESS, unit="甲镇")  # a round trip: reported, but no net change
    jz.set_status(ids[3], Status.NOT_STARTED, unit="甲镇")
    clock.now = _at(11, 7)
    mz.set_status(ids[2], Status.IN_PROGRESS)
    return db


def _ledger(db: Path):
    store = Store(db, clock=fixed_clock)
    return store, store.load()


def test_the_overview_per_unit_is_the_hand_counted_one(worked_db: Path) -> None:
    store, ledger = _ledger(worked_db)
    rows = unit_overview_rows(ledger, store.today(), store.history())
    figures = [
        (row.label, row.total, {s.value: n for s, n in row.by_status.items() if n}, row.overdue, row.not_reported)
        for row in rows
    ]
    assert figures == [
        # the most behind first: the largest share of tasks not reported, then the most overdue
        ("乙街道", 4, {"not_started": 4}, 2, 4),
        ("区教育局", 1, {"not_started": 1}, 0, 1),
        ("区卫健局", 3, {"not_started": 2, "done": 1}, 1, 2),
        ("甲镇", 4, {"not_started": 3, "in_progress": 1}, 2, 1),
        ("区民政局", 2, {"in_progress": 2}, 1, 0),
    ]
    assert [row.choice.kind for row in rows] == ["unit"] * 5 and rows[0].choice.name == "乙街道"

    whole, *sections = overview_rows(ledger, store.today(), store.history())[:3]
    assert (whole.label, whole.total, whole.overdue, whole.not_reported) == ("全部任务", 4, 2, 1)
    assert {s.value: n for s, n in whole.by_status.items() if n} == {"in_progress": 2, "not_started": 2}
    assert [(row.label, row.total, row.not_reported) for row in sections] == [("一、第一部分", 3, 0), ("二、第二部分", 1, 1)]

    # October: only 区民政局 (task 1's mark, task 2's note) and 乙街道 (task 1's note) reported.
    october = {row.label: row.not_reported for row in unit_overview_rows(ledger, store.today(), store.history(), Period(2026, 10))}
    assert october == {"区民政局": 0, "乙街道": 3, "甲镇": 4, "区卫健局": 3, "区教育局": 1}


def test_the_report_groups_notes_by_unit_and_lists_reporting_and_net_changes(worked_db: Path) -> None:
    store, ledger = _ledger(worked_db)
    report = build_report(ledger, today=store.today(), history=store.history())
    rows = {row.task.no: row for row in report.rows}
    assert rows[1].progress_lines == ("【区民政局】11月3日 minzheng：十一月：民政部署", "【甲镇】11月3日 jiazhen：十一月：甲镇走访")
    assert rows[2].progress_lines == ("【甲镇】11月5日 jiazhen：十一月：甲镇配合",)
    assert rows[3].progress_lines == () and not rows[3].not_updated, "甲镇's marks on task 3 are an update"
    assert [no for no, row in rows.items() if row.not_updated] == [4]
    assert report.not_updated_count == 1

    assert [(change.task.no, change.unit, change.role.value, change.change_text, change.who)
            for change in report.status_changes] == [
        (1, "甲镇", "town", "未启动 → 推进中", "jiazhen"),
        (2, "区卫健局", "cooperating", "未启动 → 已完成", "weijian"),
        (2, "区民政局", "lead", "未启动 → 推进中", "minzheng"),  # 未启动 -> 推进中 -> 受阻 -> 推进中: first -> last
    ]  # fmt: skip
    assert [(r.unit, len(r.tasks), r.reported, r.missing_numbers) for r in report.reporting] == [
        ("区卫健局", 3, 1, "3–4"),
        ("区民政局", 2, 2, ""),
        ("区教育局", 1, 0, "4"),
        ("甲镇", 4, 3, "4"),
        ("乙街道", 4, 0, "1–4"),
    ]
    mine = build_report(ledger, today=store.today(), history=store.history(), filters=ExportFilters(unit="甲镇"))
    assert [row.task.no for row in mine.rows] == [1, 2, 3, 4] and [r.unit for r in mine.reporting] == ["甲镇"]


def test_the_word_and_excel_reports_hold_the_reporting_part(worked_db: Path, tmp_path: Path) -> None:
    store = Store(worked_db, clock=fixed_clock)
    export_store(store, tmp_path / "r.docx")
    document = docx.Document(str(tmp_path / "r.docx"))
    headings = [p.text for p in document.paragraphs if p.text.startswith("本期")]
    assert headings[:2] == ["本期报送情况（2026年11月）", "本期状态变更（2026年11月）"]
    reporting = [[cell.text for cell in row] for row in table_rows(document.tables[1])]
    assert reporting[0] == ["单位", "任务数", "已报送", "未报送", "未报送的任务（序号）"]
    assert reporting[1:] == [
        ["区卫健局", "3", "1", "2", "3–4"],
        ["区民政局", "2", "2", "0", "—"],
        ["区教育局", "1", "0", "1", "4"],
        ["甲镇", "4", "3", "1", "4"],
        ["乙街道", "4", "0", "4", "1–4"],
    ]
    body = {row[0].text: row for row in table_rows(document.tables[0])[1:]}
    assert body["1"][7].lines == ["【区民政局】11月3日 minzheng：十一月：民政部署", "【甲镇】11月3日 jiazhen：十一月：甲镇走访"]
    assert body["4"][7].lines == ["本期未更新"]
    changes = [[cell.text for cell in row] for row in table_rows(document.tables[2])[1:]]
    assert [(row[0], row[2], row[3]) for row in changes] == [
        ("1", "甲镇", "未启动 → 推进中"), ("2", "区卫健局", "未启动 → 已完成"), ("2", "区民政局", "未启动 → 推进中")
    ]  # fmt: skip

    export_store(store, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")[REPORTING_SHEET]
    values = [row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]]
    assert values[0] == ("区卫健局", 3, 1, 2, "3–4") and values[-1] == ("乙街道", 4, 0, 4, "1–4")

    export_store(store, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["reporting"][0] == {"unit": "区卫健局", "tasks": 3, "reported": 1, "not_reported": [3, 4]}
    task1 = next(task for task in data["tasks"] if task["no"] == 1)
    assert task1["period_notes"] == [
        {"at": "2026-11-03T09:00:00+08:00", "by": "minzheng", "text": "十一月：民政部署"},
        {"at": "2026-11-03T09:00:00+08:00", "by": "jiazhen", "text": "十一月：甲镇走访", "unit": "甲镇"},
    ]
    assert data["header"]["not_updated"] == 1


def test_number_ranges() -> None:
    assert number_ranges([]) == ""
    assert number_ranges([5, 1, 2, 3, 7, 8, 10]) == "1–3、5、7–8、10"
