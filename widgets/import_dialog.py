"""The `i` import dialog: pick a revised task list, read the reseed plan as a diff, apply it on `y`/Enter.

Reading the document, planning and applying run in thread workers (`prepare_import`, `apply_import`),
which post `Prepared` and `Applied`; nothing is written before the user confirms, and Esc before that
leaves the store exactly as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from importers import DocumentError
from tui.core.deadlines import deadline_warnings, unreadable_deadlines
from tui.core.display import diff_text, terminal_safe
from tui.core.importing import ImportOutcome, PreparedImport, apply_import, prepare_import
from tui.core.reseed import ReseedPlan
from tui.core.store import Store, StoreError
from widgets.path_suggester import PathSuggester
from widgets.plain_label import LineBrokenText, PlainLabel

__all__ = ["ImportDialog", "plan_text"]

# `confirm_replace`: the document looks like another task list; a second `y` (never Enter) applies it.
Stage = Literal["path", "reading", "plan", "confirm_replace", "applying"]

# Arrows are East-Asian ambiguous-width glyphs: some CJK terminals draw them two cells wide.
_SAFE_ARROWS = str.maketrans({"→": "->", "←": "<-"})
_HEADING = re.compile(r"^\S.*：$", re.MULTILINE)


def plan_text(plan: ReseedPlan, source_name: str) -> Text:
    """The plan's Chinese rendering, with deletions in red (struck through) and insertions in green.

    The `[-old-]` / `{+new+}` marks stay, so the diff reads the same without colour.
    """
    text = diff_text(terminal_safe(plan.render(source_name)).translate(_SAFE_ARROWS))
    text.highlight_regex(_HEADING, "bold underline")
    return text


class ImportDialog(ModalScreen[ImportOutcome | None]):
    """Dismisses with the outcome of an applied import, or None when cancelled (the store untouched)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消", id="import.cancel"),
        Binding("y,enter", "apply", "应用", id="import.apply"),
        Binding("y", "replace", "确认替换", id="import.replace"),
        Binding("tab", "complete", "补全路径", show=False, id="import.complete"),
        Binding("j,down", "scroll_plan(1)", "下滚", show=False, id="import.down"),
        Binding("k,up", "scroll_plan(-1)", "上滚", show=False, id="import.up"),
        Binding("pagedown,space", "scroll_plan(10)", "下一页", show=False, id="import.page_down"),
        Binding("pageup", "scroll_plan(-10)", "上一页", show=False, id="import.page_up"),
    ]

    DEFAULT_CSS = """
    ImportDialog {
        align: center middle;
    }
    ImportDialog > Vertical {
        width: 95%;
        max-width: 110;
        height: auto;
        max-height: 95%;
        border: ascii $accent;
        background: $surface;
        padding: 0 1;
    }
    ImportDialog.-plan > Vertical {
        height: 95%;
    }
    ImportDialog #import-plan {
        display: none;
        height: 1fr;
        background: $boost;
        scrollbar-size-vertical: 1;
        padding: 0 1;
    }
    ImportDialog.-plan #import-plan {
        display: block;
    }
    ImportDialog #import-error {
        color: $error;
        text-style: bold;
    }
    ImportDialog #import-status {
        color: $accent;
    }
    ImportDialog #import-hint {
        color: $text-muted;
    }
    """

    @dataclass
    class Prepared(Message):
        """The document is read and planned: the plan can be shown."""

        dialog: ImportDialog
        prepared: PreparedImport

        @property
        def control(self) -> ImportDialog:
            return self.dialog

    @dataclass
    class Applied(Message):
        """The import is written (or there was nothing to write)."""

        dialog: ImportDialog
        outcome: ImportOutcome

        @property
        def control(self) -> ImportDialog:
            return self.dialog

    def __init__(self, store: Store, *, initial_path: str = "") -> None:
        super().__init__()
        self.store = store
        self.initial_path = initial_path
        self.stage: Stage = "path"
        self.prepared: PreparedImport | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield PlainLabel("导入修订版任务清单（.docx、.xlsx 或 .txt）：各任务的状态和进展情况按内容保留", id="import-heading")
            yield Input(
                self.initial_path,
                placeholder="文件路径，如 ~/任务清单-修订版.docx",
                id="import-path",
                suggester=PathSuggester((".docx", ".xlsx", ".txt")),
                compact=True,
            )
            yield PlainLabel("", id="import-error")  # file names as typed
            with VerticalScroll(id="import-plan"):
                yield Static("", id="import-plan-text")
            yield PlainLabel("", id="import-status")
            yield PlainLabel("Enter 读取并生成导入计划   Tab 补全路径   Esc 取消", id="import-hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#import-path", Input))  # now, before the next key (see NoteDialog)

    # ------------------------------------------------------------------ stages

    def _set_stage(self, stage: Stage) -> None:
        self.stage = stage
        self.set_class(stage in ("plan", "confirm_replace", "applying"), "-plan")
        path_input = self.query_one("#import-path", Input)
        path_input.disabled = stage != "path"
        hint, status = {
            "path": ("Enter 读取并生成导入计划   Tab 补全路径   Esc 取消", ""),
            "reading": ("Esc 取消", "正在读取文件并比对台账，请稍候"),
            "plan": ("y 或 Enter 应用   j/k 滚动   Esc 取消（台账不变）", ""),
            "confirm_replace": ("y 确认替换   j/k 滚动   Esc 取消（台账不变）", ""),
            "applying": ("", "正在导入（先备份原数据），请稍候"),
        }[stage]
        plan = self.prepared.plan if self.prepared is not None else None
        if stage == "plan" and self.prepared is not None and not self.prepared.has_changes:
            hint = "Enter 关闭（无需导入）   Esc 关闭"
        elif stage == "plan" and plan is not None and plan.different_document:
            hint = "y 或 Enter 应用（另一份任务清单，还需再确认一次）   j/k 滚动   Esc 取消（台账不变）"
        self.query_one("#import-hint", PlainLabel).update(hint)
        self.query_one("#import-status", PlainLabel).update(status)
        if stage == "path":
            path_input.focus()
        elif stage in ("plan", "confirm_replace"):
            self.query_one("#import-plan", VerticalScroll).focus()
        self.refresh_bindings()

    def _error(self, message: str) -> None:
        self.query_one("#import-error", PlainLabel).update(message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return self.stage == "plan"
        if action == "replace":
            return self.stage == "confirm_replace"
        if action == "scroll_plan":
            return self.stage in ("plan", "confirm_replace")
        if action == "complete":
            return self.stage == "path"
        # An import being written cannot be stopped halfway: Esc waits for it.
        return not (action == "cancel" and self.stage == "applying")

    # ------------------------------------------------------------------ reading and planning

    @on(Input.Submitted, "#import-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.stage != "path":
            return
        text = event.value.strip()
        if not text:
            self._error("请输入修订版任务清单的路径（.docx、.xlsx 或 .txt），或按 Esc 取消。")
            return
        self._error("")
        self._set_stage("reading")
        self._prepare(Path(text).expanduser())

    @work(thread=True, exclusive=True, group="import.read", exit_on_error=False, description="读取任务清单")
    def _prepare(self, source: Path) -> None:
        self.post_message(self.Prepared(self, prepare_import(self.store, source)))

    @on(Prepared)
    def _show_plan(self, message: Prepared) -> None:
        if not self.is_attached:  # dismissed (Esc) while the thread was still reading
            return
        self.prepared = prepared = message.prepared
        if prepared.plan is not None:
            body = plan_text(prepared.plan, prepared.source.name)
        else:
            lines = [f"台账中还没有任务：将从 {prepared.source.name} 导入 {len(prepared.document.tasks)} 项任务。"]
            lines += deadline_warnings(unreadable_deadlines(prepared.document.tasks))
            body = Text(terminal_safe("\n".join(lines)))
        plan = self.query_one("#import-plan-text", Static)
        plan.update(LineBrokenText(plan, body))
        self._set_stage("plan")
        self.query_one("#import-plan", VerticalScroll).scroll_home(animate=False)

    # ------------------------------------------------------------------ applying

    def action_apply(self) -> None:
        prepared = self.prepared
        if self.stage != "plan" or prepared is None:
            return
        if not prepared.has_changes:
            self.dismiss(apply_import(self.store, prepared))  # writes nothing: says the document matches the ledger
            return
        plan = prepared.plan
        if plan is not None and plan.different_document:
            counts = plan.summary()
            self._error(
                f"这份文件看起来是另一份任务清单（台账 {plan.ledger_total} 项中只找到 {plan.matched} 项）。"
                f"替换将移除 {counts['removed']} 项任务，其中 {counts['archived']} 项有进展，将归档。"
                "确要替换，请再按 y；按 Esc 取消。"
            )
            self._set_stage("confirm_replace")
            return
        self._error("")
        self._set_stage("applying")
        self._apply(prepared)

    def action_replace(self) -> None:
        """The second `y` for a document that looks like another task list: apply it as a replacement."""
        prepared = self.prepared
        if self.stage != "confirm_replace" or prepared is None:
            return
        self._error("")
        self._set_stage("applying")
        self._apply(prepared, replace=True)

    @work(thread=True, exclusive=True, group="import.apply", exit_on_error=False, description="导入任务清单")
    def _apply(self, prepared: PreparedImport, *, replace: bool = False) -> None:
        self.post_message(self.Applied(self, apply_import(self.store, prepared, replace=replace)))

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        if self.is_attached:
            self.dismiss(message.outcome)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed read or import is reported: one line in the dialog, never a traceback."""
        if event.state != WorkerState.ERROR or not self.is_attached:  # dismissed (Esc) while reading
            return
        error = event.worker.error
        if isinstance(error, DocumentError | StoreError):
            message = str(error)
        elif isinstance(error, PermissionError):
            message = f"没有读取 {error.filename or '该文件'} 的权限。请检查文件权限，或换一个文件。"
        elif isinstance(error, OSError):
            message = f"无法读取文件（{error.strerror or error}）。请检查路径后重试。"
        else:
            message = f"导入失败（{error}），台账未改动。请重试；若仍失败请联系管理员。"
        self._error(" ".join(message.split()))
        # A failed read goes back to the path; a failed apply keeps the plan on screen.
        self._set_stage("path" if self.stage == "reading" else "plan")

    # ------------------------------------------------------------------ keys

    def action_complete(self) -> None:
        """Tab takes the path completion the input shows."""
        path_input = self.query_one("#import-path", Input)
        if path_input.cursor_at_end:
            path_input.action_cursor_right()  # at the end of the text, this takes the suggestion

    def action_scroll_plan(self, lines: int) -> None:
        self.query_one("#import-plan", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_cancel(self) -> None:
        self.dismiss(None)
