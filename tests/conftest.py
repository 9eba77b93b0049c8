"""Shared fixtures: the real source documents and real stores in temporary folders."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from importers import read_document
from tui.core.store import Store

PROJECT = Path(__file__).resolve().parent.parent
SOURCE_DOCX = PROJECT / "data" / "source" / "task-list.docx"
SOURCE_TXT = PROJECT / "data" / "source" / "task-list.txt"
# A fixed moment in the district's time zone, so overdue and note dates never depend on the day tests run.
FIXED_NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def fixed_clock() -> dt.datetime:
    return FIXED_NOW


def seed_store(path: Path, source: Path = SOURCE_DOCX, **store_options) -> Store:
    store = Store(path, **store_options)
    store.seed(
        read_document(source),
        source_name=source.name,
        source_sha256=hashlib.sha256(source.read_bytes()).hexdigest(),
    )
    return store


def files_digest(folder: Path, *, ignore: tuple[str, ...] = ("db.json.lock",)) -> dict[str, str]:
    """sha256 of every file under `folder` (the journal, backups and temporary files included), by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in ignore
    }


def revised_txt(folder: Path) -> Path:
    """The task list with one deadline changed (2025 -> 2026): a revision whose import makes a backup."""
    text = SOURCE_TXT.read_text(encoding="utf-8")
    assert "\n\t2025\n" in text
    path = folder / "task-list-rev.txt"
    path.write_text(text.replace("\n\t2025\n", "\n\t2026\n", 1), encoding="utf-8")
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A store seeded from the real task list, in a fresh folder."""
    path = tmp_path / "data" / "db.json"
    seed_store(path, clock=fixed_clock, user="tester")
    return path


@pytest.fixture
def store(db_path: Path) -> Store:
    return Store(db_path, clock=fixed_clock, user="tester")


@pytest.fixture
def ledger_app(db_path: Path):
    """The Textual app over the seeded store, with the fixed clock and user (imports Textual only when used)."""
    from tui.app import make_app

    return make_app(db_path, clock=fixed_clock, user="tester")


@pytest.fixture(autouse=True)
def not_over_ssh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as on the server's console, whether or not whoever runs them logged in over SSH: the export
    dialog shows the command that fetches a report only over SSH (tests that need it set SSH_CONNECTION)."""
    for name in ("SSH_CONNECTION", "SSH_ORIGINAL_COMMAND"):
        monkeypatch.delenv(name, raising=False)
