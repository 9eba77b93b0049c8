"""The report as data: CSV for Excel and WPS, JSON for scripts. Every text without control characters."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from tui.core.changes import content_diff
from tui.core.model import without_controls_in
from tui.core.report import COLUMNS, Progress, Report, TaskRevision

__all__ = ["CSV_COLUMNS", "csv_bytes", "json_bytes"]

CSV_COLUMNS = (*COLUMNS, "逾期", "本期未更新")


def csv_bytes(report: Report, progress: Progress | None) -> bytes:
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


def json_bytes(report: Report, progress: Progress | None) -> bytes:
    tasks = []
    total = len(report.rows)
    for done, row in enumerate(report.rows, start=1):
        data = row.task.to_json(report.as_of)
        # A note on a unit's own row names the unit (as its event does); one without is the overall progress.
        data["period_notes"] = [{**note.to_json(), **({"unit": note.unit} if note.unit else {})} for note in row.progress]
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
        "reporting": [
            {
                "unit": unit.unit,
                "tasks": len(unit.tasks),
                "reported": unit.reported,
                "not_reported": [task.no for task in unit.missing],
            }
            for unit in report.reporting
        ],
        "status_changes": [
            {
                "at": change.at,
                "by": change.who,
                "no": change.task.no,
                "task": change.task.id,
                "unit": change.unit,
                "role": change.role.value if change.role else None,
                "old": change.old.value,
                "new": change.new.value,
            }
            for change in report.status_changes
        ],
        "revisions": [_revision_json(revision) for revision in report.revisions],
    }
    return (json.dumps(without_controls_in(document), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _revision_json(revision: TaskRevision) -> dict[str, Any]:
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
