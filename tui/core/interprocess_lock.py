"""An exclusive lock shared by every process that writes the store (fcntl.flock on a lock file).

Written here rather than taken from `filelock`: importing that package costs more than the
whole rest of a `taizhang mark`, and flock on Linux is all the server needs. The lock file is
opened read-only when it exists, so colleagues in the same group can lock whatever its mode.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import suppress
from pathlib import Path
from types import TracebackType

from tui.core.shared_files import new_file_mode

__all__ = ["InterProcessLock", "LockTimeout"]

_POLL_SECONDS = 0.01


class LockTimeout(Exception):
    """The lock stayed held by another process for longer than the timeout."""


class InterProcessLock:
    """Re-entrant within one thread, exclusive across threads and processes."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            pass
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return os.open(self.path, os.O_RDONLY)
        # Whoever creates the lock file decides who can ever lock it: give it the group's rights.
        with suppress(OSError):
            os.fchmod(fd, new_file_mode(self.path.parent))
        return fd

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        if not self._thread_lock.acquire(timeout=self.timeout):
            raise LockTimeout(str(self.path))
        if self._depth == 0:
            try:
                fd = self._open()
            except BaseException:
                self._thread_lock.release()
                raise
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        os.close(fd)
                        self._thread_lock.release()
                        raise LockTimeout(str(self.path)) from None
                    time.sleep(_POLL_SECONDS)
            self._fd = fd
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._thread_lock.release()

    def hold_until_exit(self, timeout: float) -> bool:
        """Wait up to `timeout` s for this process's holder to let go, then keep every other thread of
        this process out for good: for a process about to end at once. Whether it let go in time."""
        return self._thread_lock.acquire(timeout=timeout)

    def __enter__(self) -> InterProcessLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()
