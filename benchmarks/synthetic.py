"""Synthetic ledgers in the source document's format, for benchmarks.

`write_synthetic_docx(path, tasks=5000)` writes a .docx laid out like 《任务清单及工作台账分解表》:
a title, one table with the six source columns, sections (一、…) and subsections (（一）…) in
vertically merged cells, several units per task, and a mix of year / 持续实施 / blank deadlines.
The XML is written directly: python-docx's cell access is quadratic in the row count.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["synthetic_rows", "write_synthetic_docx"]

NUMERALS = "一二三四五六七八九十"
UNITS = [
    "区民政局", "区卫健局", "区发改局", "区住建局", "区妇联", "区人社局", "区教育局", "区司法局",
    "区残联", "区委政法委", "区文体旅游局", "区行政服务中心", "区工信局", "区商务局", "区自然资源局",
]  # fmt: skip
PHRASES = [
    "推进城乡社区综合服务设施建设", "完善村（社区）议事协商机制", "加强社区工作者队伍建设",
    "深化“互联网+政务服务”向村（社区）延伸", "健全社区矛盾纠纷多元化解机制", "扩大养老扶残服务供给",
    "开展志愿服务进社区活动", "推动普惠托育服务体系建设", "落实社区减负增效各项措施",
]  # fmt: skip
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
HEADER = ("序号", "工作任务", "具体项目", "主要内容", "责任单位", "完成时限")


def synthetic_rows(tasks: int, *, sections: int = 5, subsections: int = 10, seed: int = 7) -> list[tuple[str, ...]]:
    """Rows of the six source columns; the first row of a section/subsection carries its name."""
    rng = random.Random(seed)
    groups = sections * subsections
    rows = []
    for index in range(tasks):
        group = index * groups // tasks
        section, subsection = divmod(group, subsections)
        first_in_group = index == 0 or (index - 1) * groups // tasks != group
        first_in_section = first_in_group and subsection == 0
        item = index - next(i for i in range(index + 1) if i * groups // tasks == group) + 1
        units = rng.sample(UNITS, rng.randint(1, 4))
        deadline = rng.choice(["持续实施", "持续实施", "2024", "2025", "2026", "2027", ""])
        content = f"{item}.{rng.choice(PHRASES)}，{rng.choice(PHRASES)}。第{index + 1}项任务的具体要求。"
        rows.append(
            (
                str(index + 1),
                f"{_numeral(section + 1)}、第{section + 1}部分工作任务" if first_in_section else "",
                f"（{_numeral(subsection + 1)}）第{section + 1}.{subsection + 1}项具体项目" if first_in_group else "",
                content,
                "\n".join(units),
                deadline,
            )
        )
    return rows


def _numeral(number: int) -> str:
    if number <= 10:
        return NUMERALS[number - 1]
    return (
        ("" if number < 20 else NUMERALS[number // 10 - 1]) + "十" + (NUMERALS[number % 10 - 1] if number % 10 else "")
    )


def _cell(text: str, merge: str | None = None) -> str:
    merge_xml = "" if merge is None else (f'<w:vMerge w:val="{merge}"/>' if merge == "restart" else "<w:vMerge/>")
    paragraphs = "".join(f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in text.split("\n")) or "<w:p/>"
    return f"<w:tc><w:tcPr>{merge_xml}</w:tcPr>{paragraphs}</w:tc>"


def write_synthetic_docx(path: Path, tasks: int, **options: int) -> Path:
    rows = synthetic_rows(tasks, **options)
    body = ["<w:tr><w:trPr><w:tblHeader/></w:trPr>", *(_cell(h) for h in HEADER), "</w:tr>"]
    for row in rows:
        body.append("<w:tr>")
        body.append(_cell(row[0]))
        body.append(_cell(row[1], "restart" if row[1] else "continue"))
        body.append(_cell(row[2], "restart" if row[2] else "continue"))
        body.extend(_cell(text) for text in row[3:])
        body.append("</w:tr>")
    grid = "".join('<w:gridCol w:w="1500"/>' for _ in HEADER)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>附件1</w:t></w:r></w:p>"
        f"<w:p><w:r><w:t>合成台账（{tasks} 项任务）任务清单及工作台账分解表</w:t></w:r></w:p>"
        f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(body)}</w:tbl>"
        "<w:sectPr/></w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("word/document.xml", document)
    return path
