"""The package's import graph: no module needs, at run time, a module that needs it back.

Imports inside functions count (they run when the function does); imports under
``if TYPE_CHECKING:`` do not (they are for type hints only).
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import collabsim

PACKAGE = Path(collabsim.__file__).parent


def _module_names() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _type_hint_only(tree: ast.Module) -> set[int]:
    """The ids of the nodes under an ``if TYPE_CHECKING:``."""
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }


def _imported(node: ast.AST, package: str, modules: dict[str, Path]) -> list[str]:
    """The package's modules an import statement loads (``from a import b``: ``a.b`` if
    that is a module, else ``a``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in modules]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    found = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules]
    return found or ([base] if base in modules else [])


def runtime_imports() -> dict[str, set[str]]:
    """Each module's imports of the package's modules that run, at import or in a call."""
    modules = _module_names()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hints = _type_hint_only(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = {
            target
            for node in ast.walk(tree)
            if id(node) not in hints
            for target in _imported(node, package, modules)
            if target != name
        }
    return graph


def test_the_reader_sees_the_imports_that_tie_modules_together():
    graph = runtime_imports()
    assert "collabsim.unwatched" in graph["collabsim.runner"]  # a top-level import
    assert "collabsim.model" in graph["collabsim.unwatched"]
    assert "collabsim.silo" in graph["collabsim.model"]  # the twin is built by the model
    assert "collabsim.sweeps.runner" in graph["collabsim.warm"]  # inside a function
    assert "collabsim.model" not in graph["collabsim.agents"]  # for type hints only


def test_no_module_needs_a_module_that_needs_it_back():
    try:
        order = list(graphlib.TopologicalSorter(runtime_imports()).static_order())
    except graphlib.CycleError as error:
        raise AssertionError(f"an import cycle: {' -> '.join(error.args[1])}") from None
    assert "collabsim.model" in order
