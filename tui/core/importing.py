"""One import, whichever door it comes through: read the document and hash it, plan it against the store,
apply it, and say what it did. `taizhang import` and the app's import dialog both go through here.

A first import (an empty store) seeds it; a revised document onto a store with tasks is planned
(`tui.core.reseed`) and, once confirmed, applied by `Store.reseed`. The store's fingerprint is taken before
the ledger is read, so a plan applied after someone else changed the store is refused, never half-applied.

The dialog's use, from thread workers that post typed messages back::

    @work(thread=True, exit_on_error=False)
    def _prepare(self, source: Path) -> None:
        try:
            prepared = prepare_import(self.store, source)  # reads, hashes and plans: seconds on a slow disk
        except (DocumentError, StoreError) as error:
            self.post_message(self.Failed(self, str(error)))
            return
        self.post_message(self.Prepared(self, prepared))  # prepared.plan is None for a first import

    @work(thread=True, exit_on_error=False)
    def _apply(self, prepared: PreparedImport, replace: bool) -> None:
        outcome = apply_import(self.store, prepared, replace=replace)  # StoreError: one line, nothing written
        self.post_message(self.Applied(self, outcome))  # outcome.message for the toast; outcome.changed
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from importers import DocumentError, LedgerDocument, read_document
from tui.core.reseed import ReseedPlan, plan_reseed
from tui.core.store import Store, StoreError

__all__ = ["ImportOutcome", "PreparedImport", "apply_import", "plan_for_store", "prepare_import", "seeded_message"]


@dataclass(frozen=True)
class PreparedImport:
    """A document read and planned against the store as it was when `fingerprint` was taken."""

    source: Path
    document: LedgerDocument
    sha256: str
    fingerprint: str
    plan: ReseedPlan | None  # None: the store is empty and the document seeds it

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def has_changes(self) -> bool:
        return self.plan is None or self.plan.has_changes


@dataclass(frozen=True)
class ImportOutcome:
    """What applying an import did: `message` for the user; `changed` False when nothing was written."""

    message: str
    changed: bool
    tasks: int = 0  # the ledger's tasks afterwards
    backup: Path | None = None  # where a revision's backup went (None for a first import or no change)
    archived_ids: tuple[str, ...] = ()


def plan_for_store(store: Store, document: LedgerDocument) -> ReseedPlan:
    """The plan for importing `document` onto what `store` holds now (its history and archive included)."""
    return plan_reseed(
        store.load(),
        document,
        tasks_with_history={event.task for event in store.history()},
        archived_at=store.archive_dates(),
    )


def prepare_import(store: Store, source: Path) -> PreparedImport:
    """Read `source`, hash it and plan it against `store`. Raises DocumentError (or StoreError) with one line."""
    document = read_document(source)
    try:
        payload = source.read_bytes()
    except OSError as error:
        raise DocumentError(f"无法读取 {source.name}（{error.strerror}）。请检查文件权限。") from error
    revision = store.has_tasks()
    # The fingerprint is taken before reading the ledger: if the store changes in between, applying refuses.
    fingerprint = store.fingerprint()
    plan = plan_for_store(store, document) if revision else None
    return PreparedImport(source, document, hashlib.sha256(payload).hexdigest(), fingerprint, plan)


def seeded_message(name: str, tasks: int, *, into: Path | None = None) -> str:
    """`已从 task-list.docx 导入 72 项任务。` (`into`: the store, as the command line names it)."""
    where = f"到 {into}" if into is not None else ""
    return f"已从 {name} 导入 {tasks} 项任务{where}。"


def apply_import(store: Store, prepared: PreparedImport, *, replace: bool = False) -> ImportOutcome:
    """Seed the store or apply the revision's plan (`replace`: the user confirmed another task list).

    Raises StoreError (one line) when the store changed since `prepare_import`, the session may not import,
    or the write failed; nothing is changed then.
    """
    name = prepared.name
    if not prepared.has_changes:
        return ImportOutcome(f"{name} 与台账一致，台账未改动。", changed=False, tasks=len(prepared.document.tasks))
    if prepared.plan is None:
        if store.fingerprint() != prepared.fingerprint:
            raise StoreError("生成导入计划后台账已被改动（可能有人同时在导入），未做任何改动。请重新导入。")
        ledger = store.seed(prepared.document, source_name=name, source_sha256=prepared.sha256)
        return ImportOutcome(seeded_message(name, len(ledger.tasks)), changed=True, tasks=len(ledger.tasks))
    result = store.reseed(
        prepared.plan,
        source_name=name,
        source_sha256=prepared.sha256,
        expected_fingerprint=prepared.fingerprint,
        replace=replace,
    )
    message = prepared.plan.outcome(name, archived=len(result.archived_ids))
    if result.backup is not None:
        message += f"原数据已备份到 {result.backup}。"
    return ImportOutcome(
        message,
        changed=result.backup is not None,
        tasks=len(result.ledger.tasks),
        backup=result.backup,
        archived_ids=result.archived_ids,
    )
