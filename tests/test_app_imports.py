"""The command line stays light: the CLI, the store, the model and the importers never import Textual."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import PROJECT


def test_cli_modules_do_not_import_textual() -> None:
    code = "import sys, tui.cli, tui.core.store, tui.core.model, importers; assert 'textual' not in sys.modules, 'textual imported'"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_app_refuses_to_start_without_a_terminal(db_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db_path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "终端" in lines[0], result.stderr  # one line of Chinese, no escape codes
    assert "Traceback" not in result.stderr
