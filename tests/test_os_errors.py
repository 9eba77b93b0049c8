"""Issue 12: no traceback ever reaches a user from an OSError. A folder given as the store, a full disk,
a read-only file system, no permission: one line of Chinese (what is wrong, what to do), a non-zero
exit status, and the store untouched.

The scenarios that were seen: `taizhang --db SOMEFOLDER list` (and mark, import, the app with
TAIZHANG_DB=SOMEFOLDER) printed an IsADirectoryError traceback; a full disk gave the CLI an
`OSError: [Errno 28]` traceback. Disks are filled for real: a small tmpfs mounted in the test (root).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.accounts import (
    cannot_mount,
    cannot_run_as_nobody,
    fill_up,
    open_folder,
    remount_read_only,
    small_tmpfs,
    taizhang_as_nobody,
)
from tests.conftest import PROJECT, SOURCE_DOCX, SOURCE_TXT, files_digest, fixed_clock, revised_txt, seed_store
from tests.pilot_helpers import notices, settle
from tui.app import make_app
from tui.core.model import Status
from tui.core.store import Store


def run_cli(*argv: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *[str(a) for a in argv]],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
        check=False,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *wanted: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr and "Errno" not in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("taizhang: "), result.stderr
    for text in wanted:
        assert text in result.stderr, result.stderr


# ---------------------------------------------------------------------- a folder given as the store


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["show", "1"],
        ["mark", "1", "done"],
        ["note", "1", "进展"],
        ["history"],
        ["check"],
        ["import", str(SOURCE_DOCX), "--yes"],
        ["export", "-o", "{tmp}/r.csv"],
    ],
    ids=lambda argv: argv[0],
)
def test_db_folder_traceback_is_now_one_line(db_path: Path, tmp_path: Path, argv: list[str]) -> None:
    folder = db_path.parent
    before = files_digest(folder)
    result = run_cli("--db", folder, *[part.format(tmp=tmp_path) for part in argv])
    assert_one_line(result, f"{folder} 是一个目录，不是数据文件", f"--db {folder / 'db.json'}")
    assert files_digest(folder) == before
    assert not (tmp_path / "r.csv").exists()


def _run_in_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run `argv` with a pseudo-terminal as stdin, stdout and stderr; its exit status and all it wrote."""
    master, slave = os.openpty()
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=PROJECT, close_fds=True)
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    return process.wait(timeout=30), output.decode("utf-8", "replace")


def test_the_app_with_taizhang_db_a_folder_says_so_in_one_line(db_path: Path) -> None:
    env = {**os.environ, "TAIZHANG_DB": str(db_path.parent), "TERM": "xterm", "PYTHONDONTWRITEBYTECODE": "1"}
    status, output = _run_in_a_terminal([sys.executable, "-m", "tui.cli"], env)
    assert status == 1
    assert "Traceback" not in output and "\x1b[?1049h" not in output  # never took over the screen
    assert output.strip() == f"taizhang: {db_path.parent} 是一个目录，不是数据文件。请指定其中的数据文件，如 --db {db_path}。"


