"""The ledger's core: everything that does not need Textual (import-linter keeps it so)."""
