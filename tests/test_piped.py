"""Issue 15: `export -o -` writes the report alone to standard output, byte for byte, and `import -` reads a
document from standard input (supervisors only, bounded in size), as the forced SSH login needs them."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.conftest import PROJECT, SOURCE_DOCX, files_digest, fixed_clock, revised_txt
from tui.cli import main
from tui.core.model import Status
from tui.core.store import Store, current_user
from tui.piped import MAX_STDIN_BYTES

UNIT = "区卫健局"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.core.store.api._local_now", fixed_clock)


@pytest.fixture
def worked_db(db_path: Path) -> Path:
    """Progress in November (the fixed clock's month): notes and statuses on a few tasks."""
    store = Store(db_path, clock=fixed_clock, user="zhang")
    ledger = store.load()
    for no, text in ((5, "召开专题会议部署"), (12, "已走访 3 户")):
        store.add_note(ledger.by_no(no).id, text)
    store.set_status(ledger.by_no(12).id, Status.IN_PROGRESS)
    return db_path


def run_binary(capsysbinary: pytest.CaptureFixture[bytes], *argv: str, stdin: bytes | None = None,
               monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, bytes, str]:  # fmt: skip
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def store_files(db_path: Path) -> dict[str, str]:
    return files_digest(db_path.parent, ignore=("db.json.lock", "users.toml"))


def users(db_path: Path, role: str) -> None:
    """This OS login (the CLI's identity) with `role` in a users.toml beside a personal store (trusted)."""
    (db_path.parent / "users.toml").write_text(f'[users.{current_user()}]\nrole = "{role}"\n', encoding="utf-8")


# ---------------------------------------------------------------------- export -o -


@pytest.mark.parametrize("kind", ["json", "csv"])
@pytest.mark.parametrize("filters", [(), ("--unit", UNIT, "--period", "2026-10"), ("--status", "in_progress")])
def test_export_to_stdout_is_the_file_byte_for_byte(
    worked_db: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], kind: str, filters: tuple[str, ...]
) -> None:
    db = ("--db", str(worked_db))
    file = tmp_path / f"report.{kind}"
    code, _out, err = run_binary(capsysbinary, "export", "-o", str(file), *filters, *db)
    assert code == 0, err
    code, out, err = run_binary(capsysbinary, "export", "-o", "-", "--format", kind, *filters, *db)
    assert code == 0
    assert out == file.read_bytes()
    assert err.count("\n") == 1 and "已导出" in err and "标准输出" in err


def test_json_to_stdout_parses_with_its_filters(worked_db: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, _err = run_binary(
        capsysbinary,
        "export",
        "-o",
        "-",
        "--format",
        "json",
        "--unit",
        UNIT,
        "--period",
        "2026-10",
        "--db",
        str(worked_db),
    )
    assert code == 0
    report = json.loads(out)
    assert report["header"]["period"] == "2026-10" and report["header"]["filters"]["unit"] == UNIT
    assert report["tasks"] and all(UNIT in task["units"] for task in report["tasks"])


def test_docx_and_xlsx_to_stdout_open_with_every_task(
    worked_db: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, err = run_binary(capsysbinary, "export", "-o", "-", "--format", "docx", "--db", str(worked_db))
    assert code == 0 and out.startswith(b"PK\x03\x04"), err
    (tmp_path / "a.docx").write_bytes(out)
    table = docx.Document(str(tmp_path / "a.docx")).tables[0]
    assert sum(row.cells[0].text.strip().isdigit() for row in table.rows) == 72

    code, out, err = run_binary(capsysbinary, "export", "-o", "-", "--format", "XLSX", "--db", str(worked_db))
    assert code == 0 and out.startswith(b"PK\x03\x04"), err
    (tmp_path / "a.xlsx").write_bytes(out)
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").worksheets[0]
    assert sum(isinstance(row[0], int) for row in sheet.iter_rows(values_only=True)) == 72


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        (("-o", "-"), "须用 --format"),
        (("-o", "-", "--format", "pdf"), "“pdf”"),
        (("-o", "{tmp}/r.csv", "--format", "docx"), "扩展名不符"),
    ],
)
def test_a_missing_or_wrong_format_is_one_line(
    worked_db: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], argv: tuple[str, ...], wanted: str
) -> None:
    before = store_files(worked_db)
    code, out, err = run_binary(capsysbinary, "export", *(a.format(tmp=tmp_path) for a in argv), "--db", str(worked_db))
    assert code == 2 and out == b""
    assert err.count("\n") == 1 and wanted in err
    assert store_files(worked_db) == before
    assert not (tmp_path / "r.csv").exists()


def _with_terminal(argv: list[str], *, stdin_terminal: bool = False) -> tuple[int, bytes, str]:
    """The CLI in a subprocess whose standard output (or input) is a pseudo-terminal."""
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tui.cli", *argv],
            cwd=PROJECT,
            stdin=terminal if stdin_terminal else subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdin_terminal else terminal,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    finally:
        os.close(terminal)
    os.set_blocking(controller, False)
    try:
        shown = os.read(controller, 65536)
    except OSError:
        shown = b""
    os.close(controller)
    return result.returncode, result.stdout or shown, result.stderr.decode("utf-8")


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_binary_report_is_never_written_to_a_terminal(worked_db: Path, kind: str) -> None:
    code, shown, err = _with_terminal(["export", "-o", "-", "--format", kind, "--db", str(worked_db)])
    assert code == 2 and b"PK" not in shown
    assert err.count("\n") == 1 and "标准输出是终端" in err and "ssh -T" in err


