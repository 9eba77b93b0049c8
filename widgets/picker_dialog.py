"""A modal list to pick one value from (unit filter, status filter, the unit row the keys change).

Typing narrows the list (`wjj` leaves 区卫健局: the name as written or its pinyin initials, the rule of
`tui.core.search.text_matches`), Backspace widens it; Up/Down move, Enter picks the highlighted row, Esc
cancels. Letters are typed into the filter line, never bound to moving the cursor.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from tui.core.display import plain_text
from tui.core.model import Ledger, Status, Task, UnitRole
from tui.core.search import text_matches
from widgets.plain_label import PlainLabel

__all__ = ["PickerDialog"]


class PickerDialog(ModalScreen[str | None]):
    """Dismisses with the chosen option's id ("" for the "all" row), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消", id="picker.cancel"),
        Binding("down", "cursor_down", "下移", show=False, id="picker.down"),
        Binding("up", "cursor_up", "上移", show=False, id="picker.up"),
        Binding("pagedown", "page_down", "下一页", show=False, id="picker.page_down"),
        Binding("pageup", "page_up", "上一页", show=False, id="picker.page_up"),
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
    PickerDialog #picker-filter {
        height: 1;
        border: none;
        padding: 0;
        background: $boost;
    }
    PickerDialog #picker-count {
        color: $text-muted;
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
        self.shown = list(self.choices)  # the choices the typed filter lets through, in order

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
            # No blinking cursor: over a slow link each blink is a repaint.
            yield Input(placeholder="输入名称或拼音首字母筛选（如 wjj）", id="picker-filter", compact=True)
            yield PlainLabel(self._count_line(), id="picker-count")
            yield OptionList(*self._options(), markup=False, compact=True)

    def _options(self) -> list[Option]:
        # Unit names come from the document: plain text, never markup.
        return [Option(plain_text(label), id=choice_id or "-") for choice_id, label in self.shown]

    def _count_line(self) -> str:
        total = len(self.choices)
        if len(self.shown) == total:
            return f"共 {total} 项"
        if not self.shown:
            return f"没有符合的项（共 {total} 项）：按 Backspace 删去输入的字"
        return f"符合 {len(self.shown)} 项（共 {total} 项）"

    def on_mount(self) -> None:
        filter_line = self.query_one("#picker-filter", Input)
        filter_line.cursor_blink = False
        # set_focus now, not focus() (queued behind keys already typed): the next key must reach the filter line.
        self.set_focus(filter_line)
        ids = [choice_id for choice_id, _label in self.choices]
        if self.current in ids:
            self.query_one(OptionList).highlighted = ids.index(self.current)

    @on(Input.Changed, "#picker-filter")
    def _narrow(self, event: Input.Changed) -> None:
        """Keep the choices holding every typed word, as written or as pinyin initials; the highlight stays on
        the same choice while it is shown, else goes to the first."""
        event.stop()
        options = self.query_one(OptionList)
        highlighted = options.highlighted_option
        kept = highlighted.id if highlighted is not None else None
        self.shown = [(choice_id, label) for choice_id, label in self.choices if text_matches(event.value, label)]
        options.clear_options()
        options.add_options(self._options())
        ids = [choice_id or "-" for choice_id, _label in self.shown]
        if self.shown:
            options.highlighted = ids.index(kept) if kept in ids else 0
        self.query_one("#picker-count", PlainLabel).update(self._count_line())

    @on(Input.Submitted, "#picker-filter")
    def _pick_highlighted(self, event: Input.Submitted) -> None:
        event.stop()
        option = self.query_one(OptionList).highlighted_option
        if option is not None:
            self._pick(option)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option)

    def _pick(self, option: Option) -> None:
        option_id = option.id or "-"
        self.dismiss("" if option_id == "-" else option_id)

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_page_down(self) -> None:
        self.query_one(OptionList).action_page_down()

    def action_page_up(self) -> None:
        self.query_one(OptionList).action_page_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
