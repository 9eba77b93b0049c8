"""Pilot tests: above LedgerTree.LAZY_THRESHOLD the tree builds a group's task leaves only when it expands."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from rich.style import Style
from textual import on
from textual.app import App, ComposeResult
from textual.widgets.tree import TreeNode

from tui.core.display import STATUS_GLYPHS
from tui.core.model import Status, Task
from widgets.ledger_tree import LedgerTree, Section, SectionNode, Subsection

SIZE = (120, 36)
TODAY = dt.date(2025, 6, 1)
STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.BLOCKED, Status.CLOSED)


def make_tasks(sections: int = 5, subsections: int = 10, per: int = 20, *, first_no: int = 1) -> list[Task]:
    """`per` tasks in each subsection; every third is due in 2020 (overdue unless finished)."""
    tasks = []
    for s in range(sections):
        for b in range(subsections):
            for _ in range(per):
                no = first_no + len(tasks)
                tasks.append(task(no, section_name(s), subsection_name(s, b)))
    return tasks


def task(no: int, section: str, subsection: str) -> Task:
    return Task(
        id=f"t{no}",
        no=no,
        section=section,
        subsection=subsection,
        content=f"第{no}项任务。具体要求",
        units=("区民政局",),
        deadline="2020" if no % 3 == 0 else "持续实施",
        status=STATUSES[no % 5],
    )


def section_name(s: int) -> str:
    return f"{'一二三四五六七八九'[s]}、第{s + 1}部分"


def subsection_name(s: int, b: int) -> str:
    return f"（{b + 1}）第{s + 1}.{b + 1}项"


class TreeApp(App[None]):
    """Just a LedgerTree showing `tasks`, recording what it announces."""

    def __init__(self, tasks: list[Task]) -> None:
        super().__init__()
        self.tasks = tasks
        self.highlighted: list[SectionNode | None] = []

    def compose(self) -> ComposeResult:
        yield LedgerTree(id="tree")

    def on_mount(self) -> None:
        tree = self.query_one(LedgerTree)
        tree.show_tasks(self.tasks, TODAY, keep_collapsed=False)
        tree.focus()

    @on(LedgerTree.ItemHighlighted)
    def _seen(self, event: LedgerTree.ItemHighlighted) -> None:
        self.highlighted.append(event.item)


def all_nodes(tree: LedgerTree) -> list[TreeNode[SectionNode]]:
    """Every node the tree holds (shown or inside a collapsed group), depth first."""
    found: list[TreeNode[SectionNode]] = []

    def walk(node: TreeNode[SectionNode]) -> None:
        for child in node.children:
            found.append(child)
            walk(child)

    walk(tree.root)
    return found


def group_node(tree: LedgerTree, item: Section | Subsection) -> TreeNode[SectionNode]:
    return next(node for node in all_nodes(tree) if node.data == item)


def child_tasks(node: TreeNode[SectionNode]) -> list[Task]:
    return [child.data for child in node.children if isinstance(child.data, Task)]


def label(tree: LedgerTree, node: TreeNode[SectionNode]) -> str:
    return tree.render_label(node, Style(), Style()).plain


def task_label(item: Task) -> str:
    late = " 逾期" if item.is_overdue(TODAY) else ""
    return f"{STATUS_GLYPHS[item.status]} {item.no:>2} {item.title}{late}"


def rollup_label(icon: str, name: str, tasks: list[Task]) -> str:
    done = sum(item.status in (Status.DONE, Status.CLOSED) for item in tasks)
    overdue = sum(item.is_overdue(TODAY) for item in tasks)
    return f"{icon}{name} {done}/{len(tasks)}" + (f" 逾期{overdue}" if overdue else "")


def in_subsection(tasks: list[Task], s: int, b: int) -> list[Task]:
    return [item for item in tasks if item.subsection == subsection_name(s, b)]


def cursor_is_on_screen(tree: LedgerTree) -> bool:
    top = tree.scroll_offset.y
    return top <= tree.cursor_line < top + tree.scrollable_content_region.height


async def test_above_the_threshold_only_groups_and_the_first_subsection_are_built() -> None:
    tasks = make_tasks()  # 1,000 tasks
    assert len(tasks) > LedgerTree.LAZY_THRESHOLD
    app = TreeApp(tasks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(LedgerTree)
        nodes = all_nodes(tree)
        assert len(nodes) == 5 + 50 + 20
        built = [node.data for node in nodes if isinstance(node.data, Task)]
        assert built == in_subsection(tasks, 0, 0)
        for node in nodes:
            if isinstance(node.data, Section):
                assert node.is_expanded
            elif isinstance(node.data, Subsection):
                assert node.allow_expand
                assert node.is_expanded == (node.data == Subsection(section_name(0), subsection_name(0, 0)))
        assert tree.highlighted_item is tasks[0]
        assert app.highlighted[-1] is tasks[0]
        assert tree.shown_task_count == 1000
        assert tree.scroll_offset.y == 0


@pytest.mark.parametrize("way", ["l", "right", "enter", "click", "expand()"])
async def test_expanding_a_subsection_builds_exactly_its_tasks_in_order(way: str) -> None:
    tasks = make_tasks()
    app = TreeApp(tasks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(LedgerTree)
        second = Subsection(section_name(0), subsection_name(0, 1))
        node = group_node(tree, second)
        assert list(node.children) == [] and not node.is_expanded
        assert tree.select_item(second)
        await pilot.pause()
        if way == "expand()":
            node.expand()
        elif way == "click":
            await pilot.click(LedgerTree, offset=(6, node.line - tree.scroll_offset.y))
        else:
            await pilot.press(way)
        await pilot.pause()
        assert node.is_expanded
        expected = in_subsection(tasks, 0, 1)
        assert child_tasks(node) == expected
        assert [label(tree, child) for child in node.children] == [task_label(item) for item in expected]
        assert len(all_nodes(tree)) == 5 + 50 + 20 + 20
        # On screen too: the subsection's line, then its first task.
        assert tree.get_node_at_line(node.line + 1).data is expected[0]
        if way in ("l", "right"):
            await pilot.press(way)  # now expanded: l goes to its first task
            assert tree.highlighted_item is expected[0]


async def test_collapsed_unbuilt_groups_show_the_expand_icon_and_roll_up_all_their_tasks() -> None:
    tasks = make_tasks()
    app = TreeApp(tasks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(LedgerTree)
        checked = 0
        for node in all_nodes(tree):
            item = node.data
            if isinstance(item, Subsection) and not node.is_expanded:
                s, b = next((s, b) for s in range(5) for b in range(10) if subsection_name(s, b) == item.name)
                group = in_subsection(tasks, s, b)
                assert list(node.children) == []
                assert label(tree, node) == rollup_label("+ ", item.name, group)
                checked += 1
            elif isinstance(item, Section):
                assert label(tree, node) == rollup_label("- ", item.name, [t for t in tasks if t.section == item.name])
        assert checked == 49
        # What the screen shows for the first collapsed subsection, right below the first one's tasks.
        second = group_node(tree, Subsection(section_name(0), subsection_name(0, 1)))
        line = tree.render_line(second.line - tree.scroll_offset.y).text
        assert rollup_label("+ ", subsection_name(0, 1), in_subsection(tasks, 0, 1)) in line


async def test_select_task_id_deep_in_an_unbuilt_subsection_builds_it_and_moves_the_cursor() -> None:
    tasks = make_tasks()
    app = TreeApp(tasks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(LedgerTree)
        wanted = in_subsection(tasks, 4, 7)[13]
        assert tree.select_task_id(wanted.id)
        await pilot.pause()
        assert tree.highlighted_item is wanted
        assert tree.cursor_node is not None and tree.cursor_node.data is wanted
        assert app.highlighted[-1] is wanted
        assert cursor_is_on_screen(tree)
        node = group_node(tree, Subsection(section_name(4), subsection_name(4, 7)))
        assert node.is_expanded and child_tasks(node) == in_subsection(tasks, 4, 7)
        assert len(all_nodes(tree)) == 5 + 50 + 20 + 20
        # A built task, a section, and what is not shown at all.
        assert tree.select_task_id(tasks[5].id) and tree.highlighted_item is tasks[5]
        assert tree.select_item(Section(section_name(3))) and tree.highlighted_item == Section(section_name(3))
        assert not tree.select_task_id("nope")
        assert not tree.select_item(task(99999, section_name(0), subsection_name(0, 0)))
        # select_item finds an unbuilt task by id too (a fresh copy of it, as after a reload).
        other = dataclasses.replace(in_subsection(tasks, 2, 2)[0])
        assert tree.select_item(other)
        assert tree.highlighted_item.id == other.id


async def test_a_status_change_of_an_unbuilt_task_shows_when_its_group_expands() -> None:
    tasks = make_tasks()
    app = TreeApp(tasks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(LedgerTree)
        position = tasks.index(in_subsection(tasks, 3, 5)[4])
        before = tasks[position]
        assert before.status is not Status.DONE
        fresh = dataclasses.replace(before, status=Status.DONE)
        changed = [*tasks[:position], fresh, *tasks[position + 1 :]]
        tree.show_tasks(changed, TODAY)  # same tasks in the same order: updated in place
        await pilot.pause()
        assert len(all_nodes(tree)) == 5 + 50 + 20  # still not built
        assert tree.highlighted_item is tasks[0]
        node = group_node(tree, Subsection(section_name(3), subsection_name(3, 5)))
        assert label(tree, node) == rollup_label("+ ", subsection_name(3, 5), in_subsection(changed, 3, 5))
        assert label(tree, node) != rollup_label("+ ", subsection_name(3, 5), in_subsection(tasks, 3, 5))
        node.expand()
        await pilot.pause()
        leaf = node.children[4]
        assert leaf.data is fresh
        assert label(tree, leaf) == task_label(fresh)
        assert label(tree, leaf).startswith(STATUS_GLYPHS[Status.DONE])
        # And a change to a built task still updates its leaf in place.
        again = dataclasses.replace(tasks[1], status=Status.BLOCKED)
        first_leaf = group_node(tree, Subsection(section_name(0), subsection_name(0, 0))).children[1]
        tree.show_tasks([changed[0], again, *changed[2:]], TODAY)
        assert first_leaf.data is again and label(tree, first_leaf) == task_label(again)


async def test_below_the_threshold_every_node_is_built_and_expanded() -> None:
    tasks = make_tasks(per=6)  # 300 tasks: not above the threshold
    assert len(tasks) == LedgerTree.LAZY_THRESHOLD
    app = TreeApp(tasks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(LedgerTree)
        nodes = all_nodes(tree)
        assert len(nodes) == 5 + 50 + 300
        assert [node.data for node in nodes if isinstance(node.data, Task)] == tasks
        assert all(node.is_expanded for node in nodes if node.allow_expand)
        assert tree.highlighted_item is tasks[0]


async def test_the_threshold_is_a_class_attribute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LedgerTree, "LAZY_THRESHOLD", 10)
    tasks = make_tasks(sections=2, subsections=2, per=3)  # 12 tasks
    app = TreeApp(tasks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(LedgerTree)
        assert len(all_nodes(tree)) == 2 + 4 + 3


async def test_keep_collapsed_keeps_what_the_user_opened_and_closed_across_reloads() -> None:
    tasks = make_tasks()
    app = TreeApp(tasks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(LedgerTree)
        first = Subsection(section_name(0), subsection_name(0, 0))
        opened = Subsection(section_name(1), subsection_name(1, 3))
        assert tree.select_item(opened)
        await pilot.press("l")  # open 2.4
        assert tree.select_item(first)
        await pilot.press("h")  # close 1.1
        assert not group_node(tree, first).is_expanded
        # A filter narrows the view (few tasks: built as today) and is then dropped.
        tree.show_tasks([item for item in tasks if item.section == section_name(1)], TODAY)
        await pilot.pause()
        assert len(all_nodes(tree)) == 1 + 10 + 200
        cursor = in_subsection(tasks, 1, 0)[0]
        assert tree.highlighted_item is cursor  # the first task the filter showed
        tree.show_tasks(tasks, TODAY)
        await pilot.pause()
        assert group_node(tree, opened).is_expanded
        assert child_tasks(group_node(tree, opened)) == in_subsection(tasks, 1, 3)
        assert not group_node(tree, first).is_expanded
        assert list(group_node(tree, first).children) == []
        assert tree.highlighted_item is cursor  # its group built and opened to show it
        assert cursor_is_on_screen(tree)
        assert len(all_nodes(tree)) == 5 + 50 + 20 + 20
        # New filters: back to the default for the size; only the cursor's group is shown.
        tree.show_tasks(tasks[1:], TODAY, keep_collapsed=False)
        await pilot.pause()
        assert not group_node(tree, opened).is_expanded
        assert list(group_node(tree, opened).children) == []
        assert tree.highlighted_item is cursor
        assert len(all_nodes(tree)) == 5 + 50 + 20


async def test_growing_past_the_threshold_does_not_build_everything() -> None:
    small = make_tasks(per=2)  # 100 tasks, every group open
    app = TreeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(LedgerTree)
        assert len(all_nodes(tree)) == 5 + 50 + 100
        large = make_tasks()
        tree.show_tasks(large, TODAY)  # e.g. an import by someone else: keep_collapsed
        await pilot.pause()
        assert len(all_nodes(tree)) == 5 + 50 + 20
        assert tree.highlighted_item is large[0]


async def test_a_section_of_bare_tasks_waits_too_and_builds_in_document_order() -> None:
    tasks = make_tasks(sections=2)  # 400 tasks in subsections
    mixed = section_name(2)
    # A section mixing tasks without a subsection with two subsections: t, (1), t, (2), t.
    extra = [
        task(1001, mixed, ""),
        task(1002, mixed, subsection_name(2, 0)),
        task(1003, mixed, subsection_name(2, 0)),
        task(1004, mixed, ""),
        task(1005, mixed, subsection_name(2, 1)),
        task(1006, mixed, ""),
    ]
    bare = [task(2001 + n, section_name(3), "") for n in range(30)]
    everything = tasks + extra + bare
    app = TreeApp(everything)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one(LedgerTree)
        bare_node = group_node(tree, Section(section_name(3)))
        assert not bare_node.is_expanded and bare_node.allow_expand and list(bare_node.children) == []
        assert label(tree, bare_node) == rollup_label("+ ", section_name(3), bare)
        assert tree.select_task_id("t2017")
        assert child_tasks(bare_node) == bare and tree.highlighted_item is bare[16]

        # The mixed section opens by default (it has subsections) with its own tasks built.
        mixed_node = group_node(tree, Section(mixed))
        assert mixed_node.is_expanded
        shape = [child.data for child in mixed_node.children]
        assert shape == [
            extra[0],
            Subsection(mixed, subsection_name(2, 0)),
            extra[3],
            Subsection(mixed, subsection_name(2, 1)),
            extra[5],
        ]
        # Closed by the user and reloaded with another shape, its tasks wait; opening it puts them back in place.
        mixed_node.collapse()
        tree.show_tasks(everything[:-1], TODAY)
        await pilot.pause()
        mixed_node = group_node(tree, Section(mixed))
        assert not mixed_node.is_expanded
        assert [child.data for child in mixed_node.children] == [shape[1], shape[3]]
        mixed_node.expand()
        await pilot.pause()
        assert [child.data for child in mixed_node.children] == shape
        assert all(
            isinstance(child.data, Subsection) or label(tree, child) == task_label(child.data)
            for child in mixed_node.children
        )


async def test_the_first_show_keeps_the_headings_above_the_first_task_in_view() -> None:
    """Regression: the cursor was put on task 1 by scrolling to it before the tree had a size, so the
    first frame showed task 1 on the top line with its section and subsection headings scrolled away."""
    app = TreeApp(make_tasks())
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(LedgerTree)
        assert tree.scroll_y == 0  # before any refresh has run
        assert tree.highlighted_item == app.tasks[0]  # read from the cursor line, before the watcher ran
        await pilot.pause()
        assert tree.scroll_y == 0
        assert tree._tree_lines[2].node.data == app.tasks[0]
        assert isinstance(tree._tree_lines[0].node.data, Section)
