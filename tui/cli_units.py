"""The units' side of the command line: `taizhang towns`, which unit's row `--unit` names on `mark` and `note`,
and the unit rows `show` prints. Each unit of a task has its own row; the lead's is the task's overall progress."""

from __future__ import annotations

import argparse
import sys

from tui.cli_output import CliError, pad, print_json
from tui.core.model import Task, UnitRole, canonical_unit, minute_of
from tui.core.store import Store

__all__ = ["cmd_towns", "row_label", "row_unit", "unit_rows_text"]


def row_unit(task: Task, wanted: str, store: Store) -> str:
    """The unit `--unit` names on this task, as the task writes it: its exact name or an alias, else a part of
    one name (`马甲` for 马甲镇). Refused (CliError, exit status 2) when the task has no such unit or several."""
    names = [row.unit for row in task.unit_rows()]
    key = canonical_unit(wanted.strip())
    exact = [name for name in names if canonical_unit(name) == key]
    if exact:
        return exact[0]
    partial = [name for name in names if wanted.strip() and wanted.strip() in name]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise CliError(f"“{wanted}”对应 {task.no} 号任务的多个单位：{'、'.join(partial)}。请写全称。")
    hint = "" if store.towns() else "台账还没有设定乡镇（街道），可用 taizhang towns set 设定。"
    raise CliError(f"{task.no} 号任务的单位中没有“{wanted}”（本任务的单位：{_roll(task)}）。{hint}")


def _roll(task: Task) -> str:
    """`牵头 区民政局；配合 区发改局；乡镇（街道）6 个`."""
    rows = task.unit_rows()
    parts = [f"牵头 {row.unit}" for row in rows if row.role is UnitRole.LEAD]
    cooperating = [row.unit for row in rows if row.role is UnitRole.COOPERATING]
    towns = sum(row.role is UnitRole.TOWN for row in rows)
    if cooperating:
        parts.append(f"配合 {'、'.join(cooperating)}")
    if towns:
        parts.append(f"乡镇（街道）{towns} 个")
    return "；".join(parts) or "无"


def row_label(task: Task, unit: str | None) -> str:
    """`（马甲镇）` after `12 号任务` when `unit` names a row other than the overall one (the lead's), else ""."""
    return f"（{unit}）" if unit is not None and task.row_key(unit) is not None else ""


def unit_rows_text(task: Task) -> list[str]:
    """The unit rows of `show`: one line each, `  区公安分局  配合  推进中  11-28 10:00 li：已布设…（共 2 条）`."""
    lines = []
    for row in task.unit_rows():
        latest = row.notes[-1] if row.notes else None
        note = ""
        if latest is not None:
            text = " ".join(latest.text.split())
            text = text if len(text) <= 40 else text[:39] + "…"
            more = f"（共 {len(row.notes)} 条）" if len(row.notes) > 1 else ""
            note = f"{minute_of(latest.at)[5:]} {latest.by}：{text}{more}"
        lines.append(f"  {pad(row.unit, 18)}{pad(row.role.label, 14)}{pad(row.status.label, 8)}{note}".rstrip())
    return lines


def cmd_towns(args: argparse.Namespace, store: Store) -> int:
    """`taizhang towns` lists the townships, one a line; `taizhang towns set NAME…` replaces them."""
    if not store.exists() or not store.has_tasks():
        raise CliError(f"{store.path} 中还没有任务。请先运行 taizhang import 导入任务清单。")
    if getattr(args, "towns_command", None) == "set":
        result = store.set_towns(args.names)
        print(f"乡镇（街道）已设为：{'、'.join(result.towns)}（{len(result.towns)} 个）。")
        for name in result.dropped_with_progress:
            print(f"提醒：{name} 已有的状态和进展仍在改动记录中，重新设为乡镇（街道）后恢复显示。")
        ledger = store.load(with_notes=False)
        if not any(task.towns for task in ledger.tasks):
            print("提醒：任务清单中没有“以下均需各乡镇（街道）落实”这样的说明，乡镇（街道）暂无任务。")
        return 0
    towns = store.towns()
    if args.json:
        print_json(list(towns))
    elif towns:
        print("\n".join(towns))
    else:
        print("台账还没有设定乡镇（街道）。可用 taizhang towns set 名称… 设定，如 taizhang towns set 万安街道 双阳街道。",
              file=sys.stderr)  # fmt: skip
    return 0
