"""Each unit's own row of a task, one line per unit: 单位, 角色, 状态, 最新进展 and its date (issue 14).

Lead first (its row is the task's overall progress), then the cooperating units, then the townships
(`Task.unit_rows`). The row this session's keys act on (`RowTarget`) is marked with `>` and highlighted,
and the caption names it, so nobody marks another unit's row unawares. Every line is cut to the pane's
width (`fit_cells`): a task has up to six townships besides its units, and the pane is redrawn after
every change, so the table stays one line per unit however long the newest note is.

Not a widget of its own: the detail pane (widgets/task_detail.py) draws the table's lines among its own, so that
a key writes only the lines that changed (issue 16); its styles are the pane's component classes.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from tui.core.display import STATUS_GLYPHS, STATUS_STYLES, fit_cells, terminal_safe
from tui.core.model import Task, UnitRole, UnitRow
from tui.core.permissions import RowTarget

__all__ = ["UnitTable"]

_GAP = "  "
_UNIT_CELLS_MAX = 16  # 区退役军人事务局; longer names are cut
_STATUS_CELLS = 10  # `[~] 推进中`
_WHOLE_DATES_FROM = 30  # cells for the newest note: narrower, its date is written `11-28`
_FULL_ROLES_FROM = 64  # narrower: 乡镇（街道） is written 乡镇, so the newest note keeps some room


def _padded(text: str, cells: int) -> str:
    text = fit_cells(text, cells)
    return text + " " * (cells - cell_len(text))


def _newest_note(row: UnitRow) -> tuple[str, str]:
    """(date, first line of the text, spaces collapsed) of the row's newest note; ("", "") without one."""
    if not row.notes:
        return "", ""
    note = row.notes[-1]
    return note.at[:10], " ".join(terminal_safe(note.text).split())


class UnitTable:
    """The rows of one task, as lines of a given width; the detail pane tells it which task and which row the
    keys act on."""

    def __init__(self) -> None:
        self._rows: tuple[UnitRow, ...] = ()
        self._target: RowTarget | None = None
        self._pending = False
        self._width = 80

    def show(self, task: Task, *, target: RowTarget | None, pending: bool = False) -> None:
        """The unit rows of `task`; `target`: the row this session's keys act on (None: they change nothing
        here); `pending`: the notes are still being read (a large journal)."""
        self._rows = task.unit_rows()
        self._target = target
        self._pending = pending

    def hide(self) -> None:
        self._rows = ()

    @property
    def shown(self) -> bool:
        return bool(self._rows)

    @property
    def text(self) -> str:
        """What the table shows, as plain text (for tests and the detail pane's `text`)."""
        return "\n".join(line.plain for line in self.lines(self._width))

    def caption(self) -> str:
        """`各单位  按键改动：马甲镇 的一行`, and the key with which a supervisor picks another row. Short: at 80
        columns it has about 44 cells."""
        caption = "各单位"
        target = self._target
        if target is not None:
            row = f"{target.unit} 的一行" if target.unit else "整项任务"  # the lead's row, marked below
            caption += f"  按键改动：{row}"
            if target.may_pick:
                caption += "  r 选择单位行"
        if self._pending:
            caption += "  正在读取进展情况..."
        return caption

    def _is_target(self, row: UnitRow) -> bool:
        target = self._target
        if target is None:
            return False
        if target.unit is None:
            return row.role is UnitRole.LEAD
        return row.unit == target.unit

    def lines(self, width: int, heading_style: Style | str = "dim", target_style: Style | str = "reverse") -> list[Text]:
        """The caption, the heading and a line per unit, each cut to `width` cells (none when hidden)."""
        if not self._rows:
            return []
        self._width = width = max(20, width)
        full_roles = width >= _FULL_ROLES_FROM
        unit_cells = min(_UNIT_CELLS_MAX, max((cell_len(terminal_safe(row.unit)) for row in self._rows), default=4))
        roles = [row.role.label if full_roles else row.role.label[:2] for row in self._rows]
        role_cells = max((cell_len(role) for role in roles), default=4)
        note_cells = width - 2 - unit_cells - role_cells - _STATUS_CELLS - 3 * len(_GAP)
        lines = [
            Text(fit_cells(terminal_safe(self.caption()), width), style="bold"),
            Text(
                fit_cells(
                    "  " + _GAP.join((_padded("单位", unit_cells), _padded("角色", role_cells), _padded("状态", _STATUS_CELLS)))
                    + _GAP + "最新进展",
                    width,
                ),
                style=heading_style,
            ),
        ]
        for row, role in zip(self._rows, roles, strict=True):
            date, note = _newest_note(row)
            # A narrow pane keeps room for the note: `11-28` rather than `2026-11-28`.
            shown_date = date if note_cells >= _WHOLE_DATES_FROM else date[5:]
            latest = fit_cells(f"{shown_date} {note}", note_cells) if date else "-"
            targeted = self._is_target(row)
            line = Text.assemble(
                "> " if targeted else "  ",
                _padded(terminal_safe(row.unit), unit_cells),
                _GAP,
                _padded(role, role_cells),
                _GAP,
                (STATUS_GLYPHS[row.status], STATUS_STYLES[row.status]),
                " ",
                _padded(row.status.label, _STATUS_CELLS - 4),
                _GAP,
                (latest, "dim" if latest == "-" else ""),
                no_wrap=True,
                overflow="crop",
            )
            if targeted:
                line.stylize(target_style)
            lines.append(line)
        return lines
