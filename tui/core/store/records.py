"""db.json's task records and the model's tasks: the one place that turns one into the other."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from importers.records import TASK_FIELDS, TaskRecord, district_note_start
from tui.core.model import Note, Status, Task, without_controls_in

__all__ = ["SCHEMA_VERSION", "new_task_id", "record_doc", "task_from_doc", "town_task_ids"]

# The version of db.json's layout (its `meta` record says which it was written in).
SCHEMA_VERSION = 1


def task_from_doc(
    doc: Mapping[str, Any],
    status: Status,
    notes: Iterable[Note],
    *,
    towns: tuple[str, ...] = (),
    unit_statuses: Mapping[str, Status] | None = None,
) -> Task:
    """A task from its record, its overall status, every note of its journal (the overall ones and those on
    other units' rows, told apart by `Note.unit`), the townships carrying it and its other rows' statuses."""
    notes = tuple(notes)
    unit_notes: tuple[Note, ...] = ()
    if any(note.unit for note in notes):
        unit_notes = tuple(note for note in notes if note.unit)
        notes = tuple(note for note in notes if not note.unit)
    # Written out rather than looped over TASK_FIELDS: a large ledger's first load builds 5,000 of them.
    return Task(
        id=doc["id"],
        no=int(doc["no"]),
        section=doc.get("section", ""),
        subsection=doc.get("subsection", ""),
        content=doc.get("content", ""),
        units=tuple(doc.get("units", ())),
        deadline=doc.get("deadline", ""),
        remarks=tuple(doc.get("remarks", ())),
        status=status,
        notes=notes,
        towns=towns,
        unit_statuses=tuple(unit_statuses.items()) if unit_statuses else (),
        unit_notes=unit_notes,
    )


def town_task_ids(tasks_table: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
    """Ids of the tasks the district-wide note covers, from db.json's tasks table (its keys are the document's
    order), by the importers' rule (`district_note_start`): records written before the rule existed included."""
    docs = [tasks_table[key] for key in sorted(tasks_table, key=lambda key: int(key) if key.isdigit() else 0)]
    start = district_note_start(doc.get("remarks", ()) for doc in docs)
    return frozenset() if start is None else frozenset(doc.get("id", "") for doc in docs[start:])


def record_doc(task_id: str, record: TaskRecord) -> dict[str, Any]:
    """A tasks-table document for an importer's TaskRecord (no control characters: see without_controls)."""
    values = {name: getattr(record, name) for name in TASK_FIELDS}
    return without_controls_in({"id": task_id, **{k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}})


def new_task_id(record_key: str, taken: set[str]) -> str:
    """A stable id from the task's section and content, unique among `taken` (which it joins)."""
    import hashlib  # here, not at the top: a `taizhang mark` should not pay for importing it

    digest = hashlib.sha1(record_key.encode("utf-8")).hexdigest()
    candidate = "T" + digest[:8]
    suffix = 1
    while candidate in taken:
        suffix += 1
        candidate = f"T{digest[:8]}-{suffix}"
    taken.add(candidate)
    return candidate
