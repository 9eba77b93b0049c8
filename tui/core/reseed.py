"""Reseeding the ledger from a revised document without losing anyone's progress.

`plan_reseed(ledger, document)` is pure (no I/O, no terminal UI): it matches the revision's
rows to the ledger's tasks by their content, not their 序号, and says what is unchanged,
changed (which fields, with a character-level diff of the content), moved (another section
or subsection), added and removed. A plan renders as readable Chinese text (`render`) and as
JSON (`to_json`). `Store.reseed` applies it; `tui.core.importing` is the import use case (read,
plan, apply, message) that `taizhang import` and the app's import dialog share.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from importers.records import TASK_FIELDS, LedgerDocument, TaskRecord
from tui.core.changes import change_text, content_diff, plain_value
from tui.core.deadlines import deadline_warnings, unreadable_deadlines
from tui.core.model import FIELD_LABELS, Ledger, Status, Task, short_title, without_controls_in, without_item_number

__all__ = [
    "DIFFERENT_DOCUMENT_SHARE",
    "MATCH_THRESHOLD",
    "PlanEntry",
    "ReseedPlan",
    "archived_number",
    "plan_reseed",
]

# Similarity (rapidfuzz `fuzz.ratio`, 0-100: twice the matching characters over the total length,
# computed on the content without its item number, whitespace or full-width forms) above which a
# revised row is the same task as an old one. Measured on the real task list: the most alike pair
# of *different* tasks (66 and 33) scores 60, the median task's nearest neighbour 28. A typo fix or
# a changed year in a 16-200 character content scores above 87 and rewording a third of a task
# still about 70. 70 keeps a margin of ten points above any two distinct tasks while still carrying
# progress through real edits; a task rewritten beyond that is shown as removed + added, which the
# plan makes visible before anything is applied (and a removed task with progress is archived).
MATCH_THRESHOLD = 70.0
# A document in which fewer than this share of the ledger's tasks are found is another task list, not a
# revision of this one (the next plan's list, a neighbouring district's): applying it needs an explicit
# `--replace` (and a second confirmation in the app), since it would archive nearly everything.
DIFFERENT_DOCUMENT_SHARE = 1 / 3

# `restored`: a row that matches a task an earlier revision removed and archived; it comes back with its id,
# and so with its status and notes.
KINDS = ("unchanged", "changed", "moved", "added", "restored", "removed")
KIND_LABELS = {
    "unchanged": "未变", "changed": "修改", "moved": "移动", "added": "新增", "restored": "恢复", "removed": "移除"
}  # fmt: skip
# The task fields a revision can change, in the document's column order (序号 is numbering, not content).
FIELDS = TASK_FIELDS[1:]

_SPACES = re.compile(r"\s+")


def _match_key(content: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", without_item_number(content)))


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class PlanEntry:
    """One task of the plan: an old task and/or a row of the revised document."""

    kind: str  # one of KINDS
    old: Task | None = None
    new: TaskRecord | None = None
    # What the revision changes, {field: (old, new)}, for the fields in FIELDS (not 序号).
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    score: float = 0.0  # similarity of the contents, 100 for the same text
    archive: bool = False  # a removed task with progress: kept in the archive, never dropped
    archived_at: str = ""  # a restored task: when a revision archived it (ISO time)

    @property
    def renumbered(self) -> bool:
        """The 序号 or the content's item number changed (nothing the staff wrote depends on them)."""
        return self.old is not None and self.new is not None and (
            self.old.no != self.new.no or (self.old.content != self.new.content and "content" not in self.fields)
        )

    @property
    def task_id(self) -> str | None:
        return self.old.id if self.old is not None else None

    @property
    def record(self) -> TaskRecord:
        """The revised document's row; every entry but a `removed` one has it."""
        if self.new is None:
            raise ValueError(f"a {self.kind} entry has no row of the revised document")
        return self.new

    @property
    def task(self) -> Task:
        """The ledger's (or the archive's) task; every entry but an `added` one has it."""
        if self.old is None:
            raise ValueError(f"an {self.kind} entry has no task in the ledger")
        return self.old

    @property
    def title(self) -> str:
        return short_title(self.new.content if self.new is not None else self.task.content)

    @property
    def history_fields(self) -> dict[str, list[Any]]:
        """`{name: [old, new]}` for the history entry of a changed, moved or restored task (序号 too when it
        moved; a restored task's 序号 is the one it had when archived)."""
        changes = {name: [_jsonable(old), _jsonable(new)] for name, (old, new) in self.fields.items()}
        moved = self.old is not None and self.new is not None and self.old.no != self.new.no
        if (changes or self.kind == "restored") and moved:
            changes = {"no": [self.old.no, self.new.no], **changes}  # type: ignore[union-attr]
        return changes

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "id": self.task_id}
        data["old_no"] = self.old.no if self.old is not None else None
        data["new_no"] = self.new.no if self.new is not None else None
        data["title"] = self.title
        if self.old is not None and self.new is not None:
            data["score"] = round(self.score, 1)
            data["renumbered"] = self.renumbered
            data["fields"] = {name: [_jsonable(old), _jsonable(new)] for name, (old, new) in self.fields.items()}
            if "content" in self.fields:
                data["content_diff"] = content_diff(*self.fields["content"])
        if self.kind == "restored":
            assert self.old is not None
            data.update(archived_at=self.archived_at or None, status=self.old.status.value, notes=len(self.old.notes))
        if self.new is not None and self.old is None:
            data.update({name: _jsonable(getattr(self.new, name)) for name in FIELDS})
        if self.old is not None and self.new is None:
            data.update(
                section=self.old.section,
                subsection=self.old.subsection,
                content=self.old.content,
                status=self.old.status.value,
                notes=len(self.old.notes),
                archive=self.archive,
            )
        return data


