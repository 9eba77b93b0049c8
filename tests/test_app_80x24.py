"""Issue 16: the screens a clerk sees on an 80x24 terminal, whole: the filter summary that fits the header,
the overview with its first column fixed and a sign for what is out of view, a tree that shows the titles.

Each test reads the screen as drawn (tests/screen_text.py) and the widgets' regions, at 80x24 and at the
sizes above it where the rule changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.conftest import fixed_clock
from tests.screen_text import screen_lines
from tests.test_app_multiuser import USERS
from tui.app import TaizhangApp, make_app
from tui.core.display import terminal_safe
from tui.core.model import Task
from widgets.help_screen import HelpScreen
from widgets.ledger_header import filters_line
from widgets.ledger_tree import LedgerTree
from widgets.overview_table import OverviewTable

NARROW = (80, 24)
# `m` (区民政局, zhangsan's unit), `o`, and a search: task 10 (完善城乡社区志愿服务制度) is all three.
THREE_FILTERS = ["m", "o", "slash", *"志愿", "enter"]
FULL_FILTERS = "单位:区民政局 | 逾期 | 查找:志愿"


@pytest.fixture
def clerk_app(db_path: Path) -> TaizhangApp:
    """zhangsan of 区民政局, an editor."""
    (db_path.parent / "users.toml").write_text(USERS, encoding="utf-8")
    return make_app(db_path, clock=fixed_clock, user="zhangsan")


def header_line(app: TaizhangApp) -> str:
    """The header's second row on screen: the counts and the filters."""
    return screen_lines(app)[1]


# ---------------------------------------------------------------------- the filter summary


async def test_three_filters_at_80x24_are_summed_up_not_cut(clerk_app: TaizhangApp) -> None:
    """Issue 16: after `m` `o` the header showed `显示 0 项  筛选：单位:区卫健局`, the overdue filter and `F 清除`
    cut off by the edge."""
    async with clerk_app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press(*THREE_FILTERS)
        await pilot.pause()
        screen = clerk_app.screen
        assert screen.filters.describe() == ["单位:区民政局", "逾期", "查找:志愿"]
        line = header_line(clerk_app)
        assert "筛选 3 项・F 清除" in line
        shown = screen.ledger_tree.shown_task_count
        assert 0 < shown < 72
        assert f"显示 {shown} 项" in line and "共 72 项" in line
        assert cell_len(line.rstrip()) <= NARROW[0] - 1  # the header's padding: nothing reaches the edge
        header = screen.query_one("#header")
        assert header.shown_text.splitlines()[1] == line.strip()
        assert str(header.tooltip).splitlines() == ["筛选：单位:区民政局", "逾期", "查找:志愿", "F 清除全部筛选"]

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(clerk_app.screen, HelpScreen)
        filters_in_help = [row.description for row in clerk_app.screen.rows if row.group == "当前筛选"]
        assert filters_in_help == ["单位:区民政局", "逾期", "查找:志愿"]
        help_text = "\n".join(screen_lines(clerk_app))
        assert "当前筛选" in help_text and "查找:志愿" in help_text


async def test_the_filters_are_listed_in_full_where_they_fit(clerk_app: TaizhangApp) -> None:
    async with clerk_app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press(*THREE_FILTERS)
        await pilot.pause()
        line = header_line(clerk_app)
        assert f"筛选：{FULL_FILTERS}  (F 清除)" in line
        assert "筛选 3 项" not in line

        # The rule follows the width, to the cell: the header's whole width inside its padding is used.
        full = cell_len(line.strip())
        await pilot.resize_terminal(full + 2, 36)
        await pilot.pause()
        assert f"筛选：{FULL_FILTERS}  (F 清除)" in header_line(clerk_app)
        await pilot.resize_terminal(full + 1, 36)
        await pilot.pause()
        assert "筛选 3 项・F 清除" in header_line(clerk_app)
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        assert "筛选 3 项・F 清除" in header_line(clerk_app)
        await pilot.press("F")
        await pilot.pause()
        line = header_line(clerk_app)
        assert "筛选" not in line and "显示" not in line
        assert clerk_app.screen.query_one("#header").tooltip is None


@pytest.mark.parametrize("width", [50, 60, 70, 80, 90, 100, 110, 120, 140])
async def test_at_any_width_the_filters_show_in_full_or_as_a_summary(clerk_app: TaizhangApp, width: int) -> None:
    """Never silently cut: the full list, or `筛选 N 项・F 清除`, is on the line at every width."""
    async with clerk_app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*THREE_FILTERS)
        await pilot.pause()
        line = header_line(clerk_app)
        assert f"筛选：{FULL_FILTERS}  (F 清除)" in line or "筛选 3 项・F 清除" in line, line


