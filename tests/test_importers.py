"""The importers: the real task list from .docx and .txt, and the mess real documents contain."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from importers import DocumentError, LedgerDocument, TaskRecord, read_document
from tests.conftest import PROJECT, SOURCE_DOCX, SOURCE_TXT
from tests.docx_builder import HEADER, vmerge_values, write_docx, write_txt

GOLDEN = json.loads((PROJECT / "tests" / "golden" / "task-list.records.json").read_text(encoding="utf-8"))
TITLE = "洛江区落实《泉州市“十四五”城乡社区服务体系建设实施方案》任务清单及工作台账分解表"
S1 = "一、完善城乡社区服务格局"
S1_1 = "（一）加强党建引领城乡社区服务体系建设"


def summary(document: LedgerDocument) -> list[dict]:
    """The golden file's shape: every field but the content, which is pinned by its start."""
    return [
        {
            "no": t.no,
            "section": t.section,
            "subsection": t.subsection,
            "content_start": t.content[:12],
            "units": list(t.units),
            "deadline": t.deadline,
            "remarks": list(t.remarks),
        }
        for t in document.tasks
    ]


def test_docx_and_txt_give_identical_records():
    from_docx = read_document(SOURCE_DOCX)
    from_txt = read_document(SOURCE_TXT)
    assert len(from_docx.tasks) == 72
    assert from_docx == from_txt


@pytest.mark.parametrize("source", [SOURCE_DOCX, SOURCE_TXT], ids=["docx", "txt"])
def test_source_matches_reviewed_record_list(source: Path):
    document = read_document(source)
    assert document.title == GOLDEN["title"] == TITLE
    assert summary(document) == GOLDEN["tasks"]


def test_task_1_has_one_unit_and_the_district_wide_note():
    document = read_document(SOURCE_DOCX)
    first = document.tasks[0]
    assert first == TaskRecord(
        no=1,
        section=S1,
        subsection=S1_1,
        content=first.content,
        units=("区民政局",),
        deadline="持续实施",
        remarks=("以下均需各乡镇（街道）落实，不再列出。",),
    )
    assert first.content.startswith("1．强化乡镇（街道）党（工）委责任")
    assert first.content.endswith("全面推行近邻党建工作。")
    assert document.district_note == "以下均需各乡镇（街道）落实，不再列出。"


def test_both_spellings_of_the_veterans_bureau_are_kept_as_written():
    tasks = {t.no: t for t in read_document(SOURCE_TXT).tasks}
    assert tasks[20].units == ("区人社局", "区教育局", "区退役军人局", "区残联")
    assert tasks[63].units == ("区民政局", "区财政局", "区人社局", "区退役军人事务局")


def test_task_46_keeps_its_skipped_item_number_and_sections_repeated_on_a_new_page_are_not_new():
    tasks = {t.no: t for t in read_document(SOURCE_DOCX).tasks}
    assert tasks[46].content.startswith("4.推进城乡社区辖区单位")
    assert tasks[46].subsection == "（三）加快社区数字化建设"
    # Row 7 repeats section and subsection at the top of a page: same section, same subsection.
    assert tasks[7].section == tasks[6].section == S1
    assert tasks[7].subsection == tasks[6].subsection == "（二）增强基层群众性自治组织治理能力"
    assert [t.no for t in read_document(SOURCE_DOCX).tasks] == list(range(1, 73))
    assert len({t.section for t in tasks.values()}) == 5


def test_blank_deadlines_stay_blank():
    blank = [t.no for t in read_document(SOURCE_DOCX).tasks if t.deadline == ""]
    assert blank == [9, 28, 34, 40, 72]


def test_txt_title_drops_the_bookmark_artefact():
    assert "[bookmark" in SOURCE_TXT.read_text(encoding="utf-8")
    assert read_document(SOURCE_TXT).title == TITLE


# --------------------------------------------------------------------------- messy documents

