"""The ledger store: the only code that touches TinyDB. Open a store with `Store(path)`.

The parts, each small enough to read at once:
- `files`   — parsed JSON files cached by signature, the atomic TinyDB storage (the one TinyDB import);
- `fold`    — what events say about statuses and notes (`fold_statuses`, the one status rule);
- `journal` — the monthly shards and the status summary on disk, appending events;
- `records` — db.json's task records <-> the model's tasks;
- `rights`  — the login and users.toml;
- `api`     — `Store`: reads, writes of progress, identity and refusals;
- `imports` — seed and reseed (db.json rewritten, with a backup);
- `check`   — `taizhang check`: the shape of every file, what the records say together, repairs.
"""

from tui.core.store.api import LOCK_TIMEOUT_SECONDS, Revision, Store, default_db_path
from tui.core.store.errors import PermissionDenied, StoreError, StoreUnavailable
from tui.core.store.records import SCHEMA_VERSION
from tui.core.store.rights import configured_users_path, current_user

__all__ = [
    "LOCK_TIMEOUT_SECONDS",
    "SCHEMA_VERSION",
    "PermissionDenied",
    "Revision",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "configured_users_path",
    "current_user",
    "default_db_path",
]
