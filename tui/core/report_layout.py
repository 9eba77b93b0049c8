"""What the report's documents share, whatever writes them (Word: report_word, Excel: report_xlsx):
the fonts of government documents, the tables' columns, the subtitle, merged runs and revision marks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from tui.core.model import Task
from tui.core.report import Report, UnitReporting

__all__ = [
    "BODY_FONT",
    "CHANGE_COLUMNS",
    "DIFF_MARK",
    "FONT_FALLBACKS",
    "HEADING_FONT",
    "LATIN_FONT",
    "REPORTING_COLUMNS",
    "REVISION_COLUMNS",
    "TITLE_FONT",
    "reporting_values",
    "run_lengths",
    "subtitle",
    "unit_lines",
]

# Fonts of Chinese government documents (GB/T 9704), with the font Word/WPS should use when the
# first is not installed (written as w:altName in the font table).
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
FONT_FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei"}

CHANGE_COLUMNS = ("序号", "任务", "单位", "状态变更", "时间", "操作人")
REPORTING_COLUMNS = ("单位", "任务数", "已报送", "未报送", "未报送的任务（序号）")
REVISION_COLUMNS = ("序号", "任务", "修订内容", "时间", "操作人")
# The words a revision deleted (`[-...-]`) and inserted (`{+...+}`), as tui.core.changes marks them.
DIFF_MARK = re.compile(r"(\[-.*?-\]|\{\+.*?\+\})", re.DOTALL)


def unit_lines(task: Task) -> list[str]:
    """The 责任单位 cell: the units, then the remarks the document wrote under them."""
    return [*task.units, *task.remarks]


def reporting_values(reporting: UnitReporting) -> tuple[str, int, int, int, str]:
    """A row of the 本期报送情况 table: the unit, its tasks, reported, not reported, the 序号 not reported."""
    return (reporting.unit, len(reporting.tasks), reporting.reported, len(reporting.missing),
            reporting.missing_numbers or "—")  # fmt: skip


def _date_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def subtitle(report: Report) -> str:
    """The line under the title: 截至, 报告期 and the filters."""
    parts = [f"截至 {_date_label(report.as_of)}", f"报告期：{report.period.label}", *report.filters.describe()]
    return "　".join(parts)


def run_lengths(keys: Sequence[Any]) -> list[int]:
    """For each position, how many equal keys start there (0 inside a run): where merges begin and end."""
    lengths = [0] * len(keys)
    start = 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index] != keys[start]:
            lengths[start] = index - start
            start = index
    return lengths
