"""Files a Unix group shares: new files and folders of the store get the group's rights.

On the server the store's folder is setgid and owned by the staff group (README, 部署). A
colleague's umask of 022 or 077 must not leave a new journal shard, folder or lock file that the
rest of the group cannot read or write; existing files keep their own mode (see `atomic_write_bytes`).

`atomic_write_bytes` is the program's one way to write a file (store and exports): readers and
crashes only ever see a whole file.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

__all__ = ["TEMP_PREFIX", "atomic_write_bytes", "make_shared_folder", "new_file_mode", "seal_for_group"]

# Temporary files of a write in progress: `.taizhang-tmp-<pid>-<random>.tmp` (a store cleans up those
# whose writer has died).
TEMP_PREFIX = ".taizhang-tmp-"


def _current_umask() -> int:
    # /proc rather than os.umask(0)+restore: that briefly changes the umask of every thread.
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def new_file_mode(folder: Path) -> int:
    """The mode for a new file in `folder`: the umask's, plus the folder's group read/write when it is setgid."""
    mode = 0o666 & ~_current_umask()
    try:
        folder_mode = folder.stat().st_mode
    except OSError:
        return mode
    if folder_mode & 0o2000:
        mode |= folder_mode & 0o060
    return mode


def make_shared_folder(folder: Path) -> None:
    """mkdir -p, giving a new folder inside a setgid folder the parent's group rights (setgid is inherited)."""
    if folder.is_dir():
        return
    parent = folder.parent
    make_shared_folder(parent)
    try:
        folder.mkdir()
    except FileExistsError:
        return
    parent_mode = parent.stat().st_mode
    if parent_mode & 0o2000:
        mode = folder.stat().st_mode & 0o7777
        with suppress(PermissionError):
            os.chmod(folder, mode | (parent_mode & 0o070) | 0o2000)


def seal_for_group(tree: Path, *, like: Path) -> None:
    """Make every folder and file under `tree` readable but not writable by the group and others.

    Files keep their own read bits less write for group and others; `tree` itself takes the mode of
    the folder `like` (the store's) less those write bits, so the group that reads the store reads the
    copy, whatever the umask of whoever made it.
    """
    os.chmod(tree, like.stat().st_mode & 0o7777 & ~0o022)
    for folder, folders, files in os.walk(tree):
        for name in folders:
            path = os.path.join(folder, name)
            os.chmod(path, os.stat(path).st_mode & 0o7777 & ~0o022)
        for name in files:
            path = os.path.join(folder, name)
            os.chmod(path, os.lstat(path).st_mode & 0o7777 & ~0o022)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `payload` so that readers and crashes only ever see a whole file.

    `durable=False` skips the fsyncs: for caches, which may be lost or stale but never half-written.
    """
    make_shared_folder(path.parent)
    try:
        previous = path.stat()
    except FileNotFoundError:
        previous = None
    temp_name = path.parent / f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(6).hex()}.tmp"
    fd = os.open(temp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            # The temporary file is 0600: keep the store readable by the colleagues who could read it.
            if previous is not None:
                os.fchmod(handle.fileno(), previous.st_mode & 0o7777)
                with suppress(PermissionError):
                    os.fchown(handle.fileno(), -1, previous.st_gid)
            else:
                os.fchmod(handle.fileno(), new_file_mode(path.parent))
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    if durable:
        _fsync_folder(path.parent)
