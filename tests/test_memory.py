"""A session stays the same size however many changes others make (issue 18).

The figures are in benchmarks/memory_bench.py; these tests pin what each reload used to keep.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
from pathlib import Path

from tests.conftest import fixed_clock, revised_txt
from tests.pilot_helpers import settle
from tui.app import make_app
from tui.core.importing import apply_import, prepare_import
from tui.core.model import Ledger, Status
from tui.core.store import Store


def _content(ledger: Ledger) -> list[tuple[object, ...]]:
    return [(task.id, task.status, task.notes) for task in ledger.tasks]


def _shard(store: Store) -> Path:
    return next(store.journal_dir.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].json"))


def test_fifty_reloads_after_others_notes_hold_each_note_once(db_path: Path) -> None:
    """Regression: every reload parsed this month's shard whole and folded every note again, and the tasks
    that had not changed kept the notes of earlier reloads: each note alive two or three times over, the
    month re-allocated after every change anyone made. A session grew by ~20 KB per change seen."""
    session = Store(db_path, clock=fixed_clock, user="tester")
    other = Store(db_path, clock=fixed_clock, user="lisi")
    ids = [task.id for task in session.load().tasks]
    ledgers = []
    for index in range(50):
        other.add_note(ids[index % 3], f"李四的第 {index} 条进展")
        ledgers.append(session.load())
    notes = {id(note) for ledger in ledgers for task in ledger.tasks for note in task.notes}
    assert len(notes) == 50
    assert _content(ledgers[-1]) == _content(Store(db_path).load())


def test_a_session_reading_only_what_was_appended_sees_exactly_the_file(db_path: Path, tmp_path: Path) -> None:
    """The appended events are read on their own only when the rest of the shard is byte for byte the one
    read before: after this session's own write, or a shard put back from a copy, the shard is read whole."""
    session = Store(db_path, clock=fixed_clock, user="tester")
    other = Store(db_path, clock=fixed_clock, user="lisi")
    ids = [task.id for task in session.load().tasks]
    other.add_note(ids[0], "一")
    session.load()
    copy = tmp_path / "shard-after-one-note.json"
    shutil.copy(_shard(session), copy)
    other.add_note(ids[1], "二")
    session.add_note(ids[2], "本人的进展")  # between others' writes
    other.add_note(ids[1], "三")
    assert _content(session.load()) == _content(Store(db_path).load())
    shutil.copy(copy, _shard(session))  # restored from a copy: shorter, then written to again
    other.add_note(ids[4], "四")
    ledger = session.load()
    assert _content(ledger) == _content(Store(db_path).load())
    assert [note.text for task in ledger.tasks for note in task.notes] == ["一", "四"]


async def test_expired_toasts_leave_no_render_caches_behind(db_path: Path) -> None:
    """Regression: Textual's `StylesCache.get_inner_outer` (an lru_cache on a method) kept the render caches
    of 1,024 removed widgets; every toast is two, and colleagues' changes are toasts."""
    from textual._styles_cache import StylesCache

    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(app, pilot)
        gc.collect()
        before = sum(isinstance(thing, StylesCache) for thing in gc.get_objects())
        for index in range(30):
            app.notify(f"李四 将 {index} 号任务标为 推进中", title="他人改动", timeout=0.3)
            await pilot.pause(0.05)
        await pilot.pause(1.0)  # all expired and removed
        app.notify("李四 将 31 号任务标为 已完成", title="他人改动", timeout=30)
        await pilot.pause()
        gc.collect()
        after = sum(isinstance(thing, StylesCache) for thing in gc.get_objects())
        assert after - before <= 4  # the toast on screen and its holder (and a little slack)


async def test_a_toast_holder_left_empty_is_removed(db_path: Path) -> None:
    """Regression: when a notification arrives just after another expired, Textual's `ToastRack.show` removes
    the expired toast but not the holder around it, which then stays in the rack for the whole session."""
    from textual.widgets._toast import Toast, ToastHolder

    app = make_app(db_path, clock=fixed_clock, user="tester")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(app, pilot)
        app.notify("李四 将 1 号任务标为 推进中", timeout=30)
        await pilot.pause()
        toast = app.screen.query_one(Toast)
        app._unnotify(toast._notification, refresh=False)  # expired, and removed alone, as ToastRack.show does
        await toast.remove()
        assert [len(holder.children) for holder in app.screen.query(ToastHolder)] == [0]
        app.notify("李四 将 2 号任务标为 已完成", timeout=30)
        await pilot.pause()
        await pilot.pause()
        assert [len(holder.children) for holder in app.screen.query(ToastHolder)] == [1]


