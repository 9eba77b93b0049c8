"""Issue 12: an export never writes inside the store's folder (db.json's folder, the journal, backups/),
whatever the path's spelling, and backups are read-only for the group whatever the writer's umask.

The scenario that was seen: after an import, a viewer's `e` export to
`backups/<stamp>/db.journal/2026-11.json` replaced the backup's shard with a report, and
`taizhang check` on that backup still said 数据完好.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.accounts import cannot_mount, cannot_run_as_nobody, open_folder, run_as_nobody, taizhang_as_nobody
from tests.conftest import PROJECT, SOURCE_TXT, files_digest, fixed_clock, revised_txt, seed_store
from tests.pilot_helpers import open_dialog, settle
from tui.app import make_app
from tui.cli import main
from tui.core.model import Status
from tui.core.store import Store, current_user
from tui.screens.main import MainScreen
from widgets.export_dialog import ExportDialog

# The test's own account (root in CI) imports the revision, as the supervisor; everyone else only reads.
USERS = f'default_role = "viewer"\n\n[users.{current_user()}]\nname = "李四"\nrole = "supervisor"\n'
REFUSED = "不能导出到"


def store_with_backup(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *, umask: int | None = None
) -> tuple[Path, Path]:
    """A store (with progress) in `folder`/data and the backup an import made: (db.json, backups/<stamp>).

    users.toml is in `folder`/etc, named by TAIZHANG_USERS, as README 部署 sets it up (the store's
    folder may be group-writable). The import runs in a child process with `umask`, as a colleague
    with that umask would run it.
    """
    users = folder / "etc" / "users.toml"
    users.parent.mkdir()
    users.write_text(USERS, encoding="utf-8")
    monkeypatch.setenv("TAIZHANG_USERS", str(users))
    db = folder / "data" / "db.json"
    seed_store(db, source=SOURCE_TXT, clock=fixed_clock, user=current_user())
    store = Store(db, clock=fixed_clock, user=current_user())
    task = store.load().tasks[0]
    store.set_status(task.id, Status.IN_PROGRESS)
    store.add_note(task.id, "备份前的进展")
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db), "import", str(revised_txt(folder)), "--yes"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (backup,) = (db.parent / "backups").iterdir()
    return db, backup


@pytest.fixture
def backed_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    (tmp_path / "data").mkdir()
    os.chmod(tmp_path / "data", 0o2770)  # the shared store folder of README 部署
    return store_with_backup(tmp_path, monkeypatch)


def check_backup(backup: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", str(backup / "db.json"), "check"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------------- the scenario, in the app


async def test_viewers_export_into_a_backup_is_refused_and_the_backup_stays_intact(
    backed_up: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, backup = backed_up
    shard = backup / "db.journal" / "2026-11.json"
    assert shard.is_file()
    before = files_digest(db.parent)
    app = make_app(db, clock=fixed_clock, user="wangwu")  # not listed: a viewer
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        dialog = await open_dialog(app, pilot, "e", ExportDialog)
        dialog.query_one("#export-path").value = str(shard)
        await pilot.press("enter")
        await settle(app, pilot)
        message = str(dialog.query_one("#export-error").render())
        assert REFUSED in message and "数据文件所在的目录" in message and "\n" not in message
        assert app.screen is dialog  # stays open to choose another place
        await pilot.press("enter")  # a second Enter does not overwrite either
        await settle(app, pilot)
        assert app.screen is dialog
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert files_digest(db.parent) == before

    # `check` on the backup is honest, and writes nothing into it (no summary rebuilt, no lock file).
    backup_files = sorted(backup.rglob("*"))
    code, out, err = check_backup(backup, capsys)
    assert code == 0, err
    assert out.splitlines() == [f"数据完好：72 项任务，{len(Store(db).history()) - 1} 条记录。"]
    assert sorted(backup.rglob("*")) == backup_files


def test_check_on_a_backup_whose_shard_was_replaced_by_a_report_fails(
    backed_up: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the viewer's export used to leave: a valid JSON report where the backup's shard was."""
    db, backup = backed_up
    report = tmp_path / "report.json"
    assert main(["--db", str(db), "export", "-o", str(report)]) == 0
    shard = backup / "db.journal" / "2026-11.json"
    shutil.copyfile(report, shard)  # as root could still do; a colleague no longer can (test below)
    capsys.readouterr()
    code, out, err = check_backup(backup, capsys)
    assert code == 1 and out == ""
    assert "记录文件 2026-11.json 中缺少 events 表。" in err
    assert "记录文件 2026-11.json 中有未知的表“header”。" in err
    assert "数据完好" not in err


# ---------------------------------------------------------------------- backups are read-only for the group