async def test_a_search_alone_says_esc_clears_it(clerk_app: TaizhangApp) -> None:
    """F clears the filters but answers `当前没有筛选` to a search alone: the header named F for it."""
    async with clerk_app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"志愿", "enter")
        await pilot.pause()
        assert "筛选：查找:志愿  (Esc 清除)" in header_line(clerk_app)
        assert str(clerk_app.screen.query_one("#header").tooltip).endswith("Esc 清除查找")
        await pilot.press("m")
        await pilot.pause()
        assert "筛选：单位:区民政局 | 查找:志愿  (F 清除)" in header_line(clerk_app)
        await pilot.press("m", "escape")
        await pilot.pause()
        assert clerk_app.screen.filters.describe() == []
        assert "筛选" not in header_line(clerk_app)


async def test_a_read_only_session_at_80x24_keeps_the_summary(db_path: Path) -> None:
    """`[只读]` takes room too: the counts close up before the summary is cut."""
    (db_path.parent / "users.toml").write_text(USERS, encoding="utf-8")
    app = make_app(db_path, clock=fixed_clock, user="zhangsan", read_only=True)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press(*THREE_FILTERS)
        await pilot.pause()
        line = header_line(app)
        shown = app.screen.ledger_tree.shown_task_count
        assert "[只读]" in line and "筛选 3 项・F 清除" in line and f"显示 {shown} 项" in line


def test_filters_line_takes_the_first_form_that_fits() -> None:
    counts = ("共 72 项", "已完成 0", "推进中 0", "受阻 0", "逾期 15", "显示 2 项")
    filters = ["单位:区民政局", "逾期", "查找:志愿"]
    full = filters_line(counts, filters, 1000).plain
    assert full == f"共 72 项  已完成 0  推进中 0  受阻 0  逾期 15  显示 2 项  筛选：{FULL_FILTERS}  (F 清除)"
    assert filters_line(counts, filters, cell_len(full)).plain == full
    summed = filters_line(counts, filters, cell_len(full) - 1).plain
    assert summed == "共 72 项  已完成 0  推进中 0  受阻 0  逾期 15  显示 2 项  筛选 3 项・F 清除"
    closed_up = filters_line(counts, filters, cell_len(summed) - 1).plain
    assert closed_up == "共 72 项 已完成 0 推进中 0 受阻 0 逾期 15 显示 2 项  筛选 3 项・F 清除"
    # Narrower still the summary leads and the edge cuts the counts, the shown count first among them.
    narrow = filters_line(counts, filters, 30)
    assert narrow.plain.startswith("筛选 3 项・F 清除  显示 2 项") and narrow.no_wrap and narrow.overflow == "crop"
    assert filters_line(counts[:5], [], 40).plain == " ".join(counts[:5])


# ---------------------------------------------------------------------- the overview


async def open_overview(app: TaizhangApp, pilot) -> OverviewTable:
    """Press `d` (the app already running) and return the overview's table."""
    await pilot.pause()
    await pilot.press("d")
    await pilot.pause()
    return app.screen.query_one(OverviewTable)


def hint_line(app: TaizhangApp) -> str:
    lines = [line for line in screen_lines(app) if "Enter 在任务树中查看" in line or "还有" in line]
    return " ".join(line.strip() for line in lines)


def row_label(table: OverviewTable, key: str) -> str:
    return table.get_row(key)[0].plain


async def test_overview_at_80x24_every_column_is_reachable_and_the_first_stays(clerk_app: TaizhangApp) -> None:
    """Issue 16: 本期未更新 and the progress were off-screen, Right scrolled one cell, End hid the 范围 column."""
    async with clerk_app.run_test(size=NARROW) as pilot:
        table = await open_overview(clerk_app, pilot)
        labels = [column.label.plain for column in table.ordered_columns]
        assert labels[0] == "范围" and labels[-2:] == ["本期未更新", "完成进度"]
        top = screen_lines(clerk_app)[table.region.y]
        assert top.split()[0] == "范围" and "本期未更新" not in top
        assert "右边还有 2 列 (Right)" in hint_line(clerk_app)

        seen = set(top.split())
        for _step in range(len(labels)):
            await pilot.press("right")
            await pilot.pause()
            top = screen_lines(clerk_app)[table.region.y]
            assert top.split()[0] == "范围"  # fixed, however far it scrolls
            seen |= set(top.split())
        assert set(labels) <= seen
        assert "完成进度" in top and "右边还有" not in hint_line(clerk_app)
        assert "左边还有" in hint_line(clerk_app)
        assert screen_lines(clerk_app)[table.region.y + 1].split()[0] == "全部任务"

        await pilot.press("home")
        await pilot.pause()
        assert table.scroll_x == 0 and "左边还有" not in hint_line(clerk_app)
        await pilot.press("end")
        await pilot.pause()
        top = screen_lines(clerk_app)[table.region.y]
        assert top.split()[0] == "范围" and top.split()[-1] == "完成进度"
        await pilot.press("left")
        await pilot.pause()
        assert table.scroll_x < table.max_scroll_x and "右边还有 1 列 (Right)" in hint_line(clerk_app)


