"""The `taizhang` command line. Imports Textual only when it starts the app."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from importers.records import DocumentError
from tui.cli_argparse import ChineseParser, VersionAction
from tui.cli_output import CliError, pad, print_json, printing, printing_without_controls, unwrapped
from tui.cli_units import cmd_towns, row_label, row_unit, unit_rows_text
from tui.core.deadlines import deadline_warnings, read_deadline, unreadable_deadlines
from tui.core.model import (
    NOTE_MAX_CHARS,
    Ledger,
    NoteError,
    Status,
    StatusError,
    Task,
    canonical_unit,
    minute_of,
    note_text,
    without_controls,
)
from tui.core.os_errors import os_error_line
from tui.core.permissions import ready_to_close_notice, users_unit_warnings
from tui.core.store import PermissionDenied, Store, StoreError, current_user

__all__ = ["main"]


def _ledger(store: Store, *, with_notes: bool = True) -> Ledger:
    if not store.exists():
        raise CliError(f"找不到数据文件 {store.path}。请先运行 taizhang import 导入任务清单，或用 --db 指定数据文件。")
    ledger = store.load(with_notes=with_notes)
    if not ledger.tasks:
        raise CliError(f"{store.path} 中还没有任务。请先运行 taizhang import 导入任务清单。")
    return ledger


def _number(text: str) -> int:
    try:
        return int(text.strip().rstrip("号"))
    except ValueError:
        raise CliError(f"“{text}”不是序号。请输入任务的序号数字，如 12。") from None


def _task_to_change(store: Store, number: str) -> Task:
    """The task a write names, found without building the whole ledger (a mark must stay quick)."""
    task = store.task_by_no(_number(number)) if store.exists() else None
    return task if task is not None else _task(_ledger(store, with_notes=False), number, store)


def _task(ledger: Ledger, number: str, store: Store) -> Task:
    no = _number(number)
    task = ledger.by_no(no)
    if task is not None:
        return task
    if ledger.archived:
        from tui.core.reseed import archived_number

        gone = archived_number(ledger, no, store.archive_dates())
        if gone is not None:
            raise CliError(gone)
    numbers = [t.no for t in ledger.tasks]
    raise CliError(f"没有序号为 {no} 的任务（序号范围 {min(numbers)}–{max(numbers)}）。")


def _status(text: str) -> Status:
    try:
        return Status.parse(text)
    except StatusError as error:
        raise CliError(str(error)) from None


def _task_line(task: Task, store: Store, unit: str | None = None) -> str:
    """One task for `list`: with `--unit`, the status of that unit's own row."""
    overdue = " 逾期" if task.is_overdue_for(unit, store.today()) else ""
    deadline = task.deadline or "—"
    return f"{task.no:>3}  {pad(task.status_for(unit).label + overdue, 12)}{pad(deadline, 10)}{pad(task.lead_unit, 16)}{task.title}"


# ---------------------------------------------------------------------- commands


def cmd_import(args: argparse.Namespace, store: Store) -> int:
    from tui.cli_import import cmd_import  # reading documents and planning revisions: only for imports

    return cmd_import(args, store)


def _unit_filter(ledger: Ledger, wanted: str) -> str:
    names = [name for name, _count in ledger.units()]
    exact = [name for name in names if canonical_unit(name) == canonical_unit(wanted)]
    if exact:
        return exact[0]
    partial = [name for name in names if wanted in name]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise CliError(f"“{wanted}”对应多个单位：{'、'.join(partial)}。请写全称。")
    raise CliError(f"没有名为“{wanted}”的责任单位或乡镇（街道）。可用 taizhang list 查看各任务的单位，taizhang towns 查看乡镇（街道）。")


def cmd_list(args: argparse.Namespace, store: Store) -> int:
    if getattr(args, "archived", False):
        from tui.cli_import import list_archived

        return list_archived(args, store)
    ledger = _ledger(store)
    unit = _unit_filter(ledger, args.unit) if args.unit else None
    statuses = [_status(text) for text in args.status] if args.status else None
    tasks = ledger.select(today=store.today(), unit=unit, statuses=statuses, overdue=args.overdue, search=args.search)
    if args.json:
        print_json([task.to_json(store.today()) for task in tasks])
        return 0
    for task in tasks:
        print(_task_line(task, store, unit))
    print(f"共 {len(tasks)} 项（台账共 {len(ledger.tasks)} 项）。")
    return 0


