"""Issue 14: every responsible unit and every township reports its own part of a task.

Townships are units of the ledger (db.json's meta); each unit of a task has its own row (status and notes), the
lead's row being the task's overall progress; who may change which row; `mark`/`note --unit`, `towns`,
`unit_progress` in the JSON; users.toml units checked against the ledger's.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from importers import read_document
from importers.records import LedgerDocument, TaskRecord, district_note_coverage
from tests.conftest import SOURCE_DOCX, SOURCE_TXT, fixed_clock, revised_txt, seed_store
from tui.cli import main
from tui.core.model import Status, UnitRole
from tui.core.permissions import Identity, Role, ready_to_close_notice, unit_warning
from tui.core.store import PermissionDenied, Store, StoreError, current_user

TOWNS = ("万安街道", "双阳街道", "河市镇", "马甲镇", "罗溪镇", "虹山乡")


def _store(db: Path, user: str = "tester") -> Store:
    return Store(db, clock=fixed_clock, user=user)


def _files(db: Path) -> dict[str, str]:
    """sha256 of every file of the store but the lock and users.toml: what a refusal must leave alone."""
    return {
        str(p.relative_to(db.parent)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(db.parent.rglob("*"))
        if p.is_file() and p.name not in ("db.json.lock", "users.toml")
    }


def _users(db: Path, **units: str) -> None:
    """users.toml beside the store: each login an editor of its unit (`lisi` a supervisor)."""
    lines = ['default_role = "viewer"', "", "[users.lisi]", 'role = "supervisor"']
    for login, unit in units.items():
        lines += ["", f"[users.{login}]", f'unit = "{unit}"', 'role = "editor"']
    (db.parent / "users.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def towns_db(db_path: Path) -> Path:
    _store(db_path).set_towns(TOWNS)
    return db_path


def cli(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------------- townships


def test_the_importer_records_which_tasks_the_district_note_covers() -> None:
    for source in (SOURCE_DOCX, SOURCE_TXT):
        document = read_document(source)
        assert document.district_tasks == tuple(range(1, 73))
    rows = [TaskRecord(no, "一", "（一）", f"{no}.内容", ("区民政局",), "2025") for no in range(1, 6)]
    rows[2] = TaskRecord(3, "一", "（一）", "3.内容", ("区民政局",), "2025", ("以下均需各乡镇（街道）落实，不再列出。",))
    assert district_note_coverage(rows) == (3, 4, 5), "from the row that carries it to the end of the table"
    assert LedgerDocument("标题", tuple(rows[:2])).district_tasks == ()


def test_the_shipped_store_lists_the_six_townships(capsys: pytest.CaptureFixture[str]) -> None:
    store = Store()
    assert store.towns() == TOWNS
    ledger = store.load(with_notes=False)
    assert all(task.towns == TOWNS for task in ledger.tasks) and len(ledger.tasks) == 72
    assert [name for name, count in ledger.units()][-6:] == list(TOWNS)
    assert main(["towns"]) == 0
    assert capsys.readouterr().out.split() == list(TOWNS)


def test_towns_set_is_for_supervisors_and_survives_a_revision(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = cli(capsys, tmp_path / "fresh" / "db.json", "import", str(SOURCE_TXT), "--yes")
    assert code == 0 and "提醒：72 项任务需各乡镇（街道）落实。请用 taizhang towns set" in out, err
    assert cli(capsys, db_path, "towns")[0] == 0  # none yet: a hint, no failure
    assert _store(db_path).load().by_no(12).towns == ()
    _users(db_path, **{current_user(): "区民政局"})
    before = _files(db_path)
    code, out, err = cli(capsys, db_path, "towns", "set", *TOWNS)
    assert (code, out) == (2, "") and err.count("\n") == 1 and "只能由主管设定" in err
    assert _files(db_path) == before
    (db_path.parent / "users.toml").unlink()  # no users.toml: anyone, as for other rights
    code, out, err = cli(capsys, db_path, "towns", "set", "万安街道、双阳街道", "河市镇", "马甲镇", "罗溪镇", "虹山乡")
    assert code == 0 and "（6 个）" in out, err
    code, out, _ = cli(capsys, db_path, "towns", "--json")
    assert json.loads(out) == list(TOWNS)
    assert _store(db_path).check() == []

    # A revised document keeps the townships (they are not the document's).
    monkeypatch.setattr("tui.core.store.api._local_now", fixed_clock)
    code, _, err = cli(capsys, db_path, "import", str(revised_txt(tmp_path)), "--yes")
    assert code == 0, err
    assert _store(db_path).towns() == TOWNS and _store(db_path).load().by_no(12).towns == TOWNS


def test_a_township_dropped_keeps_its_progress_in_the_journal(towns_db: Path, capsys) -> None:
    store = _store(towns_db)
    task = store.load().by_no(12)
    store.set_status(task.id, Status.IN_PROGRESS, unit="马甲镇")
    code, out, _ = cli(capsys, towns_db, "towns", "set", *TOWNS[:3])
    assert code == 0 and "提醒：马甲镇 已有的状态和进展仍在改动记录中" in out
    assert _store(towns_db).load().by_no(12).role_of("马甲镇") is None
    _store(towns_db).set_towns(TOWNS)
    assert _store(towns_db).load().by_no(12).status_for("马甲镇") is Status.IN_PROGRESS


@pytest.mark.parametrize(
    ("names", "wanted"),
    [(["区民政局"], "是任务清单中的责任单位"), (["马甲镇" * 8], "不像乡镇（街道）的名称"), ([" 、 "], "请写出乡镇")],
)
def test_towns_set_refuses_what_is_no_township(towns_db: Path, names: list[str], wanted: str, capsys) -> None:
    before = _files(towns_db)
    code, _out, err = cli(capsys, towns_db, "towns", "set", *names)
    assert code == 1 and wanted in err and err.count("\n") == 1
    assert _files(towns_db) == before


# ---------------------------------------------------------------------- a township's clerk (acceptance)


def test_a_township_editor_reports_on_its_own_row(towns_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _users(towns_db, **{current_user(): "马甲镇"})
    code, out, err = cli(capsys, towns_db, "mark", "12", "in_progress", "--unit", "马甲镇")
    assert code == 0 and out == "已将 12 号任务（马甲镇）由 未启动 标为 推进中。\n", err
    code, out, err = cli(capsys, towns_db, "note", "12", "走访辖区养老机构 3 家", "--unit", "马甲")  # a unique part
    assert code == 0 and out == "已为 12 号任务（马甲镇）添加进展情况。\n", err

    task = _store(towns_db).load().by_no(12)
    assert task.status is Status.NOT_STARTED and task.notes == (), "the overall row is untouched"
    assert task.status_for("马甲镇") is Status.IN_PROGRESS
    assert [note.text for note in task.notes_for("马甲镇")] == ["走访辖区养老机构 3 家"]
    events = _store(towns_db).history(task.id)
    assert [(event.kind, event.unit) for event in events] == [("status", "马甲镇"), ("note", "马甲镇")]

    before = _files(towns_db)
    for argv, wanted in (
        (["mark", "12", "done"], "只有牵头单位（区民政局）或督办可以改动整项任务的状态"),
        (["mark", "12", "done", "--unit", "区民政局"], "只有牵头单位（区民政局）或督办可以改动整项任务的状态"),
        (["note", "12", "整体进展", "--unit", "民政"], "只有牵头单位（区民政局）或督办可以改动整项任务的进展"),
        (["mark", "12", "done", "--unit", "区发改局"], "只能改动本单位（马甲镇）的一行，不能改动区发改局的"),
        (["mark", "12", "closed", "--unit", "马甲镇"], "销号只能由主管进行"),
        (["mark", "12", "in_progress", "--note", "整体进展"], "只有牵头单位（区民政局）或督办可以改动整项任务的进展"),
    ):
        code, out, err = cli(capsys, towns_db, *argv)
        assert (code, out) == (2, ""), argv
        assert err.count("\n") == 1 and wanted in err and "Traceback" not in err, err
    assert _files(towns_db) == before, "a refusal writes nothing"

    code, out, _ = cli(capsys, towns_db, "list", "--unit", "马甲镇", "--json")
    listed = json.loads(out)
    assert code == 0 and [task["no"] for task in listed] == list(range(1, 73))
    code, out, _ = cli(capsys, towns_db, "show", "12", "--json")
    shown = json.loads(out)
    assert (shown["status"], shown["notes"]) == ("not_started", [])
    rows = shown["unit_progress"]
    assert [(row["unit"], row["role"]) for row in rows] == [
        ("区民政局", "lead"), ("区发改局", "cooperating"), *((town, "town") for town in TOWNS)
    ]
    majia = rows[2 + TOWNS.index("马甲镇")]
    assert (majia["status"], majia["status_label"]) == ("in_progress", "推进中")
    assert [(note["text"], note["by"]) for note in majia["notes"]] == [("走访辖区养老机构 3 家", current_user())]
    code, out, _ = cli(capsys, towns_db, "show", "12")
    assert "马甲镇" in out and "推进中" in out and "走访辖区养老机构 3 家" in out


def test_a_unit_not_on_the_task_is_named_in_the_refusal(towns_db: Path, capsys) -> None:
    before = _files(towns_db)
    code, _out, err = cli(capsys, towns_db, "mark", "12", "done", "--unit", "区卫健局")
    assert code == 2 and "12 号任务的单位中没有“区卫健局”" in err and "牵头 区民政局；配合 区发改局" in err
    code, _out, err = cli(capsys, towns_db, "mark", "12", "done", "--unit", "镇")
    assert code == 2 and "对应 12 号任务的多个单位" in err
    assert _files(towns_db) == before


def test_the_townships_carry_only_the_tasks_the_note_covers(tmp_path: Path) -> None:
    """The district note covers its row and what follows: moved to task 2, task 1 is not the townships'."""
    note = "以下均需各乡镇（街道）落实，不再列出。"
    text = SOURCE_TXT.read_text(encoding="utf-8")
    text = text.replace(f"\t区民政局\n{note}\n", "\t区民政局\n", 1)
    task_2 = text.index("\t区民政局\n", text.index("\n\t2\n")) + len("\t区民政局\n")
    source = tmp_path / "moved.txt"
    source.write_text(text[:task_2] + note + "\n" + text[task_2:], encoding="utf-8")
    assert read_document(source).district_tasks == tuple(range(2, 73))

    db = tmp_path / "data" / "db.json"
    seed_store(db, source)
    _store(db).set_towns(TOWNS)
    _users(db, mz="马甲镇")
    clerk = _store(db, "mz")
    ledger = clerk.load()
    first, second = ledger.by_no(1), ledger.by_no(2)
    assert first.towns == () and second.towns == TOWNS
    assert [no for no in range(1, 73) if ledger.by_no(no).has_unit("马甲镇")] == list(range(2, 73))
    with pytest.raises(PermissionDenied, match="该任务不属于马甲镇"):
        clerk.add_note(first.id, "不是本镇的任务")
    with pytest.raises(StoreError, match="1 号任务的责任单位和乡镇（街道）中没有马甲镇"):
        clerk.set_status(first.id, Status.IN_PROGRESS, unit="马甲镇")
    assert clerk.set_status(second.id, Status.IN_PROGRESS, unit="马甲镇") is not None