async def test_overview_says_how_many_units_are_below_and_every_row_is_reachable(clerk_app: TaizhangApp) -> None:
    async with clerk_app.run_test(size=NARROW) as pilot:
        table = await open_overview(clerk_app, pilot)
        hidden = table.off_screen()
        units_below = [key for key in hidden.rows_below if key.startswith("unit:")]
        assert units_below and len(units_below) == len(hidden.rows_below)
        assert f"下面还有 {len(units_below)} 个单位" in hint_line(clerk_app)
        screen = "\n".join(screen_lines(clerk_app))
        last_unit = row_label(table, units_below[-1])
        assert last_unit not in screen
        # The sign counts exactly the rows not drawn: the row above the first hidden one is on screen.
        shown_keys = [row.key.value for row in table.ordered_rows][: table.row_count - len(hidden.rows_below)]
        assert row_label(table, shown_keys[-1]) in screen
        assert row_label(table, hidden.rows_below[0]) not in screen

        for _row in range(table.row_count):
            await pilot.press("down")
        await pilot.pause()
        assert last_unit in "\n".join(screen_lines(clerk_app))
        assert "下面还有" not in hint_line(clerk_app) and "上面还有" in hint_line(clerk_app)
        await pilot.press("enter")
        await pilot.pause()
        assert clerk_app.screen.filters.unit == last_unit


async def test_overview_at_120x40_signs_the_units_below_the_fold(clerk_app: TaizhangApp) -> None:
    """Issue 16: at 120x40 three units sat below the fold with no sign that they exist."""
    async with clerk_app.run_test(size=(120, 40)) as pilot:
        table = await open_overview(clerk_app, pilot)
        below = table.off_screen().rows_below
        assert below
        assert f"下面还有 {len(below)} 个单位" in hint_line(clerk_app)
        assert "右边还有" not in hint_line(clerk_app)  # every column fits
        assert row_label(table, below[0]) not in "\n".join(screen_lines(clerk_app))


# ---------------------------------------------------------------------- the tree


def tree_titles_on_screen(app: TaizhangApp) -> dict[int, str]:
    """Each task's title as the tree draws it on screen, by 序号 (cut ones end with `..`)."""
    tree = app.screen.query_one(LedgerTree)
    left, width = tree.region.x, tree.region.width
    shown: dict[int, str] = {}
    for line in screen_lines(app)[tree.region.y : tree.region.bottom]:
        cells = line[left:]  # the tree starts at column 0: no wide character before it
        text = ""
        for char in cells:
            if cell_len(text + char) > width:
                break
            text += char
        parts = text.split()
        if len(parts) >= 4 and parts[0] == "[" and parts[2].isdigit():
            shown[int(parts[2])] = parts[3]
    return shown


async def test_tree_at_80x24_shows_task_titles_not_8_characters(clerk_app: TaizhangApp) -> None:
    """Issue 16: at 80x24 the tree cut titles to about 8 characters. It takes 40 columns there."""
    async with clerk_app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        screen = clerk_app.screen
        tree_pane, detail_pane = screen.query_one("#tree-pane"), screen.query_one("#detail-pane")
        assert tree_pane.region.width == 40 and detail_pane.region.width == 40
        titles = tree_titles_on_screen(clerk_app)
        tasks = {task.no: task for task in screen.ledger.tasks}
        assert len(titles) >= 10
        for number, shown in titles.items():
            title = terminal_safe(tasks[number].title)
            if shown.endswith(".."):
                assert title.startswith(shown[:-2]) and len(shown) - 2 >= 10, (number, shown)
            else:
                assert shown == title
        # The full title of the task under the cursor is in the detail.
        highlighted = screen.ledger_tree.highlighted_item
        assert isinstance(highlighted, Task)
        assert f"{highlighted.no}. {terminal_safe(highlighted.title)}" in screen.detail.text


@pytest.mark.parametrize(("width", "width_class"), [(79, "-narrow"), (80, "-wide")])
async def test_the_screen_has_its_width_class_before_the_first_resize(
    ledger_app: TaizhangApp, monkeypatch: pytest.MonkeyPatch, width: int, width_class: str
) -> None:
    """Issue 16: the first resize added the class and restyled every widget before the first frame was drawn."""
    from tui.screens.main import MainScreen

    classes_at_compose: list[set[str]] = []
    compose = MainScreen.compose

    def recording_compose(screen: MainScreen):
        classes_at_compose.append(set(screen.classes))
        return compose(screen)

    monkeypatch.setattr(MainScreen, "compose", recording_compose)
    async with ledger_app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        assert classes_at_compose == [{width_class}]
        assert width_class in ledger_app.screen.classes
        await pilot.resize_terminal(120 if width_class == "-narrow" else 70, 24)
        await pilot.pause()
        assert width_class not in ledger_app.screen.classes  # later resizes still switch it


@pytest.mark.parametrize(("width", "tree_width"), [(60, 30), (79, 39), (80, 40), (100, 40), (120, 48)])
async def test_tree_width_rule(ledger_app: TaizhangApp, width: int, tree_width: int) -> None:
    """2/5 of the width, at least 40 columns; below 80 columns, half."""
    async with ledger_app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        assert ledger_app.screen.query_one("#tree-pane").region.width == tree_width
