"""OSError as one line of Chinese: what went wrong and what to do, for every message that reports one.

A user never sees a traceback or an English `[Errno 28]`: the store, the export and the CLI's last
resort all word a failed read or write through `os_error_line`.
"""

from __future__ import annotations

import errno
import os

from tui.core.shared_files import TEMP_PREFIX

__all__ = ["os_error_advice", "os_error_line", "os_error_reason"]

_REASONS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "文件系统为只读",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EISDIR: "是一个目录",
    errno.ENOTDIR: "路径中有一项不是目录",
    errno.ENOENT: "不存在",
    errno.EIO: "磁盘读写出错",
    errno.EFBIG: "文件过大",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ELOOP: "符号链接层数过多",
    errno.EMFILE: "打开的文件过多",
    errno.ENFILE: "打开的文件过多",
    errno.ETXTBSY: "文件正被使用",
}

_ADVICE = {
    errno.ENOSPC: "请清理磁盘空间后重试",
    errno.EDQUOT: "请清理磁盘空间或联系管理员提高配额",
    errno.EROFS: "请联系管理员检查磁盘挂载",
    errno.EACCES: "请联系管理员检查文件权限",
    errno.EPERM: "请联系管理员检查文件权限",
    errno.EIO: "请联系管理员检查磁盘",
}


def os_error_reason(error: OSError) -> str:
    """`磁盘已满`, `没有权限`, ...; the system's own words for an errno not listed."""
    reason = _REASONS.get(error.errno or 0)
    if reason:
        return reason
    return error.strerror or error.__class__.__name__


def os_error_advice(error: OSError) -> str:
    return _ADVICE.get(error.errno or 0, "请检查路径、磁盘空间和权限后重试")


def os_error_line(error: OSError, doing: str, outcome: str = "") -> str:
    """`{doing}失败（磁盘已满：/srv/taizhang/db.journal/2026-11.json）{outcome}。请清理磁盘空间后重试。`

    `doing` says what was attempted (`保存改动`), `outcome` what that leaves (`，台账未改动`).
    """
    where = ""
    if error.filename:
        name = str(error.filename)
        # A write's temporary file is ours, not the user's: name the folder it was being written in.
        where = f"：{os.path.dirname(name) if os.path.basename(name).startswith(TEMP_PREFIX) else name}"
    return f"{doing}失败（{os_error_reason(error)}{where}）{outcome}。{os_error_advice(error)}。"
