"""The first frame is drawn once, whole (issue 16: the time to it, and its bytes over SSH).

Textual laid the screen out and drew it, asked for the whole screen again, then handled the repaints and layouts
the widgets had asked for while they were mounted; the tree's Resize laid out its lines again, a scrollbar that
appeared once the lines were counted moved every widget, and the detail was broken at its width only on its
Resize, in a later frame. The app held every frame back until that had settled (`delay_update`), and the first
one went out some 50 ms later than it could: 1.2x the bare app's time. Pinned here by the frames drawn, without
timing; `python -m benchmarks.pty_bytes` measures the time and the bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from rich.console import Console
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from tests.pilot_helpers import settle
from tui.app import TaizhangApp

SIZE = (120, 40)


def _record_frames(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every frame the app draws from now on (what it writes to the terminal, in a real one)."""
    frames: list[object] = []
    draw = TaizhangApp._display

    def recording(app: TaizhangApp, screen: Screen[object], update: object) -> None:
        if update is not None:
            frames.append(update)
        draw(app, screen, update)

    monkeypatch.setattr(TaizhangApp, "_display", recording)
    return frames


def _frame_text(update: object) -> str:
    console = Console(width=SIZE[0], height=SIZE[1], file=io.StringIO(), record=True, color_system=None)
    console.print(update)
    return console.export_text(styles=False)


async def test_the_first_frame_is_drawn_once_and_whole_regression_issue16(
    ledger_app: TaizhangApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = _record_frames(monkeypatch)
    async with ledger_app.run_test(size=SIZE) as pilot:
        await settle(ledger_app, pilot)
        await pilot.pause(0.3)  # whatever the mount left to draw has been drawn by now
        assert ledger_app.screen.detail.shown_lines  # the detail was laid out
    assert len(frames) == 1, [type(frame).__name__ for frame in frames]
    text = _frame_text(frames[0])
    assert "1. 强化乡镇（街道）党（工）委责任" in text  # the first task's detail, broken at the pane's width
    assert "状态：[ ] 未启动" in text
    assert "逾期 15" in text  # the header's counts
    assert "q 退出" in text  # the footer's keys


async def test_the_screen_is_drawn_again_when_asked_after_its_first_frame(
    ledger_app: TaizhangApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the resume's own request is dropped: a whole repaint asked for later is drawn, and so is the screen
    when a dialog over it closes."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await settle(ledger_app, pilot)
        frames = _record_frames(monkeypatch)
        ledger_app.screen.refresh()
        await pilot.pause()
        assert len(frames) == 1 and "q 退出" in _frame_text(frames[0])
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert "1. 强化乡镇（街道）党（工）委责任" in _frame_text(frames[-1])


async def test_a_container_behind_its_children_is_not_rendered(
    ledger_app: TaizhangApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen, the panes' row and the tree's pane are wholly covered by what is in them: Textual rendered them
    line by line all the same, half the lines of a frame (`_renders_not_covered`). The detail's pane shows its
    border column, so it is rendered, and the frame reads as before."""
    async with ledger_app.run_test(size=SIZE) as pilot:
        await settle(ledger_app, pilot)
        screen = ledger_app.screen
        rendered: list[str] = []
        for widget in (screen, screen.query_one("#panes"), screen.query_one("#tree-pane"), screen.query_one("#detail-pane")):
            render_lines = widget.render_lines

            def recording(crop: Region, widget: Widget = widget, render_lines: Callable[..., list[Strip]] = render_lines) -> list[Strip]:
                rendered.append(widget.id or type(widget).__name__)
                return render_lines(crop)

            monkeypatch.setattr(widget, "render_lines", recording)
        frames = _record_frames(monkeypatch)
        screen.refresh()
        await pilot.pause()
    assert rendered == ["detail-pane"]
    assert "1. 强化乡镇（街道）党（工）委责任" in _frame_text(frames[-1])
    assert "| 详情" in _frame_text(frames[-1])  # the detail pane's border, beside its title
