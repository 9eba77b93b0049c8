"""The yardstick for the first-frame benchmark: a bare Textual app with taizhang's widgets.

A header line, a tree holding every section, subsection and task of the ledger, a detail text
and the stock Footer — and no logic. `python -m benchmarks.bare_app DB_PATH`.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static, Tree

from tui.core.model import Ledger
from tui.core.store import Store


class BareApp(App[None]):
    BINDINGS = [("q", "quit", "退出")]  # noqa: RUF012 - Textual's own idiom for a throwaway app

    def __init__(self, ledger: Ledger) -> None:
        super().__init__()
        self.ledger = ledger

    def compose(self) -> ComposeResult:
        yield Static(self.ledger.title)
        with Horizontal():
            tree: Tree[str] = Tree("台账")
            tree.show_root = False
            nodes: dict[str, object] = {}
            for task in self.ledger.tasks:
                section = nodes.get(task.section) or tree.root.add(task.section, expand=True)
                nodes[task.section] = section
                key = f"{task.section}\n{task.subsection}"
                subsection = nodes.get(key) or section.add(task.subsection, expand=True)  # type: ignore[attr-defined]
                nodes[key] = subsection
                subsection.add_leaf(f"[ ] {task.no} {task.title}")  # type: ignore[attr-defined]
            yield tree
            with VerticalScroll():
                yield Static(self.ledger.tasks[0].content)
        yield Footer()


if __name__ == "__main__":
    BareApp(Store(sys.argv[1]).load()).run()