# ---------------------------------------------------------------------- a full disk


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A store with progress on a 2 MB tmpfs that is then filled up; its db.json."""
    reason = cannot_mount()
    if reason:
        pytest.skip(reason)
    with small_tmpfs(tmp_path / "disk", "2m") as disk:
        db = disk / "data" / "db.json"
        store = seed_store(db, source=SOURCE_TXT, clock=fixed_clock, user="tester")
        task = store.load().tasks[0]
        store.set_status(task.id, Status.IN_PROGRESS)
        store.add_note(task.id, "磁盘满之前的进展")
        fill_up(disk)
        yield db


@pytest.mark.parametrize(
    "argv",
    [
        ["mark", "2", "done"],
        ["mark", "2", "blocked", "--note", "受阻原因"],
        ["note", "2", "写不下的进展"],
        ["import", "{rev}", "--yes"],
        ["export", "-o", "{disk}/台账.docx"],
    ],
    ids=["mark", "mark_with_note", "note", "import", "export"],
)
def test_full_disk_traceback_is_now_one_line_and_the_store_intact(
    full_disk: Path, tmp_path: Path, argv: list[str]
) -> None:
    disk = full_disk.parent.parent
    before = files_digest(disk)
    rev = revised_txt(tmp_path)
    result = run_cli("--db", full_disk, *[part.format(rev=rev, disk=disk) for part in argv])
    assert_one_line(result, "磁盘已满", "请清理磁盘空间后重试")
    assert files_digest(disk) == before  # no half-written file, no temporary file, no backup left behind
    assert Store(full_disk).check() == []


def test_a_first_import_onto_a_full_disk_is_one_line(tmp_path: Path) -> None:
    reason = cannot_mount()
    if reason:
        pytest.skip(reason)
    with small_tmpfs(tmp_path / "disk", "1m") as disk:
        fill_up(disk)
        result = run_cli("--db", disk / "db.json", "import", SOURCE_DOCX)
        assert_one_line(result, "磁盘已满")
        assert sorted(path.name for path in disk.iterdir()) == ["db.json.lock", "filler.bin"]


async def test_the_app_on_a_full_disk_says_so_and_keeps_running(full_disk: Path) -> None:
    disk = full_disk.parent.parent
    before = files_digest(disk)
    app = make_app(full_disk, clock=fixed_clock, user="tester")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "down", "3")
        await settle(app, pilot)
        assert any("磁盘已满" in notice and "\n" not in notice for notice in notices(app)), notices(app)
        assert app.is_running
    assert files_digest(disk) == before


# ---------------------------------------------------------------------- a read-only file system


def test_a_read_only_file_system_is_one_line(tmp_path: Path) -> None:
    reason = cannot_mount()
    if reason:
        pytest.skip(reason)
    with small_tmpfs(tmp_path / "disk", "2m") as disk:
        db = disk / "db.json"
        seed_store(db, source=SOURCE_TXT, clock=fixed_clock, user="tester")
        remount_read_only(disk)
        before = files_digest(disk)
        for argv in (["mark", "1", "done"], ["note", "1", "进展"], ["import", revised_txt(tmp_path), "--yes"]):
            assert_one_line(run_cli("--db", db, *argv), "文件系统为只读", "请联系管理员检查磁盘挂载")
        assert files_digest(disk) == before
        listed = run_cli("--db", db, "list")
        assert listed.returncode == 0 and "共 72 项" in listed.stdout
        checked = run_cli("--db", db, "check")  # the summary cannot be rebuilt here: check still passes
        assert checked.returncode == 0 and checked.stdout.startswith("数据完好"), checked.stderr


# ---------------------------------------------------------------------- permission denied, as an ordinary account


@pytest.fixture
def nobody_can_run() -> None:
    reason = cannot_run_as_nobody()
    if reason:
        pytest.skip(reason)


def test_a_store_nobody_may_read_is_one_line(nobody_can_run: None) -> None:
    with open_folder() as folder:
        db = folder / "private" / "db.json"
        seed_store(db, source=SOURCE_TXT, clock=fixed_clock, user="tester")
        os.chmod(db.parent, 0o700)
        for argv in (["list"], ["mark", "1", "done"], ["history"], ["check"], ["export", "-o", folder / "r.csv"]):
            assert_one_line(taizhang_as_nobody("--db", db, *argv), "没有权限", "请联系管理员检查文件权限")
        assert not (folder / "r.csv").exists()


def test_a_store_nobody_may_read_but_not_write_is_one_line(nobody_can_run: None) -> None:
    with open_folder() as folder:
        db = folder / "data" / "db.json"
        seed_store(db, source=SOURCE_TXT, clock=fixed_clock, user="tester")
        before = files_digest(db.parent)
        for argv in (["mark", "1", "done"], ["note", "1", "进展"], ["import", revised_txt(folder), "--yes"]):
            result = taizhang_as_nobody("--db", db, *argv)
            assert_one_line(result, "权限")
        assert files_digest(db.parent) == before
        listed = taizhang_as_nobody("--db", db, "list")
        assert listed.returncode == 0 and "共 72 项" in listed.stdout
        exported = taizhang_as_nobody("--db", db, "export", "-o", db.parent.parent / "r.csv")
        assert_one_line(exported, "没有写入目录")


async def test_a_store_that_becomes_unreadable_mid_session_is_reported_not_raised(db_path: Path) -> None:
    """The watcher's timer looks at the files every second: a failure there is one notification, no traceback
    (here db.json becomes a symlink to itself, which even root cannot read)."""
    from widgets.store_watcher import StoreWatcher

    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(app, pilot)
        saved = db_path.with_name("saved.json")
        db_path.rename(saved)
        db_path.symlink_to(db_path.name)
        app.screen.query_one(StoreWatcher).check_now()
        await settle(app, pilot)
        assert app.is_running
        assert any("读取台账失败（符号链接层数过多" in notice for notice in notices(app)), notices(app)
        db_path.unlink()
        saved.rename(db_path)
