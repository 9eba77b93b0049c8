"""Writing a report to a file: the format from the file's extension, never into the store's folder.

No Textual here: the CLI calls `export_store` (or `render_store` for standard output), the app calls it
(or `export_ledger`) from a thread worker and shows progress through the callback. The report itself is
`tui.core.report`; the writers are `tui.core.report_word` (python-docx, imported only for a .docx),
`tui.core.report_xlsx` (openpyxl, only for a .xlsx) and `tui.core.report_data` (CSV, JSON).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.model import Event, Ledger
from tui.core.os_errors import os_error_line
from tui.core.report import ExportError, ExportFilters, Period, Progress, Report, build_report
from tui.core.shared_files import atomic_write_bytes

if TYPE_CHECKING:
    from tui.core.store import Store

__all__ = [
    "FORMATS",
    "ExportResult",
    "export_format",
    "export_ledger",
    "export_store",
    "format_named",
    "refuse_store_destination",
    "render_store",
]

FORMATS = {".docx": "docx", ".xlsx": "xlsx", ".csv": "csv", ".json": "json"}
_FORMAT_LIST = ".docx、.xlsx、.csv 或 .json"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    tasks: int
    not_updated: int
    period: Period
    status_changes: int = 0



def _write(kind: str, report: Report, progress: Progress | None) -> bytes:
    if kind == "docx":
        from tui.core.report_word import docx_bytes

        return docx_bytes(report, progress)
    if kind == "xlsx":
        from tui.core.report_xlsx import xlsx_bytes

        return xlsx_bytes(report, progress)
    from tui.core.report_data import csv_bytes, json_bytes

    return csv_bytes(report, progress) if kind == "csv" else json_bytes(report, progress)


# ---------------------------------------------------------------------- writing the file


def export_format(output: Path) -> str:
    """`docx`, `xlsx`, `csv` or `json` from the file name's extension; anything else is refused."""
    suffix = output.suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if not suffix:
        raise ExportError(f"文件名“{output.name}”没有扩展名。请以 {_FORMAT_LIST} 结尾，以选择导出格式。")
    raise ExportError(f"不能导出为“{suffix}”格式。请以 {_FORMAT_LIST} 结尾的文件名导出。")


def format_named(name: str) -> str:
    """A format as `--format` names it (`docx`, `.XLSX`, ...); anything else is refused."""
    kind = name.strip().lower().lstrip(".")
    if kind in FORMATS.values():
        return kind
    raise ExportError(f"不能导出为“{name}”格式。--format 可用 {'、'.join(dict.fromkeys(FORMATS.values()))}。")


def _check_destination(output: Path) -> None:
    folder = output.parent
    if output.is_dir():
        raise ExportError(f"{output} 是一个目录。请在后面写上文件名，如 {output / '台账.docx'}。")
    if not folder.exists():
        raise ExportError(f"输出目录 {folder} 不存在。请先创建该目录，或换一个保存位置。")
    if not folder.is_dir():
        raise ExportError(f"{folder} 不是目录。请换一个保存位置。")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"没有写入目录 {folder} 的权限。请换一个保存位置，如自己的主目录。")


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def refuse_store_destination(store: Store, output: Path | str) -> None:
    """Refuse (ExportError) an export whose file would land inside the store's folder or be its users.toml.

    The store's folder is that of db.json, with everything below it (the journal, backups/). Folders
    are compared by identity (device and inode), not by name, on the real path of the destination, so
    no spelling gets round it: `..`, symlinked folders or a symlink as the file itself, /proc/self/root,
    another case on a case-insensitive file system, a bind mount.

    One exception, for a store that nobody else can write to (a folder writable by its owner alone, as
    a personal copy is): a new report may sit beside db.json, since it can reach no one else's data.
    Its own files and the folders below it are refused all the same. A shared store (the group-writable
    folder of README 部署) takes no file at all.
    """
    output = Path(output).expanduser()
    try:
        store_folder = os.stat(store.path.parent)
    except OSError:
        return  # no store folder: nothing to protect (the export then fails to read the store)
    real = output.resolve()
    users = store.users_path.resolve()
    if real == users:
        raise ExportError(f"不能导出到台账的权限文件 {output}。请换一个文件名。")
    for folder in (real.parent, *real.parent.parents):
        try:
            inside = _same_file(os.stat(folder), store_folder)
        except OSError:
            continue  # a folder that does not exist yet cannot be the store's
        if inside and not (folder == real.parent and _personal_report(store, store_folder, real)):
            raise ExportError(
                f"不能导出到 {output}：它在台账数据文件所在的目录 {store.path.parent} 之内（含备份）。"
                "请换一个保存位置，如自己的主目录。"
            )


def _personal_report(store: Store, store_folder: os.stat_result, real: Path) -> bool:
    """A file beside db.json that may take a report: the folder is its owner's alone, and the file is
    none of the store's own (db.json, its lock, users.toml, the journal, backups/)."""
    if store_folder.st_mode & 0o022:
        return False
    own_names = {store.path.name, store.lock_path.name, store.users_path.name, store.journal_dir.name, "backups"}
    if real.name.casefold() in {name.casefold() for name in own_names}:
        return False
    try:
        return not _same_file(os.stat(real), os.stat(store.path))
    except OSError:
        return True  # no such file yet (or no db.json): a new report


def export_ledger(
    ledger: Ledger,
    output: Path | str,
    *,
    today: dt.date,
    filters: ExportFilters | None = None,
    period: Period | None = None,
    history: Iterable[Event] = (),
    display_name: Callable[[str], str] | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the report for `period` (default: this month) of the tasks `filters` select to `output`.

    The format comes from the extension. Raises ExportError with a one-line message for the user;
    on any failure the file at `output` is left as it was.
    """
    output = Path(output).expanduser()
    kind = export_format(output)
    _check_destination(output)
    report = build_report(
        ledger, today=today, period=period, filters=filters, history=history, display_name=display_name
    )
    payload = _write(kind, report, progress)
    try:
        # The real path: the file lands where export_store looked (a symlink is written through, not replaced).
        atomic_write_bytes(output.resolve(), payload)
    except OSError as error:
        raise ExportError(os_error_line(error, f"写入 {output} ", "，未生成文件")) from None
    if progress:
        progress(len(report.rows), len(report.rows))
    return _result(report, output, kind)


def _result(report: Report, path: Path, kind: str) -> ExportResult:
    return ExportResult(
        path=path,
        format=kind,
        tasks=len(report.rows),
        not_updated=report.not_updated_count,
        period=report.period,
        status_changes=len(report.status_changes),
    )


def render_store(
    store: Store, kind: str, *, filters: ExportFilters | None = None, period: Period | None = None
) -> tuple[bytes, ExportResult]:
    """The report `export_store` would write, as bytes in format `kind` (for standard output: `export -o -`)."""
    report = build_report(
        store.load(),
        today=store.today(),
        period=period,
        filters=filters,
        history=store.history(),
        display_name=store.display_name,
    )
    return _write(kind, report, None), _result(report, Path("-"), kind)


def export_store(
    store: Store,
    output: Path | str,
    *,
    filters: ExportFilters | None = None,
    period: Period | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """`export_ledger` over what a store holds now, with its clock, history and users' names."""
    refuse_store_destination(store, output)
    return export_ledger(
        store.load(),
        output,
        today=store.today(),
        filters=filters,
        period=period,
        history=store.history(),
        display_name=store.display_name,
        progress=progress,
    )