@dataclass(frozen=True)
class ReseedPlan:
    """What importing a revised document would do to the ledger."""

    # Matched and added tasks in the revised document's order, then the removed ones in the ledger's.
    entries: tuple[PlanEntry, ...]
    title: str  # the revision's title and district note, which become the ledger's
    district_note: str
    meta_changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    threshold: float = MATCH_THRESHOLD
    # (序号, 完成时限) of the revision's rows whose deadline cannot be read as a date.
    unreadable_deadlines: tuple[tuple[int, str], ...] = ()

    def of_kind(self, kind: str) -> list[PlanEntry]:
        return [entry for entry in self.entries if entry.kind == kind]

    @property
    def document_entries(self) -> list[PlanEntry]:
        """The entries that become the ledger's tasks, in the revised document's order."""
        return [entry for entry in self.entries if entry.new is not None]

    @property
    def archived(self) -> list[PlanEntry]:
        return [entry for entry in self.entries if entry.kind == "removed" and entry.archive]

    @property
    def ledger_total(self) -> int:
        """How many tasks the ledger has now (restored ones come from the archive)."""
        return sum(1 for entry in self.entries if entry.old is not None and entry.kind != "restored")

    @property
    def matched(self) -> int:
        """How many of the ledger's tasks the document has (unchanged, changed or moved)."""
        return sum(1 for entry in self.entries if entry.kind in ("unchanged", "changed", "moved"))

    @property
    def different_document(self) -> bool:
        """Too few of the ledger's tasks are found: another task list, which only an explicit replace applies."""
        return self.ledger_total > 0 and self.matched < self.ledger_total * DIFFERENT_DOCUMENT_SHARE

    @property
    def has_changes(self) -> bool:
        """False when the revision says exactly what the ledger says: importing it writes nothing."""
        return bool(self.meta_changes) or any(entry.kind != "unchanged" or entry.renumbered for entry in self.entries)

    def summary(self) -> dict[str, int]:
        counts = {kind: len(self.of_kind(kind)) for kind in KINDS}
        # Unchanged tasks whose 序号 or item number moved (each entry also says `renumbered` itself).
        counts["renumbered"] = sum(1 for entry in self.of_kind("unchanged") if entry.renumbered)
        counts["archived"] = len(self.archived)
        return counts

    def outcome(self, source_name: str, *, archived: int) -> str:
        """What applying the plan did, in one line: `已导入 X：修改 3 项，……；各任务的状态和进展均已保留。`"""
        counts = self.summary()
        restored = f"恢复 {counts['restored']} 项（状态和进展随之恢复），" if counts["restored"] else ""
        return (
            f"已导入 {source_name}：修改 {counts['changed']} 项，移动 {counts['moved']} 项，新增 {counts['added']} 项，"
            f"{restored}移除 {counts['removed']} 项（归档 {archived} 项）；各任务的状态和进展均已保留。"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "has_changes": self.has_changes,
            "threshold": self.threshold,
            "different_document": self.different_document,
            "matched": self.matched,
            "summary": self.summary(),
            "meta": {name: list(change) for name, change in self.meta_changes.items()},
            **{kind: [entry.to_json() for entry in self.of_kind(kind)] for kind in KINDS},
            "unreadable_deadlines": [{"no": no, "deadline": text} for no, text in self.unreadable_deadlines],
        }

    def render(self, source_name: str = "修订版") -> str:
        """The plan as Chinese text for a terminal or a dialog."""
        counts = self.summary()
        new_total = len(self.document_entries)
        lines = [f"导入计划：{source_name}（台账现有 {self.ledger_total} 项，修订版 {new_total} 项）"]
        unchanged = f"未变 {counts['unchanged']} 项"
        if counts["renumbered"]:
            unchanged += f"（其中 {counts['renumbered']} 项仅序号变化）"
        removed = f"移除 {counts['removed']} 项"
        if counts["removed"]:
            removed += f"（其中 {counts['archived']} 项有进展，将归档）"
        restored = f"恢复 {counts['restored']} 项，" if counts["restored"] else ""
        lines.append(
            f"  {unchanged}，修改 {counts['changed']} 项，移动 {counts['moved']} 项，新增 {counts['added']} 项，"
            f"{restored}{removed}"
        )
        if self.different_document:
            lines += [
                f"注意：台账现有 {self.ledger_total} 项任务，这份文件中只找到 {self.matched} 项。"
                "它看起来是另一份任务清单，而不是本台账的修订版。",
                f"  应用它将移除 {counts['removed']} 项任务（其中 {counts['archived']} 项有进展，将归档）；"
                "确要用它替换台账，须明确确认（命令行加 --replace）。",
            ]
        for name, (old, new) in self.meta_changes.items():
            label = {"title": "标题", "district_note": "说明"}.get(name, name)
            lines.append(f"  {label}：{old or '（无）'} → {new or '（无）'}")
        if not self.has_changes:
            lines.append("修订版与台账一致，无需更新。")
        for kind, heading in (
            ("changed", "修改"),
            ("moved", "移动到其他工作任务或具体项目"),
            ("added", "新增（状态为 未启动）"),
            ("restored", "恢复（以前的修订中移除并归档的任务，状态和进展随之恢复）"),
            ("removed", "移除"),
        ):
            entries = self.of_kind(kind)
            if not entries:
                continue
            lines += ["", f"{heading}："]
            for entry in entries:
                lines += _entry_lines(entry)
        warnings = deadline_warnings(self.unreadable_deadlines)
        if warnings:
            lines += ["", "完成时限无法识别（不计逾期）：", *(f"  {line}" for line in warnings)]
        return "\n".join(lines)


