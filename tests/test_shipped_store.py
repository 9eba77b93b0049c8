"""Using the shipped store (data/db.json) leaves nothing untracked in a clone (issue 16).

Regression: the first change made in a fresh clone left `data/db.journal/` untracked.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import PROJECT

WRITTEN = ["data/db.journal/2026-11.json", "data/db.journal/summary.json", "data/db.json.lock", "data/backups/20261128-100000/db.json"]


@pytest.mark.skipif(shutil.which("git") is None or not (PROJECT / ".git").exists(), reason="not a git checkout")
def test_what_the_shipped_store_writes_is_ignored() -> None:
    result = subprocess.run(["git", "check-ignore", *WRITTEN], cwd=PROJECT, capture_output=True, text=True, check=False)
    assert result.stdout.split() == WRITTEN
    tracked = subprocess.run(["git", "ls-files", "data"], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert "data/db.json" in tracked.stdout.split()  # the store itself stays in the clone
