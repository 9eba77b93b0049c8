"""The ledger screen's keys, and which of them apply now (and why not, in the words staff see).

The one place the screen decides this: `check_action` hides a key that does not apply (footer, help,
palette), and pressing it anyway says the reason on the message line (`MainScreen.say_refusal`). A
write that applies here is checked again against its task when pressed (`task_refusal`), and by the
store when it writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType

from tui.core.model import Status, Task
from tui.core.store import Store, StoreError
from widgets.ledger_tree import Section

if TYPE_CHECKING:
    from tui.screens.main import MainScreen

__all__ = ["LEDGER_KEYS", "NOTHING_SHOWN", "key_state", "refusal", "task_refusal", "why_not_now"]

_STATUS_KEYS = Binding.Group("状态", compact=True)

LEDGER_KEYS: list[BindingType] = [
    Binding("1", "set_status('not_started')", "未启动", group=_STATUS_KEYS, id="status.not_started"),
    Binding("2", "set_status('in_progress')", "推进中", group=_STATUS_KEYS, id="status.in_progress"),
    Binding("3", "set_status('done')", "已完成", group=_STATUS_KEYS, id="status.done"),
    Binding("4", "set_status('blocked')", "受阻", group=_STATUS_KEYS, id="status.blocked"),
    Binding("5", "set_status('closed')", "已销号", group=_STATUS_KEYS, id="status.closed"),
    Binding("space", "cycle_status", "切换状态", show=False, id="status.cycle"),
    # Short labels and `u` kept out of the footer: at 80 columns every shown key must fit, `q 退出` included.
    Binding("n", "add_note", "进展", id="note.add"),
    Binding("u", "undo", "撤销", show=False, id="undo"),
    # Only for those who may change any unit's row (supervisors): the detail's unit table says so.
    Binding("r", "pick_row", "选择单位行", show=False, id="row.pick"),
    Binding("a", "show_all", "全文、全部进展和记录", show=False, id="detail.all"),
    Binding("colon,number_sign", "jump", "跳转", id="jump"),
    Binding("slash", "search", "查找", id="search"),
    Binding("f", "filter_unit", "单位", id="filter.unit"),
    Binding("m", "filter_my_unit", "本单位", id="filter.mine"),
    Binding("s", "filter_status", "按状态", show=False, id="filter.status"),
    Binding("o", "filter_overdue", "逾期", id="filter.overdue"),
    Binding("F", "clear_filters", "清除筛选", show=False, id="filter.clear"),
    Binding("escape", "clear_search", "清除查找", show=False, id="search.clear_all"),
    # Not in the footer, which is full at 80 columns: `?` help and the command palette list them.
    Binding("d", "overview", "总览", show=False, id="overview"),
    Binding("e", "export", "导出", show=False, id="export"),
    Binding("i", "import", "导入", show=False, id="import"),
    Binding("question_mark", "help", "帮助", id="help"),
    Binding("tab", "app.focus_next", "切换窗格", show=False, id="pane.next"),
    Binding("shift+tab", "app.focus_previous", "切换窗格（反向）", show=False, id="pane.previous"),
    Binding("ctrl+c,super+c", "screen.copy_text", "复制选中的文字", show=False, id="copy"),
]

NOTHING_SHOWN = "没有符合条件的任务。按 F 清除筛选，或按 Esc 清除查找。"

# The write keys' actions, each with the name Store.refusal gives it.
_STORE_ACTIONS = {"set_status": "status", "cycle_status": "status", "add_note": "note", "undo": "undo"}
_TASK_ACTIONS = {"set_status", "cycle_status", "add_note", "show_all", "pick_row"}


def key_state(screen: MainScreen, action: str) -> bool | None:
    """`check_action`'s answer: True when the key applies, None (shown greyed) for a task's key while the cursor is
    on a section or subsection, False (hidden) otherwise. Greyed rather than hidden: keys that came and went as the
    cursor moved between group and task rows made the footer recompose (and be written again) on those moves."""
    reason = refusal(screen, action)
    if reason is None:
        return True
    return None if screen.current_task is None and reason == _no_task_reason(screen) else False


def refusal(screen: MainScreen, action: str) -> str | None:
    """Why the key for `action` does not apply on `screen` now; None when it does."""
    store = screen.store
    if action in _STORE_ACTIONS:
        try:
            reason = store.refusal(_STORE_ACTIONS[action])
        except StoreError:
            reason = None  # users.toml unreadable: pressing the key says so (`task_refusal`)
        if reason is not None:
            return reason
    if action == "filter_my_unit" and screen.my_unit() is None:
        return _no_unit_reason(store)
    if action in _TASK_ACTIONS and screen.current_task is None:
        return _no_task_reason(screen)
    if action == "pick_row" and screen.current_task is not None:
        return _no_pick_reason(store, screen.current_task)
    if action == "undo" and not screen.undo_stack:
        return "本次没有可以撤销的改动。"
    if action == "clear_filters" and not screen.filters.narrowing:
        return "当前没有筛选，无需清除。"
    if action == "import":
        try:
            return store.refusal("import")
        except StoreError as error:
            return str(error)
    return None


def why_not_now(screen: MainScreen, action: str) -> str | None:
    """Why the key for `action` does nothing now, as help says it: the refusal pressing it gives, or for Esc
    with no search, that there is none (Esc then does nothing, as anywhere else, rather than refuse)."""
    if action == "clear_search" and not screen.filters.search:
        return "当前没有查找，无需清除。"
    return refusal(screen, action)


def task_refusal(
    store: Store, action: str, task: Task, new_status: Status | None = None, *, unit: str | None = None
) -> str | None:
    """Why this session may not do `action` to the row of `unit` of `task` (None: the overall row; the store
    enforces it again); None if it may."""
    try:
        return store.refusal(action, task.id, unit=unit, new_status=new_status)
    except StoreError as error:
        return str(error)


def _no_pick_reason(store: Store, task: Task) -> str | None:
    """Why `r` (choose which unit's row the keys change) does not apply: only those who may change any row
    (supervisors) pick one; the others' keys act on their own row (`Identity.row_target`)."""
    try:
        identity = store.identity()
    except StoreError as error:
        return str(error)
    target = identity.row_target(task)
    if target.may_pick:
        return None
    row = f" {target.unit} 的一行" if target.unit else "整项任务"
    return identity.refusal("note", task, unit=target.unit) or f"只有主管可以选择改动哪个单位的一行；你的按键改动{row}。"


def _no_unit_reason(store: Store) -> str:
    try:
        login = store.identity().login
    except StoreError as error:
        return str(error)
    return f"未在 users.toml 中设定本单位（账号 {login}），m 无从筛选：请按 f 选择单位。"


def _no_task_reason(screen: MainScreen) -> str:
    if screen.current_group is None:
        return NOTHING_SHOWN
    kind = "工作任务" if isinstance(screen.current_group, Section) else "具体项目"
    return f"请先在任务树中选中一项任务（当前是{kind}）。"
