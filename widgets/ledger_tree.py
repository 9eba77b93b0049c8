"""The ledger's tree: 一、 sections, （一） subsections, tasks with status marks and roll-ups.

The marks are the tasks' overall statuses, or one unit's own rows' when the screen shows that unit's tasks
(`show_tasks(row_of=...)`, issue 14).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on
from textual.events import Resize
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.core.display import STATUS_GLYPHS, STATUS_STYLES, fit_cells, terminal_safe
from tui.core.model import Task
from tui.textual_internals import OwnVirtualSize, QuietFocus, lay_out_lines
from widgets.tree import VimTree

__all__ = ["LedgerTree", "Section", "SectionNode", "Subsection"]


@dataclass(frozen=True)
class Section:
    name: str

    @property
    def title(self) -> str:
        return self.name

    def holds(self, task: Task) -> bool:
        return task.section == self.name


@dataclass(frozen=True)
class Subsection:
    section: str
    name: str

    @property
    def title(self) -> str:
        return f"{self.section} › {self.name}"

    def holds(self, task: Task) -> bool:
        return task.section == self.section and task.subsection == self.name


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


def _depth(node: TreeNode[SectionNode]) -> int:
    """How many ancestors a node has (the hidden root counts)."""
    depth = 0
    parent = node.parent
    while parent is not None:
        depth += 1
        parent = parent.parent
    return depth


def _label_fields(task: Task, row_of: str | None) -> tuple[object, ...]:
    """What a task's line shows (comparing whole tasks would compare every note)."""
    return (task.status_for(row_of), task.no, task.title, task.deadline)


@dataclass(slots=True)
class _Deferred:
    """A task whose leaf is not built yet because its group is collapsed."""

    task: Task
    group: str  # the _node_key of the section or subsection that will hold its leaf
    position: int  # how many of the group's children come before it, not counting its waiting tasks


