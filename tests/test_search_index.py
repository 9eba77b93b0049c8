"""The search index (issue 16): pinyin initials for names and contents only, built in a worker without ever
making a key wait (`matches_now` answers at once from what is built, reading the rest the most common way),
and the same letters as pypinyin's word-aware reading once built.

Regression: at 5,000 tasks x 20 notes the first `/` `w` took 7.5 s, building pypinyin's initials of every
note on the keystroke.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading

import pytest

from tui.core.initials import initials, initials_apart, quick_initials
from tui.core.model import Ledger, Note
from tui.core.search import SearchIndex, text_matches
from tui.core.store import Store


@pytest.fixture
def ledger(db_path) -> Ledger:
    return Store(db_path).load()


def test_initials_keep_other_characters_in_lower_case() -> None:
    assert initials("区卫健局2025年") == quick_initials("区卫健局2025年") == "qwjj2025n"
    assert initials("ABC 民政") == "abc mz"


def test_initials_read_a_character_by_its_word_and_quick_initials_its_most_common_way() -> None:
    # 给 is gěi alone and jǐ in 供给; 调 is diào alone and tiáo in 协调.
    assert (initials("供给"), quick_initials("供给")) == ("gj", "gg")
    assert (initials("协调"), quick_initials("协调")) == ("xt", "xd")


def test_quick_initials_agree_with_the_word_aware_ones_on_nearly_every_character(ledger: Ledger) -> None:
    texts = ["\n".join((task.section, task.subsection, task.content, *task.units)) for task in ledger.tasks]
    exact, quick = "".join(map(initials, texts)), "".join(map(quick_initials, texts))
    assert len(exact) == len(quick)
    differing = sum(a != b for a, b in zip(exact, quick, strict=True))
    assert 0 < differing < len(exact) / 100  # 32 of 8,600 on the task list (给 in 供给, 调 in 协调)


def test_text_matches_every_word_as_written_or_as_initials(ledger: Ledger) -> None:
    for unit, _count in ledger.units():
        assert text_matches(initials(unit), unit), unit
    assert text_matches("wjj", "区卫健局") and text_matches("WJJ", "区卫健局")
    assert text_matches("q mzj", "区民政局") and text_matches("民政 q", "区民政局")
    assert not text_matches("wjj", "区民政局")


def test_matches_now_answers_before_the_build_and_completes_after(ledger: Ledger) -> None:
    index = SearchIndex()
    index.update(ledger.tasks)
    assert index.pending == len(ledger.tasks)
    early = index.matches_now("wjj")
    assert early.complete is False and len(early.ids) == 8  # the quick reading of 卫健局 is the right one
    by_text = index.matches_now("卫健局")
    assert by_text.complete is True and by_text.ids == early.ids  # a Chinese word never needs initials
    assert index.pending == len(ledger.tasks)  # answering built nothing
    supply = index.matches_now("gj")  # 供给 read gěi: not yet found as gj
    assert index.build() is True and index.pending == 0
    late = index.matches_now("gj")
    assert late.complete is True and late.ids > supply.ids
    assert late.ids == frozenset(index.matches("gj"))


def test_build_stops_when_asked_and_resumes(ledger: Ledger) -> None:
    index = SearchIndex()
    index.update(ledger.tasks)
    answers = iter([False, True])
    assert index.build(should_stop=lambda: next(answers, True), chunk=10) is False
    assert index.pending == len(ledger.tasks) - 10
    assert index.build() is True and index.pending == 0


def test_a_new_note_keeps_the_tasks_initials_and_is_found_at_once(ledger: Ledger) -> None:
    index = SearchIndex()
    index.update(ledger.tasks)
    index.build()
    first = ledger.tasks[0]
    noted = dataclasses.replace(first, notes=(Note("2026-11-28T10:00:00+08:00", "tester", "殡葬设施选址已完成"),))
    index.update((noted, *ledger.tasks[1:]))
    assert index.pending == 0  # only a note changed: the names' initials stay built
    assert index.matches_now("选址").ids == frozenset({first.id})
    assert first.id not in index.matches_now("bzss").ids  # notes are matched as written, not by initials
    renamed = dataclasses.replace(first, content="全新的内容")
    index.update((renamed, *ledger.tasks[1:]))
    assert index.pending == 1
    assert index.matches("qxdnr") == {first.id}


def test_a_build_in_another_thread_while_searching(ledger: Ledger) -> None:
    index = SearchIndex()
    index.update(ledger.tasks)
    health = frozenset(task.id for task in ledger.tasks if task.has_unit("区卫健局"))
    worker = threading.Thread(target=index.build, kwargs={"chunk": 5})
    worker.start()
    while worker.is_alive():
        assert index.matches_now("wjj").ids == health
    worker.join()
    assert index.matches_now("wjj") == index.matches_now("wjj") and index.matches_now("wjj").complete


def test_updates_while_a_worker_builds_never_break_the_search(ledger: Ledger) -> None:
    """Regression: an update that dropped the initials of renamed tasks iterated the cache the worker was
    filling ("dictionary changed size during iteration" ended the app on the first search at 5,000 tasks)."""
    tasks = list(ledger.tasks)
    index = SearchIndex()
    index.update(tasks)
    errors: list[BaseException] = []

    def build() -> None:
        try:
            while not stop.is_set():
                index.build(chunk=1)
        except BaseException as error:  # the worker's failure is the test's
            errors.append(error)

    stop = threading.Event()
    worker = threading.Thread(target=build)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: the race shows at once
    worker.start()
    try:
        for round_ in range(300):
            renamed = [dataclasses.replace(task, content=f"{task.content}{round_}") for task in tasks[:20]]
            index.update([*renamed, *tasks[20 + round_ % 30 :]])
            index.matches_now("wjj")
    finally:
        stop.set()
        worker.join()
        sys.setswitchinterval(interval)
    assert errors == []
    index.update(ledger.tasks)
    assert index.matches("wjj") == {task.id for task in ledger.tasks if task.has_unit("区卫健局")}


def test_the_apps_index_works_out_initials_in_another_process_regression_issue18(db_path) -> None:
    """Bug pinned: issue 16 built the app's index after the first frame, which loaded pypinyin's dictionaries
    (some 58 MB) into every session for good: 105 MB idle instead of about 50. The app's index has them worked
    out by a short-lived process, with the same letters as in-process (给 read jǐ in 供给)."""
    script = f"""
import sys
from tui.core.search import SearchIndex
from tui.core.store import Store
index = SearchIndex(initials_apart=True)
index.update(Store({str(db_path)!r}).load().tasks)
assert index.build() and index.pending == 0
found = sorted(task.no for task in Store({str(db_path)!r}).load().tasks if task.id in index.matches("wjj"))
print(found, "pypinyin" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    wjj = sorted(task.no for task in Store(db_path).load().tasks if "区卫健局" in task.units)
    assert done.stdout.strip() == f"{wjj} False"
    assert initials_apart(["供给", "区卫健局"]) == [initials("供给"), initials("区卫健局")] == ["gj", "qwjj"]
