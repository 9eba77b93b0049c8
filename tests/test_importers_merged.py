"""Merged cells in a Word task list (issue 13): real .docx files with w:vMerge and w:gridSpan.

Regression: a 责任单位 (or 完成时限) cell merged down several tasks gave every row but the first no units (and
no deadline), with no error; a horizontally merged cell was never tested.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml.ns import qn

from importers import TaskRecord, read_document
from tests.docx_builder import HEADER, merge_across, vmerge_values, write_docx

S1, S1_1, S1_2 = "一、第一部分", "（一）第一小节", "（二）第二小节"
UNITS_COLUMN, DEADLINE_COLUMN = HEADER.index("责任单位"), HEADER.index("完成时限")


def test_a_unit_cell_merged_down_several_tasks_gives_each_of_them_its_units(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ("1", S1, S1_1, "1.第一项", "区民政局\n区卫健局", "2025年"),
        ("2", "", "", "2.第二项", "", ""),
        ("3", "", "", "3.第三项", "", ""),
        ("4", "", S1_2, "1.第四项", "区教育局", "持续实施"),
    ]
    path = write_docx(tmp_path / "merged-units.docx", [rows], merge_blank_columns=(1, 2, UNITS_COLUMN, DEADLINE_COLUMN))
    assert vmerge_values(path, UNITS_COLUMN) == ["restart", "continue", "continue", None]
    assert vmerge_values(path, DEADLINE_COLUMN) == ["restart", "continue", "continue", None]
    assert list(read_document(path).tasks) == [
        TaskRecord(1, S1, S1_1, "1.第一项", ("区民政局", "区卫健局"), "2025年"),
        TaskRecord(2, S1, S1_1, "2.第二项", ("区民政局", "区卫健局"), "2025年"),
        TaskRecord(3, S1, S1_1, "3.第三项", ("区民政局", "区卫健局"), "2025年"),
        TaskRecord(4, S1, S1_2, "1.第四项", ("区教育局",), "持续实施"),
    ]


def test_a_merged_unit_cell_holding_a_note_gives_it_once_per_task(tmp_path: Path) -> None:
    note = "以下均需各乡镇（街道）落实，不再列出。"
    rows = [
        HEADER,
        ("1", S1, S1_1, "1.第一项", f"区民政局\n{note}", "持续实施"),
        ("", "", "", "（续）第一项的后半", "", ""),  # the first task's row split across two pages, 序号 left blank
        ("2", "", "", "2.第二项", "", "持续实施"),
    ]
    path = write_docx(tmp_path / "merged-note.docx", [rows], merge_blank_columns=(1, 2, UNITS_COLUMN))
    first, second = read_document(path).tasks
    assert (first.content, first.units, first.remarks) == ("1.第一项\n（续）第一项的后半", ("区民政局",), (note,))
    assert (second.units, second.remarks) == (("区民政局",), (note,))


def test_a_merged_item_number_still_joins_its_rows_into_one_task(tmp_path: Path) -> None:
    """In 序号 and 主要内容 a continuation stays empty: the rows under one merged 序号 are one task."""
    rows = [
        HEADER,
        ("1", S1, S1_1, "1.第一项", "区民政局", "2025"),
        ("", "", "", "第一项的第二段", "", ""),
        ("2", "", "", "2.第二项", "区卫健局", "2026"),
    ]
    path = write_docx(tmp_path / "merged-number.docx", [rows], merge_blank_columns=(0, 1, 2))
    assert vmerge_values(path, 0) == ["restart", "continue", None]
    assert list(read_document(path).tasks) == [
        TaskRecord(1, S1, S1_1, "1.第一项\n第一项的第二段", ("区民政局",), "2025"),
        TaskRecord(2, S1, S1_1, "2.第二项", ("区卫健局",), "2026"),
    ]


def test_horizontally_merged_cells_keep_the_columns_after_them_in_place(tmp_path: Path) -> None:
    rows = [
        ("洛江区测试任务清单", "", "", "", "", ""),  # a title row across the whole table, above the header
        HEADER,
        ("1", S1, S1_1, "1.第一项", "区民政局", "2025"),
        ("2", "二、没有小节的部分", "", "1.第二项", "区卫健局", "2026年6月底前"),
    ]
    path = write_docx(tmp_path / "spans.docx", [rows])
    merge_across(path, 0, 0, 5, "洛江区测试任务清单")
    merge_across(path, 3, 1, 2, "二、没有小节的部分")
    spans = [
        [tc.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) for tc in tr.tc_lst if tc.tcPr is not None and tc.tcPr.find(qn("w:gridSpan")) is not None]
        for tr in docx.Document(str(path)).tables[0]._tbl.tr_lst
    ]
    assert spans == [["6"], [], [], ["2"]]
    assert list(read_document(path).tasks) == [
        TaskRecord(1, S1, S1_1, "1.第一项", ("区民政局",), "2025"),
        TaskRecord(2, "二、没有小节的部分", "", "1.第二项", ("区卫健局",), "2026年6月底前"),
    ]
