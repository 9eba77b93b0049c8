"""The ledger screen's dialogs: what each is opened with, and what its answer does to the screen.

Each is imported when first opened: the first frame should not wait for them. Every push is awaited:
the app handles the next key only once the dialog has mounted and taken the focus (see NoteFlow.ask).
The `n` note has its own flow (tui/screens/note_flow.py): a note that cannot be saved is given back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tui.core.display import terminal_safe
from tui.core.model import Status
from tui.screens.view_filters import ViewFilters

if TYPE_CHECKING:
    from tui.screens.main import MainScreen
    from widgets.help_screen import HelpRow

__all__ = [
    "help_rows",
    "open_export",
    "open_help",
    "open_import",
    "open_jump",
    "open_overview",
    "pick_row",
    "pick_status",
    "pick_unit",
]


async def open_jump(screen: MainScreen) -> None:
    """`:`: go to a task by its 序号, dropping the filters if they hide it."""
    from widgets.jump_dialog import JumpDialog

    def jump(number: int | None) -> None:
        task = screen.ledger.by_no(number) if number is not None else None
        if task is None:
            return
        tree = screen.ledger_tree
        if not tree.select_task_id(task.id):
            screen.show_only(ViewFilters())  # hidden by a filter: drop the filters rather than refuse
            tree.select_task_id(task.id)
        screen.current_group = None
        screen.current_task = task
        tree.focus()

    await screen.app.push_screen(JumpDialog.over(screen.ledger, screen.store.archive_dates), jump)


async def pick_unit(screen: MainScreen) -> None:
    """`f`: show one unit's tasks (the picker starts on the filtered unit, else the session's own)."""
    from widgets.picker_dialog import PickerDialog

    def chosen(unit: str | None) -> None:
        if unit is not None:
            screen.filters = replace(screen.filters, unit=unit or None)

    current = screen.filters.unit or screen.my_unit()
    await screen.app.push_screen(PickerDialog.of_units(screen.ledger, current), chosen)


async def pick_row(screen: MainScreen) -> None:
    """`r`: which unit's own row of the task the keys change (for those who may change any row)."""
    from widgets.picker_dialog import PickerDialog

    task = screen.current_task
    if task is None:
        return

    def chosen(unit: str | None) -> None:
        if unit is not None:
            screen.pick_unit_row(unit or None)

    target = screen.keys_row(task)
    await screen.app.push_screen(PickerDialog.of_unit_rows(task, target.unit if target else None), chosen)


async def pick_status(screen: MainScreen) -> None:
    """`s`: show the tasks in one state."""
    from widgets.picker_dialog import PickerDialog

    def chosen(value: str | None) -> None:
        if value is not None:
            screen.filters = replace(screen.filters, status=Status(value) if value else None)

    await screen.app.push_screen(PickerDialog.of_statuses(screen.ledger, screen.filters.status), chosen)


async def open_overview(screen: MainScreen) -> None:
    """`d`: counts by section and unit (the units most behind first); Enter on a row shows exactly its tasks."""
    from tui.core.overview import OverviewChoice
    from tui.core.store import StoreError
    from tui.screens.overview import OverviewScreen

    def chosen(choice: OverviewChoice | None) -> None:
        if choice is None:
            return
        # The row's counts are over the whole ledger: show exactly its tasks, whatever was filtered before.
        unit = choice.name if choice.kind == "unit" else None
        screen.show_only(ViewFilters(unit=unit, section=choice.name if choice.kind == "section" else None))
        screen.ledger_tree.focus()

    screen.read_all_notes_now()  # its 本期未更新 and 本期未报送 count notes
    try:
        history = screen.store.history()  # and status changes
    except StoreError as error:
        screen.notify(str(error), severity="error", timeout=8)
        return
    await screen.app.push_screen(OverviewScreen(screen.ledger, screen.store.today(), history), chosen)


async def open_export(screen: MainScreen) -> None:
    """`e`: a report of the tasks the filters show (not the search)."""
    from tui.core.export import ExportResult
    from widgets.export_dialog import ExportDialog, ExportScope

    shown = screen.filters
    statuses = (shown.status,) if shown.status else None
    scope = ExportScope(unit=shown.unit, statuses=statuses, overdue=shown.overdue, section=shown.section)

    def saved(result: ExportResult | None) -> None:
        if result is not None:
            screen.notify(
                f"已导出 {result.tasks} 项任务到 {result.path}"
                f"（报告期 {result.period.label}，本期未更新 {result.not_updated} 项）。",
                timeout=10,
            )

    await screen.app.push_screen(ExportDialog(screen.store, scope, search_active=shown.searching), saved)


async def open_import(screen: MainScreen) -> None:
    """`i`: a revised task list, applied after its plan is read."""
    from tui.core.importing import ImportOutcome
    from widgets.import_dialog import ImportDialog

    def finished(outcome: ImportOutcome | None) -> None:
        if outcome is None:
            return
        screen.notify(outcome.message, timeout=15)
        if outcome.changed:
            screen.reload_ledger(filters_changed=True)

    await screen.app.push_screen(ImportDialog(screen.store), finished)


def help_rows(screen: MainScreen) -> list[HelpRow]:
    """Every key, grouped by the pane (or the screen, or the app) that binds it; those that do not apply now
    with the reason pressing them gives (`why_not_now`)."""
    from textual.actions import parse as parse_action

    from tui.screens.main_keys import why_not_now
    from widgets.help_screen import HelpRow
    from widgets.help_screen import help_rows as rows_of

    def why_not(node: object, action: str) -> str | None:
        return why_not_now(screen, parse_action(action)[1]) if node is screen else None

    names = {id(screen.ledger_tree): "任务树", id(screen.detail): "详情", id(screen): "台账"}
    # The filters in full first: the header sums them up when they do not fit its line (`筛选 3 项・F 清除`).
    shown = [HelpRow("当前筛选", "", terminal_safe(each)) for each in screen.filters.describe()]
    return [*shown, *rows_of(screen, lambda node: names.get(id(node), "程序"), why_not)]


async def open_help(screen: MainScreen) -> None:
    """`?`: every key; those that do not apply now greyed, with why."""
    from widgets.help_screen import HelpScreen

    await screen.app.push_screen(HelpScreen(help_rows(screen)))