def _numbers(entry: PlanEntry) -> str:
    if entry.old is not None and entry.new is not None:
        if entry.old.no == entry.new.no:
            return f"{entry.new.no} 号"
        return f"{entry.old.no} → {entry.new.no} 号"
    return f"{(entry.new or entry.old).no} 号"  # type: ignore[union-attr]


def _entry_lines(entry: PlanEntry) -> list[str]:
    lines = [f"  {_numbers(entry)}  {entry.title}"]
    if entry.kind == "restored":
        assert entry.old is not None
        when = f"{entry.archived_at[:10]} 的修订中" if entry.archived_at else "以前的修订中"
        lines.append(f"      {when}移除并归档；{entry.old.status.label}，{len(entry.old.notes)} 条进展，将恢复")
    if entry.kind in ("changed", "moved", "restored"):
        fields = dict(entry.fields)
        if "section" in fields or "subsection" in fields:
            old, new = entry.old, entry.new
            assert old is not None and new is not None
            lines.append(f"      位置：{old.section} › {old.subsection}")
            lines.append(f"        → {new.section} › {new.subsection}")
            fields.pop("section", None)
            fields.pop("subsection", None)
        for name, (old_value, new_value) in fields.items():
            lines.append(f"      {FIELD_LABELS[name]}：{change_text(name, old_value, new_value)}")
    elif entry.kind == "added":
        assert entry.new is not None
        lines.append(f"      位置：{entry.new.section} › {entry.new.subsection}")
        lines.append(f"      责任单位：{plain_value(entry.new.units) or '（无）'}；完成时限：{entry.new.deadline or '（无）'}")
    elif entry.kind == "removed":
        assert entry.old is not None
        progress = f"{entry.old.status.label}，{len(entry.old.notes)} 条进展"
        fate = "将归档（可用 taizhang list --archived 查看）" if entry.archive else "无进展，将删除"
        lines.append(f"      {progress}；{fate}")
    return lines


