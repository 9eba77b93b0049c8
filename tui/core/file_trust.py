"""Whether a file that grants rights (users.toml) could have been replaced by someone it constrains.

In the spirit of OpenSSH's StrictModes: the file is trusted only when it is a regular file owned by
root or by the store's owner, not writable by the group or others, and no folder on the way to it
(every component from / down, symlinks followed and their folders checked too) lets anyone else
create, rename or replace an entry: each such folder is owned by root or the store's owner and is not
writable by the group or others, unless it is sticky (like /tmp) and the entry in it is itself owned
by root or the store's owner (then only they may rename or delete it). No file is opened here.
"""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path

__all__ = ["untrusted_reason"]

_MAX_SYMLINKS = 40


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


class _Untrusted(Exception):
    """Why the file cannot be trusted (one clause of Chinese)."""


def _check_entry(folder: str, entry: str, trusted: frozenset[int], hops: list[int]) -> str:
    """Raise _Untrusted unless nobody but the trusted owners can replace `entry` in `folder` (a real
    path); the real path of the entry."""
    path = os.path.join(folder, entry)
    folder_stat = os.stat(folder)
    entry_stat = os.lstat(path)
    if folder_stat.st_uid not in trusted:
        raise _Untrusted(f"目录 {folder} 属于 {_owner(folder_stat.st_uid)}")
    if folder_stat.st_mode & 0o022:
        sticky_and_owned = folder_stat.st_mode & stat.S_ISVTX and entry_stat.st_uid in trusted
        if not sticky_and_owned:
            raise _Untrusted(f"目录 {folder} 可被组内成员或其他人写入")
    if stat.S_ISLNK(entry_stat.st_mode):
        hops.append(1)
        if len(hops) > _MAX_SYMLINKS:
            raise _Untrusted(f"{path} 的符号链接层数过多")
        target = os.path.join(folder, os.readlink(path))
        _check_path(target, trusted, hops)
        return os.path.realpath(target)
    return path


def _check_path(path: str, trusted: frozenset[int], hops: list[int]) -> None:
    """Every entry on the way from / to `path`, as the system looks it up (so no lexical `..` folding)."""
    absolute = path if os.path.isabs(path) else os.path.join(os.getcwd(), path)
    folder = os.sep
    for part in absolute.split(os.sep):
        if part in ("", "."):
            continue
        if part == "..":
            folder = os.path.dirname(folder)  # `folder` is already a real path here
            continue
        folder = _check_entry(folder, part, trusted, hops)


def untrusted_reason(path: Path, trusted_owners: frozenset[int]) -> str | None:
    """Why the file at `path` may have been written by someone other than `trusted_owners`; None if it cannot.

    A missing file gives a reason too: callers decide whether a missing file is allowed.
    """
    try:
        file_stat = os.stat(path)
    except FileNotFoundError:
        return f"{path} 不存在"
    except OSError as error:
        return f"无法检查 {path}（{error.strerror}）"
    if not stat.S_ISREG(file_stat.st_mode):
        return f"{path} 不是普通文件"
    if file_stat.st_uid not in trusted_owners:
        return f"{path} 属于 {_owner(file_stat.st_uid)}，既不是 root 也不是台账的所有者"
    if file_stat.st_mode & 0o022:
        return f"{path} 可被组内成员或其他人改写"
    try:
        _check_path(str(path), trusted_owners, [])
    except _Untrusted as reason:
        return str(reason)
    except OSError as error:
        return f"无法检查 {path} 所在的目录（{error.strerror}）"
    return None
