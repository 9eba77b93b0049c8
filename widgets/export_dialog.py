"""The `e` export dialog: where to save and which period; writes the report in a thread with a progress line."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from tui.core.export import ExportResult, export_format, export_store, refuse_store_destination
from tui.core.forced_command import export_words, fetch_command, ssh_destination
from tui.core.model import Ledger, Task, without_controls
from tui.core.os_errors import os_error_line
from tui.core.report import ExportError, ExportFilters, Period
from tui.core.store import Store, StoreError
from widgets.ascii_progress import AsciiProgress
from widgets.path_suggester import PathSuggester
from widgets.plain_label import PlainLabel

__all__ = ["ExportDialog", "ExportScope", "default_export_path"]


@dataclass(frozen=True)
class ExportScope(ExportFilters):
    """The report's filters as the main screen has them: ExportFilters plus the overview's section filter."""

    section: str | None = None

    def select(self, ledger: Ledger, today: dt.date) -> list[Task]:
        tasks = super().select(ledger, today)
        return [task for task in tasks if task.section == self.section] if self.section else tasks

    def describe(self) -> list[str]:
        return ([self.section] if self.section else []) + super().describe()

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "section": self.section}


def default_export_path(period: Period, filters: ExportFilters, *, suffix: str = ".docx") -> str:
    """`~/台账-2026-11.docx`, or `~/台账-区卫健局-2026-11.docx` when filtered to a unit."""
    unit = f"{without_controls(filters.unit)}-" if filters.unit else ""
    return f"~/台账-{unit}{period.key}{suffix}"


class ExportDialog(ModalScreen[ExportResult | None]):
    """Dismisses with what was written, or None when cancelled. Errors stay in the dialog, one line each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消", id="export.cancel"),
        Binding("enter", "close", "关闭", show=False, id="export.close"),
        Binding("tab", "complete", "补全路径", show=False, id="export.complete"),
        Binding("down", "app.focus_next", "下一项", show=False, id="export.next"),
        Binding("up", "app.focus_previous", "上一项", show=False, id="export.previous"),
    ]

    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
    }
    ExportDialog > Vertical {
        width: 90%;
        max-width: 80;
        height: auto;
        border: ascii $accent;
        background: $surface;
        padding: 0 1;
    }
    ExportDialog Input {
        margin-bottom: 1;
    }
    ExportDialog #export-filters {
        color: $text-muted;
    }
    ExportDialog #export-error {
        color: $error;
        text-style: bold;
    }
    ExportDialog.-saved > Vertical {
        max-width: 130;  /* room for the command on one line where the terminal has it */
    }
    ExportDialog #export-fetch {
        width: 100%;
        margin-bottom: 1;
    }
    """

    @dataclass
    class Progressed(Message):
        """Posted from the export thread after each task is written."""

        dialog: ExportDialog
        done: int
        total: int

        @property
        def control(self) -> ExportDialog:
            return self.dialog

    @dataclass
    class Saved(Message):
        """Posted from the export thread once the report is written."""

        dialog: ExportDialog
        result: ExportResult

        @property
        def control(self) -> ExportDialog:
            return self.dialog

    def __init__(self, store: Store, filters: ExportFilters, *, search_active: bool = False) -> None:
        super().__init__()
        self.store = store
        self.filters = filters
        self.search_active = search_active
        self.period = Period.of(store.today())
        self.suggested_path = default_export_path(self.period, filters)
        self._overwrite_confirmed: Path | None = None
        self._worker: Worker[None] | None = None
        self._saved: ExportResult | None = None  # shown with the command that fetches it, until closed

    def compose(self) -> ComposeResult:
        described = "、".join(self.filters.describe()) or "全部任务"
        with Vertical():
            yield PlainLabel("导出台账（格式由扩展名决定：.docx、.xlsx、.csv 或 .json）", id="export-heading")
            yield PlainLabel("保存到：")
            yield Input(
                self.suggested_path,
                id="export-path",
                suggester=PathSuggester((".docx", ".xlsx", ".csv", ".json")),
                compact=True,
            )
            yield PlainLabel("报告期（年-月，该月的进展情况写入报告）：")
            yield Input(self.period.key, id="export-period", max_length=7, restrict=r"[0-9-]*", compact=True)
            filters = f"范围：{described}"
            if self.search_active:
                filters += "（查找条件不用于导出）"
            yield PlainLabel(filters, id="export-filters")  # unit and section names from the document
            yield AsciiProgress(id="export-progress")
            yield PlainLabel("", id="export-error")  # file names as typed
            yield PlainLabel("", id="export-fetch")  # the command that fetches the saved report
            yield PlainLabel("Enter 导出   Tab 补全路径   Esc 取消", id="export-hint")

    def on_mount(self) -> None:
        path_input = self.query_one("#export-path", Input)
        self.set_focus(path_input)  # now, before the next key (see NoteDialog)
        path_input.cursor_position = len(path_input.value)

    @property
    def busy(self) -> bool:
        worker = self._worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the file is being written, Esc cannot stop the thread: the dialog stays until it ends.
        if action == "close":
            return self._saved is not None
        return not (action == "cancel" and self.busy)

    def _error(self, message: str) -> None:
        self.query_one("#export-error", PlainLabel).update(message)

    @on(Input.Changed, "#export-period")
    def _period_changed(self, event: Input.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        try:
            period = Period.parse(event.value)
        except ExportError:
            return
        # The suggested file name follows the period until the user writes their own.
        if path_input.value == self.suggested_path:
            self.suggested_path = default_export_path(period, self.filters, suffix=Path(path_input.value).suffix or ".docx")
            path_input.value = self.suggested_path

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        self._overwrite_confirmed = None

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:
            return
        self._error("")
        path_text = self.query_one("#export-path", Input).value.strip()
        if not path_text:
            self._error("请输入保存文件的路径，如 ~/台账.docx。")
            return
        output = Path(path_text).expanduser()
        try:
            export_format(output)
            period = Period.parse(self.query_one("#export-period", Input).value)
            refuse_store_destination(self.store, output)  # before asking to overwrite a file there
        except ExportError as error:
            self._error(str(error))
            return
        if output.is_file() and self._overwrite_confirmed != output:
            self._overwrite_confirmed = output
            self._error(f"{output.name} 已存在。再按 Enter 覆盖它，或改一个文件名。")
            return
        for widget in self.query(Input):
            widget.disabled = True
        self.query_one(AsciiProgress).show_text("正在导出，请稍候")
        self._worker = self._export(output, period)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="export", exit_on_error=False, description="导出台账")
    def _export(self, output: Path, period: Period) -> None:
        def progressed(done: int, total: int) -> None:
            self.post_message(self.Progressed(self, done, total))

        result = export_store(self.store, output, filters=self.filters, period=period, progress=progressed)
        self.post_message(self.Saved(self, result))

    @on(Progressed)
    def _show_progress(self, message: Progressed) -> None:
        self.query_one(AsciiProgress).show_progress(message.done, message.total)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed export is reported: one line in the dialog and a notification."""
        if event.state != WorkerState.ERROR or not self.is_attached:
            return
        error = event.worker.error
        if isinstance(error, ExportError | StoreError):
            message = str(error)
        elif isinstance(error, OSError):
            message = os_error_line(error, "导出", "，未生成文件")
        else:
            message = f"导出失败（{error}），未生成文件。请重试；若仍失败请联系管理员。"
        self._error(message)
        self.notify(message, severity="error", timeout=10)
        self.query_one(AsciiProgress).show_text("")
        for widget in self.query(Input):
            widget.disabled = False
        self.query_one("#export-path", Input).focus()
        self.refresh_bindings()

    def action_complete(self) -> None:
        """Tab accepts the path completion the input shows (else moves to the next field)."""
        focused = self.focused
        if isinstance(focused, Input) and focused.id == "export-path" and focused.cursor_at_end:
            before = focused.value
            focused.action_cursor_right()  # at the end of the text, this takes the suggestion
            if focused.value != before:
                return
        self.focus_next()

    def _fetch_text(self, result: ExportResult) -> str | None:
        """Over SSH, the command that saves the same report on one's own computer; None on the server's console."""
        if len(os.environ.get("SSH_CONNECTION", "").split()) != 4:
            return None
        words = export_words(
            result.format,
            result.period.key,
            unit=self.filters.unit,
            statuses=[status.value for status in self.filters.statuses or ()],
            overdue=self.filters.overdue,
        )
        command = fetch_command(ssh_destination(self.store.user, os.environ), words, result.path.name)
        lines = [f"已保存到服务器上的 {result.path}。在自己的电脑上取回同一份报告（Windows 在 cmd 中运行）："]
        if isinstance(self.filters, ExportScope) and self.filters.section:
            lines[0] += "（命令行不按工作任务筛选，取回的报告含全部工作任务）"
        return "\n".join([*lines, command])

    @on(Saved)
    def _show_saved(self, message: Saved) -> None:
        if not self.is_attached:
            return
        result = message.result
        text = self._fetch_text(result)
        if text is None:
            self.dismiss(result)
            return
        self._saved = result
        self.add_class("-saved")
        self.query_one("#export-fetch", PlainLabel).update(text)
        self.query_one("#export-hint", PlainLabel).update("Enter 或 Esc 关闭")
        self.refresh_bindings()

    def action_close(self) -> None:
        self.dismiss(self._saved)

    def action_cancel(self) -> None:
        self.dismiss(self._saved)  # None unless the report was saved
