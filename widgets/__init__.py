"""Reusable Textual widgets for the ledger: the section tree, the task detail, dialogs."""
