"""Who is writing and what they may do: the OS login, and users.toml read only when it can be trusted."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from tui.core.file_trust import untrusted_reason
from tui.core.permissions import USERS_FILE_NAME, Permissions, UsersFileError, load_permissions
from tui.core.store.errors import StoreError

__all__ = ["UsersFile", "configured_users_path", "current_user"]


def configured_users_path() -> Path | None:
    """`TAIZHANG_USERS` if set: the users.toml the administrator named in sshd's ForceCommand line."""
    configured = os.environ.get("TAIZHANG_USERS")
    return Path(configured).expanduser() if configured else None


def current_user() -> str:
    """The login account, from the OS (not from an environment variable the user could set)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


class UsersFile:
    """The users.toml a store at `db_path` goes by: `TAIZHANG_USERS`, else the one beside db.json.

    Re-read when it changed. A file that someone other than root or the store's owner could have replaced is
    not trusted (`tui.core.file_trust`): everyone then only reads, and `Identity.locked` says why. A file
    named by TAIZHANG_USERS must exist; without that variable, no users.toml beside the store means everyone
    edits.
    """

    def __init__(self, db_path: Path, *, fixed: Permissions | None = None) -> None:
        self.db_path = db_path
        configured = configured_users_path()
        self.path = configured or db_path.with_name(USERS_FILE_NAME)
        self.configured = configured is not None
        self._fixed = fixed
        self._read: tuple[tuple[int, ...] | None, Permissions] | None = None

    def permissions(self, *, recheck: bool = False) -> Permissions:
        """Everyone's rights (`recheck`: look at the file and its folders again even if it seems unchanged)."""
        if self._fixed is not None:
            return self._fixed
        signature: tuple[int, ...] | None
        try:
            found = self.path.stat()
            signature = (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
        except (FileNotFoundError, NotADirectoryError):
            signature = None
        except OSError as error:
            signature = (-1, error.errno or 0)  # there, but not to be looked at: not trusted
        read = self._read
        if recheck or read is None or read[0] != signature:
            read = (signature, self._permissions(present=signature is not None))
            self._read = read
        return read[1]

    def _permissions(self, *, present: bool) -> Permissions:
        path = self.path
        if not present and not self.configured and not path.is_symlink():
            return Permissions()
        if not present and self.configured:
            reason: str | None = f"TAIZHANG_USERS 指定的 {path} 不存在或无法访问"
        else:
            reason = untrusted_reason(path, self._trusted_owners())
        if reason is not None:
            return Permissions.fail_closed(
                path, f"权限文件不可信：{reason}。为安全起见所有人只能查看，请管理员按 README 的安全一节处理。"
            )
        try:
            return load_permissions(path)
        except UsersFileError as error:
            raise StoreError(str(error)) from None

    def _trusted_owners(self) -> frozenset[int]:
        """root and the store's owner (of db.json; of its folder before the first import)."""
        for candidate in (self.db_path, self.db_path.parent):
            try:
                return frozenset({0, candidate.stat().st_uid})
            except OSError:
                continue
        return frozenset({0})