ROWS = [
    HEADER,
    ("1", S1, S1_1, "1．第一项内容，说明。", "区民政局\n以下均需各乡镇（街道）落实，不再列出。", "持续实施"),
    ("2", "", "", "2.第二项", "区民政局、区卫健局", "2025"),
    ("3", "", "（二）第二小节", "1.第三项", "区退役军人局", ""),
    ("4", "二、第二部分", "（一）另一小节", "6. 第四项\n第二段", "区卫健局\n区教育局", "2024年"),
]
EXPECTED = [
    TaskRecord(
        1, S1, S1_1, "1．第一项内容，说明。", ("区民政局",), "持续实施", ("以下均需各乡镇（街道）落实，不再列出。",)
    ),
    TaskRecord(2, S1, S1_1, "2.第二项", ("区民政局", "区卫健局"), "2025"),
    TaskRecord(3, S1, "（二）第二小节", "1.第三项", ("区退役军人局",), ""),
    TaskRecord(4, "二、第二部分", "（一）另一小节", "6. 第四项\n第二段", ("区卫健局", "区教育局"), "2024年"),
]


def test_vertically_merged_section_cells(tmp_path: Path):
    path = write_docx(tmp_path / "merged.docx", [ROWS], merge_blank_columns=(1, 2))
    assert vmerge_values(path, 1)[:3] == ["restart", "continue", "continue"]
    assert list(read_document(path).tasks) == EXPECTED


def test_blank_continuation_cells_without_merging(tmp_path: Path):
    path = write_docx(tmp_path / "blank.docx", [ROWS])
    document = read_document(path)
    assert list(document.tasks) == EXPECTED
    assert document.title == "洛江区测试任务清单任务清单及工作台账分解表"


def test_table_split_per_page_with_repeated_header_is_one_ledger(tmp_path: Path):
    first_page = ROWS[:3]
    second_page = [HEADER, (ROWS[3][0], S1, "（二）第二小节", *ROWS[3][3:]), ROWS[4]]
    path = write_docx(tmp_path / "split.docx", [first_page, second_page], between="（续表）")
    assert list(read_document(path).tasks) == EXPECTED


def test_reordered_and_extra_columns(tmp_path: Path):
    order = [5, 0, 3, 4, 1, 2]
    rows = [[row[i] for i in order] + [extra] for row, extra in zip(ROWS, ["进展情况", "", "", "", ""], strict=True)]
    rows[0] = [*rows[0][:-1], "进展情况"]
    rows = [[*row, "备注" if index == 0 else ""] for index, row in enumerate(rows)]
    path = write_docx(tmp_path / "reordered.docx", [rows])
    document = read_document(path)
    assert list(document.tasks) == EXPECTED
    assert document.extra_columns == ("进展情况", "备注")


def test_table_after_other_paragraphs_and_a_layout_table(tmp_path: Path):
    layout = [("签发人", "张三"), ("日期", "2026年")]
    path = write_docx(tmp_path / "later.docx", [layout, ROWS], title=("附件1", "测试标题"))
    assert list(read_document(path).tasks) == EXPECTED


def test_txt_with_windows_line_endings_and_gbk_encoding(tmp_path: Path):
    text = SOURCE_TXT.read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / "export.txt"
    path.write_bytes(text.encode("gb18030"))
    assert read_document(path) == read_document(SOURCE_TXT)


def test_split_units_keeps_each_unit_once():
    from importers.table import split_units

    assert split_units("区民政局\n区民政局、区妇联") == (("区民政局", "区妇联"), ())
    assert split_units("") == ((), ())


# --------------------------------------------------------------------------- the column names offices use

