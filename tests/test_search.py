"""One search (issue 13): `taizhang list --search` finds what the app's `/` finds, by words and pinyin initials.

Regression: the CLI matched the whole query as one substring of the text, so `--search wjj` found 0 tasks
where `/wjj` in the app found 区卫健局's 8, and `--search "卫健局 持续实施"` found none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import fixed_clock
from tests.pilot_helpers import shown_numbers
from tui.app import TaizhangApp
from tui.cli import main
from tui.core.store import Store

HEALTH_BUREAU = [3, 6, 16, 18, 19, 28, 35, 67]  # every task of 区卫健局
HEALTH_BUREAU_CONTINUING = [3, 6, 16, 18, 35, 67]  # those of them whose 完成时限 is 持续实施


def listed(capsys, db_path: Path, *args: str) -> list[int]:
    assert main(["list", *args, "--json", "--db", str(db_path)]) == 0
    return [task["no"] for task in json.loads(capsys.readouterr().out)]


def test_cli_search_by_pinyin_initials_finds_the_units_tasks(db_path: Path, capsys) -> None:
    assert listed(capsys, db_path, "--search", "wjj") == HEALTH_BUREAU
    assert listed(capsys, db_path, "--search", "wjj") == listed(capsys, db_path, "--unit", "区卫健局")
    assert listed(capsys, db_path, "--search", "WJJ") == HEALTH_BUREAU


def test_cli_search_needs_every_word(db_path: Path, capsys) -> None:
    assert listed(capsys, db_path, "--search", "卫健局 持续实施") == HEALTH_BUREAU_CONTINUING
    assert listed(capsys, db_path, "--search", "持续实施 wjj") == HEALTH_BUREAU_CONTINUING
    assert listed(capsys, db_path, "--search", "卫健局 没有这个词") == []


def test_cli_search_finds_a_note_by_its_words_not_its_initials(db_path: Path, capsys) -> None:
    """Issue 16 changes what issue 13 pinned (`bzss` found a note): pinyin initials are for names and
    contents; a large ledger's 100,000 notes are matched as written, so the first search never waits."""
    task = Store(db_path).task_by_no(40)
    assert task is not None
    Store(db_path, clock=fixed_clock, user="tester").add_note(task.id, "殡葬设施选址已完成")
    assert listed(capsys, db_path, "--search", "殡葬设施选址") == [40]
    assert listed(capsys, db_path, "--search", "选址 已完成") == [40]
    assert listed(capsys, db_path, "--search", "bzss") == []


@pytest.mark.parametrize("query", ["wjj", "卫健局 持续实施"])
async def test_the_app_finds_what_the_cli_finds(ledger_app: TaizhangApp, db_path: Path, capsys, query: str) -> None:
    from_cli = listed(capsys, db_path, "--search", query)
    keys = ["space" if char == " " else char for char in query]
    async with ledger_app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *keys)
        await pilot.pause()
        assert shown_numbers(ledger_app) == from_cli
    assert from_cli in (HEALTH_BUREAU, HEALTH_BUREAU_CONTINUING)