def _show_text(task: Task, ledger: Ledger, store: Store) -> str:
    lines = [
        f"{task.section} › {task.subsection} › {task.no}",
        "",
        task.content,
        "",
        "责任单位：" + "、".join(f"{unit}（牵头）" if i == 0 else unit for i, unit in enumerate(task.units)),
    ]
    lines += [f"备注：{remark}" for remark in task.remarks if remark != ledger.district_note]
    if ledger.district_note:
        lines.append(f"说明：{ledger.district_note}")
    overdue = "（逾期）" if task.is_overdue(store.today()) else ""
    ready = "（各单位均已完成，可销号）" if task.ready_to_close else ""
    lines += [f"完成时限：{read_deadline(task.deadline).label()}{overdue}", f"状态：{task.status.label}{ready}"]
    lines += ["", "各单位进展（牵头单位一行即整项任务的状态）：", *unit_rows_text(task), "", "进展情况："]
    if task.notes:
        from tui.core.history import person

        lines += [
            f"  {minute_of(note.at)}  {person(note.by, store.display_name, with_login=True)}：{note.text}"
            for note in reversed(task.notes)
        ]
    else:
        lines.append("  （暂无）")
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace, store: Store) -> int:
    ledger = _ledger(store)
    task = _task(ledger, args.no, store)
    if args.json:
        print_json(task.to_json(store.today()))
    else:
        print(_show_text(task, ledger, store))
    return 0


def _note_argument(text: str, *, when_empty: str) -> str:
    """The note as the store will keep it; refused (exit status 2, nothing written) when empty or too long."""
    try:
        return note_text(text)
    except NoteError as error:
        raise CliError(when_empty if not without_controls(text).strip() else f"{error}未写入任何内容。") from None


def cmd_mark(args: argparse.Namespace, store: Store) -> int:
    status = _status(args.status)
    note = _note_argument(args.note, when_empty="--note 的内容不能为空。") if args.note is not None else None
    task = _task_to_change(store, args.no)
    unit = row_unit(task, args.unit, store) if args.unit else None
    where = f"{task.no} 号任务{row_label(task, unit)}"
    if note:  # both refused before either is written
        reason = store.refusal("note", task.id, unit=unit)
        if reason is not None:
            raise PermissionDenied(reason)
    event = store.set_status(task.id, status, unit=unit)
    if event is None:
        print(f"{where}已是 {status.label}，状态未改动。")
    else:
        print(f"已将 {where}由 {Status(event.old).label} 标为 {status.label}。")
    if note:
        store.add_note(task.id, note, unit=unit)
        print(f"已为 {where}添加进展情况。")
    if event is not None and status is Status.DONE:
        changed = store.task_by_no(task.no)
        notice = ready_to_close_notice(store.identity(), changed) if changed is not None else None
        if notice:
            print(f"提醒：{notice}")
    return 0


def cmd_note(args: argparse.Namespace, store: Store) -> int:
    text = _note_argument(args.text, when_empty='进展情况不能为空。用法：taizhang note 序号 "内容"')
    task = _task_to_change(store, args.no)
    unit = row_unit(task, args.unit, store) if args.unit else None
    store.add_note(task.id, text, unit=unit)
    print(f"已为 {task.no} 号任务{row_label(task, unit)}添加进展情况。")
    return 0


def cmd_check(args: argparse.Namespace, store: Store) -> int:
    removed = store.remove_stale_temp_files()
    problems = store.check()
    for path in removed:
        print(f"已清理残留的临时文件 {path.name}。")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        from tui.core.store.backups import restore_advice

        advice = restore_advice(store.path)
        advice = "" if any(advice in problem for problem in problems) else advice  # said once
        print(f"数据检查未通过：发现 {len(problems)} 个问题。{advice}", file=sys.stderr)
        return 1
    ledger = store.load()
    print(f"数据完好：{len(ledger.tasks)} 项任务，{len(store.history())} 条记录。")
    for line in deadline_warnings(unreadable_deadlines(ledger.tasks)):
        print(f"提醒：{line}")
    try:
        permissions = store.permissions()
    except StoreError:
        permissions = None  # a malformed users.toml says so wherever a right is needed
    for line in users_unit_warnings(permissions, ledger) if permissions is not None else ():
        print(f"提醒：{line}")
    try:
        if store.refresh_summary():
            print(f"已重建状态摘要 {store.summary_path.name}（升级或恢复备份后首次检查时会这样做）。")
    except StoreError:
        pass  # e.g. no right to write here: the summary is only a cache, the next change rebuilds it
    return 0


