"""A damaged store's message names the backups that really exist (issue 16).

Regression: every damaged-store message said 「请从 backups 中恢复或重新导入」, while the daily backups the
README sets up live in /var/backups/taizhang, a store without an import has no backups/ folder, and
`taizhang import` cannot read over a damaged db.json.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import fixed_clock, revised_txt
from tui.cli import main
from tui.core.model import Status
from tui.core.store import Store
from tui.core.store.backups import import_backups, restore_advice


@pytest.fixture
def daily(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the daily archives would be; absent unless a test makes it."""
    folder = tmp_path / "var-backups-taizhang"
    monkeypatch.setattr("tui.core.store.backups.DAILY_BACKUPS", folder)
    return folder


def damage(path: Path) -> None:
    path.write_text("{not json", encoding="utf-8")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_without_any_backup_the_message_says_so(db_path: Path, daily: Path, capsys) -> None:
    damage(db_path)
    code, out, err = run(capsys, "list", "--db", str(db_path))
    assert code == 1 and out == ""
    assert err == (
        f"taizhang: 数据文件 {db_path} 已损坏（不是有效的 JSON）。"
        f"{db_path.parent} 中没有导入前的备份，本机也没有每日备份 {daily}：请联系管理员。\n"
    )
    assert "backups 中恢复" not in err and "重新导入" not in err


def test_the_latest_import_backup_is_named_with_the_command_that_checks_it(db_path: Path, daily: Path, capsys) -> None:
    assert main(["import", str(revised_txt(db_path.parent)), "--yes", "--db", str(db_path)]) == 0
    capsys.readouterr()
    (latest,) = import_backups(db_path.parent)
    damage(db_path)
    code, _out, err = run(capsys, "list", "--db", str(db_path))
    assert code == 1 and err.count("\n") == 1
    command = f"taizhang --db {latest / 'db.json'} check"
    assert f"可从导入前的备份 {latest}（只含该次导入以前的改动；先运行 {command} 检查" in err
    assert f"复制回 {db_path.parent}" in err and str(daily) not in err
    code, out, _err = run(capsys, "--db", str(latest / "db.json"), "check")  # the command it names works
    assert code == 0 and out.startswith("数据完好：72 项任务")


def test_the_daily_backups_are_named_when_they_exist(db_path: Path, daily: Path, capsys) -> None:
    daily.mkdir()
    shard = db_path.with_name("db.journal") / "2026-11.json"
    store = Store(db_path, clock=fixed_clock, user="tester")
    store.set_status(store.load().tasks[0].id, Status.DONE)
    damage(shard)
    code, _out, err = run(capsys, "list", "--db", str(db_path))
    assert code == 1
    assert err.endswith(f"可从每日备份 {daily}（请管理员按 README“部署”第 5 步恢复）恢复。\n")
    code, _out, err = run(capsys, "--db", str(db_path), "check")
    assert code == 1 and err.count(restore_advice(db_path)) == 1  # said once, not on every line
