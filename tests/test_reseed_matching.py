"""A renumbered task is the same task, however its item number is written and however short it is (issue 13).

Regression: the exact-match key kept item numbers written `（9）`, `9)` or `⑨`, so a task renumbered because an
item was inserted above it fell to fuzzy matching: a long one came back as 修改 (its item number counted as a
change), a short one dropped under the threshold and came back removed + added, its progress archived.
"""

from __future__ import annotations

import pytest

from importers.records import TASK_FIELDS, LedgerDocument, TaskRecord
from tui.core.model import Ledger, Note, Status, Task
from tui.core.reseed import plan_reseed

SECTION, SUBSECTION = "三、提升城乡社区治理水平", "（二）加强城乡社区安全建设"
UNITS = ("区委政法委",)
LONG = "加强城乡社区反邪教工作能力建设，健全村（社区）反邪教协管员队伍，常态化开展反邪教警示教育进社区活动。"
NUMBERINGS = [
    ("9.", "10."),
    ("9．", "10．"),
    ("9、", "10、"),
    ("９．", "１０．"),
    ("9)", "10)"),
    ("（9）", "（10）"),
    ("(9)", "(10)"),
    ("⑨", "⑩"),
]


def _others() -> list[TaskRecord]:
    return [
        TaskRecord(no, SECTION, SUBSECTION, f"{no}.第{no}项任务：完善城乡社区应急广播体系，推动综合减灾示范社区创建。", UNITS, "2025")
        for no in range(1, 9)
    ]


@pytest.mark.parametrize("body", ["推进", "建设微型消防站", LONG], ids=["2 characters", "7 characters", "long"])
@pytest.mark.parametrize(("old_item", "new_item"), NUMBERINGS)
def test_a_renumbered_task_is_matched_exactly_whatever_its_length(body: str, old_item: str, new_item: str) -> None:
    others = _others()
    ledger = Ledger(
        title="任务清单",
        district_note="",
        tasks=(
            *(Task(id=f"T{record.no}", **{name: getattr(record, name) for name in TASK_FIELDS}) for record in others),
            Task(
                id="T9",
                no=9,
                section=SECTION,
                subsection=SUBSECTION,
                content=f"{old_item}{body}",
                units=UNITS,
                deadline="持续实施",
                status=Status.IN_PROGRESS,
                notes=(Note("2026-11-02T09:00:00+08:00", "zhangsan", "已开展两次警示教育"),),
            ),
        ),
    )
    inserted = TaskRecord(9, SECTION, SUBSECTION, "9.新增：建立社区心理服务站，配备专兼职心理辅导员。", UNITS, "2026")
    renumbered = TaskRecord(10, SECTION, SUBSECTION, f"{new_item}{body}", UNITS, "持续实施")
    plan = plan_reseed(ledger, LedgerDocument(title="任务清单", tasks=(*others, inserted, renumbered)))

    entry = next(entry for entry in plan.entries if entry.task_id == "T9")
    assert (entry.kind, entry.score, entry.record.no) == ("unchanged", 100.0, 10)
    assert entry.renumbered and entry.fields == {}
    assert plan.of_kind("removed") == []
    assert [entry.record.no for entry in plan.of_kind("added")] == [9]