def test_the_lead_and_a_cooperating_unit_of_task_46(towns_db: Path) -> None:
    _users(towns_db, ga="区公安分局", zj="区住建局", mz="马甲镇")
    police, housing, lisi = _store(towns_db, "ga"), _store(towns_db, "zj"), _store(towns_db, "lisi")
    task = police.load().by_no(46)
    assert (task.lead_unit, task.role_of("区公安分局"), task.role_of("马甲镇")) == (
        "区住建局", UnitRole.COOPERATING, UnitRole.TOWN,
    )  # fmt: skip

    with pytest.raises(PermissionDenied) as refused:
        police.set_status(task.id, Status.DONE)
    assert str(refused.value) == (
        "你（ga，区公安分局 编辑）无权修改 46 号任务：只有牵头单位（区住建局）或督办可以改动整项任务的状态。"
    )
    own = police.set_status(task.id, Status.IN_PROGRESS, unit="区公安分局")
    assert own is not None and own.unit == "区公安分局"
    police.add_note(task.id, "辖区智能安防设施已布设 40 处", unit="区公安分局")
    with pytest.raises(PermissionDenied, match="只能改动本单位（区公安分局）的一行，不能改动马甲镇的"):
        police.set_status(task.id, Status.DONE, unit="马甲镇")

    # The lead sets the overall status, which is its own row; it may not set a cooperating unit's row.
    assert housing.set_status(task.id, Status.IN_PROGRESS) is not None
    assert housing.set_status(task.id, Status.DONE, unit="区住建局") is not None  # the lead's row is the overall
    with pytest.raises(PermissionDenied, match="不能改动区公安分局的"):
        housing.set_status(task.id, Status.DONE, unit="区公安分局")
    with pytest.raises(PermissionDenied, match="销号只能由主管进行"):
        housing.set_status(task.id, Status.CLOSED)

    task = lisi.load().by_no(46)
    assert task.status is Status.DONE and task.status_for("区住建局") is Status.DONE
    assert task.status_for("区公安分局") is Status.IN_PROGRESS
    assert [note.text for note in task.notes_for("公安")] == [], "status_for/notes_for take exact names"
    assert [note.text for note in task.notes_for("区公安分局")] == ["辖区智能安防设施已布设 40 处"]
    assert not task.ready_to_close

    # A supervisor may set any unit's row; once every row is finished the lead and supervisors are told.
    for row in task.unit_rows()[1:]:
        lisi.set_status(task.id, Status.DONE, unit=row.unit)
    task = lisi.load().by_no(46)
    assert task.ready_to_close
    identities = {login: _store(towns_db, login).identity() for login in ("zj", "lisi", "ga", "mz")}
    assert ready_to_close_notice(identities["zj"], task) == "46 号任务各单位均已完成，可销号。"
    assert ready_to_close_notice(identities["lisi"], task) is not None
    assert ready_to_close_notice(identities["ga"], task) is None and ready_to_close_notice(identities["mz"], task) is None
    assert lisi.set_status(task.id, Status.CLOSED) is not None
    assert not lisi.load().by_no(46).ready_to_close
    with pytest.raises(PermissionDenied, match="该任务已销号"):
        police.set_status(task.id, Status.IN_PROGRESS, unit="区公安分局")