def cmd_history(args: argparse.Namespace, store: Store) -> int:
    from tui.core.history import event_json, history_line

    ledger = _ledger(store)
    task = _task(ledger, args.no, store) if args.no is not None else None
    events = store.history(task.id if task is not None else None)
    if args.json:
        print_json([event_json(event, ledger) for event in events])
        return 0

    for event in events:
        print(history_line(event, ledger, store.display_name))
    scope = f"{task.no} 号任务" if task is not None else "台账"
    print(f"{scope}共 {len(events)} 条改动记录。" if events else f"{scope}还没有改动记录。")
    return 0


def cmd_export(args: argparse.Namespace, store: Store) -> int:
    from tui.core.export import export_store, render_store
    from tui.core.report import ExportError, ExportFilters, Period
    from tui.piped import export_kind, write_stdout

    to_stdout = args.output == "-"
    try:
        kind = export_kind(args.output, args.format)  # a wrong extension or format is refused before any work
        period = Period.parse(args.period) if args.period is not None else None
        ledger = _ledger(store)
        filters = ExportFilters(
            unit=_unit_filter(ledger, args.unit) if args.unit else None,
            statuses=tuple(_status(text) for text in args.status) if args.status else None,
            overdue=args.overdue,
        )
        if to_stdout:
            payload, result = render_store(store, kind, filters=filters, period=period)
        else:
            result = export_store(store, args.output, filters=filters, period=period)
    except ExportError as error:
        raise CliError(str(error)) from None
    if to_stdout:
        write_stdout(payload)  # the report alone on standard output; what was done goes to stderr
    print(
        f"已导出 {result.tasks} 项任务到{'标准输出' if to_stdout else f' {result.path}'}"
        f"（报告期 {result.period.label}，其中 {result.not_updated} 项本期未更新）。",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0


def cmd_app(args: argparse.Namespace, store: Store) -> int:
    from tui.terminal import terminal_refusal

    refusal = terminal_refusal(login=store.user, forced=getattr(args, "ssh", False))
    if refusal is not None:  # e.g. `ssh -T host` without a command under sshd's ForceCommand
        print(refusal, file=sys.stderr)
        return 2
    _ledger(store, with_notes=False)  # a missing or empty store gets its one-line message before the screen is taken over
    from tui.app import run_app  # Textual only when the app starts

    # The app draws the terminal itself, escape codes and all (and shows user text through tui.core.display).
    with printing((unwrapped(sys.stdout), unwrapped(sys.stderr))):
        return run_app(store, read_only=args.read_only)


# ---------------------------------------------------------------------- parser


_NO_HELP = "任务的序号，如 12"
_JSON_HELP = "以 JSON 输出"


def build_parser() -> argparse.ArgumentParser:
    common = ChineseParser(add_help=False)
    common.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS, help="数据文件（默认 data/db.json 或环境变量 TAIZHANG_DB）"
    )

    parser = ChineseParser(prog="taizhang", description="洛江区城乡社区服务体系建设任务台账", parents=[common])
    parser.add_argument("--version", action=VersionAction, help="显示版本号并退出")
    parser.add_argument("--read-only", action="store_true", help="只读查看，不允许改动")
    parser.add_argument(
        "--ssh",
        action="store_true",
        help="作为 sshd 的 ForceCommand 运行：执行客户端请求的命令（SSH_ORIGINAL_COMMAND，限于查看、导出、标记、导入等），没有命令时打开台账",
    )
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser, help="taizhang 命令 --help 查看各命令的用法")

    p = commands.add_parser("import", parents=[common], help="导入任务清单（.docx、.xlsx 或 .txt）")
    p.add_argument("file", metavar="FILE", help="文件；- 为标准输入（须加 --format）")
    p.add_argument("--format", metavar="FORMAT", help="标准输入的格式：docx、xlsx 或 txt")
    p.add_argument("--yes", action="store_true", help="不询问，直接应用")
    p.add_argument("--dry-run", action="store_true", help="只显示将做的改动，不写入")
    p.add_argument("--json", action="store_true", help="以 JSON 输出导入计划")
    p.add_argument("--replace", action="store_true", help="文件看起来是另一份任务清单时，确认用它替换台账")
    p.set_defaults(handler=cmd_import)

    p = commands.add_parser("list", parents=[common], help="列出任务")
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.add_argument("--unit", metavar="U", help="只列出该单位的任务")
    p.add_argument("--status", metavar="S", action="append", help="只列出该状态（可重复）")
    p.add_argument("--overdue", action="store_true", help="只列出逾期任务")
    p.add_argument("--search", metavar="TEXT", help="在内容、单位、进展中查找")
    p.add_argument("--archived", action="store_true", help="列出重新导入时移除并归档的任务")
    p.set_defaults(handler=cmd_list)

    p = commands.add_parser("show", parents=[common], help="查看一项任务")
    p.add_argument("no", metavar="NO", help=_NO_HELP)
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.set_defaults(handler=cmd_show)

    p = commands.add_parser("mark", parents=[common], help="标记任务状态")
    p.add_argument("no", metavar="NO", help=_NO_HELP)
    p.add_argument(
        "status",
        metavar="STATUS",
        help="not_started/in_progress/done/blocked/closed 或 未启动/推进中/已完成/受阻/已销号",
    )
    p.add_argument("--note", metavar="TEXT", help="同时添加一条进展情况")
    p.add_argument("--unit", metavar="U", help="标记该单位自己一行的状态（牵头单位的一行即整项任务的状态）")
    p.set_defaults(handler=cmd_mark)

    p = commands.add_parser("note", parents=[common], help="添加进展情况")
    p.add_argument("no", metavar="NO", help=_NO_HELP)
    p.add_argument("text", metavar="TEXT", help=f"进展情况（最多 {NOTE_MAX_CHARS} 字；有空格时加引号）")
    p.add_argument("--unit", metavar="U", help="写在该单位自己的一行（牵头单位的一行即整项任务的进展）")
    p.set_defaults(handler=cmd_note)

    p = commands.add_parser("towns", parents=[common], help="查看或设定乡镇（街道）：towns set 名称…（限主管）")
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.set_defaults(handler=cmd_towns)
    sets = p.add_subparsers(
        dest="towns_command", metavar="set", parser_class=ChineseParser, help="不加 set 时列出现在的乡镇（街道）"
    )
    s = sets.add_parser("set", parents=[common], help="设定乡镇（街道），如 towns set 万安街道 双阳街道")
    s.add_argument("names", metavar="NAME", nargs="+", help="乡镇（街道）的名称")

    p = commands.add_parser("history", parents=[common], help="查看改动记录（谁、何时、改了什么）")
    p.add_argument("no", metavar="NO", nargs="?", help="只看该序号任务的记录")
    p.add_argument("--json", action="store_true", help=_JSON_HELP)
    p.set_defaults(handler=cmd_history)

    p = commands.add_parser("export", parents=[common], help="导出台账报告（.docx、.xlsx、.csv 或 .json）")
    p.add_argument("-o", "--output", metavar="FILE", required=True, help="输出文件，格式由扩展名决定；- 为标准输出")
    p.add_argument("--format", metavar="FORMAT", help="docx、xlsx、csv 或 json（-o - 时必须写）")
    p.add_argument("--unit", metavar="U", help="只导出该单位的任务")
    p.add_argument("--status", metavar="S", action="append", help="只导出该状态（可重复）")
    p.add_argument("--overdue", action="store_true", help="只导出逾期任务")
    p.add_argument("--period", metavar="YYYY-MM", help="报告期（默认本月）：该月的进展情况列入报告")
    p.set_defaults(handler=cmd_export)

    p = commands.add_parser("check", parents=[common], help="检查数据文件是否完好")
    p.set_defaults(handler=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with printing_without_controls():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.ssh:
        from tui.core.forced_command import CommandRefused, forced_arguments

        try:
            args = forced_arguments(parser, args, os.environ, login=current_user())
        except CommandRefused as error:
            print(f"taizhang: {error}", file=sys.stderr)
            return 2
    store = Store(getattr(args, "db", None), read_only=args.read_only)
    handler = getattr(args, "handler", cmd_app)
    try:
        if handler is not cmd_check:  # check reports what it cleans
            store.remove_stale_temp_files()  # left by a writer killed mid-write; two directory listings
        return handler(args, store)
    except (CliError, DocumentError, StoreError) as error:
        print(f"taizhang: {error}", file=sys.stderr)
        # A refusal is a mistake of the request, as a wrong argument is: nothing was written.
        return 2 if isinstance(error, CliError | DocumentError | PermissionDenied) else 1
    except BrokenPipeError:
        return 0
    except OSError as error:  # the last resort: whatever the file system refused, one line, never a traceback
        print(f"taizhang: {os_error_line(error, '操作')}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("taizhang: 已取消。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