# Other 任务分解表 name the columns differently and split 责任单位 into the lead and the cooperating units.
RELAID_HEADERS = {
    "配合单位": ("序号", "重点任务", "具体工作", "任务内容", "牵头单位", "配合单位", "时间节点"),
    "协办单位": ("序号", "主要任务", "具体项目", "具体措施", "牵头单位", "协办单位", "完成时间"),
    "参与单位": ("序号", "工作任务", "具体工作", "工作措施", "牵头单位", "参与单位", "时限要求"),
    "配合单位+参与单位": ("序号", "重点任务", "具体项目", "主要内容", "牵头单位", "配合单位", "参与单位", "完成时限"),
}


def relaid_rows(header: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The source table under `header`: the lead unit (with the district-wide note under it) in 牵头单位,
    the other units after it in the cooperating columns (one per line, or 、-separated, or split over two
    columns); section and subsection written once per run, as the source does."""
    rows = [header]
    section = subsection = None
    partner_columns = sum(name in ("配合单位", "协办单位", "参与单位") for name in header)
    for task in read_document(SOURCE_TXT).tasks:
        lead, *partners = task.units
        if partner_columns == 2:
            partner_cells = ("\n".join(partners[:1]), "、".join(partners[1:]))
        else:
            partner_cells = ("、".join(partners) if task.no % 2 else "\n".join(partners),)
        rows.append(
            (
                str(task.no),
                task.section if task.section != section else "",
                task.subsection if (task.section, task.subsection) != (section, subsection) else "",
                task.content,
                "\n".join((lead, *task.remarks)),
                *partner_cells,
                task.deadline,
            )
        )
        section, subsection = task.section, task.subsection
    return rows


@pytest.mark.parametrize("variant", list(RELAID_HEADERS))
def test_source_relaid_with_lead_and_cooperating_units_gives_the_same_records(variant: str, tmp_path: Path):
    rows = relaid_rows(RELAID_HEADERS[variant])
    source = read_document(SOURCE_TXT)
    docx_path = write_docx(tmp_path / "relaid.docx", [rows], title=("附件1", TITLE), merge_blank_columns=(1, 2))
    txt_path = write_txt(tmp_path / "relaid.txt", rows, title=("附件1", TITLE))
    for path in (docx_path, txt_path):
        document = read_document(path)
        assert document == source  # every task: numbers, sections, contents, units in order, deadlines, remarks
        assert summary(document) == GOLDEN["tasks"]
    # The lead comes first: task 3's lead and its six cooperating units in the order written.
    assert read_document(docx_path).tasks[2].units == (
        "区行政服务中心", "区民政局", "区教育局", "区商务局", "区文体旅游局", "区卫健局", "区住建局"
    )


def test_a_table_without_a_unit_column_names_the_headers_accepted(tmp_path: Path):
    rows = [("序号", "重点任务", "具体工作", "任务内容", "完成时间"), ("1", "一、测试", "（一）测试", "1.内容", "2026年")]
    with pytest.raises(DocumentError) as refused:
        read_document(write_docx(tmp_path / "no-units.docx", [rows]))
    message = str(refused.value)
    assert "\n" not in message and "no-units.docx 的表格缺少列：责任单位。" in message
    assert "责任单位（或 牵头单位，可另有 配合单位、协办单位、参与单位）" in message
    assert "完成时限（或 完成时间、时间节点、时限要求）" in message


def test_a_table_with_no_header_that_fits_names_the_headers_accepted(tmp_path: Path):
    rows = [("编号", "任务", "单位"), ("1", "1.内容", "区民政局")]
    with pytest.raises(DocumentError) as refused:
        read_document(write_docx(tmp_path / "other.docx", [rows]))
    message = str(refused.value)
    assert "other.docx 中没有找到任务表格。表头可用的列名：序号；工作任务（或 重点任务、主要任务）" in message


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_legacy_word_97_doc_is_converted_with_libreoffice(tmp_path: Path):
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(SOURCE_DOCX)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    legacy = tmp_path / "task-list.doc"
    assert legacy.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    assert read_document(legacy) == read_document(SOURCE_DOCX)
