"""How a change to a task reads: `2025 → 2026` for short values, the words that changed for long ones.

The one wording of a revision's changes: the import plan, `taizhang history`, the app's history rows and
the report's revisions all show them through `change_text` and `content_diff`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DIFF_CONTEXT", "change_text", "content_diff", "plain_value"]

# Equal stretches of a content diff longer than this are shortened in the text rendering.
DIFF_CONTEXT = 12
# Values up to this long are shown whole, `old → new`; longer ones as the words that changed.
_SHORT_VALUE = 20


def content_diff(old: str, new: str, *, context: int | None = None) -> str:
    """A character-level diff: deleted text as `[-old-]`, inserted as `{+new+}`.

    With `context`, equal stretches longer than twice that are shortened to their ends (`…`).
    """
    import difflib  # only when a change is shown

    parts: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            text = old[i1:i2]
            if context is not None and len(text) > 2 * context + 1:
                head = text[:context] if index > 0 else ""
                tail = text[-context:] if index < len(opcodes) - 1 else ""
                text = f"{head}…{tail}"
            parts.append(text)
            continue
        if tag in ("delete", "replace"):
            parts.append(f"[-{old[i1:i2]}-]")
        if tag in ("insert", "replace"):
            parts.append(f"{{+{new[j1:j2]}+}}")
    return "".join(parts)


def plain_value(value: Any) -> str:
    """A field's value as one line: units joined with 、."""
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value)
    return "" if value is None else str(value)


def change_text(name: str, old: Any, new: Any, *, context: int | None = DIFF_CONTEXT) -> str:
    """A field's change as staff read it: `2025 → 2026` for short values; for the content, and any value too
    long to read twice, the words that changed (`content_diff`), so two long texts never look the same."""
    before, after = plain_value(old), plain_value(new)
    if name != "content" and len(before) <= _SHORT_VALUE and len(after) <= _SHORT_VALUE:
        return f"{before or '（无）'} → {after or '（无）'}"
    return content_diff(before, after, context=context)