# ---------------------------------------------------------------------- matching


def _greedy(candidates: Iterable[tuple[tuple[Any, ...], int, int, float]], old_free: set[int], new_free: set[int]):
    """Assign pairs best first; each old task and each new row is used at most once."""
    pairs: list[tuple[int, int, float]] = []
    for _rank, old_index, new_index, score in sorted(candidates, key=lambda c: c[0]):
        if old_index in old_free and new_index in new_free:
            old_free.discard(old_index)
            new_free.discard(new_index)
            pairs.append((old_index, new_index, score))
    return pairs


def _differences(old: Task, new: TaskRecord) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    for name in FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if name == "content":
            if without_item_number(before) != without_item_number(after):
                changes[name] = (before, after)
        elif before != after:
            changes[name] = (before, after)
    return changes


def _pair(
    old_tasks: list[Task], new_rows: list[TaskRecord], new_free: set[int], threshold: float
) -> tuple[dict[int, tuple[int, float]], set[int]]:
    """Pair the rows in `new_free` with `old_tasks`: exact contents first, then by descending similarity.

    Returns {new index: (old index, score)} and the old tasks left unpaired; paired rows leave `new_free`.
    """
    from rapidfuzz import fuzz

    old_keys = [_match_key(task.content) for task in old_tasks]
    new_keys = {index: _match_key(new_rows[index].content) for index in new_free}
    old_free = set(range(len(old_tasks)))

    def rank(old_index: int, new_index: int, score: float) -> tuple[Any, ...]:
        old, new = old_tasks[old_index], new_rows[new_index]
        elsewhere = (old.section, old.subsection) != (new.section, new.subsection)
        return (-score, elsewhere, abs(old_index - new_index), old_index, new_index)

    rows_by_key: dict[str, list[int]] = {}
    for new_index in sorted(new_keys):
        rows_by_key.setdefault(new_keys[new_index], []).append(new_index)
    exact = [
        (rank(old_index, new_index, 100.0), old_index, new_index, 100.0)
        for old_index, key in enumerate(old_keys)
        for new_index in rows_by_key.get(key, ())
    ]
    pairs = _greedy(exact, old_free, new_free)

    # Only the tasks without an exact match are compared pairwise (usually a handful).
    fuzzy = []
    for old_index in sorted(old_free):
        for new_index in sorted(new_free):
            score = fuzz.ratio(old_keys[old_index], new_keys[new_index], score_cutoff=threshold)
            if score:
                fuzzy.append((rank(old_index, new_index, score), old_index, new_index, score))
    pairs += _greedy(fuzzy, old_free, new_free)
    return {new_index: (old_index, score) for old_index, new_index, score in pairs}, old_free


