"""`taizhang import` and `taizhang list --archived`: the command line's side of the import use case.

Reading, planning and applying are `tui.core.importing`, shared with the app's import dialog; here is what
only a terminal needs: the plan printed (or as JSON), the question before applying, the exit status.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tui.cli_output import print_json
from tui.core.deadlines import deadline_warnings, unreadable_deadlines
from tui.core.importing import PreparedImport, apply_import, prepare_import, seeded_message
from tui.core.model import minute_of
from tui.core.store import Store

__all__ = ["cmd_import", "list_archived"]


def cmd_import(args: argparse.Namespace, store: Store) -> int:
    """`taizhang import FILE` (or `-`: standard input): seed an empty store, or show a revision's plan and
    apply it if confirmed."""
    from tui.piped import document_source

    with document_source(args.file, args.format) as source:
        return _import(args, store, prepare_import(store, source))


def _import(args: argparse.Namespace, store: Store, prepared: PreparedImport) -> int:
    if prepared.plan is not None:
        return _revise(args, store, prepared)
    if args.dry_run:
        print(f"将从 {prepared.name} 导入 {len(prepared.document.tasks)} 项任务到 {store.path}（试运行，未写入）。")
    else:
        outcome = apply_import(store, prepared)
        print(seeded_message(prepared.name, outcome.tasks, into=store.path))
    for line in deadline_warnings(unreadable_deadlines(prepared.document.tasks)):
        print(line)
    if not args.dry_run and prepared.document.district_tasks and not store.towns():
        print(
            f"提醒：{len(prepared.document.district_tasks)} 项任务需各乡镇（街道）落实。"
            "请用 taizhang towns set 名称… 设定本区的乡镇（街道），它们才能报送各自的进展。"
        )
    return 0


def _confirmed() -> bool:
    sys.stderr.write("是否应用？[y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes", "是")


def _revise(args: argparse.Namespace, store: Store, prepared: PreparedImport) -> int:
    """A revised document onto a store with tasks: show the plan, then apply it if confirmed."""
    plan = prepared.plan
    assert plan is not None
    name = prepared.name
    as_json = bool(getattr(args, "json", False))
    report: dict[str, Any] = {"source": name, **plan.to_json(), "applied": False, "backup": None}

    def show_plan() -> None:
        if as_json:
            print_json(report)
        else:
            print(plan.render(name))

    if not plan.has_changes or args.dry_run:
        show_plan()
        if plan.has_changes and not as_json:
            print("试运行：未写入任何改动。")
        return 0
    refusal = store.refusal("import")
    if refusal is not None:  # said before asking, not after the user has confirmed
        show_plan()
        print(f"taizhang: {refusal}", file=sys.stderr)
        return 2  # a refusal, as everywhere in the CLI
    replace = bool(getattr(args, "replace", False))
    if plan.different_document and not replace:
        show_plan()
        print(
            f"taizhang: {name} 与台账的任务大多对不上（{plan.ledger_total} 项中只找到 {plan.matched} 项），"
            "看起来是另一份任务清单，未做任何改动。确要用它替换台账（有进展的任务都会归档），请加 --replace 重新运行。",
            file=sys.stderr,
        )
        return 2
    if not args.yes:
        if not sys.stdin.isatty():
            show_plan()
            print("taizhang: 没有终端可供确认，未做任何改动。确认上面的导入计划后，请加 --yes 重新运行。", file=sys.stderr)
            return 2
        show_plan()
        if not _confirmed():
            print("已取消，台账未改动。", file=sys.stderr)
            return 1
        as_json_after = False  # the plan is already on stdout; the outcome goes to stderr
    else:
        as_json_after = as_json
        if not as_json:
            show_plan()
    outcome = apply_import(store, prepared, replace=replace)
    if as_json_after:
        report.update(applied=True, backup=str(outcome.backup), archived=list(outcome.archived_ids))
        print_json(report)
    elif as_json:
        print(outcome.message, file=sys.stderr)
    else:
        print(outcome.message)
    return 0


def list_archived(args: argparse.Namespace, store: Store) -> int:
    """`taizhang list --archived [--json]`: tasks a revision removed, with their status and notes."""
    if not store.path.exists():
        print(f"taizhang: 找不到数据文件 {store.path}。请先运行 taizhang import 导入任务清单，或用 --db 指定数据文件。", file=sys.stderr)
        return 2
    ledger = store.load()
    archived_at = {event.task: event for event in store.history() if event.kind == "archive"}
    if args.json:
        today = store.today()
        print_json(
            [
                {
                    **task.to_json(today),
                    "overdue": False,
                    "archived_at": archived_at[task.id].at if task.id in archived_at else None,
                    "archived_by_import": archived_at[task.id].text if task.id in archived_at else None,
                }
                for task in ledger.archived
            ]
        )
        return 0
    if not ledger.archived:
        print("没有已归档的任务。重新导入修订版时被移除、且有进展的任务会归档到这里。")
        return 0
    for task in ledger.archived:
        event = archived_at.get(task.id)
        when = f"，{event.at[:10]} 导入 {event.text} 时移除" if event is not None else ""
        print(f"原 {task.no} 号  {task.status.label}{when}")
        print(f"  {task.section} › {task.subsection}")
        print(f"  {task.content}")
        print(f"  责任单位：{'、'.join(task.units) or '（无）'}；完成时限：{task.deadline or '（无）'}")
        print("  进展情况：")
        if task.notes:
            for note in reversed(task.notes):
                print(f"    {minute_of(note.at)}  {note.by}：{note.text}")
        else:
            print("    （暂无）")
        print()
    print(f"共 {len(ledger.archived)} 项已归档任务。")
    return 0
