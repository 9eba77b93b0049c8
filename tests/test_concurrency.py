"""Several processes on one store: no lost updates, no broken store after SIGKILL, group rights kept."""

from __future__ import annotations

import grp
import itertools
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT, seed_store
from tests.store_writer import CYCLE, SHARED_NOS
from tui.cli import main
from tui.core.model import Status
from tui.core.store import Store

WRITERS = 8
ROUNDS = 6


def _writer(db: Path, name: str, mode: str, count: int, start_at: float, **options) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store_writer", str(db), name, mode, str(count), str(start_at)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def _temp_files(db: Path) -> list[Path]:
    return [*db.parent.glob(".taizhang-tmp-*"), *db.parent.joinpath("db.journal").glob(".taizhang-tmp-*")]


def test_eight_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    seed_store(db)
    start_at = time.time() + 2.5  # every writer has imported and loaded by then: they start together
    names = [f"w{k}" for k in range(WRITERS)]
    writers = [_writer(db, name, "cli" if k < 2 else "store", ROUNDS, start_at) for k, name in enumerate(names)]
    for writer in writers:
        _out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err

    store = Store(db)
    assert store.check() == []
    ledger = store.load()
    events = store.history()
    notes = [event.text for event in events if event.kind == "note"]
    assert len(notes) == len(set(notes)) == WRITERS * ROUNDS * 2
    for name in names:
        # Every change is there, and each writer's changes are in the order it made them.
        assert [text for text in notes if text.startswith(f"{name}-") and "-own-" not in text] == [
            f"{name}-{i}" for i in range(ROUNDS)
        ]
        own = ledger.by_no(10 + int(name[1:]))
        assert [note.text for note in own.notes] == [f"{name}-own-{i}" for i in range(ROUNDS)]
    for no in SHARED_NOS:
        task = ledger.by_no(no)
        changes = [event for event in events if event.task == task.id and event.kind == "status"]
        # Each change was made against the status the previous one left: re-read inside the lock.
        assert all(later.old == earlier.new for earlier, later in itertools.pairwise(changes))
        assert changes[0].old == Status.NOT_STARTED.value
        assert task.status.value == changes[-1].new
        assert len([e for e in events if e.task == task.id and e.kind == "note"]) == WRITERS * ROUNDS // 2
    assert {status.value for status in CYCLE} >= {e.new for e in events if e.kind == "status"}
    ids = [event.id for event in events]
    assert len(ids) == len(set(ids))


def test_writers_killed_mid_write_never_break_the_store(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    seed_store(db)
    rng = random.Random(5)
    events_seen = 0
    for round_no in range(30):
        writers = [_writer(db, f"w{k}", "forever", 0, 0) for k in range(3)]
        for writer in writers:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.02, 0.25))
        for writer in writers:
            writer.send_signal(signal.SIGKILL)
        for writer in writers:
            writer.communicate(timeout=30)
            assert writer.returncode == -signal.SIGKILL
        store = Store(db)
        assert store.check() == [], f"round {round_no}"
        ledger = store.load()
        assert len(ledger.tasks) == 72
        count = len(store.history())
        assert count >= events_seen, "a kill lost changes that were already written"
        events_seen = count
    assert events_seen > 0
    leftovers = len(_temp_files(db))
    # A writer that died mid-write leaves its temporary file; the next start of taizhang removes it.
    planted = db.parent / "db.journal" / ".taizhang-tmp-999999999-deadbeef.tmp"
    planted.write_bytes(b'{"events": {"1": ')
    assert main(["--db", str(db), "show", "1"]) == 0
    assert _temp_files(db) == []
    print(f"\n30 rounds, {events_seen} events written, {leftovers} temporary files left by killed writers, removed")


def test_check_reports_and_removes_stale_temp_files(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = db_path.parent / ".taizhang-tmp-999999999-0a0b0c.tmp"
    stale.write_bytes(b"{")
    live = db_path.parent / f".taizhang-tmp-{os.getpid()}-0a0b0c.tmp"  # a writer still running: kept
    live.write_bytes(b"{")
    assert main(["--db", str(db_path), "check"]) == 0
    assert "已清理残留的临时文件" in capsys.readouterr().out
    assert not stale.exists() and live.exists()


def _shared_group() -> int:
    """A group to share the store with: any group when root, else one of this account's groups."""
    if os.geteuid() == 0:
        for name in ("users", "staff", "nogroup"):
            try:
                return grp.getgrnam(name).gr_gid
            except KeyError:
                continue
    others = [gid for gid in os.getgroups() if gid != os.getegid()]
    return others[0] if others else os.getegid()


@pytest.mark.parametrize("file_mode", [0o664, 0o660])
def test_store_keeps_mode_and_group_after_every_write_in_a_setgid_folder(tmp_path: Path, file_mode: int) -> None:
    folder = tmp_path / "srv"
    folder.mkdir()
    gid = _shared_group()
    os.chown(folder, -1, gid)
    os.chmod(folder, 0o2770)
    db = folder / "db.json"
    seed_store(db)
    os.chmod(db, file_mode)
    assert db.stat().st_gid == gid  # inherited from the setgid folder

    # A colleague with a strict umask writes: the first note creates the journal folder, its
    # first shard and the lock file.
    script = (
        "import os, sys; os.umask(0o077); from tui.core.store import Store; from tui.core.model import Status\n"
        "s = Store(sys.argv[1]); t = s.load().tasks\n"
        "s.add_note(t[0].id, 'umask 077'); s.set_status(t[1].id, Status.DONE); s.add_note(t[2].id, 'again')\n"
    )
    subprocess.run([sys.executable, "-c", script, str(db)], cwd=PROJECT, check=True)

    assert db.stat().st_mode & 0o7777 == file_mode
    assert db.stat().st_gid == gid
    journal = folder / "db.journal"
    assert journal.stat().st_gid == gid
    assert journal.stat().st_mode & 0o2070 == 0o2070  # the group can create files there
    for shard in journal.glob("*.json"):
        assert shard.stat().st_gid == gid
        assert shard.stat().st_mode & 0o060 == 0o060
    lock = folder / "db.json.lock"
    assert lock.stat().st_gid == gid and lock.stat().st_mode & 0o040

    # Every later write keeps what is there, whatever the writer's umask.
    os.chmod(db, file_mode)
    shard = next(journal.glob("*.json"))
    os.chmod(shard, file_mode)
    store = Store(db)
    for i in range(3):
        store.add_note(store.load().tasks[5].id, f"note {i}")
        assert shard.stat().st_mode & 0o7777 == file_mode and shard.stat().st_gid == gid
    assert db.stat().st_mode & 0o7777 == file_mode and db.stat().st_gid == gid


def test_a_new_store_in_a_setgid_folder_is_group_writable(tmp_path: Path) -> None:
    folder = tmp_path / "srv"
    folder.mkdir()
    os.chmod(folder, 0o2770)
    script = (
        "import os, sys; os.umask(0o077)\n"
        "from tests.conftest import seed_store; from pathlib import Path; seed_store(Path(sys.argv[1]))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(folder / "db.json")], cwd=PROJECT, check=True)
    assert (folder / "db.json").stat().st_mode & 0o777 == 0o660
    assert (folder / "db.json.lock").stat().st_mode & 0o777 == 0o660