@pytest.mark.parametrize("umask", [0o000, 0o002, 0o077])
def test_backups_are_read_only_for_the_group_whatever_the_umask(
    tmp_path: Path, umask: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    os.chmod(tmp_path / "data", 0o2770)  # the shared store folder of README 部署
    _db, backup = store_with_backup(tmp_path, monkeypatch, umask=umask)
    backups = backup.parent
    assert backups.stat().st_mode & stat.S_ISVTX  # sticky: nobody but its owner renames or deletes a backup
    paths = [backup, *backup.rglob("*")]
    assert {path.relative_to(backup).as_posix() for path in paths} >= {".", "db.json", "db.journal/2026-11.json"}
    for path in paths:
        mode = path.stat().st_mode
        assert mode & 0o022 == 0, f"{path} is writable by the group or others: {oct(mode)}"
        assert mode & 0o040, f"{path} cannot be read by the group: {oct(mode)}"
        if path.is_dir():
            assert mode & 0o010, f"{path} cannot be entered by the group: {oct(mode)}"


def test_a_group_member_can_neither_write_nor_export_into_a_backup(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = cannot_run_as_nobody()
    if reason:
        pytest.skip(reason)
    with open_folder() as folder:
        data = folder / "data"
        data.mkdir()
        staff = 65533  # a group only for this test: nobody is made a member of it below
        os.chown(data, 0, staff)
        os.chmod(data, 0o2770)
        db, backup = store_with_backup(folder, monkeypatch, umask=0o007)
        shard = backup / "db.journal" / "2026-11.json"
        before = files_digest(data)
        written = run_as_nobody(["sh", "-c", 'echo "{}" > "$0"', shard], groups=[staff])
        assert written.returncode != 0 and "Permission denied" in written.stderr
        exported = taizhang_as_nobody("--db", db, "export", "-o", shard, groups=[staff])
        assert exported.returncode == 2 and exported.stdout == ""
        assert exported.stderr.count("\n") == 1 and REFUSED in exported.stderr, exported.stderr
        assert files_digest(data) == before
        checked = taizhang_as_nobody("--db", backup / "db.json", "check", groups=[staff])
        assert checked.returncode == 0 and checked.stdout.startswith("数据完好："), checked.stderr


# ---------------------------------------------------------------------- every spelling of a path inside the store


def _dotdot(tmp: Path, db: Path, backup: Path) -> Path:
    (tmp / "elsewhere").mkdir()
    return tmp / "elsewhere" / ".." / "data" / "backups" / backup.name / "db.journal" / "2026-11.json"


def _symlinked_folder(tmp: Path, db: Path, backup: Path) -> Path:
    (tmp / "link").symlink_to(backup)
    return tmp / "link" / "db.journal" / "2026-11.json"


def _symlinked_parent(tmp: Path, db: Path, backup: Path) -> Path:
    (tmp / "up").symlink_to(db.parent)
    return tmp / "up" / "backups" / "报告.csv"


def _file_is_a_symlink(tmp: Path, db: Path, backup: Path) -> Path:
    (tmp / "report.json").symlink_to(backup / "db.journal" / "2026-11.json")
    return tmp / "report.json"


def _dangling_symlink_into_the_store(tmp: Path, db: Path, backup: Path) -> Path:
    (tmp / "new.docx").symlink_to(db.parent / "new.docx")
    return tmp / "new.docx"


def _proc_self_root(tmp: Path, db: Path, backup: Path) -> Path:
    return Path(f"/proc/self/root{backup / 'db.journal' / '2026-11.json'}")


def _new_file_beside_db(tmp: Path, db: Path, backup: Path) -> Path:
    return db.parent / "台账.docx"


def _new_file_in_the_journal(tmp: Path, db: Path, backup: Path) -> Path:
    return db.parent / "db.journal" / "report.json"


def _the_store_itself(tmp: Path, db: Path, backup: Path) -> Path:
    return db


SPELLINGS: dict[str, Callable[[Path, Path, Path], Path]] = {
    "dotdot": _dotdot,
    "symlinked_folder": _symlinked_folder,
    "symlinked_parent": _symlinked_parent,
    "file_is_a_symlink": _file_is_a_symlink,
    "dangling_symlink": _dangling_symlink_into_the_store,
    "proc_self_root": _proc_self_root,
    "new_file_beside_db": _new_file_beside_db,
    "new_file_in_journal": _new_file_in_the_journal,
    "the_store_itself": _the_store_itself,
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_export_into_the_store_folder_is_refused_however_it_is_spelled(
    backed_up: tuple[Path, Path], tmp_path: Path, spelling: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db, backup = backed_up
    target = SPELLINGS[spelling](tmp_path, db, backup)
    before = files_digest(db.parent)
    code = main(["--db", str(db), "export", "-o", str(target)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and REFUSED in captured.err, captured.err
    assert files_digest(db.parent) == before


def test_a_relative_path_from_inside_the_store_folder_is_refused(
    backed_up: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db, backup = backed_up
    monkeypatch.chdir(backup / "db.journal")
    assert main(["--db", str(db), "export", "-o", "2026-11.json"]) == 2
    assert REFUSED in capsys.readouterr().err
    assert not (db.parent / "2026-11.json").exists()


def test_the_users_file_named_by_taizhang_users_is_refused_too(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users = tmp_path / "etc" / "users.json"  # .json only so that the extension is one an export accepts
    users.parent.mkdir()
    users.write_text("{}", encoding="utf-8")
    monkeypatch.setenv("TAIZHANG_USERS", str(users))
    assert main(["--db", str(db_path), "export", "-o", str(users)]) == 2
    assert "权限文件" in capsys.readouterr().err
    assert users.read_text(encoding="utf-8") == "{}"


def test_an_export_next_to_the_store_folder_is_still_allowed(backed_up: tuple[Path, Path], tmp_path: Path) -> None:
    """The check compares folders, not name prefixes: `data-reports/` beside `data/` is not inside it."""
    db, _backup = backed_up
    beside = tmp_path / "data-reports"
    beside.mkdir()
    assert main(["--db", str(db), "export", "-o", str(beside / "r.csv")]) == 0
    assert (beside / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_personal_store_takes_a_report_beside_db_json_but_nothing_of_its_own(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store folder only its owner can write (a clone's data/, the cli-contract's temporary folder):
    nobody else's data is there to reach, so a new report may sit beside db.json. The store's own
    files and the folders below it stay refused, and a shared folder takes nothing (tests above)."""
    os.chmod(db_path.parent, 0o755)
    assert main(["--db", str(db_path), "export", "-o", str(db_path.parent / "r.csv")]) == 0
    assert (db_path.parent / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    capsys.readouterr()
    before = files_digest(db_path.parent)
    (db_path.parent / "backups").mkdir()
    for target in (db_path, db_path.parent / "DB.JSON", db_path.parent / "backups" / "r.json",
                   db_path.parent / "db.journal" / "r.json"):
        assert main(["--db", str(db_path), "export", "-o", str(target)]) == 2, target
        assert REFUSED in capsys.readouterr().err
    assert files_digest(db_path.parent) == before


def test_a_bind_mount_of_the_store_folder_is_refused(
    backed_up: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reason = cannot_mount()
    if reason:
        pytest.skip(reason)
    db, backup = backed_up
    view = tmp_path / "view"
    view.mkdir()
    subprocess.run(["mount", "--bind", str(db.parent), str(view)], check=True)
    try:
        before = files_digest(db.parent)
        assert main(["--db", str(db), "export", "-o", str(view / "backups" / backup.name / "x.json")]) == 2
        assert REFUSED in capsys.readouterr().err
        assert files_digest(db.parent) == before
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)


def test_another_case_on_a_case_insensitive_file_system_is_refused(tmp_path: Path, capsys) -> None:
    """ext4 with casefold: `DATA/` is `data/`. Needs root, mkfs.ext4 and a kernel with casefold support."""
    reason = cannot_mount()
    if reason or shutil.which("mkfs.ext4") is None or shutil.which("chattr") is None:
        pytest.skip(reason or "needs mkfs.ext4 and chattr")
    if not Path("/sys/fs/ext4/features/casefold").exists():
        pytest.skip("this kernel's ext4 has no casefold support (no /sys/fs/ext4/features/casefold)")
    image, mount_point = tmp_path / "casefold.img", tmp_path / "mnt"
    subprocess.run(["truncate", "-s", "16M", str(image)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-O", "casefold", str(image)], check=True)
    mount_point.mkdir()
    subprocess.run(["mount", "-o", "loop", str(image), str(mount_point)], check=True)
    try:
        folder = mount_point / "store"
        folder.mkdir()
        subprocess.run(["chattr", "+F", str(folder)], check=True)
        db = folder / "data" / "db.json"
        seed_store(db, source=SOURCE_TXT, clock=fixed_clock, user="tester")
        assert (folder / "DATA" / "DB.JSON").exists()  # really case-insensitive
        before = files_digest(db.parent)
        assert main(["--db", str(db), "export", "-o", str(folder / "DATA" / "Report.json")]) == 2
        assert REFUSED in capsys.readouterr().err
        assert files_digest(db.parent) == before
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_backup_is_never_written_to_through_the_program(
    backed_up: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Even by its owner (root here, whom file modes do not stop): a backup is for reading and checking."""
    _db, backup = backed_up
    before = files_digest(backup, ignore=())  # no lock file either
    for argv in (["mark", "2", "done"], ["note", "2", "写进备份"], ["import", str(revised_txt(tmp_path)), "--yes"]):
        assert main(["--db", str(backup / "db.json"), *argv]) == 2  # issue 14: a refusal exits with status 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "是导入前的备份，只能查看和检查" in err
    assert files_digest(backup, ignore=()) == before
