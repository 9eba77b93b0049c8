"""Issue 12: a users.toml that anyone but its owner could have replaced is not trusted (like OpenSSH's
StrictModes). Everyone then only reads, and one line of Chinese says why, at login and from the CLI.

The scenario that was seen: users.toml sat in the group-writable store folder, so any group member
with a shell could `mv` it away and write `default_role = "supervisor"`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.accounts import cannot_run_as_nobody, open_folder, run_as_nobody, taizhang_as_nobody
from tests.conftest import SOURCE_TXT, files_digest, fixed_clock, seed_store
from tests.pilot_helpers import notices, said, settle
from tui.app import make_app
from tui.cli import main
from tui.core.file_trust import untrusted_reason
from tui.core.model import Status
from tui.core.permissions import Role
from tui.core.store import PermissionDenied, Store

USERS = 'default_role = "viewer"\n\n[users.zhangsan]\nname = "张三"\nunit = "区民政局"\nrole = "editor"\n'
SUPERVISOR_FOR_ALL = 'default_role = "supervisor"\n'
UNTRUSTED = "权限文件不可信"


def users_kept_aside(folder: Path) -> dict[str, str]:
    return files_digest(folder, ignore=("db.json.lock", "users.toml"))


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------------- what is trusted


def test_a_store_only_its_owner_can_write_keeps_its_users_toml(db_path: Path) -> None:
    """Unchanged from before: users.toml beside db.json in a folder only its owner can write."""
    (db_path.parent / "users.toml").write_text(USERS, encoding="utf-8")
    assert untrusted_reason(db_path.parent / "users.toml", frozenset({0, os.geteuid()})) is None
    zhangsan = Store(db_path, clock=fixed_clock, user="zhangsan")
    assert zhangsan.identity().role is Role.EDITOR and not zhangsan.identity().locked
    task = next(task for task in zhangsan.load().tasks if task.has_unit("区民政局"))
    assert zhangsan.set_status(task.id, Status.DONE) is not None


@pytest.mark.parametrize(
    ("make_unsafe", "why"),
    [
        (lambda users: users.chmod(0o664), "可被组内成员或其他人改写"),
        (lambda users: users.chmod(0o646), "可被组内成员或其他人改写"),
        (lambda users: users.parent.chmod(0o775), "可被组内成员或其他人写入"),
        (lambda users: users.parent.chmod(0o2770), "可被组内成员或其他人写入"),
        (lambda users: users.parent.parent.chmod(0o777), "可被组内成员或其他人写入"),
    ],
    ids=["file_group_writable", "file_other_writable", "folder_group_writable", "setgid_store_folder", "parent_folder"],
)
def test_a_users_toml_others_could_replace_makes_everyone_a_viewer(
    db_path: Path, make_unsafe, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    users = db_path.parent / "users.toml"
    users.write_text(USERS, encoding="utf-8")
    users.chmod(0o644)
    make_unsafe(users)
    before = users_kept_aside(db_path.parent)
    code, out, err = _cli(capsys, "--db", str(db_path), "mark", "1", "done")
    assert code == 2 and out == ""  # issue 14: a refusal exits with status 2
    assert err.count("\n") == 1 and UNTRUSTED in err and why in err and "所有人只能查看" in err, err
    assert users_kept_aside(db_path.parent) == before
    code, out, err = _cli(capsys, "--db", str(db_path), "list")  # reading still works
    assert code == 0 and "共 72 项" in out and err == ""
    zhangsan = Store(db_path, clock=fixed_clock, user="zhangsan")
    assert zhangsan.identity().role is Role.VIEWER and why in zhangsan.identity().locked
    assert zhangsan.display_name("zhangsan") == "zhangsan"  # names from an untrusted file are not shown either


def test_a_sticky_folder_like_tmp_is_safe_for_entries_owned_by_root_or_the_store_owner(tmp_path: Path) -> None:
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    folder = sticky / "taizhang"
    folder.mkdir()
    users = folder / "users.toml"
    users.write_text(USERS, encoding="utf-8")
    assert untrusted_reason(users, frozenset({0, os.geteuid()})) is None
    sticky.chmod(0o0777)  # the same folder without the sticky bit: anyone may rename `taizhang`
    assert "可被组内成员或其他人写入" in (untrusted_reason(users, frozenset({0, os.geteuid()})) or "")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to other accounts")
def test_a_file_or_folder_owned_by_someone_else_is_not_trusted(tmp_path: Path) -> None:
    trusted = frozenset({0})
    folder = tmp_path / "etc"
    folder.mkdir()
    users = folder / "users.toml"
    users.write_text(USERS, encoding="utf-8")
    assert untrusted_reason(users, trusted) is None
    os.chown(users, 65534, 65534)
    assert "属于 nobody" in (untrusted_reason(users, trusted) or "")
    os.chown(users, 0, 0)
    os.chown(folder, 65534, 65534)
    assert "目录" in (untrusted_reason(users, trusted) or "") and "nobody" in (untrusted_reason(users, trusted) or "")
    os.chown(folder, 0, 0)
    # In a sticky folder, an entry someone else owns could be renamed by them.
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    theirs = sticky / "theirs"
    theirs.mkdir()
    (theirs / "users.toml").write_text(USERS, encoding="utf-8")
    os.chown(theirs, 65534, 65534)
    assert untrusted_reason(theirs / "users.toml", trusted) is not None


def test_a_symlink_through_a_writable_folder_is_not_trusted(tmp_path: Path) -> None:
    safe = tmp_path / "safe"
    safe.mkdir()
    (safe / "users.toml").write_text(USERS, encoding="utf-8")
    open_to_all = tmp_path / "open"
    open_to_all.mkdir()
    open_to_all.chmod(0o777)
    (open_to_all / "link.toml").symlink_to(safe / "users.toml")  # anyone could point it elsewhere
    trusted = frozenset({0, os.geteuid()})
    assert untrusted_reason(safe / "users.toml", trusted) is None
    assert "可被组内成员或其他人写入" in (untrusted_reason(open_to_all / "link.toml", trusted) or "")
    (safe / "via.toml").symlink_to(open_to_all / "real.toml")  # a safe link to a file in an open folder
    (open_to_all / "real.toml").write_text(USERS, encoding="utf-8")
    assert "可被组内成员或其他人写入" in (untrusted_reason(safe / "via.toml", trusted) or "")


# ---------------------------------------------------------------------- TAIZHANG_USERS


def test_taizhang_users_names_the_file_and_the_one_beside_the_store_is_ignored(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etc = tmp_path / "etc" / "taizhang"
    etc.mkdir(parents=True)
    (etc / "users.toml").write_text(USERS, encoding="utf-8")
    (db_path.parent / "users.toml").write_text(SUPERVISOR_FOR_ALL, encoding="utf-8")
    monkeypatch.setenv("TAIZHANG_USERS", str(etc / "users.toml"))
    stranger = Store(db_path, clock=fixed_clock, user="stranger")
    assert stranger.users_path == etc / "users.toml"
    assert stranger.identity().role is Role.VIEWER and not stranger.identity().locked
    assert Store(db_path, user="zhangsan").identity().unit == "区民政局"


def test_a_missing_taizhang_users_file_fails_closed(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TAIZHANG_USERS", str(tmp_path / "etc" / "users.toml"))
    before = users_kept_aside(db_path.parent)
    code, _out, err = _cli(capsys, "--db", str(db_path), "note", "1", "进展")
    assert code == 2 and err.count("\n") == 1  # issue 14: a refusal exits with status 2
    assert "TAIZHANG_USERS 指定的" in err and "不存在" in err and "所有人只能查看" in err
    assert users_kept_aside(db_path.parent) == before
    assert _cli(capsys, "--db", str(db_path), "show", "1")[0] == 0


# ---------------------------------------------------------------------- the scenario


def test_swapped_users_toml_in_the_group_writable_store_folder_is_refused(tmp_path: Path, db_path: Path) -> None:
    """As it was deployed before: users.toml beside db.json in a setgid folder the group may write.
    A member `mv`s it away and writes `default_role = "supervisor"`: the store fails closed."""
    folder = db_path.parent
    folder.chmod(0o2770)
    (folder / "users.toml").write_text(USERS, encoding="utf-8")
    (folder / "users.toml").rename(folder / "users.toml.bak")  # what the group member did
    (folder / "users.toml").write_text(SUPERVISOR_FOR_ALL, encoding="utf-8")
    before = users_kept_aside(folder)
    member = Store(db_path, clock=fixed_clock, user="wangwu")
    task = member.load().tasks[0]
    assert member.identity().role is Role.VIEWER
    with pytest.raises(PermissionDenied) as refused:
        member.set_status(task.id, Status.CLOSED)
    message = str(refused.value)
    assert message.startswith(UNTRUSTED) and "\n" not in message and str(folder) in message
    assert users_kept_aside(folder) == before


def test_a_group_member_swapping_users_toml_gains_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scenario for real: the store folder root:staff 2770, a member of staff (nobody with that group)
    replaces users.toml, then runs `taizhang mark ... closed`: refused in one line, store untouched. With
    users.toml where README 部署 now puts it (TAIZHANG_USERS, root-owned folder), the swap is ignored."""
    reason = cannot_run_as_nobody()
    if reason:
        pytest.skip(reason)
    staff = 65533
    with open_folder() as root:
        db = root / "srv" / "db.json"
        db.parent.mkdir()
        os.chown(db.parent, 0, staff)
        os.chmod(db.parent, 0o2770)
        seed_store(db, source=SOURCE_TXT, clock=fixed_clock, user="root")
        users = db.parent / "users.toml"
        users.write_text(USERS, encoding="utf-8")
        os.chown(users, 0, staff)
        users.chmod(0o640)  # README's old advice: it does not stop a rename in the folder
        swap = 'mv "$0/users.toml" "$0/users.old" && printf "default_role = \\"supervisor\\"\\n" > "$0/users.toml"'
        swapped = run_as_nobody(["sh", "-c", swap, db.parent], groups=[staff])
        assert swapped.returncode == 0, swapped.stderr
        assert (db.parent / "users.toml").read_text(encoding="utf-8").startswith('default_role = "supervisor"')
        before = users_kept_aside(db.parent)
        marked = taizhang_as_nobody("--db", db, "mark", "1", "closed", groups=[staff])
        assert marked.returncode == 2 and marked.stdout == ""  # issue 14: refusals exit with status 2
        assert marked.stderr.count("\n") == 1 and UNTRUSTED in marked.stderr, marked.stderr
        assert users_kept_aside(db.parent) == before
        listed = taizhang_as_nobody("--db", db, "list", "--json", groups=[staff])
        assert listed.returncode == 0, listed.stderr

        etc = root / "etc" / "taizhang"
        etc.mkdir(parents=True)
        (etc / "users.toml").write_text(USERS, encoding="utf-8")
        etc.joinpath("users.toml").chmod(0o644)
        env = {"TAIZHANG_USERS": str(etc / "users.toml")}
        marked = taizhang_as_nobody("--db", db, "mark", "1", "closed", groups=[staff], env=env)
        assert marked.returncode == 2 and "只能查看台账" in marked.stderr and UNTRUSTED not in marked.stderr
        assert users_kept_aside(db.parent) == before


async def test_the_app_says_why_everyone_only_reads_at_login(db_path: Path) -> None:
    folder = db_path.parent
    (folder / "users.toml").write_text(USERS, encoding="utf-8")
    folder.chmod(0o775)
    before = users_kept_aside(folder)
    app = make_app(db_path, clock=fixed_clock, user="zhangsan")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(app, pilot)
        assert said(app).startswith(UNTRUSTED) and "所有人只能查看" in said(app)
        assert "zhangsan・只读" in app.screen.query_one("#header").shown_text
        for key in ("3", "space", "n"):
            await pilot.press(key)
            await settle(app, pilot)
        assert not any("已将" in notice for notice in notices(app))
    assert users_kept_aside(folder) == before
    folder.chmod(0o755)
