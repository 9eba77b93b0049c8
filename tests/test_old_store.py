"""Issue 14: a store written before units had rows (tests/fixtures/old-store, made by the release at d395eb8)
opens unchanged: all its progress is the tasks' overall progress, nothing is rewritten, `check` passes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, PROJECT, files_digest
from tui.cli import main
from tui.core.model import Status
from tui.core.store import Store

FIXTURE = PROJECT / "tests" / "fixtures" / "old-store"


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "data", ignore=shutil.ignore_patterns("README.md"))
    return tmp_path / "data" / "db.json"


def _shard_signatures(db: Path) -> dict[str, list[int]]:
    return {
        path.name: [found.st_ino, found.st_size, found.st_mtime_ns]
        for path in sorted(db.with_name("db.journal").glob("20??-??.json"))
        for found in [path.stat()]
    }


def test_an_old_store_shows_all_its_progress_as_the_overall_progress(old_db: Path, capsys) -> None:
    before = files_digest(old_db.parent)
    ledger = Store(old_db, clock=lambda: FIXED_NOW).load()
    assert ledger.towns == ()  # none listed before issue 14: a supervisor adds them with `towns set`
    t12, t46, t5, t6 = (ledger.by_no(no) for no in (12, 46, 5, 6))
    assert (t12.status, [note.text for note in t12.notes]) == (
        Status.IN_PROGRESS, ["十月：养老服务机构组网方案已拟定", "十一月：新增护理型床位30张"]
    )  # fmt: skip
    assert (t46.status, [note.text for note in t46.notes]) == (Status.IN_PROGRESS, ["十月：智安小区摸底完成"])
    assert (t5.status, t5.notes) == (Status.NOT_STARTED, ()), "the undone mark and note stay undone"
    assert t6.status is Status.CLOSED
    assert all(task.unit_statuses == () and task.unit_notes == () for task in ledger.tasks)
    lead = t12.unit_rows()[0]
    assert (lead.unit, lead.role.value, lead.status, lead.notes) == ("区民政局", "lead", Status.IN_PROGRESS, t12.notes)

    assert main(["--db", str(old_db), "show", "12", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "in_progress" and len(shown["notes"]) == 2
    assert shown["unit_progress"][0] == {
        "unit": "区民政局", "role": "lead", "status": "in_progress", "status_label": "推进中", "notes": shown["notes"]
    }  # fmt: skip
    assert [row["status"] for row in shown["unit_progress"][1:]] == ["not_started"]
    assert files_digest(old_db.parent) == before, "reading an old store rewrites nothing"


def test_check_passes_on_an_old_store_and_its_old_summary_is_not_trusted(old_db: Path, capsys) -> None:
    # The fixture's summary.json as the old release wrote it (version 1), made to match these copies' shards.
    summary = old_db.with_name("db.journal") / "summary.json"
    old = json.loads(summary.read_text(encoding="utf-8"))
    assert old["version"] == 1 and "unit_statuses" not in old
    summary.write_text(json.dumps({**old, "signatures": _shard_signatures(old_db)}), encoding="utf-8")

    store = Store(old_db)
    assert store.check() == []
    assert store.load(with_notes=False).by_no(6).status is Status.CLOSED
    shards = {name: (old_db.with_name("db.journal") / name).read_bytes() for name in _shard_signatures(old_db)}
    assert main(["--db", str(old_db), "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("数据完好：72 项任务，11 条记录。") and "已重建状态摘要" in out
    rebuilt = json.loads(summary.read_text(encoding="utf-8"))
    assert rebuilt["version"] == 2 and rebuilt["statuses"] == old["statuses"] and rebuilt["unit_statuses"] == {}
    assert {name: (old_db.with_name("db.journal") / name).read_bytes() for name in shards} == shards, (
        "the events are not rewritten"
    )


def test_an_old_store_takes_per_unit_progress_beside_its_old_events(old_db: Path) -> None:
    store = Store(old_db, clock=lambda: FIXED_NOW, user="lisi")
    store.set_towns(["万安街道", "马甲镇"])
    task = store.load().by_no(12)
    store.set_status(task.id, Status.DONE, unit="马甲镇")
    store.add_note(task.id, "马甲镇已完成", unit="马甲镇")
    task = store.load().by_no(12)
    assert task.status is Status.IN_PROGRESS and len(task.notes) == 2
    assert task.status_for("马甲镇") is Status.DONE and [n.text for n in task.notes_for("马甲镇")] == ["马甲镇已完成"]
    assert store.check() == []
