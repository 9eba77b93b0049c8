"""A tree with vim keys: the generic part of the ledger tree (posting's pattern)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text, TextType
from textual.binding import Binding, BindingType
from textual.widgets.tree import TreeDataType

from tui.core.display import plain_text
from tui.textual_internals import HookedTree, lay_out_lines

__all__ = ["VimTree"]


class VimTree(HookedTree[TreeDataType], inherit_bindings=False):
    """j/k move, h/l collapse/expand (or go to the parent/child), g/G top/bottom, Enter toggles.

    Space is left free on purpose: the screen using the tree gives it a meaning.
    """

    # ASCII icons and no guide lines: box drawing and ▶▼ are ambiguous-width glyphs.
    ICON_NODE = "+ "
    ICON_NODE_EXPANDED = "- "

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "下移", show=False, id="tree.down"),
        Binding("up,k", "cursor_up", "上移", show=False, id="tree.up"),
        Binding("left,h", "collapse_or_parent", "折叠", show=False, id="tree.collapse"),
        Binding("right,l", "expand_or_child", "展开", show=False, id="tree.expand"),
        Binding("home,g", "scroll_home", "到顶部", show=False, id="tree.home"),
        Binding("end,G", "scroll_end", "到底部", show=False, id="tree.end"),
        Binding("pageup", "page_up", "上一页", show=False, id="tree.page_up"),
        Binding("pagedown", "page_down", "下一页", show=False, id="tree.page_down"),
        Binding("enter", "select_cursor", "展开/折叠", show=False, id="tree.toggle"),
    ]

    DEFAULT_CSS = """
    VimTree {
        scrollbar-size-vertical: 1;
    }
    """

    def process_label(self, label: TextType) -> Text:
        # Node names come from the ledger's document: a `str` is shown as written, never read as markup.
        return super().process_label(plain_text(label) if isinstance(label, str) else label)

    def on_mount(self) -> None:
        self.show_guides = False
        self.guide_depth = 2

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and not node.parent.is_root:
            self.move_cursor(node.parent)

    def action_expand_or_child(self) -> None:
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if not node.is_expanded:
            node.expand()
        elif node.children:
            lay_out_lines(self)
            self.move_cursor(node.children[0])