# ---------------------------------------------------------------------- import -


def test_a_revision_from_stdin_is_planned_then_applied_by_a_supervisor(
    worked_db: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    revised = revised_txt(tmp_path).read_bytes()
    db = ("--db", str(worked_db))
    before = store_files(worked_db)
    code, out, err = run_binary(capsysbinary, "import", "-", "--format", "txt", "--dry-run", "--json", *db,
                                stdin=revised, monkeypatch=monkeypatch)  # fmt: skip
    assert code == 0, err
    plan = json.loads(out)
    assert (plan["source"], plan["applied"], plan["summary"]["changed"]) == ("标准输入.txt", False, 1)
    assert store_files(worked_db) == before

    # No --yes: nothing to confirm with (standard input is the document), so the plan and how to apply it.
    users(worked_db, "supervisor")
    code, out, err = run_binary(
        capsysbinary, "import", "-", "--format", "txt", *db, stdin=revised, monkeypatch=monkeypatch
    )
    assert code == 2 and "导入计划：标准输入.txt" in out.decode("utf-8")
    assert err.count("\n") == 1 and "--yes" in err
    assert store_files(worked_db) == before

    code, out, err = run_binary(capsysbinary, "import", "-", "--format", "txt", "--yes", *db,
                                stdin=revised, monkeypatch=monkeypatch)  # fmt: skip
    assert code == 0, err
    assert "已导入 标准输入.txt：修改 1 项" in out.decode("utf-8")
    ledger = Store(worked_db, clock=fixed_clock).load()
    assert ledger.by_no(12).status.value == "in_progress"  # progress kept
    assert [note.text for note in ledger.by_no(12).notes] == ["已走访 3 户"]


def test_an_editor_cannot_import_from_stdin(
    worked_db: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    users(worked_db, "editor")
    before = store_files(worked_db)
    code, _out, err = run_binary(capsysbinary, "import", "-", "--format", "txt", "--yes", "--db", str(worked_db),
                                 stdin=revised_txt(tmp_path).read_bytes(), monkeypatch=monkeypatch)  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "导入只能由主管进行" in err  # issue 14: refusals exit 2
    assert store_files(worked_db) == before


def test_an_empty_store_is_seeded_from_stdin(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "new" / "db.json"
    code, out, err = run_binary(capsysbinary, "import", "-", "--format", "docx", "--db", str(db),
                                stdin=SOURCE_DOCX.read_bytes(), monkeypatch=monkeypatch)  # fmt: skip
    assert code == 0, err
    assert "已从 标准输入.docx 导入 72 项任务" in out.decode("utf-8")
    assert len(Store(db).load().tasks) == 72


@pytest.mark.parametrize(
    ("argv", "stdin", "wanted"),
    [
        (("-",), b"x", "须用 --format"),
        (("-", "--format", "pdf"), b"x", "“pdf”"),
        (("{tmp}/x.docx", "--format", "docx"), b"", "--format 只用于"),
        (("-", "--format", "docx"), b"", "是空文件"),
        (("-", "--format", "docx"), b"not a word file", "不是有效的 Word .docx 文件"),
        (("-", "--format", "xlsx"), b"not a workbook", "不是有效的 Excel .xlsx 文件"),
        (("-", "--format", "docx"), None, "超过 32 MB"),  # None: one byte more than MAX_STDIN_BYTES
    ],
    ids=["no-format", "pdf", "format-with-a-file", "empty", "text-as-docx", "text-as-xlsx", "too-big"],
)
def test_bad_input_on_stdin_is_one_line_and_writes_nothing(
    worked_db: Path,
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    stdin: bytes | None,
    wanted: str,
) -> None:
    stdin = b"PK\x03\x04" + b"\0" * MAX_STDIN_BYTES if stdin is None else stdin
    users(worked_db, "supervisor")
    (tmp_path / "x.docx").write_bytes(SOURCE_DOCX.read_bytes())
    before = store_files(worked_db)
    code, out, err = run_binary(capsysbinary, "import", *(a.format(tmp=tmp_path) for a in argv), "--yes",
                                "--db", str(worked_db), stdin=stdin, monkeypatch=monkeypatch)  # fmt: skip
    assert code == 2 and out == b""
    assert err.count("\n") == 1 and wanted in err and "Traceback" not in err
    assert store_files(worked_db) == before


def test_a_terminal_on_stdin_is_not_read_as_a_document(worked_db: Path) -> None:
    before = store_files(worked_db)
    code, _out, err = _with_terminal(
        ["import", "-", "--format", "docx", "--yes", "--db", str(worked_db)], stdin_terminal=True
    )
    assert code == 2 and err.count("\n") == 1 and "标准输入是终端" in err
    assert store_files(worked_db) == before
