"""A modal list to pick one value from (unit filter, status filter, the unit row the keys change)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.core.display import plain_text
from tui.core.model import Ledger, Status, Task, UnitRole
from widgets.plain_label import PlainLabel

__all__ = ["PickerDialog"]


class PickerDialog(ModalScreen[str | None]):
    """Dismisses with the chosen option's id ("" for the "all" row), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消", id="picker.cancel"),
        Binding("j", "cursor_down", "下移", show=False, id="picker.down"),
        Binding("k", "cursor_up", "上移", show=False, id="picker.up"),
    ]

    DEFAULT_CSS = """
    PickerDialog {
        align: center middle;
    }
    PickerDialog > Vertical {
        width: 56;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: ascii $accent;
        background: $surface;
        padding: 0 1;
    }
    PickerDialog OptionList {
        height: auto;
        max-height: 18;
    }
    """

    def __init__(self, heading: str, choices: Sequence[tuple[str, str]], *, current: str = "") -> None:
        """`choices`: (id, label) pairs; the id "" means no filter."""
        super().__init__()
        self.heading = heading
        self.choices = list(choices)
        self.current = current

    @classmethod
    def of_units(cls, ledger: Ledger, current: str | None) -> PickerDialog:
        """The ledger's units with their task counts; the id is the unit's name."""
        choices = [("", f"全部单位（{len(ledger.tasks)}）")]
        choices += [(name, f"{name}（{count}）") for name, count in ledger.units()]
        return cls("按责任单位筛选", choices, current=current or "")

    @classmethod
    def of_statuses(cls, ledger: Ledger, current: Status | None) -> PickerDialog:
        """The five states with their task counts; the id is the Status value."""
        counts = Counter(task.status for task in ledger.tasks)
        choices = [("", f"全部状态（{len(ledger.tasks)}）")]
        choices += [(status.value, f"{status.label}（{counts[status]}）") for status in Status]
        return cls("按状态筛选", choices, current=current.value if current else "")

    @classmethod
    def of_unit_rows(cls, task: Task, current: str | None) -> PickerDialog:
        """The task's unit rows with their statuses; the id is the unit's name, "" for the overall row (the lead's)."""
        choices = []
        for row in task.unit_rows():
            label = f"{row.unit}  {row.role.label}  {row.status.label}"
            choices.append(("" if row.role is UnitRole.LEAD else row.unit, f"{label}（整项任务）" if row.role is UnitRole.LEAD else label))
        return cls(f"{task.no} 号任务：按键改动哪一行", choices, current=current or "")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield PlainLabel(f"{self.heading}（Enter 选择，Esc 取消）")
            # Unit names come from the document: plain text, never markup.
            options = (Option(plain_text(label), id=choice_id or "-") for choice_id, label in self.choices)
            yield OptionList(*options, markup=False, compact=True)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        # set_focus now, not focus() (queued behind keys already typed): the next key must reach the list.
        self.set_focus(options)
        ids = [choice_id for choice_id, _label in self.choices]
        if self.current in ids:
            options.highlighted = ids.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or "-"
        self.dismiss("" if option_id == "-" else option_id)

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