def _revision_renaming(folder: Path, ledger: Ledger, task_no: int) -> Path:
    """The task list with one deadline changed and task `task_no` reworded: a revision that renames a task."""
    content = next(task.content for task in ledger.tasks if task.no == task_no).split("\n")[0]
    text = revised_txt(folder).read_text(encoding="utf-8")
    assert text.count(content) == 1
    path = folder / "task-list-renamed.txt"
    path.write_text(text.replace(content, content.replace("提档升级", "提档升级和改造"), 1), encoding="utf-8")
    return path


def test_a_reload_by_appended_events_gives_the_ledger_a_full_reload_gives(db_path: Path, tmp_path: Path) -> None:
    """The session that folds only what others appended (issue 18) sees what a new session sees, after unit
    rows' statuses and notes, overall notes, undos, the townships set, a revision that renames a task, and a
    new month's shard. Only appends are folded alone: after an import every shard is folded afresh."""
    session = Store(db_path, clock=fixed_clock, user="tester")
    other = Store(db_path, clock=fixed_clock, user="lisi")
    ledger = session.load()
    shared = next(task for task in ledger.tasks if len(task.units) >= 3)
    cooperating, third = shared.units[1], shared.units[2]

    def same_as_a_new_session() -> Ledger:
        seen = session.load()
        fresh = Store(db_path, clock=fixed_clock, user="tester")
        assert seen == fresh.load()
        assert session.history() == fresh.history()
        assert session.events_after(None) == fresh.events_after(None)
        return seen

    other.add_note(shared.id, "牵头单位的进展")
    first = same_as_a_new_session()
    other.set_status(shared.id, Status.IN_PROGRESS, unit=cooperating)
    other.add_note(shared.id, "配合单位的进展", unit=cooperating)
    unit_note = other.add_note(shared.id, "另一配合单位的进展", unit=third)
    other.set_status(shared.id, Status.BLOCKED, unit=third)
    seen = same_as_a_new_session()
    task = seen.by_id(shared.id)
    assert task is not None and task.status_for(cooperating) is Status.IN_PROGRESS
    assert [note.text for note in task.notes_for(third)] == ["另一配合单位的进展"]
    assert task.notes[0] is first.by_id(shared.id).notes[0]  # folded once: the same note, not a copy

    other.undo(unit_note.id)
    session.add_note(shared.id, "本人的进展", unit=cooperating)  # this session's own write, between others'
    other.set_status(shared.id, Status.DONE)
    same_as_a_new_session()

    other.set_towns(["马甲镇", "河市镇"])
    town_task = next(task for task in other.load().tasks if task.towns)
    other.set_status(town_task.id, Status.IN_PROGRESS, unit="马甲镇")
    other.add_note(town_task.id, "镇里的进展", unit="马甲镇")
    before_import = same_as_a_new_session()

    prepared = prepare_import(other, _revision_renaming(tmp_path, before_import, shared.no))
    apply_import(other, prepared)
    other.add_note(town_task.id, "导入后的进展", unit="马甲镇")
    after_import = same_as_a_new_session()
    renamed = after_import.by_id(shared.id)
    assert renamed is not None and "提档升级和改造" in renamed.content
    assert renamed.notes[0] == before_import.by_id(shared.id).notes[0]
    assert renamed.notes[0] is not before_import.by_id(shared.id).notes[0]  # folded afresh after the import

    next_month = Store(db_path, clock=lambda: fixed_clock() + dt.timedelta(days=40), user="lisi")
    next_month.add_note(shared.id, "下个月的进展", unit=cooperating)
    next_month.set_status(town_task.id, Status.DONE, unit="马甲镇")
    other.add_note(shared.id, "本月补记")
    assert len(list(session.journal_dir.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].json"))) == 2
    same_as_a_new_session()
