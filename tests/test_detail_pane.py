"""The detail pane and the bytes a key costs over SSH (issue 16): what can be pinned without timing.

A cursor move repaints neither the whole screen nor the whole detail: the detail repaints the lines that differ
and its size stays; the tree repaints its own lines; the footer is not rebuilt between section and task rows.
The detail breaks Chinese the way it is typeset, keeps status and the newest note in view at 80x24, and names a
note's author as the history does.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from textual.geometry import Region

from tests.conftest import fixed_clock
from tests.pilot_helpers import settle
from tests.test_app_multiuser import USERS
from tui.app import TaizhangApp, make_app
from tui.core.display import terminal_safe
from tui.core.linebreak import CLOSING, OPENING
from tui.core.store import Store
from widgets.ledger_footer import LedgerFooter

TOWNS = ["万安街道", "双阳街道", "河市镇", "马甲镇", "罗溪镇", "虹山乡"]
# Where the detail's next block starts (a title, a labelled line, a note's header, a unit table row).
BLOCK_START = re.compile(r"\d+\. |状态：|最新进展：|责任单位：|说明：|备注：|进展情况|改动记录|各单位|  |> |20\d\d-\d\d-\d\d |暂无|另有")
LONGEST = 15  # the task with the longest content in the real ledger (398 cells)


async def jump(pilot, number: int) -> None:
    await pilot.press("colon", *str(number), "enter")
    await pilot.pause()


def record_refreshes(widget, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Region, ...]]:
    """Every `refresh` of `widget` from now on, by the regions it asked for (none: the whole widget)."""
    calls: list[tuple[Region, ...]] = []
    original = widget.refresh

    def refresh(*regions: Region, **options: object):
        calls.append(regions)
        return original(*regions, **options)

    monkeypatch.setattr(widget, "refresh", refresh)
    return calls


async def test_a_cursor_move_repaints_neither_the_screen_nor_the_whole_detail_regression_issue16(
    ledger_app: TaizhangApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen's current task was a `reactive`: each move repainted every cell (23 KB a key at 120x40)."""
    async with ledger_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = ledger_app.screen
        detail, tree = screen.detail, screen.ledger_tree
        await jump(pilot, 4)  # 4 to 7: one subsection
        region = detail.region
        screen_refreshes = record_refreshes(screen, monkeypatch)
        tree_refreshes = record_refreshes(tree, monkeypatch)
        for _ in range(3):
            before = detail.shown_lines
            detail_refreshes = record_refreshes(detail, monkeypatch)
            await pilot.press("down")
            await pilot.pause()
            after = detail.shown_lines
            assert screen.current_task is not None and before != after
            # Only the lines whose text changed (a style alone never changes between two tasks here).
            refreshed = {region.y for regions in detail_refreshes for region in regions}
            assert all(len(regions) == 1 and regions[0].height == 1 for regions in detail_refreshes)
            changed = {y for y in range(max(len(before), len(after))) if before[y : y + 1] != after[y : y + 1]}
            assert refreshed == changed
            assert len(changed) < max(len(before), len(after))  # tasks 4 to 7 share their status line at least
            assert detail.region == region  # its size never follows its text: no layout pass for a move
        assert screen_refreshes == []
        # The tree repaints the two cursor lines, one line each.
        assert tree_refreshes and all(len(regions) == 1 and regions[0].height == 1 for regions in tree_refreshes)


async def test_the_tree_repaints_a_sections_own_line_not_its_subtree(ledger_app: TaizhangApp, monkeypatch) -> None:
    async with ledger_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = ledger_app.screen.ledger_tree
        await pilot.press("g")  # onto the first section, whose subtree fills the screen
        await pilot.pause()
        refreshes = record_refreshes(tree, monkeypatch)
        await pilot.press("down")
        await pilot.pause()
        lines = sorted(region.y for regions in refreshes for region in regions)
        assert lines == [0, 1]  # the section's line and the subsection's, nothing below them
        # Up to the scrollbar, not over it: its cell was written again with every line.
        assert {region.width for regions in refreshes for region in regions} == {tree.scrollable_content_region.width}
        assert tree.scrollable_content_region.width < tree.size.width


