"""The yardstick: a bare Textual app of taizhang's shape that imports nothing of the project.

A header, a `Tree` of the tasks (five sections, as many tasks as asked), a `Static` detail whose text is
replaced on every highlight, and the stock Footer: the floor a Textual app of this shape costs in start-up
time and in bytes per key (the shape issue 16 measured: 35.5 KB first frame, 1.6 KB per cursor move at
120x40). Its detail also answers a status key (`2`: the status line changes) and a note (`n`: a dated line
is added), so that those keys have a floor too. It reads no store and no document: start-up costs that are
taizhang's own (importing its modules, reading the ledger) are not in it.

`python benchmarks/bare_app.py [TASKS] [TITLE]` (a script path, so that not even `benchmarks` is imported).
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Static, Tree

SECTIONS = "一二三四五"
TEXT = (
    "强化乡镇（街道）党（工）委责任，完善乡镇（街道）、村（社区）与驻区单位共驻共建机制，"
    "落实乡镇（街道）、村（社区）党建联席会议制度，健全小区党支部议事协商机制。"
)
STATUSES = ("未启动", "推进中", "已完成")


class BareApp(App[None]):
    CSS = "Tree { width: 45%; } Static { width: 1fr; }"
    BINDINGS = [  # noqa: RUF012 - Textual's own idiom for a throwaway app
        Binding("q", "quit", "退出"),
        Binding("2", "status", "推进中"),
        Binding("n", "note", "进展"),
    ]

    def __init__(self, tasks: int, title: str) -> None:
        super().__init__()
        self.tasks = tasks
        self.title = title
        self.highlighted = 1
        self.status: dict[int, int] = {}
        self.notes: dict[int, list[str]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            tree: Tree[int] = Tree("洛江区任务清单")
            tree.root.expand()
            number = 0
            for s, numeral in enumerate(SECTIONS):
                section = tree.root.add(f"{numeral}、完善城乡社区服务格局", expand=(s == 0))
                for _ in range(self.tasks // len(SECTIONS) + (s < self.tasks % len(SECTIONS))):
                    number += 1
                    section.add_leaf(f"{number}. 强化乡镇（街道）党（工）委责任", data=number)
            yield tree
            yield Static(id="detail")
        yield Footer()

    def _show(self) -> None:
        n = self.highlighted
        notes = "".join(f"\n2026-11-28 10:00  {note}" for note in reversed(self.notes.get(n, [])))
        self.query_one("#detail", Static).update(
            f"{n}. " + TEXT.replace("强化", f"第{n}项强化", 1) + "\n\n责任单位：区民政局（牵头）\n完成时限：持续实施\n"
            f"状态：{STATUSES[self.status.get(n, 0)]}\n\n进展情况（{len(self.notes.get(n, []))} 条）{notes}"
        )

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[int]) -> None:
        self.highlighted = event.node.data or 0
        self._show()

    def action_status(self) -> None:
        self.status[self.highlighted] = (self.status.get(self.highlighted, 0) + 1) % len(STATUSES)
        self._show()

    def action_note(self) -> None:
        notes = self.notes.setdefault(self.highlighted, [])
        notes.append(f"第{len(notes) + 1}条进展：召开协调会，推进阶段性工作。")
        self._show()


if __name__ == "__main__":
    BareApp(int(sys.argv[1]) if len(sys.argv) > 1 else 72, sys.argv[2] if len(sys.argv) > 2 else "台账").run()
