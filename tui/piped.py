"""Reports to standard output and documents from standard input: `export -o -` and `import -`.

Over the forced SSH login these are the only ways a file crosses (README 部署):
`ssh -T zhangsan@服务器 export -o - --format docx > 台账.docx` and
`ssh -T lisi@服务器 import - --format docx --yes < 修订版.docx`. Standard output then carries the report
alone, byte for byte; every message goes to standard error.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from importers.records import DocumentError

__all__ = ["MAX_STDIN_BYTES", "STDIN_FORMATS", "document_source", "export_kind", "write_stdout"]

# A task list is well under a megabyte (a 5,000-task workbook a few MB): more is refused unread.
MAX_STDIN_BYTES = 32 * 1024 * 1024
STDIN_FORMATS = ("docx", "xlsx", "txt")
# The name a document read from standard input goes by in messages and the store's record of its source.
STDIN_NAME = "标准输入"
# Formats a terminal must not receive: their bytes would reach it as control sequences.
_BINARY = ("docx", "xlsx")


def export_kind(output: str, format_name: str | None) -> str:
    """The report's format: `--format` for standard output (`-o -`, where it is required), else the file's
    extension, which a `--format` given as well must agree with. Raises ExportError in one line."""
    from tui.core.export import export_format, format_named
    from tui.core.report import ExportError

    if output == "-":
        if format_name is None:
            raise ExportError("导出到标准输出（-o -）时须用 --format 指定格式：docx、xlsx、csv 或 json。")
        kind = format_named(format_name)
        if kind in _BINARY and _is_terminal(sys.stdout):
            raise ExportError(
                f"标准输出是终端，不能直接输出 .{kind} 文件。请重定向到文件，如 export -o - --format {kind} > 台账.{kind}"
                "（通过 SSH 时用 ssh -T，不要用 -t）。"
            )
        return kind
    kind = export_format(Path(output))
    if format_name is not None and format_named(format_name) != kind:
        raise ExportError(
            f"--format {format_name} 与文件名 {Path(output).name} 的扩展名不符。请去掉 --format 或改文件名。"
        )
    return kind


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def write_stdout(payload: bytes) -> None:
    """The report's bytes on standard output as they are (no newline translation, no encoding)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


@contextmanager
def document_source(file: str, format_name: str | None, stdin: Any = None) -> Iterator[Path]:
    """The document to import as a path: `file` itself, or for `-` standard input (at most MAX_STDIN_BYTES)
    in a private temporary file named after `--format`, read by the same checks as any file."""
    if file != "-":
        if format_name is not None:
            raise DocumentError(
                "--format 只用于从标准输入导入（文件名写作 -）；文件的格式由其内容决定。请去掉 --format。"
            )
        yield Path(file)
        return
    kind = (format_name or "").strip().lower().lstrip(".")
    if kind not in STDIN_FORMATS:
        given = f"不能按“{format_name}”格式导入。" if format_name else "从标准输入导入（-）时须用 --format 指定格式。"
        raise DocumentError(f"{given}--format 可用 {'、'.join(STDIN_FORMATS)}。")
    stream = stdin if stdin is not None else sys.stdin
    if stream is None or _is_terminal(stream):
        raise DocumentError(
            f"标准输入是终端，没有文件可读。请把文件重定向进来，如 import - --format {kind} < 修订版.{kind}（通过 SSH 时用 ssh -T）。"
        )
    data = stream.buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        raise DocumentError(
            f"标准输入超过 {MAX_STDIN_BYTES // (1024 * 1024)} MB，不像一份任务清单，已拒绝导入。请确认文件来源。"
        )
    with tempfile.TemporaryDirectory(prefix="taizhang-import-") as folder:
        path = Path(folder) / f"{STDIN_NAME}.{kind}"
        path.write_bytes(data)
        yield path