def test_the_lead_is_told_it_may_close_when_its_mark_finishes_the_task(towns_db: Path, capsys) -> None:
    store = _store(towns_db)
    task = store.load().by_no(46)
    for row in task.unit_rows()[1:]:
        store.set_status(task.id, Status.DONE, unit=row.unit)
    _users(towns_db, **{current_user(): "区住建局"})
    code, out, _ = cli(capsys, towns_db, "mark", "46", "done")
    assert code == 0 and out.splitlines()[-1] == "提醒：46 号任务各单位均已完成，可销号。"
    code, out, _ = cli(capsys, towns_db, "show", "46", "--json")
    assert json.loads(out)["ready_to_close"] is True


def test_without_users_toml_anyone_sets_any_row(towns_db: Path, capsys) -> None:
    code, _, err = cli(capsys, towns_db, "mark", "46", "blocked", "--unit", "公安")
    assert code == 0, err
    code, _, err = cli(capsys, towns_db, "mark", "46", "closed")
    assert code == 0, err
    task = _store(towns_db).load().by_no(46)
    assert (task.status, task.status_for("区公安分局")) == (Status.CLOSED, Status.BLOCKED)


def test_which_row_the_keys_act_on() -> None:
    ledger_task = Store().load(with_notes=False).by_no(46)
    assert ledger_task is not None
    police = Identity("ga", Role.EDITOR, unit="区公安分局")
    housing = Identity("zj", Role.EDITOR, unit="区住建局")
    town = Identity("mz", Role.EDITOR, unit="马甲镇")
    supervisor = Identity("lisi", Role.SUPERVISOR, unit="区住建局")
    nobody = Identity("x", Role.EDITOR, unsupervised=True)
    stranger = Identity("wj", Role.EDITOR, unit="区卫健局")
    assert police.row_target(ledger_task) == (target := police.row_target(ledger_task))
    assert (target.unit, target.owner, target.may_pick) == ("区公安分局", "区公安分局", False)
    assert (town.row_target(ledger_task).unit, town.row_target(ledger_task).may_pick) == ("马甲镇", False)
    assert (housing.row_target(ledger_task).unit, housing.row_target(ledger_task).owner) == (None, "区住建局")
    assert supervisor.row_target(ledger_task).unit is None and supervisor.row_target(ledger_task).may_pick
    assert nobody.row_target(ledger_task).may_pick and not housing.row_target(ledger_task).may_pick
    assert stranger.row_target(ledger_task).unit is None
    assert stranger.refusal("status", ledger_task) == "你（wj，区卫健局 编辑）无权修改 46 号任务：该任务不属于区卫健局。"


