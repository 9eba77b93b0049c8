"""The `taizhang` command line as scripts and later issues rely on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT, SOURCE_TXT
from tui.cli import main

JSON_KEYS = {
    "no",
    "id",
    "section",
    "subsection",
    "content",
    "units",
    "lead_unit",
    "deadline",
    "status",
    "status_label",
    "overdue",
    "notes",
}


def cli_json(capsys, *args: str):
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_list_json_on_the_shipped_store_prints_72_tasks():
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "list", "--json", "--db", str(PROJECT / "data" / "db.json")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    tasks = json.loads(result.stdout)
    assert len(tasks) == 72
    assert set(tasks[0]) >= JSON_KEYS
    assert tasks[0]["no"] == 1 and tasks[0]["units"] == ["区民政局"] and tasks[0]["lead_unit"] == "区民政局"
    assert tasks[8]["deadline"] == ""


def test_json_fields_of_one_task(db_path: Path, capsys):
    task = cli_json(capsys, "show", "3", "--db", str(db_path))
    assert task["units"][0] == task["lead_unit"] == "区行政服务中心"
    assert (task["status"], task["status_label"], task["overdue"], task["notes"]) == (
        "not_started",
        "未启动",
        False,
        [],
    )
    assert task["content"].startswith("3．推动城乡社区党群服务中心")


def test_mark_with_key_or_label_and_notes(db_path: Path, capsys):
    db = ["--db", str(db_path)]
    assert main(["mark", "5", "done", "--note", "已全部完成", *db]) == 0
    assert main(["mark", "6", "推进中", *db]) == 0
    assert main(["note", "6", "召开了协调会", *db]) == 0
    out = capsys.readouterr().out
    assert "已将 5 号任务由 未启动 标为 已完成" in out
    five = cli_json(capsys, "show", "5", *db)
    six = cli_json(capsys, "show", "6", *db)
    assert five["status"] == "done" and [n["text"] for n in five["notes"]] == ["已全部完成"]
    assert six["status"] == "in_progress" and six["status_label"] == "推进中"
    assert six["notes"][0]["by"] and six["notes"][0]["at"]


def test_list_filters(db_path: Path, capsys):
    db = ["--db", str(db_path)]
    veterans = cli_json(capsys, "list", "--unit", "区退役军人事务局", *db)
    assert [t["no"] for t in veterans] == [20, 63]
    assert [t["no"] for t in cli_json(capsys, "list", "--unit", "区退役军人局", *db)] == [20, 63]
    health = cli_json(capsys, "list", "--unit", "卫健", *db)
    assert [t["no"] for t in health] == [3, 6, 16, 18, 19, 28, 35, 67]
    assert [t["no"] for t in cli_json(capsys, "list", "--unit", "区卫健局", "--overdue", *db)] == [19]
    main(["mark", "19", "done", *db])
    capsys.readouterr()
    assert cli_json(capsys, "list", "--unit", "区卫健局", "--overdue", *db) == []
    assert [t["no"] for t in cli_json(capsys, "list", "--status", "已完成", *db)] == [19]
    assert [t["no"] for t in cli_json(capsys, "list", "--search", "微型消防站", *db)] == [33]
    main(["note", "40", "殡葬设施选址已完成", *db])
    capsys.readouterr()
    assert [t["no"] for t in cli_json(capsys, "list", "--search", "殡葬设施选址", *db)] == [40]


def test_text_output_is_readable(db_path: Path, capsys):
    assert main(["list", "--unit", "区卫健局", "--overdue", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "19" in out and "逾期" in out and "共 1 项" in out
    assert main(["show", "1", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "区民政局（牵头）" in out
    assert "以下均需各乡镇（街道）落实，不再列出。" in out
    assert "一、完善城乡社区服务格局 › （一）加强党建引领城乡社区服务体系建设 › 1" in out


def test_taizhang_db_environment_variable(tmp_path: Path):
    target = tmp_path / "env" / "db.json"
    env = {**os.environ, "TAIZHANG_DB": str(target)}
    run = subprocess.run(
        [sys.executable, "-m", "tui.cli", "import", str(SOURCE_TXT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "tui.cli", "list", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert len(json.loads(listed.stdout)) == 72


def test_check_passes_on_a_healthy_store(db_path: Path, capsys):
    assert main(["check", "--db", str(db_path)]) == 0
    assert "数据完好：72 项任务" in capsys.readouterr().out
