"""Textual's private API is used in one module, tui/textual_internals.py, which names each private name it
uses (issue 13): with Textual pinned exactly, an upgrade is then one audit of one file.

Read from the app's own source (AST) and its classes (MRO): a private name is Textual's when the project's
own classes do not define it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

from tests.conftest import PROJECT

INTERNALS = PROJECT / "tui" / "textual_internals.py"
APP_SIDE = sorted(
    [
        PROJECT / "tui" / "app.py",
        PROJECT / "tui" / "key_order.py",
        *(PROJECT / "tui" / "screens").glob("*.py"),
        *(PROJECT / "widgets").glob("*.py"),
    ]
)
# Undocumented Textual methods that look public: overriding one is using Textual's internals.
UNDOCUMENTED_HOOKS = {"on_event"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PROJECT).with_suffix("").parts)


def _is_textual(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "textual"


def _instance_attributes(cls: type) -> set[str]:
    """Names the class's own source assigns on `self` (`self._x = ...`, `self._x: T = ...`)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return set()
    names = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) and part.value.id == "self":
                    names.add(part.attr)
    return names


def textual_internals_used(path: Path) -> list[tuple[str, str]]:
    """Where `path` touches Textual's private API, as (name, where): private modules, private names of
    Textual's classes (used on `self` or overridden), private attributes of other objects, undocumented
    hooks overridden."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = importlib.import_module(_module_name(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "textual":
            if any(_private(part) for part in node.module.split(".")):
                found.append((node.module, f"import, line {node.lineno}"))
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append((node.attr, f"{ast.unparse(node)}, line {node.lineno}"))
    for class_node in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        cls = _find_class(module, class_node.name)
        if cls is None or not any(_is_textual(base) for base in cls.__mro__):
            continue
        textual = [base for base in cls.__mro__ if _is_textual(base)]
        ours = set()
        for base in cls.__mro__:
            if not _is_textual(base) and base is not object:
                ours |= set(vars(base)) | _instance_attributes(base)
        for name, value in vars(cls).items():
            overridden = any(name in vars(base) for base in textual)
            if overridden and callable(value) and (_private(name) or name in UNDOCUMENTED_HOOKS):
                found.append((name, f"{cls.__qualname__}.{name} overrides Textual's"))
        for node in ast.walk(class_node):
            on_self = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if on_self and _private(node.attr) and node.attr not in ours:
                found.append((node.attr, f"{cls.__qualname__}: self.{node.attr}, line {node.lineno}"))
    return found


def _find_class(module: object, name: str) -> type | None:
    """A class of the module by name, nested ones (a widget's messages) included."""
    pending = [value for value in vars(module).values() if isinstance(value, type)]
    while pending:
        cls = pending.pop()
        if cls.__name__ == name and cls.__module__ == getattr(module, "__name__", None):
            return cls
        pending += [value for value in vars(cls).values() if isinstance(value, type) and value.__module__ == cls.__module__]
    return None


def test_the_app_touches_textual_internals_only_through_textual_internals() -> None:
    assert INTERNALS.exists()
    used = {str(path.relative_to(PROJECT)): where for path in APP_SIDE if (where := textual_internals_used(path))}
    assert used == {}


def test_textual_internals_names_every_private_name_it_uses() -> None:
    docstring = ast.get_docstring(ast.parse(INTERNALS.read_text(encoding="utf-8"))) or ""
    assert "Private names used, and why:" in docstring
    used = textual_internals_used(INTERNALS)
    unnamed = [(name, where) for name, where in used if f"{name}`" not in docstring]
    assert unnamed == []


def test_the_check_finds_private_names_and_overrides() -> None:
    """The check itself: it finds in textual_internals.py what the lazy tree and the key order did before
    issue 13, and passes over a widget's own private names."""
    found = {name for name, _where in textual_internals_used(INTERNALS)}
    assert {"_add_node", "_new_id", "_tree_nodes", "_updates", "_tree_lines", "_expand", "_collapse", "on_event"} <= found
    assert textual_internals_used(PROJECT / "widgets" / "store_watcher.py") == []  # self._revision, self._reading: its own