# ---------------------------------------------------------------------- undo on a unit's row


def test_undo_of_a_unit_row_restores_that_row(towns_db: Path) -> None:
    _users(towns_db, mz="马甲镇")
    clerk = _store(towns_db, "mz")
    task = clerk.load().by_no(12)
    first = clerk.set_status(task.id, Status.IN_PROGRESS, unit="马甲镇")
    second = clerk.set_status(task.id, Status.DONE, unit="马甲镇")
    note = clerk.add_note(task.id, "写错了", unit="马甲镇")
    assert first is not None and second is not None
    undone = clerk.undo(second.id)
    assert (undone.unit, undone.old, undone.new) == ("马甲镇", "done", "in_progress")
    clerk.undo(note.id)
    task = _store(towns_db).load().by_no(12)
    assert task.status_for("马甲镇") is Status.IN_PROGRESS and task.notes_for("马甲镇") == ()
    assert task.status is Status.NOT_STARTED
    # Someone else moved the row since: that change is not undone behind their back.
    _store(towns_db, "lisi").set_status(task.id, Status.BLOCKED, unit="马甲镇")
    with pytest.raises(StoreError, match="马甲镇的状态已被改为 受阻"):
        clerk.undo(first.id)
    assert _store(towns_db).check() == []


def test_the_summary_keeps_every_units_row(towns_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store(towns_db)
    task = store.load().by_no(46)
    store.set_status(task.id, Status.BLOCKED, unit="区公安分局")
    store.set_status(task.id, Status.IN_PROGRESS)
    summary = json.loads(store.summary_path.read_text(encoding="utf-8"))
    assert summary["version"] == 2 and summary["unit_statuses"] == {task.id: {"区公安分局": "blocked"}}

    def no_shard_reads(self, shard, signature):
        raise AssertionError(f"read {shard.name}: the summary should have answered")

    monkeypatch.setattr(Store, "_fold_shard", no_shard_reads)
    fresh = Store(towns_db)
    assert fresh.task_by_no(46).status_for("区公安分局") is Status.BLOCKED
    assert fresh.load(with_notes=False).by_no(46).status_for("区公安分局") is Status.BLOCKED
    assert fresh.status_of(task.id, "区公安分局") is Status.BLOCKED
    assert fresh.status_of(task.id) is Status.IN_PROGRESS


def test_history_names_the_units_row(towns_db: Path, capsys) -> None:
    store = _store(towns_db, "ga")
    task = store.load().by_no(46)
    store.set_status(task.id, Status.IN_PROGRESS, unit="区公安分局")
    code, out, _ = cli(capsys, towns_db, "history", "46")
    assert code == 0 and "46 号  状态  区公安分局：未启动 → 推进中" in out
    from tui.core.history import describe_event, history_rows, row_change_line

    event = store.history(task.id)[-1]
    ledger = store.load()
    assert describe_event(event, ledger) == "ga 将 46 号任务（区公安分局）标为 推进中"
    assert history_rows([event], str)[0].what == "状态 区公安分局：未启动 -> 推进中"
    assert row_change_line(46, "区公安分局", Status.NOT_STARTED, Status.IN_PROGRESS) == "46 号任务 区公安分局：未启动 -> 推进中"
    assert row_change_line(46, None, Status.NOT_STARTED, Status.IN_PROGRESS) == "46 号任务：未启动 -> 推进中"


# ---------------------------------------------------------------------- users.toml units


def test_a_unit_the_ledger_does_not_know_is_named_with_the_closest(towns_db: Path, capsys) -> None:
    _users(towns_db, wj="卫健局", mz="马甲镇", vet="区退役军人局")
    ledger = _store(towns_db).load()
    warning = unit_warning(_store(towns_db, "wj").identity(), ledger)
    assert warning is not None and "\n" not in warning
    assert "单位“卫健局”不是台账中的单位或乡镇（街道），是不是 区卫健局？" in warning
    assert unit_warning(_store(towns_db, "mz").identity(), ledger) is None
    assert unit_warning(_store(towns_db, "vet").identity(), ledger) is None, "an alias is a known unit"
    code, out, _ = cli(capsys, towns_db, "check")
    assert code == 0
    warnings = [line for line in out.splitlines() if "users.toml" in line]
    assert warnings == [f"提醒：{towns_db.parent / 'users.toml'} 中 [users.wj] 的单位“卫健局”不是台账中的单位或乡镇（街道），是不是 区卫健局？"]


# ---------------------------------------------------------------------- taizhang check and the unit field


def _shard(db: Path) -> Path:
    return db.with_name("db.journal") / f"{fixed_clock():%Y-%m}.json"


@pytest.mark.parametrize(
    ("damage", "wanted"),
    [
        (lambda events: events["1"].update(unit=5), "的单位（unit）无效"),
        (lambda events: events["1"].update(unit=""), "的单位（unit）无效"),
        (lambda events: events["3"].update(unit="马甲镇"), "不是同一任务的同一行"),  # an undo on another row
    ],
    ids=["not_text", "empty", "undo_on_another_row"],
)
def test_check_validates_the_unit_of_events(towns_db: Path, damage, wanted: str) -> None:
    store = _store(towns_db)
    task = store.load().by_no(46)
    event = store.set_status(task.id, Status.IN_PROGRESS, unit="区公安分局")
    store.undo(store.add_note(task.id, "写错").id)
    assert event is not None and store.check() == []
    shard = _shard(towns_db)
    data = json.loads(shard.read_text(encoding="utf-8"))
    damage(data["events"])
    shard.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    problems = Store(towns_db).check()
    assert any(wanted in problem for problem in problems), problems


def test_a_unit_on_an_import_event_or_a_bad_towns_list_fails_the_check(towns_db: Path) -> None:
    store = _store(towns_db)
    task = store.load().by_no(1)
    store.add_note(task.id, "进展")
    shard = _shard(towns_db)
    data = json.loads(shard.read_text(encoding="utf-8"))
    data["events"]["1"].update(kind="archive", unit="马甲镇")
    data["events"]["1"].pop("text")
    shard.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert any("只有状态、进展和撤销记录可以写单位" in problem for problem in Store(towns_db).check())
    shard.unlink()
    tables = json.loads(towns_db.read_text(encoding="utf-8"))
    tables["meta"]["1"]["towns"] = "马甲镇"
    towns_db.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
    assert any("乡镇（街道）列表（towns）格式不对" in problem for problem in Store(towns_db).check())


def test_township_names_are_stored_without_control_characters(db_path: Path) -> None:
    result = _store(db_path).set_towns(["马甲\x1b[2J镇", "罗溪\u202e镇"])
    assert result.towns == ("马甲[2J镇", "罗溪镇")
    assert _store(db_path).towns() == result.towns


def test_list_unit_filters_and_shows_that_units_own_row(towns_db: Path, capsys) -> None:
    """Bug pinned: `list --unit 马甲镇 --status 推进中` filtered on the overall status, so a township saw the
    lead's progress, not its own (the app's `m` read the unit's row; now one rule, `Ledger.select`)."""
    assert cli(capsys, towns_db, "mark", "18", "in_progress", "--unit", "马甲镇")[0] == 0
    assert cli(capsys, towns_db, "mark", "19", "in_progress")[0] == 0  # the overall row only
    code, out, err = cli(capsys, towns_db, "list", "--unit", "马甲镇", "--status", "in_progress")
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["18"]
    assert "推进中" in lines[0]
    code, out, _ = cli(capsys, towns_db, "list", "--status", "in_progress")
    assert [line.split()[0] for line in out.splitlines()[:-1]] == ["19"]
    code, out, _ = cli(capsys, towns_db, "list", "--unit", "马甲镇")
    row_19 = next(line for line in out.splitlines() if line.split()[0] == "19")
    assert "未启动" in row_19  # 马甲镇's own row, though the overall status is 推进中
