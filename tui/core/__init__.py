"""The ledger's core: everything that needs no Textual (import-linter keeps it so), in the order data flows.

importers (a document) -> `model` (tasks, statuses, the ledger and its rules; `deadlines`, `search`) ->
`store` (the ledger on disk: the only code that touches TinyDB; rights from `permissions`) -> what is made
of it: `reseed` and `importing` (a revised document), `report` and `export` (the monthly report),
`history` (every wording of an event), `display` (text for any terminal). The CLI (`tui.cli`) and the
app (`tui.app`, `tui.screens`, `widgets`) sit on top.
"""
