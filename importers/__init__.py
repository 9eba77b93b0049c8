"""Importers: read the task list from a Word .docx, an Excel .xlsx or the plain-text export into records.

No storage and no terminal UI here (an import-linter contract in pyproject.toml keeps it so).
"""

from __future__ import annotations

from pathlib import Path

from importers.records import DocumentError, LedgerDocument, TaskRecord

__all__ = ["DocumentError", "LedgerDocument", "TaskRecord", "read_document"]

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SNIFF_BYTES = 8


def _convert_legacy_doc(path: Path) -> LedgerDocument | None:
    """Convert a Word 97 .doc with LibreOffice when it is installed; None when it is not."""
    import shutil
    import subprocess
    import tempfile

    from importers.docx_reader import read_docx

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory(prefix="taizhang-doc-") as folder:
        try:
            subprocess.run(
                [soffice, "--headless", "--convert-to", "docx", "--outdir", folder, str(path)],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.SubprocessError, OSError):
            return None
        converted = Path(folder) / (path.stem + ".docx")
        if not converted.exists():
            return None
        return read_docx(converted, name=path.name)


def _is_workbook(path: Path) -> bool:
    """An Office file holding an Excel workbook (the zip's directory only; a damaged zip is the docx reader's to report)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return False


def read_document(path: Path | str) -> LedgerDocument:
    """Read a task list from `path`, deciding the format by its content, not its name.

    Raises DocumentError with one line of Chinese that names the file and what to do.
    """
    path = Path(path)
    name = path.name or str(path)
    if not path.exists():
        raise DocumentError(f"找不到文件：{path}。请检查路径是否正确。")
    if path.is_dir():
        raise DocumentError(f"{path} 是文件夹，不是文件。请指定 .docx、.xlsx 或 .txt 文件。")
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as error:
        raise DocumentError(f"无法读取 {name}（{error.strerror}）。请检查文件权限。") from error
    if not head:
        raise DocumentError(f"{name} 是空文件。请重新导出任务清单后再导入。")
    if head.startswith(_OLE_MAGIC):
        converted = _convert_legacy_doc(path)
        if converted is not None:
            return converted
        raise DocumentError(f"{name} 是旧版 Word 97-2003 (.doc) 文件。请在 Word 或 WPS 中另存为 .docx 后再导入。")
    if head.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        if _is_workbook(path):
            from importers.xlsx_reader import read_xlsx

            return read_xlsx(path, name=name)
        from importers.docx_reader import read_docx

        return read_docx(path, name=name)
    if path.suffix.lower() in {".xlsx", ".xls", ".et"}:
        raise DocumentError(
            f"{name} 不是有效的 Excel .xlsx 文件（可能已损坏、是旧版 .xls 或只是改了扩展名）。请在 Excel 或 WPS 中另存为 .xlsx 再导入。"
        )
    if path.suffix.lower() in {".docx", ".doc", ".docm", ".pdf", ".wps"}:
        raise DocumentError(
            f"{name} 不是有效的 Word .docx 文件（可能已损坏或只是改了扩展名）。请在 Word 或 WPS 中另存为 .docx 再导入。"
        )
    from importers.text_reader import read_text

    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise DocumentError(f"{name} 不是 Word 或 Excel 文档，也不是文本文件。请导入 .docx、.xlsx 或 .txt 格式的任务清单。")
    return read_text(data, name=name)
