"""What the benchmarks measure with: the synthetic ledger must be a real ledger in the source's format,
and the bare app must hold as many tree nodes as the ledger has lines, or the figures mean nothing.
(No times are asserted here: speed targets live in benchmarks/.)"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from benchmarks.cli_bench import add_synthetic_notes, seed
from benchmarks.synthetic import write_synthetic_docx
from importers import read_document
from tests.conftest import PROJECT
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


def _bare_app_module() -> ModuleType:
    return runpy_module(PROJECT / "benchmarks" / "bare_app.py")


def runpy_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bare_app_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bare_yardstick_imports_nothing_of_the_project() -> None:
    """Issue 16 replaces the yardstick that loaded the store (and so carried the project's own start-up costs):
    the bare app imports only Textual."""
    probe = (
        "import runpy, sys\n"
        "runpy.run_path(sys.argv[1], run_name='yardstick')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tui', 'widgets', 'importers', 'benchmarks')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(PROJECT / "benchmarks" / "bare_app.py")],
        cwd=PROJECT.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout == "[]\n"


@pytest.mark.parametrize("tasks", [72, 5000])
async def test_the_bare_yardstick_holds_every_task_and_answers_its_keys(tasks: int) -> None:
    app = _bare_app_module().BareApp(tasks, "台账")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.query_one("Tree")
        leaves = [leaf for section in tree.root.children for leaf in section.children]
        assert [leaf.data for leaf in leaves] == list(range(1, tasks + 1))
        detail = app.query_one("#detail")
        await pilot.press("down", "down")
        assert str(detail.render()).startswith("1. 第1项强化")
        await pilot.press("2", "n")
        shown = str(detail.render())
        assert "状态：推进中" in shown and "进展情况（1 条）" in shown
