"""Files a Unix group shares: new files and folders of the store get the group's rights.

On the server the store's folder is setgid and owned by the staff group (README, 部署). A
colleague's umask of 022 or 077 must not leave a new journal shard, folder or lock file that the
rest of the group cannot read or write; existing files keep their own mode (see `atomic_write_bytes`).
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

__all__ = ["make_shared_folder", "new_file_mode"]


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
