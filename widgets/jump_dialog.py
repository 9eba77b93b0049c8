"""The jump-to-序号 prompt."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.core.model import Ledger
from widgets.plain_label import PlainLabel

__all__ = ["JumpDialog"]


class JumpDialog(ModalScreen[int | None]):
    """Dismisses with a 序号 that exists, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消", id="jump.cancel")]

    DEFAULT_CSS = """
    JumpDialog {
        align: center middle;
    }
    JumpDialog > Vertical {
        width: 48;
        height: auto;
        border: ascii $accent;
        background: $surface;
        padding: 0 1;
    }
    JumpDialog #jump-error {
        color: $error;
    }
    """

    def __init__(self, numbers: Collection[int], archived: Mapping[int, str] | None = None) -> None:
        """`archived`: for numbers whose task a revision archived, what to say instead of "no such task"."""
        super().__init__()
        self.numbers = set(numbers)
        self.archived = dict(archived or {})

    @classmethod
    def over(cls, ledger: Ledger, archive_dates: Callable[[], Mapping[str, str]]) -> JumpDialog:
        """For the numbers of `ledger`'s tasks; a number a revision took away says so (`archive_dates`,
        when each archived task went, is read only if the ledger has archived tasks)."""
        archived: dict[int, str] = {}
        if ledger.archived:
            from tui.core.reseed import archived_number

            dates = archive_dates()
            archived = {t.no: gone for t in ledger.archived if (gone := archived_number(ledger, t.no, dates))}
        return cls([task.no for task in ledger.tasks], archived)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("跳转到序号（Enter 确定，Esc 取消）")
            yield Input(placeholder="序号，如 12", id="jump-input", restrict=r"\d*", max_length=6, compact=True)
            yield PlainLabel("", id="jump-error")

    def on_mount(self) -> None:
        # Focus now (see NoteDialog.on_mount): digits typed right after `:` must reach the input.
        self.set_focus(self.query_one(Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value:
            self._error("请输入序号数字，或按 Esc 取消。")
            return
        number = int(value)
        if number not in self.numbers and number in self.archived:
            self._error(self.archived[number])
            return
        if number not in self.numbers:
            low, high = min(self.numbers, default=0), max(self.numbers, default=0)
            self._error(f"没有序号为 {number} 的任务（序号范围 {low}-{high}）。")
            return
        self.dismiss(number)

    def _error(self, message: str) -> None:
        self.query_one("#jump-error", PlainLabel).update(message)

    def action_cancel(self) -> None:
        self.dismiss(None)
