"""Bad input: one clear Chinese line naming the file, a non-zero exit, no traceback, the store untouched."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SOURCE_DOCX
from tests.docx_builder import write_docx

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, timeout=60, check=False
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_not_docx(folder: Path) -> Path:
    path = folder / "报告.docx"
    path.write_text("这不是 Word 文件", encoding="utf-8")
    return path


def make_truncated(folder: Path) -> Path:
    path = folder / "truncated.docx"
    path.write_bytes(SOURCE_DOCX.read_bytes()[:20000])
    return path


def make_empty(folder: Path) -> Path:
    path = folder / "empty.docx"
    path.write_bytes(b"")
    return path


def make_legacy_doc(folder: Path) -> Path:
    path = folder / "任务清单.doc"
    path.write_bytes(OLE_HEADER)
    return path


def make_no_table(folder: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("只有文字，没有表格")
    path = folder / "notable.docx"
    document.save(str(path))
    return path


def make_missing_columns(folder: Path) -> Path:
    rows = [("序号", "工作任务", "主要内容"), ("1", "一、测试", "1.内容")]
    return write_docx(folder / "columns.docx", [rows])


def make_spreadsheet(folder: Path) -> Path:
    path = folder / "book.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return path


def make_zip_bomb(folder: Path) -> Path:
    """A small .docx whose parts unpack to 300 MB of zeros."""
    path = folder / "bomb.docx"
    chunk = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as handle,
    ):
        for _ in range(300):
            handle.write(chunk)
    return path


BAD_INPUTS = {
    "not-a-docx": (make_not_docx, "不是有效的 Word .docx 文件"),
    "truncated": (make_truncated, "已损坏或不完整"),
    "empty": (make_empty, "是空文件"),
    "legacy-doc": (make_legacy_doc, "另存为 .docx"),
    "no-table": (make_no_table, "没有表格"),
    "missing-columns": (make_missing_columns, "缺少列：具体项目、责任单位、完成时限"),
    "spreadsheet": (make_spreadsheet, "是 Excel 文件"),
    "zip-bomb": (make_zip_bomb, "已拒绝导入"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_document_is_refused_and_the_store_is_unchanged(case: str, db_path: Path, tmp_path: Path):
    make, expected = BAD_INPUTS[case]
    bad = make(tmp_path)
    before = digest(db_path)
    for db_args in (["--db", str(db_path)], ["--db", str(tmp_path / "new" / "db.json")]):
        result = run_cli("import", str(bad), "--yes", *db_args)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr + result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert expected in lines[0]
        assert bad.name in lines[0]
    assert digest(db_path) == before
    assert not (tmp_path / "new" / "db.json").exists()


def test_missing_path(db_path: Path, tmp_path: Path):
    before = digest(db_path)
    result = run_cli("import", str(tmp_path / "nowhere.docx"), "--db", str(db_path))
    assert result.returncode != 0
    assert result.stderr.strip() == f"taizhang: 找不到文件：{tmp_path / 'nowhere.docx'}。请检查路径是否正确。"
    assert digest(db_path) == before


def test_folder_instead_of_file(db_path: Path, tmp_path: Path):
    result = run_cli("import", str(tmp_path), "--db", str(db_path))
    assert result.returncode != 0
    assert "是文件夹" in result.stderr
    assert "Traceback" not in result.stderr


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path):
    """Regression: python-docx would inflate every part; the size check must come first."""
    import tracemalloc

    from importers import DocumentError, read_document

    bomb = make_zip_bomb(tmp_path)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    with pytest.raises(DocumentError):
        read_document(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


def test_bad_input_messages_are_one_line_without_traceback_for_each_command(db_path: Path):
    before = digest(db_path)
    for args, expected in [
        (["show", "999"], "没有序号为 999 的任务"),
        (["show", "abc"], "不是序号"),
        (["mark", "5", "finished"], "没有“finished”这个状态"),
        (["note", "5", "   "], "进展情况不能为空"),
        (["mark", "5", "done", "--note", " "], "--note 的内容不能为空"),
        (["list", "--unit", "区不存在局"], "没有名为“区不存在局”的责任单位"),
        (["list", "--status", "whatever"], "没有“whatever”这个状态"),
        (["bogus-command"], "参数有误"),
    ]:
        result = run_cli(*args, "--db", str(db_path))
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr
        assert expected in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert digest(db_path) == before


def test_commands_on_a_missing_store_say_how_to_import(tmp_path: Path):
    result = run_cli("list", "--db", str(tmp_path / "none.json"))
    assert result.returncode != 0
    assert "taizhang import" in result.stderr
    assert not (tmp_path / "none.json").exists()


def test_damaged_store_gives_a_message_not_a_traceback(db_path: Path):
    db_path.write_text('{"tasks": {"1": ', encoding="utf-8")
    for args in (["list"], ["check"], ["mark", "1", "done"]):
        result = run_cli(*args, "--db", str(db_path))
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        assert "已损坏" in result.stderr


def test_check_reports_a_broken_record(db_path: Path):
    import json

    data = json.loads(db_path.read_text(encoding="utf-8"))
    data["tasks"]["2"]["no"] = 1
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run_cli("check", "--db", str(db_path))
    assert result.returncode == 1
    assert "序号 1 重复" in result.stderr


def test_importing_a_good_file_into_a_nonexistent_folder_creates_it(tmp_path: Path):
    target = tmp_path / "a" / "b" / "db.json"
    result = run_cli("import", str(SOURCE_DOCX), "--db", str(target))
    assert result.returncode == 0, result.stderr
    assert "72 项任务" in result.stdout
    assert target.exists()


def test_dry_run_on_an_empty_store_writes_nothing(tmp_path: Path):
    target = tmp_path / "db.json"
    result = run_cli("import", str(SOURCE_DOCX), "--dry-run", "--db", str(target))
    assert result.returncode == 0
    assert "试运行" in result.stdout
    assert not target.exists()