async def test_the_footer_keeps_its_keys_between_section_and_task_rows(ledger_app: TaizhangApp, monkeypatch) -> None:
    """Task keys on a section row are greyed, not hidden: hiding them rebuilt the footer on every such move (F2).
    The footer is one line, repainted only when what it shows changes."""
    async with ledger_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = ledger_app.screen.query_one(LedgerFooter)
        shown = [(item.keys, item.description) for item in footer.items]
        assert ("12345", "状态") in shown and ("n", "进展") in shown and ("q", "退出") in shown
        assert all(item.enabled for item in footer.items)
        repaints = record_refreshes(footer, monkeypatch)
        await pilot.press("j")  # task 1 to task 2: the keys stay as they are
        await pilot.pause()
        assert repaints == []
        await pilot.press("g")
        await pilot.pause()
        assert [(item.keys, item.description) for item in footer.items] == shown
        assert {item.keys for item in footer.items if not item.enabled} == {"12345", "n"}
        # Their cells only: the status keys' and n's.
        assert len(repaints) == 2 and all(len(regions) == 1 and regions[0].width < 12 for regions in repaints)
        await pilot.press("j", "j")
        await pilot.pause()
        assert ledger_app.screen.current_task is not None and all(item.enabled for item in footer.items)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_wrapped_line_of_the_detail_is_broken_the_chinese_way(db_path: Path, size: tuple[int, int]) -> None:
    """Every task of the real ledger: no line starts with closing punctuation or ends with opening punctuation,
    and no number is split (`到2` / `025年底` was)."""
    store = Store(db_path, clock=fixed_clock, user="tester")
    store.set_towns(TOWNS)
    ledger = store.load()
    store.add_note(ledger.by_no(19).id, "到2025年底，70%以上基层医疗卫生机构达到服务能力基本标准（已完成第一阶段）。")
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        detail = screen.detail
        bad = []
        for task in screen.ledger.tasks:
            detail.show_task(task, district_note=screen.ledger.district_note, today=store.today(), show_all=True)
            lines = detail.shown_lines
            for upper, lower in pairwise(lines):
                if not upper or "›" in upper or BLOCK_START.match(lower):
                    continue  # not a wrapped line: the next block starts
                if lower[:1] in CLOSING or upper.rstrip()[-1:] in OPENING:
                    bad.append((task.no, upper, lower))
                if upper.rstrip()[-1:].isdigit() and lower[:1].isdigit():
                    bad.append((task.no, upper, lower))
        assert bad == []
        # Task 19's `到2025年底` keeps its number whole (it was `到2` / `025年底` at 120x40).
        detail.show_task(screen.ledger.by_no(19), district_note="", today=store.today(), show_all=True)
        assert "2025年底" in "\n".join(detail.shown_lines)
        assert len([line for line in detail.shown_lines if "基层医疗卫生机构" in line]) >= 2  # wrapped, not cut


async def test_a_long_task_at_80x24_keeps_its_status_and_newest_note_in_view(db_path: Path) -> None:
    """Issue 16: after a note on a long task, 80x24 showed only `进展情况（1 条）` on the last row."""
    store = Store(db_path, clock=fixed_clock, user="tester")
    store.set_towns(TOWNS)
    task = store.load().by_no(LONGEST)
    store.add_note(task.id, "第一次推进会：摸底完成")
    store.add_note(task.id, "已召开专题会议，部署急难救助工作，到2025年底前全面完成。", unit="马甲镇")
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await jump(pilot, LONGEST)
        await settle(app, pilot)
        detail = app.screen.detail
        height = detail.scrollable_content_region.height
        in_view = detail.shown_lines[:height]
        assert len(detail.shown_lines) > height  # the task is longer than the pane
        assert any(line.startswith("状态：[ ] 未启动") for line in in_view)
        newest = in_view.index(next(line for line in in_view if line.startswith("最新进展：")))
        assert "【马甲镇】" in "".join(in_view[newest:]) and "已召开专题会议" in "".join(in_view[newest:])
        # The content is folded, and says how to see it whole; `a` unfolds it.
        assert "...（内容未完，按 a 展开全文）" in detail.shown_lines
        await pilot.press("a")
        await pilot.pause()
        assert "...（内容未完，按 a 展开全文）" not in detail.shown_lines
        content = terminal_safe(app.screen.ledger.by_no(LONGEST).content)
        assert content[-10:] in "".join(detail.shown_lines)


async def test_a_notes_author_is_named_as_the_history_names_them(db_path: Path) -> None:
    """Issue 16: the detail named a note's author by login (`lisi`) while history said 李四."""
    (db_path.parent / "users.toml").write_text(USERS, encoding="utf-8")  # lisi is 李四
    lisi = Store(db_path, clock=fixed_clock, user="lisi")
    lisi.add_note(lisi.load().by_no(3).id, "已走访 3 户")
    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await jump(pilot, 3)
        await settle(app, pilot)
        text = app.screen.detail.text
        assert "2026-11-28 10:00  李四" in text.split("进展情况（1 条）")[1]  # the notes
        assert next(line for line in text.splitlines() if line.startswith("最新进展：")).startswith("最新进展：2026-11-28 10:00  李四")
        assert "lisi" not in text


async def test_clicking_a_footer_key_presses_it(ledger_app: TaizhangApp) -> None:
    async with ledger_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = ledger_app.screen.query_one(LedgerFooter)
        start, _end, item = next(span for span in footer._spans if span[2].keys == "o")
        assert await pilot.click(LedgerFooter, offset=(start + 1, 0))
        await pilot.pause()
        assert item.description == "逾期" and ledger_app.screen.filters.overdue


async def test_a_status_key_repaints_the_headers_counts_line_not_its_title(
    ledger_app: TaizhangApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header was one block of text: a status key wrote its unchanged title line again (F6, 250 B a key)."""
    from widgets.ledger_header import LedgerHeader

    async with ledger_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        header = ledger_app.screen.query_one(LedgerHeader)
        title_before = header.render_line(0).text
        repaints = record_refreshes(header, monkeypatch)
        await pilot.press("space")  # task 1: 未启动 -> 推进中
        await settle(ledger_app, pilot)
        assert "推进中 1" in header.shown_text.splitlines()[1]
        assert [tuple(region.y for region in regions) for regions in repaints] == [(1,)]
        assert header.render_line(0).text == title_before
        assert "推进中 1" in header.render_line(1).text