def plan_reseed(
    ledger: Ledger,
    document: LedgerDocument,
    *,
    tasks_with_history: Iterable[str] = (),
    archived_at: Mapping[str, str] | None = None,
    threshold: float = MATCH_THRESHOLD,
) -> ReseedPlan:
    """Match the revised document's rows to the ledger's tasks and say what importing it changes.

    Exact matches of the content (less its item number) are paired first, then the remaining
    tasks by descending similarity, so one old task is never matched to two new rows. Ties go
    to a pair in the same section and subsection, then to the nearest position. Rows left over
    are matched the same way against the tasks earlier revisions archived (`ledger.archived`;
    `archived_at` gives when, by task id): such a task is restored. A removed task is archived
    when it has a status, a note, or any entry in `tasks_with_history`.
    """
    document = without_controls_in(document)  # as the store will write it, so the plan shows what it will hold
    old_tasks = list(ledger.tasks)
    archived_tasks = list(ledger.archived)
    new_rows = list(document.tasks)
    new_free = set(range(len(new_rows)))
    matched, old_free = _pair(old_tasks, new_rows, new_free, threshold)
    returning = _pair(archived_tasks, new_rows, new_free, threshold)[0]

    with_history = set(tasks_with_history)
    archive_times = archived_at or {}
    entries: list[PlanEntry] = []
    for new_index, row in enumerate(new_rows):
        if new_index in returning:
            old_index, score = returning[new_index]
            old = archived_tasks[old_index]
            when = archive_times.get(old.id, "")
            entries.append(
                PlanEntry("restored", old=old, new=row, fields=_differences(old, row), score=score, archived_at=when)
            )
            continue
        if new_index not in matched:
            entries.append(PlanEntry("added", new=row))
            continue
        old_index, score = matched[new_index]
        old = old_tasks[old_index]
        changes = _differences(old, row)
        kind = "moved" if "section" in changes or "subsection" in changes else "changed" if changes else "unchanged"
        entries.append(PlanEntry(kind, old=old, new=row, fields=changes, score=score))
    for old_index in sorted(old_free):
        old = old_tasks[old_index]
        progress = old.status is not Status.NOT_STARTED or bool(old.notes) or old.id in with_history
        entries.append(PlanEntry("removed", old=old, archive=progress))

    meta_changes = {
        name: (getattr(ledger, name), getattr(document, name))
        for name in ("title", "district_note")
        if getattr(ledger, name) != getattr(document, name)
    }
    return ReseedPlan(
        entries=tuple(entries),
        title=document.title,
        district_note=document.district_note,
        meta_changes=meta_changes,
        threshold=threshold,
        unreadable_deadlines=tuple(unreadable_deadlines(document.tasks)),
    )


def archived_number(ledger: Ledger, no: int, archived_at: Mapping[str, str]) -> str | None:
    """Why no task has 序号 `no` when a revision archived the one that had it (`archived_at`: when, by task id):
    `21 号任务已在 2026-11-29 的修订中删除，进展已归档：taizhang list --archived`. None for other numbers."""
    if ledger.by_no(no) is not None:
        return None
    archived = {task.id for task in ledger.archived if task.no == no}
    if not archived:
        return None
    # The latest of the tasks archived under that number (a number can be archived more than once).
    when = max((at for task_id, at in archived_at.items() if task_id in archived), default="")
    revision = f"在 {when[:10]} 的修订中" if when else "在以前的修订中"
    return f"{no} 号任务已{revision}删除，进展已归档：taizhang list --archived"