class LedgerTree(VimTree[SectionNode], OwnVirtualSize, QuietFocus):
    """Shows a list of tasks grouped by section and subsection; the caller decides which tasks.

    Above LAZY_THRESHOLD shown tasks the tree is built lazily: subsections (and sections holding tasks
    but no subsections) start collapsed, and a collapsed group's task leaves are only created when it
    first expands. Roll-ups always count every task.
    """

    LAZY_THRESHOLD: ClassVar[int] = 300

    DEFAULT_CSS = """
    /* The same focused or not (QuietFocus): its pane's title shows where the focus is, and the cursor stays
       lit while the note editor is open, on the task the note is for. */
    LedgerTree, LedgerTree:focus {
        /* Its column always there, as the detail's: a scrollbar that appears once the lines are counted moved
           every widget's place in the compositor, and the whole screen was written a second time (issue 16). */
        overflow-y: scroll;
        background: $surface;
        background-tint: $foreground 0%;
    }
    LedgerTree > .tree--cursor, LedgerTree:focus > .tree--cursor {
        color: $block-cursor-foreground;
        background: $block-cursor-background;
        text-style: $block-cursor-text-style;
    }
    LedgerTree > .tree--guides, LedgerTree:focus > .tree--guides,
    LedgerTree > .tree--guides-hover, LedgerTree:focus > .tree--guides-hover {
        color: $surface-lighten-2;
    }
    LedgerTree > .tree--guides-selected, LedgerTree:focus > .tree--guides-selected {
        color: $block-cursor-background;
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
        self._row_of: str | None = None  # the unit whose own rows' statuses the marks show (None: overall)
        self._shape: tuple[tuple[str, str, str], ...] = ()
        self._item_nodes: dict[str, TreeNode[SectionNode]] = {}  # built nodes only
        self._rollups: dict[str, RollUp] = {}
        self._pending: dict[str, list[_Deferred]] = {}  # group key -> its unbuilt tasks, in order
        self._deferred: dict[str, _Deferred] = {}  # task id -> where it waits
        # Groups the user expanded or collapsed since the last reset (keep_collapsed=False): key -> expanded.
        self._remembered: dict[str, bool] = {}

    # ------------------------------------------------------------------ content

    def show_tasks(
        self, tasks: Sequence[Task], today: dt.date, *, keep_collapsed: bool = True, row_of: str | None = None
    ) -> None:
        """Show these tasks (in this order) under their sections; keep the cursor on the same item.

        When the same tasks are shown as before, only the labels change, so the view does not jump.
        keep_collapsed: groups the user expanded or collapsed keep that state; otherwise every group
        takes the default for this many tasks (all expanded, or lazily collapsed above LAZY_THRESHOLD).
        row_of: the unit whose own row's status each task's mark, overdue and roll-up show (None: the overall).
        """
        # Every line is drawn again when the day or the rows shown change.
        same_view = today == self._today and row_of == self._row_of
        self._today = today
        self._row_of = row_of
        previous_rollups = self._rollups
        self._rollups = self._roll_up(tasks, today, row_of)
        # The groups too: a revision that renames a section keeps every task id, but not the section nodes.
        shape = tuple((task.id, task.section, task.subsection) for task in tasks)
        if shape == self._shape and self._item_nodes:
            # Redraw only the lines that changed (a change touches one task and its two roll-ups):
            # refreshing every node made each keypress cost grow with the ledger.
            for task in tasks:
                node = self._item_nodes.get(task.id)
                if node is None:
                    self._deferred[task.id].task = task  # not built: its leaf shows this when its group expands
                    continue
                shown = node.data
                node.data = task
                if not same_view or not isinstance(shown, Task) or _label_fields(shown, row_of) != _label_fields(task, row_of):
                    node.refresh()
            for key, rollup in self._rollups.items():
                if not same_view or previous_rollups.get(key) != rollup:
                    self._item_nodes[key].refresh()
            return
        current = self.cursor_node.data if self.cursor_node is not None else None
        if not keep_collapsed:
            self._remembered.clear()
        remembered = self._remembered
        lazy = len(tasks) > self.LAZY_THRESHOLD
        # Lazily, a section stays open when it has subsections to show; one holding only tasks starts closed.
        open_sections = {task.section for task in tasks if task.subsection} if lazy else set()
        self._shape = shape
        self.clear()
        item_nodes: dict[str, TreeNode[SectionNode]] = {}
        self._item_nodes = item_nodes
        self._pending = {}
        self._deferred = {}
        pending = self._pending
        for task in tasks:
            # Keys spelled as _node_key spells them, without building a Section per task.
            section_key = task.section
            section = item_nodes.get(section_key)
            if section is None:
                expand = remembered.get(section_key, not lazy or section_key in open_sections)
                section = item_nodes[section_key] = self.root.add(task.section, Section(task.section), expand=expand)
            parent, parent_key = section, section_key
            if task.subsection:
                parent_key = f"{section_key}\n{task.subsection}"
                found = item_nodes.get(parent_key)
                if found is None:
                    item = Subsection(task.section, task.subsection)
                    expand = remembered.get(parent_key, not lazy)
                    found = item_nodes[parent_key] = section.add(task.subsection, item, expand=expand)
                parent = found
            if lazy and not parent.is_expanded:
                deferred = self._deferred[task.id] = _Deferred(task, parent_key, len(parent.children))
                pending.setdefault(parent_key, []).append(deferred)
            else:
                item_nodes[task.id] = parent.add_leaf(str(task.no), task)
        if current is None or not self.select_item(current):
            # The first task, its group built and expanded if it was waiting.
            if tasks:
                # Without scrolling to it: the first task is near the top, and its headings stay in view.
                self.select_item(tasks[0], scroll=False)
            else:
                lay_out_lines(self)
                self.move_cursor(None)
            # In case the view was scrolled before: show the headings above the first task, not just the task.
            self.call_after_refresh(self._scroll_to_top_if_on, self.cursor_node)
            self.post_message(self.ItemHighlighted(self, tasks[0] if tasks else None))

    def _scroll_to_top_if_on(self, node: TreeNode[SectionNode] | None) -> None:
        if node is not None and self.cursor_node is node:
            self.scroll_to(y=0, animate=False)

    def select_item(self, item: SectionNode, *, scroll: bool = True) -> bool:
        """Move the cursor to the node showing `item` (by identity, not by value); False if not shown.

        A task whose group is collapsed and not built yet gets its group built and expanded first.
        `scroll=False` leaves the view where it is.
        """
        key = _node_key(item)
        node = self._item_nodes.get(key)
        if node is None:
            deferred = self._deferred.get(key) if isinstance(item, Task) else None
            if deferred is None:
                return False
            self._build_deferred(self._item_nodes[deferred.group])
            node = self._item_nodes[key]
        parent = node.parent
        while parent is not None and not parent.is_root:
            if not parent.is_expanded:
                parent.expand()
            parent = parent.parent
        lay_out_lines(self)
        if scroll:
            self.move_cursor(node)
        else:
            self.cursor_line = node.line
        return True

    def select_task_id(self, task_id: str) -> bool:
        node = self._item_nodes.get(task_id)
        if node is not None:
            return node.data is not None and self.select_item(node.data)
        deferred = self._deferred.get(task_id)
        return deferred is not None and self.select_item(deferred.task)

    @property
    def highlighted_item(self) -> SectionNode | None:
        # From the cursor line, not `cursor_node`: that is set by a watcher, which Textual runs only
        # once this tree has processed its own mount, and the screen asks before its first frame.
        node = self.get_node_at_line(self.cursor_line) if self.cursor_line >= 0 else None
        return node.data if node is not None else None

    @property
    def shown_task_count(self) -> int:
        return len(self._shape)

    # ------------------------------------------------------------------ lazy building

    def node_expanding(self, node: TreeNode[SectionNode]) -> None:
        # However it expands (keys, mouse, code): its deferred leaves are built first.
        self._build_deferred(node)
        self._remember(node, expanded=True)

    def node_collapsing(self, node: TreeNode[SectionNode]) -> None:
        self._remember(node, expanded=False)

    def _build_deferred(self, node: TreeNode[SectionNode]) -> None:
        """Create the leaves of a group's tasks that waited for it to expand (none: nothing to do)."""
        if isinstance(node.data, Task) or node.data is None:
            return
        waiting = self._pending.pop(_node_key(node.data), None)
        if not waiting:
            return
        for built, deferred in enumerate(waiting):
            task = deferred.task
            del self._deferred[task.id]
            self._item_nodes[task.id] = node.add_leaf(str(task.no), task, before=deferred.position + built)

    def _remember(self, node: TreeNode[SectionNode], *, expanded: bool) -> None:
        if isinstance(node.data, Section | Subsection):
            self._remembered[_node_key(node.data)] = expanded

    @staticmethod
    def _roll_up(tasks: Sequence[Task], today: dt.date, row_of: str | None) -> dict[str, RollUp]:
        # Keys spelled as _node_key spells them, without building a Section per task: this runs
        # over every shown task after each change.
        counts: dict[str, list[int]] = {}
        for task in tasks:
            done = task.status_for(row_of).finished
            overdue = task.is_overdue_for(row_of, today)
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

    def get_label_width(self, node: TreeNode[SectionNode]) -> int:
        # render_label cuts every label to the pane, so no label widens the view: the lines are laid out the same at
        # any width (their strips are cached per width). Textual's default renders every label to measure it.
        return 0

    def on_resize(self, event: Resize) -> None:
        # Tree._on_resize lays out every line again and repaints the tree, also when it is first shown: a second
        # whole frame after the first (issue 16). The lines do not depend on the width (above), and a change of
        # size repaints the tree anyway.
        event.prevent_default()

    def render_label(self, node: TreeNode[SectionNode], base_style: Style, style: Style) -> Text:
        item = node.data
        if item is None:
            return super().render_label(node, base_style, style)
        depth = _depth(node)
        icon = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""
        width = max(8, self.scrollable_content_region.width - (depth - 1) * self.guide_depth - len(icon) - 1)
        overdue_style = self.get_component_rich_style("ledger-tree--overdue", partial=True)
        if isinstance(item, Task):
            status = item.status_for(self._row_of)
            glyph = STATUS_GLYPHS[status]
            suffix = " 逾期" if item.is_overdue_for(self._row_of, self._today) else ""
            head = f"{glyph} {item.no:>2} "
            title = fit_cells(terminal_safe(item.title), width - cell_len(head) - cell_len(suffix))
            text = Text.assemble(
                (glyph, STATUS_STYLES[status]),
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
        if event.node is not self.cursor_node:
            # The cursor has moved on since (the tree's root, highlighted before the first tasks were shown): the
            # screen would show it, then the task, and the footer's keys greyed and lit again.
            return
        self.post_message(self.ItemHighlighted(self, event.node.data))
