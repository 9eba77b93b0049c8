"""What the benchmarks measure with: the synthetic ledger must be a real ledger in the source's format,
and the bare app must hold as many tree nodes as the ledger has lines, or the figures mean nothing.
(No times are asserted here: speed targets live in benchmarks/.)"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from benchmarks.bare_app import BareApp
from benchmarks.cli_bench import add_synthetic_notes, seed
from benchmarks.synthetic import write_synthetic_docx
from importers import read_document
from tui.core.store import Store


def test_the_synthetic_ledger_reads_as_5_sections_of_10_subsections(tmp_path: Path):
    document = read_document(write_synthetic_docx(tmp_path / "synthetic.docx", 500))
    assert [task.no for task in document.tasks] == list(range(1, 501))
    per_section = Counter(task.section for task in document.tasks)
    assert len(per_section) == 5 and set(per_section.values()) == {100}
    per_subsection = Counter((task.section, task.subsection) for task in document.tasks)
    assert len(per_subsection) == 50 and set(per_subsection.values()) == {10}
    assert all(task.units and task.content for task in document.tasks)
    deadlines = {task.deadline for task in document.tasks}
    assert "持续实施" in deadlines and "" in deadlines and any(d[:2] == "20" for d in deadlines)


def test_synthetic_notes_give_every_task_m_notes(tmp_path: Path):
    store = seed(tmp_path / "db.json", write_synthetic_docx(tmp_path / "synthetic.docx", 60))
    add_synthetic_notes(store, 4)
    ledger = Store(store.path).load()
    assert {len(task.notes) for task in ledger.tasks} == {4}
    assert Store(store.path).check() == []


async def test_the_bare_app_holds_a_node_for_every_section_subsection_and_task(tmp_path: Path):
    store = seed(tmp_path / "db.json", write_synthetic_docx(tmp_path / "synthetic.docx", 120))
    app = BareApp(store.load())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.query_one("Tree")
        nodes = []

        def walk(node) -> None:
            for child in node.children:
                nodes.append(child)
                walk(child)

        walk(tree.root)
        assert len(nodes) == 5 + 50 + 120
        assert all(node.is_expanded for node in nodes if node.children)
