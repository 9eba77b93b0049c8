"""How the store fails: every message is one line of Chinese for the user."""

from __future__ import annotations

__all__ = ["PermissionDenied", "StoreError", "StoreUnavailable"]


class StoreError(Exception):
    """A store that cannot be read or written; the message is one line of Chinese for the user."""


class StoreUnavailable(StoreError):
    """The store's files cannot be read at all (a folder given as the store, no permission, an I/O error)."""


class PermissionDenied(StoreError):
    """This account (or a read-only session) may not make this change; the message says why."""
