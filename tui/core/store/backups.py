"""Where a damaged store can be restored from, named as it is on this machine.

Two kinds of copy exist: the one an import makes of db.json and the journal before it rewrites them
(`backups/<stamp>/` beside db.json, `imports.backup`), and the daily archive the README's deployment
sets up (`/var/backups/taizhang`, root's). A message about a damaged file points at whichever exists.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["BACKUP_STAMP", "DAILY_BACKUPS", "IMPORT_BACKUPS", "import_backups", "restore_advice", "store_folder"]

IMPORT_BACKUPS = "backups"
BACKUP_STAMP = re.compile(r"^\d{8}-\d{6}(-\d+)?$")
# README 部署 step 5: the daily archives root makes of the whole store folder.
DAILY_BACKUPS = Path("/var/backups/taizhang")


def store_folder(path: Path) -> Path:
    """The folder holding db.json, given db.json or any file of its journal (`db.journal/2026-11.json`)."""
    return path.parent.parent if path.parent.name.endswith(".journal") else path.parent


def import_backups(folder: Path) -> list[Path]:
    """The copies imports made in `folder`/backups, oldest first."""
    try:
        found = [entry for entry in (folder / IMPORT_BACKUPS).iterdir() if BACKUP_STAMP.match(entry.name)]
    except OSError:
        return []
    return sorted(found, key=lambda entry: entry.name)


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def restore_advice(path: Path) -> str:
    """One sentence for a damaged file of the store at or beside `path`: the backups that exist and how to
    use them, or that there are none."""
    folder = store_folder(path)
    ways = []
    backups = import_backups(folder)
    if backups:
        latest = backups[-1]
        ways.append(
            f"导入前的备份 {latest}（只含该次导入以前的改动；先运行 taizhang --db {latest / 'db.json'} check 检查，"
            f"再把其中的 db.json 和 db.journal/ 复制回 {folder}）"
        )
    if _is_folder(DAILY_BACKUPS):
        ways.append(f"每日备份 {DAILY_BACKUPS}（请管理员按 README“部署”第 5 步恢复）")
    if not ways:
        return f"{folder} 中没有导入前的备份，本机也没有每日备份 {DAILY_BACKUPS}：请联系管理员。"
    return "可从" + "，或从".join(ways) + "恢复。"
