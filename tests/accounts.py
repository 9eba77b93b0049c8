"""Running the real CLI as another Unix account, and file systems made for a test (root only).

CI runs the suite as root, for whom permission checks never fail; these helpers run `taizhang` as
`nobody` (optionally with a supplementary group) through `setpriv`, with Debian's /usr/bin/python3
and this checkout's sources and installed packages (the pyenv python under /root is mode 700), and
mount small tmpfs file systems to fill up or make read-only. Each helper says why it cannot run here,
for a `pytest.skip` with a clear reason.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import PROJECT

SYSTEM_PYTHON = Path("/usr/bin/python3")
NOBODY = pwd.getpwnam("nobody") if "nobody" in {entry.pw_name for entry in pwd.getpwall()} else None


def _system_python_matches() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, check=False
    )
    return probe.stdout.strip() == str(tuple(sys.version_info[:2]))


def cannot_run_as_nobody() -> str | None:
    """Why the CLI cannot be run as `nobody` here; None when it can."""
    if os.geteuid() != 0:
        return "needs root to run the CLI as another account (CI runs tests as root)"
    if NOBODY is None or shutil.which("setpriv") is None:
        return "needs the `nobody` account and setpriv (util-linux)"
    if not _system_python_matches():
        return f"{SYSTEM_PYTHON} is missing or not Python {sys.version_info[0]}.{sys.version_info[1]} like this venv"
    probe = run_as_nobody([str(SYSTEM_PYTHON), "-c", "import tui.cli, tinydb, docx"])
    if probe.returncode != 0:
        return f"nobody cannot import the project from {PROJECT}: {probe.stderr.strip()[-200:]}"
    return None


def run_as_nobody(
    argv: Sequence[str | Path],
    *,
    groups: Sequence[int] = (),
    env: dict[str, str] | None = None,
    umask: int | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`argv` as the account nobody (with `groups` as its only supplementary groups)."""
    assert NOBODY is not None
    python_path = os.pathsep.join([str(PROJECT), sysconfig.get_paths()["purelib"]])
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/nonexistent",
        "LANG": "C.UTF-8",
        "PYTHONPATH": python_path,
        "PYTHONDONTWRITEBYTECODE": "1",
        **(env or {}),
    }
    group_option = ["--groups", ",".join(str(gid) for gid in groups)] if groups else ["--clear-groups"]
    command = [
        "setpriv",
        f"--reuid={NOBODY.pw_uid}",
        f"--regid={NOBODY.pw_gid}",
        *group_option,
        "--",
        *(["sh", "-c", f'umask {umask:03o} && exec "$@"', "sh"] if umask is not None else []),
        *[str(part) for part in argv],
    ]
    return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=cwd, timeout=120, check=False)


def taizhang_as_nobody(*argv: str | Path, groups: Sequence[int] = (), env: dict[str, str] | None = None):
    """`taizhang ARGV...` as nobody."""
    return run_as_nobody([SYSTEM_PYTHON, "-m", "tui.cli", *argv], groups=groups, env=env)


@contextmanager
def open_folder() -> Iterator[Path]:
    """A fresh folder under /tmp that every account can reach (pytest's tmp_path is root's, mode 700)."""
    folder = Path(tempfile.mkdtemp(prefix="taizhang-test-", dir="/tmp"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cannot_mount() -> str | None:
    if os.geteuid() != 0:
        return "needs root to mount a small tmpfs (CI runs tests as root)"
    if shutil.which("mount") is None:
        return "needs mount(8)"
    return None


@contextmanager
def small_tmpfs(folder: Path, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder` for the duration."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_up(folder: Path) -> Path:
    """Write a filler file until the file system holding `folder` is full; the filler's path."""
    filler = folder / "filler.bin"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
        except OSError:
            pass
        try:
            while True:  # the last few blocks, a byte at a time
                handle.write(b"\0")
        except OSError:
            pass
    return filler


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
