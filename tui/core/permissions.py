"""Who may change what: roles and units from an optional `users.toml` beside the store.

The file (UTF-8 TOML, read with the standard library's `tomllib`)::

    # Accounts not listed below; "editor" when omitted.
    default_role = "viewer"

    [users.zhangsan]          # the login name on the server
    name = "张三"              # optional: shown in notifications instead of the login
    unit = "区民政局"          # optional: an editor may change only tasks that list this unit
    role = "editor"           # viewer | editor | supervisor

    [users.lisi]
    name = "李四"
    role = "supervisor"

Roles: `viewer` reads only; `editor` marks and writes notes on the tasks their unit takes part in
(aliases such as 区退役军人局 / 区退役军人事务局 count as one; a township takes part in every task the
district-wide note covers), or on every task when no unit is given, but neither marks a task 已销号 nor
changes a closed task's status; `supervisor` may do everything, including 已销号, imports and the list
of townships. Without the file everyone is an editor of every task, and nothing is reserved for a
supervisor (there is none): 已销号 and imports are open to all.

Each unit of a task has its own row (status and notes); the lead unit's row is the task's overall
progress. An editor of the lead unit changes the overall row; an editor of a cooperating unit or a
township changes only that unit's own row (`Identity.refusal`, `Identity.row_target`).

The file is the one `TAIZHANG_USERS` names (sshd's ForceCommand sets it, e.g. a root-owned
`/etc/taizhang/users.toml`), else users.toml beside the store; the store trusts it only when nobody it
constrains could have replaced it (`tui.core.file_trust`), and otherwise makes everyone a viewer, saying
why (`Permissions.fail_closed`). Identity is the OS login, never taken from the environment. Pure
rules: no storage, no UI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from tui.core.model import Ledger, Status, Task, without_controls

__all__ = [
    "USERS_FILE_NAME",
    "Identity",
    "Permissions",
    "Role",
    "RowTarget",
    "UsersFileError",
    "closest_units",
    "identity_label",
    "load_permissions",
    "ready_to_close_notice",
    "unit_warning",
    "users_unit_warnings",
]

USERS_FILE_NAME = "users.toml"


class UsersFileError(ValueError):
    """A malformed users.toml; the message names the file and line, in Chinese."""


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    SUPERVISOR = "supervisor"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {Role.VIEWER: "只读", Role.EDITOR: "编辑", Role.SUPERVISOR: "主管"}


@dataclass(frozen=True)
class Identity:
    """One login account with its rights."""

    login: str
    role: Role = Role.EDITOR
    unit: str = ""
    name: str = ""
    # No users.toml: nobody is a supervisor, so nothing is reserved for one.
    unsupervised: bool = False
    # users.toml is not trusted: this account may only read, and this one line says why.
    locked: str = ""

    @property
    def display_name(self) -> str:
        return self.name or self.login

    def describe(self) -> str:
        """`zhangsan，区民政局 编辑` — for messages that say why something was refused."""
        who = self.login if not self.name else f"{self.name}/{self.login}"
        return f"{who}，{self.unit} {self.role.label}" if self.unit else f"{who}，{self.role.label}"

    @property
    def may_change_any_row(self) -> bool:
        """A supervisor, or anyone when there is no users.toml: every row of every task, 已销号 included."""
        return not self.locked and (self.role is Role.SUPERVISOR or (self.unsupervised and self.role is Role.EDITOR))

    def refusal(
        self,
        action: str,
        task: Task | None = None,
        *,
        unit: str | None = None,
        new_status: Status | None = None,
        old_status: Status | None = None,
    ) -> str | None:
        """Why this account may not do `action` (`status`, `note`, `undo`, `import`, `towns`) on the row of
        `unit` of `task` (None: the overall row, which is the lead's); None when it may. `old_status` is that
        row's status now, `new_status` the one it would get."""
        if self.locked:
            return self.locked
        prefix = f"你（{self.describe()}）"
        if self.may_change_any_row:
            return None
        if self.role is Role.VIEWER:
            return f"{prefix}只能查看台账，不能修改。如需修改请联系管理员。"
        if action == "import":
            return f"{prefix}无权导入任务清单：导入只能由主管进行。"
        if action == "towns":
            return f"{prefix}无权设定乡镇（街道）：只能由主管设定。"
        target = f"{task.no} 号任务" if task is not None else "该任务"
        if task is not None and self.unit:
            refused = self._row_refusal(action, task, unit)
            if refused is not None:
                return f"{prefix}无权修改 {target}：{refused}"
        if action in ("status", "undo"):
            if new_status is Status.CLOSED:
                return f"{prefix}无权将 {target}标为已销号：销号只能由主管进行。"
            if old_status is Status.CLOSED or (task is not None and task.status is Status.CLOSED):
                return f"{prefix}无权更改 {target}的状态：该任务已销号，只能由主管更改。"
        return None

    def _row_refusal(self, action: str, task: Task, unit: str | None) -> str | None:
        """Why this unit's editor may not change that row of the task: not its task, or not its own row."""
        if task.role_of(self.unit) is None:
            return f"该任务不属于{self.unit}。"
        row = task.row_key(unit)
        if row == task.row_key(self.unit):
            return None
        if row is None:
            what = "进展" if action == "note" else "状态"
            return f"只有牵头单位（{task.lead_unit}）或督办可以改动整项任务的{what}。"
        return f"只能改动本单位（{self.unit}）的一行，不能改动{unit}的。"

    def row_target(self, task: Task) -> RowTarget:
        """The row of `task` this account's keys act on: its own unit's row when the unit cooperates on the task
        or is a township of it, else the overall row (the lead's: for the lead unit, supervisors, editors
        without a unit, anyone without users.toml), and whether it may pick another unit's row instead."""
        may_pick = self.may_change_any_row or (self.role is Role.EDITOR and not self.unit and not self.locked)
        key = task.row_key(self.unit) if self.unit and task.role_of(self.unit) is not None else None
        if key is None or may_pick:
            return RowTarget(None, task.lead_unit, may_pick)
        name = next(row.unit for row in task.unit_rows() if row.key == key)
        return RowTarget(name, name, False)


@dataclass(frozen=True)
class RowTarget:
    """Which row of a task a session's keys act on (`Identity.row_target`)."""

    # The unit whose own row it is, as the task names it; None for the overall row (also the lead's).
    unit: str | None
    # Who the row belongs to, for the message line (`46 号任务 区公安分局：未启动 -> 推进中`): the unit, or the lead.
    owner: str
    # A supervisor (or anyone without users.toml, or an editor without a unit) may act on any unit's row.
    may_pick: bool


@dataclass(frozen=True)
class Permissions:
    """Everyone's rights, as one users.toml says (or the defaults without one)."""

    users: dict[str, Identity] = field(default_factory=dict)
    default_role: Role = Role.EDITOR
    source: Path | None = None
    refused: str = ""  # why the file is not trusted (then everyone only reads)

    @classmethod
    def fail_closed(cls, source: Path, why: str) -> Permissions:
        """Everyone a viewer, named by login only: what an untrusted users.toml gives."""
        return cls(default_role=Role.VIEWER, source=source, refused=why)

    def identity(self, login: str) -> Identity:
        if self.refused:
            return Identity(login=login, role=Role.VIEWER, locked=self.refused)
        if self.source is None:
            return Identity(login=login, role=self.default_role, unsupervised=True)
        return self.users.get(login) or Identity(login=login, role=self.default_role)

    def display_name(self, login: str) -> str:
        known = self.users.get(login)
        return known.display_name if known is not None else login


def identity_label(identity: Identity) -> str:
    """`zhangsan・区卫健局・编辑` (with `张三(zhangsan)` when users.toml names the account), for the app's header."""
    who = f"{identity.name}({identity.login})" if identity.name else identity.login
    return "・".join(part for part in (who, identity.unit, identity.role.label) if part)


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def _line_of(text: str, pattern: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.search(pattern, line):
            return number
    return None


def _role(value: Any, path: Path, line: int | None) -> Role:
    try:
        return Role(value)
    except ValueError:
        where = f"第 {line} 行" if line else ""
        raise UsersFileError(
            f"{path} {where}：没有“{value}”这个角色，可用 viewer（只读）、editor（编辑）、supervisor（主管）。"
        ) from None


def parse_permissions(text: str, path: Path) -> Permissions:
    import tomllib  # only when a users.toml exists

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = _TOML_POSITION.search(str(error))
        where = f"第 {match.group(1)} 行" if match else "中"
        raise UsersFileError(f"{path} {where}格式有误（不是有效的 TOML），请改正后重试。") from None
    unknown = sorted(set(data) - {"default_role", "users"})
    if unknown:
        line = _line_of(text, rf"^\s*\[?\s*{re.escape(unknown[0])}\b")
        where = f"第 {line} 行" if line else ""
        raise UsersFileError(f"{path} {where}：不认识的设置“{unknown[0]}”，只能有 default_role 和 [users.登录名]。")
    default_role = _role(data.get("default_role", "editor"), path, _line_of(text, r"^\s*default_role\s*="))
    users_table = data.get("users", {})
    if not isinstance(users_table, dict):
        line = _line_of(text, r"^\s*users\s*=")
        raise UsersFileError(f"{path} 第 {line} 行：users 应写成 [users.登录名] 小节。")
    users: dict[str, Identity] = {}
    for login, entry in users_table.items():
        header = _line_of(text, rf"^\s*\[\s*users\s*\.\s*\"?{re.escape(login)}\"?\s*\]")
        if not isinstance(entry, dict):
            raise UsersFileError(f"{path} 第 {header or '?'} 行：[users.{login}] 应是一个小节，含 unit、role、name。")
        extra = sorted(set(entry) - {"unit", "role", "name"})
        if extra:
            raise UsersFileError(f"{path} 第 {header or '?'} 行起：[users.{login}] 中不认识的设置“{extra[0]}”。")
        for key in ("unit", "role", "name"):
            if key in entry and not isinstance(entry[key], str):
                raise UsersFileError(f"{path} 第 {header or '?'} 行起：[users.{login}] 的 {key} 应是带引号的文字。")
        users[login] = Identity(
            login=login,
            role=_role(entry.get("role", default_role.value), path, header),
            # Shown in everyone's notifications and headers: no control characters (see without_controls).
            unit=without_controls(entry.get("unit", "")).strip(),
            name=without_controls(entry.get("name", "")).strip(),
        )
    return Permissions(users=users, default_role=default_role, source=path)


def load_permissions(path: Path) -> Permissions:
    """The rights a users.toml at `path` gives; everyone an editor when there is no such file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Permissions()
    except OSError as error:
        raise UsersFileError(f"无法读取 {path}（{error.strerror}），请联系管理员检查文件权限。") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsersFileError(f"{path} 不是 UTF-8 编码的文本，请以 UTF-8 保存。") from None
    return parse_permissions(text, path)


# ---------------------------------------------------------------------- units that the ledger does not know

# How alike (rapidfuzz `fuzz.ratio`, 0-100) a ledger's unit must be to a misspelt one to be offered instead:
# `卫健局` and `区卫健局` score 86, two different bureaus that share `局` and one other character about 57.
_SUGGESTION_CUTOFF = 60.0
_SUGGESTIONS = 3


def closest_units(unit: str, ledger: Ledger) -> list[str]:
    """The ledger's units and townships most like `unit`, best first (at most three; none alike enough: [])."""
    from rapidfuzz import fuzz, process  # only when a unit is not found

    names = [name for name, _count in ledger.units()]
    found = process.extract(unit, names, scorer=fuzz.ratio, score_cutoff=_SUGGESTION_CUTOFF, limit=_SUGGESTIONS)
    best = found[0][1] if found else 0.0
    return [name for name, score, _index in found if score >= best - 10]


def _unknown_unit(unit: str, ledger: Ledger) -> str | None:
    """`单位“卫健局”不是台账中的单位或乡镇（街道），是不是 区卫健局？`, or None when the ledger knows the unit."""
    if not unit or ledger.unit_name(unit) is not None:
        return None
    closest = closest_units(unit, ledger)
    guess = f"，是不是 {'、'.join(closest)}？" if closest else "。可用 taizhang list 和 taizhang towns 查看单位名称。"
    return f"单位“{unit}”不是台账中的单位或乡镇（街道）{guess}"


def unit_warning(identity: Identity, ledger: Ledger) -> str | None:
    """The one line the app shows at login when users.toml gives this account a unit the ledger does not know
    (aliases resolved through `canonical_unit`, townships included); None when it knows it."""
    unknown = _unknown_unit(identity.unit, ledger)
    if unknown is None:
        return None
    if identity.role is Role.EDITOR and not identity.unsupervised:
        return f"users.toml 中你的{unknown}改正之前你不能改动任何任务，请联系管理员。"
    return f"users.toml 中你的{unknown}请联系管理员改正。"


def users_unit_warnings(permissions: Permissions, ledger: Ledger) -> list[str]:
    """One line per account of users.toml whose unit the ledger does not know (for `taizhang check`)."""
    lines = []
    for login, identity in permissions.users.items():
        unknown = _unknown_unit(identity.unit, ledger)
        if unknown is not None:
            lines.append(f"{permissions.source} 中 [users.{login}] 的{unknown}")
    return lines


def ready_to_close_notice(identity: Identity, task: Task) -> str | None:
    """`12 号任务各单位均已完成，可销号。` for those who answer for the whole task (the lead unit's editors,
    supervisors, editors without a unit, anyone without users.toml) once every unit's row is finished; else None."""
    if not task.ready_to_close or identity.locked:
        return None
    answers = identity.may_change_any_row or (
        identity.role is Role.EDITOR and (not identity.unit or task.row_key(identity.unit) is None)
    )
    return f"{task.no} 号任务各单位均已完成，可销号。" if answers else None
