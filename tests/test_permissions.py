"""users.toml, roles and --read-only: enforced by the store's write methods, reported in one Chinese line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import SOURCE_TXT, fixed_clock
from tui.cli import main
from tui.core.model import Status
from tui.core.permissions import Role, UsersFileError, load_permissions
from tui.core.store import PermissionDenied, Store, StoreError

USERS = """\
default_role = "viewer"

[users.zhangsan]
name = "张三"
unit = "区民政局"
role = "editor"

[users.lisi]
name = "李四"
role = "supervisor"

[users.wangwu]
role = "editor"

[users.vet]
unit = "区退役军人局"
"""


def _store(db_path: Path, user: str, **options) -> Store:
    return Store(db_path, clock=fixed_clock, user=user, **options)


def _fingerprint(db_path: Path) -> dict[str, str]:
    folder = db_path.parent
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in ("db.json.lock", "users.toml")
    }


@pytest.fixture
def users_db(db_path: Path) -> Path:
    (db_path.parent / "users.toml").write_text(USERS, encoding="utf-8")
    return db_path


def _task_of_unit(store: Store, unit: str, *, other: bool = False):
    return next(t for t in store.load().tasks if t.has_unit(unit) != other)


def test_file_format_gives_each_login_its_unit_role_and_name(users_db: Path) -> None:
    permissions = load_permissions(users_db.parent / "users.toml")
    assert permissions.default_role is Role.VIEWER
    zhangsan = permissions.identity("zhangsan")
    assert (zhangsan.role, zhangsan.unit, zhangsan.display_name) == (Role.EDITOR, "区民政局", "张三")
    assert permissions.identity("lisi").role is Role.SUPERVISOR
    assert permissions.identity("vet").role is Role.VIEWER  # role omitted: default_role
    assert permissions.identity("stranger").role is Role.VIEWER
    assert permissions.display_name("lisi") == "李四"
    assert permissions.display_name("stranger") == "stranger"


def test_without_a_file_everyone_edits_everything(store: Store) -> None:
    task = store.load().tasks[0]
    assert store.identity().role is Role.EDITOR
    assert store.set_status(task.id, Status.CLOSED) is not None
    assert store.add_note(task.id, "无 users.toml 时谁都能写") is not None


def test_editor_changes_only_their_units_tasks(users_db: Path) -> None:
    zhangsan = _store(users_db, "zhangsan")
    own = _task_of_unit(zhangsan, "区民政局")
    foreign = _task_of_unit(zhangsan, "区民政局", other=True)
    assert zhangsan.set_status(own.id, Status.IN_PROGRESS) is not None
    assert zhangsan.add_note(own.id, "本单位的任务") is not None
    before = _fingerprint(users_db)
    with pytest.raises(PermissionDenied) as refused:
        zhangsan.set_status(foreign.id, Status.DONE)
    assert str(refused.value) == f"你（张三/zhangsan，区民政局 编辑）无权修改 {foreign.no} 号任务：该任务不属于区民政局。"
    with pytest.raises(PermissionDenied):
        zhangsan.add_note(foreign.id, "别人的任务")
    with pytest.raises(PermissionDenied):
        zhangsan.add_notes([(foreign.id, "2026-11-01T09:00:00+08:00", "批量")])
    assert _fingerprint(users_db) == before


def test_unit_aliases_count_as_one_unit(users_db: Path) -> None:
    (users_db.parent / "users.toml").write_text(USERS.replace('[users.vet]\n', '[users.vet]\nrole = "editor"\n'), encoding="utf-8")
    vet = _store(users_db, "vet")
    task = _task_of_unit(vet, "区退役军人事务局")
    # Issue 14: a cooperating unit (as 区退役军人局 is on this task) changes its own row, named either way.
    assert vet.set_status(task.id, Status.IN_PROGRESS, unit="区退役军人事务局") is not None
    assert vet.load().by_id(task.id).status_for("区退役军人局") is Status.IN_PROGRESS


def test_editor_may_not_close_or_reopen_a_closed_task_but_a_supervisor_may(users_db: Path) -> None:
    zhangsan, lisi = _store(users_db, "zhangsan"), _store(users_db, "lisi")
    own = _task_of_unit(zhangsan, "区民政局")
    with pytest.raises(PermissionDenied, match="销号只能由主管进行"):
        zhangsan.set_status(own.id, Status.CLOSED)
    closing = lisi.set_status(own.id, Status.CLOSED)
    assert closing is not None
    with pytest.raises(PermissionDenied, match="已销号"):
        zhangsan.set_status(own.id, Status.IN_PROGRESS)
    with pytest.raises(PermissionDenied, match="已销号"):
        zhangsan.undo(closing.id)
    assert zhangsan.add_note(own.id, "销号后补充说明") is not None
    assert lisi.undo(closing.id).new == Status.NOT_STARTED.value


def test_editor_undo_follows_the_same_rules(users_db: Path) -> None:
    zhangsan, lisi = _store(users_db, "zhangsan"), _store(users_db, "lisi")
    foreign = _task_of_unit(lisi, "区民政局", other=True)
    event = lisi.set_status(foreign.id, Status.DONE)
    with pytest.raises(PermissionDenied, match="不属于区民政局"):
        zhangsan.undo(event.id)


def test_viewer_and_read_only_sessions_change_nothing(users_db: Path) -> None:
    task = _store(users_db, "lisi").load().tasks[0]
    before = _fingerprint(users_db)
    for store in (_store(users_db, "stranger"), _store(users_db, "lisi", read_only=True)):
        assert store.identity().role is Role.VIEWER
        with pytest.raises(PermissionDenied):
            store.set_status(task.id, Status.DONE)
        with pytest.raises(PermissionDenied):
            store.add_note(task.id, "只读")
    assert _fingerprint(users_db) == before


def test_imports_are_for_supervisors(tmp_path: Path) -> None:
    from importers import read_document

    (tmp_path / "users.toml").write_text(USERS, encoding="utf-8")
    document = read_document(SOURCE_TXT)
    with pytest.raises(PermissionDenied, match="导入只能由主管进行"):
        _store(tmp_path / "db.json", "zhangsan").seed(document, source_name="x", source_sha256="0")
    assert not (tmp_path / "db.json").exists()
    _store(tmp_path / "db.json", "lisi").seed(document, source_name="x", source_sha256="0")
    assert (tmp_path / "db.json").exists()


def test_refusal_lets_a_ui_ask_before_acting(users_db: Path) -> None:
    zhangsan = _store(users_db, "zhangsan")
    own = _task_of_unit(zhangsan, "区民政局")
    foreign = _task_of_unit(zhangsan, "区民政局", other=True)
    assert zhangsan.refusal("status", own.id, new_status=Status.DONE) is None
    assert "不属于区民政局" in (zhangsan.refusal("note", foreign.id) or "")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('default_role = "viewer"\n\n[users.zhangsan]\nunit = "区民政局\n', 4),
        ('[users.zhangsan]\nrole = "editor"\n\n[users.lisi]\nrole = "boss"\n', 4),
        ('default_role = "admin"\n', 1),
        ('[users.zhangsan]\nunit = "区民政局"\nteam = "x"\n', 1),
        ('default_role = "viewer"\nroles = 3\n', 2),
    ],
)
def test_a_malformed_file_is_one_line_naming_file_and_line(users_db: Path, text: str, line: int) -> None:
    users = users_db.parent / "users.toml"
    users.write_text(text, encoding="utf-8")
    with pytest.raises(UsersFileError) as error:
        load_permissions(users)
    message = str(error.value)
    assert "\n" not in message and str(users) in message and f"第 {line} 行" in message
    task = _store(users_db, "zhangsan").load().tasks[0]
    before = _fingerprint(users_db)
    with pytest.raises(StoreError, match=f"第 {line} 行"):
        _store(users_db, "zhangsan").set_status(task.id, Status.DONE)
    assert _fingerprint(users_db) == before


def test_cli_refusals_are_one_line_and_leave_the_store_untouched(
    users_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The CLI's identity is the OS login; here that is whoever runs the tests, not listed: a viewer.
    before = _fingerprint(users_db)
    # Issue 14: a refusal exits with status 2, as any request that writes nothing does.
    assert main(["--db", str(users_db), "mark", "19", "done"]) == 2
    assert main(["--db", str(users_db), "note", "19", "进展"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "只能查看台账" in err and "Traceback" not in err
    assert _fingerprint(users_db) == before
    (users_db.parent / "users.toml").write_text("[users\n", encoding="utf-8")
    assert main(["--db", str(users_db), "mark", "19", "done"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "users.toml 第 1 行" in err
    (users_db.parent / "users.toml").unlink()
    assert main(["--db", str(users_db), "--read-only", "mark", "19", "done"]) == 2
    assert "只读模式" in capsys.readouterr().err
    assert _fingerprint(users_db) == before
    assert main(["--db", str(users_db), "list"]) == 0  # reading needs no rights
