"""The ledger's tree: 一、 sections, （一） subsections, tasks with status marks and roll-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.display import STATUS_GLYPHS, STATUS_STYLES, fit_cells, terminal_safe
from tui.model import Status, Task
from widgets.tree import VimTree

__all__ = ["LedgerTree", "Section", "SectionNode", "Subsection"]


@dataclass(frozen=True)
class Section:
    name: str


@dataclass(frozen=True)
class Subsection:
    section: str
    name: str


SectionNode = Section | Subsection | Task


@dataclass(frozen=True)
class RollUp:
    done: int
    total: int
    overdue: int


def _node_key(item: SectionNode) -> str:
    if isinstance(item, Task):
        return item.id
    if isinstance(item, Subsection):
        return f"{item.section}\n{item.name}"
    return item.name


def _label_fields(task: Task) -> tuple[object, ...]:
    """What a task's line shows (comparing whole tasks would compare every note)."""
    return (task.status, task.no, task.title, task.deadline)


class LedgerTree(VimTree[SectionNode]):
    """Shows a list of tasks grouped by section and subsection; the caller decides which tasks."""

    DEFAULT_CSS = """
    LedgerTree {
        background: $surface;
    }
    LedgerTree > .ledger-tree--overdue {
        color: $error;
        text-style: bold;
    }
    LedgerTree > .ledger-tree--rollup {
        color: $text-muted;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"ledger-tree--overdue", "ledger-tree--rollup"}

    @dataclass
    class ItemHighlighted(Message):
        """The cursor moved to a section, a subsection or a task (None: the tree is empty)."""

        ledger_tree: LedgerTree
        item: SectionNode | None

        @property
        def control(self) -> LedgerTree:
            return self.ledger_tree

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("台账", id=id, classes=classes)
        self.show_root = False
        self.auto_expand = True
        self._today = dt.date.min
        self._shape: tuple[str, ...] = ()
        self._item_nodes: dict[str, TreeNode[SectionNode]] = {}
        self._rollups: dict[str, RollUp] = {}

    # ------------------------------------------------------------------ content

    def show_tasks(self, tasks: Sequence[Task], today: dt.date, *, keep_collapsed: bool = True) -> None:
        """Show these tasks (in this order) under their sections; keep the cursor on the same item.

        When the same tasks are shown as before, only the labels change, so the view does not jump.
        """
        same_day = today == self._today
        self._today = today
        previous_rollups = self._rollups
        self._rollups = self._roll_up(tasks, today)
        shape = tuple(task.id for task in tasks)
        if shape == self._shape and self._item_nodes:
            # Redraw only the lines that changed (a change touches one task and its two roll-ups):
            # refreshing every node made each keypress cost grow with the ledger.
            for task in tasks:
                node = self._item_nodes[task.id]
                shown = node.data
                node.data = task
                if not same_day or not isinstance(shown, Task) or _label_fields(shown) != _label_fields(task):
                    node.refresh()
            for key, rollup in self._rollups.items():
                if not same_day or previous_rollups.get(key) != rollup:
                    self._item_nodes[key].refresh()
            return
        current = self.cursor_node.data if self.cursor_node is not None else None
        collapsed = {key for key, node in self._item_nodes.items() if node.allow_expand and not node.is_expanded}
        self._shape = shape
        self.clear()
        self._item_nodes = {}
        for task in tasks:
            section_key = _node_key(Section(task.section))
            section = self._item_nodes.get(section_key)
            if section is None:
                section = self.root.add(task.section, Section(task.section), expand=True)
                self._item_nodes[section_key] = section
            parent = section
            if task.subsection:
                subsection_item = Subsection(task.section, task.subsection)
                subsection_key = _node_key(subsection_item)
                parent = self._item_nodes.get(subsection_key) or section.add(task.subsection, subsection_item, expand=True)
                self._item_nodes[subsection_key] = parent
            self._item_nodes[task.id] = parent.add_leaf(str(task.no), task)
        if keep_collapsed:
            for key in collapsed:
                if key in self._item_nodes:
                    self._item_nodes[key].collapse()
        if current is None or not self.select_item(current):
            first_task = next((node for node in self._item_nodes.values() if isinstance(node.data, Task)), None)
            self._build_lines()
            self.move_cursor(first_task)
            # Show the section headings above the first task, not just the task.
            self.call_after_refresh(self._scroll_to_top_if_on, first_task)
            self.post_message(self.ItemHighlighted(self, first_task.data if first_task else None))

    def _scroll_to_top_if_on(self, node: TreeNode[SectionNode] | None) -> None:
        if node is not None and self.cursor_node is node:
            self.scroll_to(y=0, animate=False)

    def select_item(self, item: SectionNode) -> bool:
        """Move the cursor to the node showing `item` (by identity, not by value); False if not shown."""
        node = self._item_nodes.get(_node_key(item))
        if node is None:
            return False
        parent = node.parent
        while parent is not None and not parent.is_root:
            parent.expand()
            parent = parent.parent
        self._build_lines()
        self.move_cursor(node)
        return True

    def select_task_id(self, task_id: str) -> bool:
        node = self._item_nodes.get(task_id)
        return node is not None and node.data is not None and self.select_item(node.data)

    @property
    def highlighted_item(self) -> SectionNode | None:
        node = self.cursor_node
        return node.data if node is not None else None

    @property
    def shown_task_count(self) -> int:
        return len(self._shape)

    @staticmethod
    def _roll_up(tasks: Sequence[Task], today: dt.date) -> dict[str, RollUp]:
        # Keys spelled as _node_key spells them, without building a Section per task: this runs
        # over every shown task after each change.
        counts: dict[str, list[int]] = {}
        for task in tasks:
            done = task.status in (Status.DONE, Status.CLOSED)
            overdue = task.is_overdue(today)
            keys = (task.section, f"{task.section}\n{task.subsection}") if task.subsection else (task.section,)
            for key in keys:
                entry = counts.get(key)
                if entry is None:
                    entry = counts[key] = [0, 0, 0]
                entry[0] += done
                entry[1] += 1
                entry[2] += overdue
        return {key: RollUp(*entry) for key, entry in counts.items()}

    # ------------------------------------------------------------------ rendering

    def render_label(self, node: TreeNode[SectionNode], base_style: Style, style: Style) -> Text:
        item = node.data
        if item is None:
            return super().render_label(node, base_style, style)
        depth = 0
        parent = node.parent
        while parent is not None:
            depth += 1
            parent = parent.parent
        icon = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""
        width = max(8, self.scrollable_content_region.width - (depth - 1) * self.guide_depth - len(icon) - 1)
        overdue_style = self.get_component_rich_style("ledger-tree--overdue", partial=True)
        if isinstance(item, Task):
            glyph = STATUS_GLYPHS[item.status]
            suffix = " 逾期" if item.is_overdue(self._today) else ""
            head = f"{glyph} {item.no:>2} "
            title = fit_cells(terminal_safe(item.title), width - cell_len(head) - cell_len(suffix))
            text = Text.assemble(
                (glyph, STATUS_STYLES[item.status]),
                (head[len(glyph) :], ""),
                (title, ""),
                (suffix, overdue_style),
            )
        else:
            rollup = self._rollups.get(_node_key(item), RollUp(0, 0, 0))
            counts = f" {rollup.done}/{rollup.total}"
            late = f" 逾期{rollup.overdue}" if rollup.overdue else ""
            name = fit_cells(terminal_safe(item.name), width - cell_len(counts) - cell_len(late))
            text = Text.assemble(
                (name, "bold" if isinstance(item, Section) else ""),
                (counts, self.get_component_rich_style("ledger-tree--rollup", partial=True)),
                (late, overdue_style),
            )
        text.stylize(style)
        return Text.assemble((icon, base_style), text)

    @on(Tree.NodeHighlighted)
    def _announce_highlight(self, event: Tree.NodeHighlighted[SectionNode]) -> None:
        event.stop()
        self.post_message(self.ItemHighlighted(self, event.node.data))
