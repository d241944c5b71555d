"""Code names code, and arrows run one way: read with `ast` from the app's own files.

lib never imports streamlit, ui or app_pages; lib/core and lib/background import no topic and no room code
(the database URL is a parameter); no module imports another that (at import time) imports it back; no
"module:name" text is resolved with importlib; and no page unpacks its tab labels by position.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

OWN = ("lib", "ui", "app_pages")
FILES = sorted([*(path for package in OWN for path in (ROOT / package).rglob("*.py")), ROOT / "Home.py"])
TOPICS = ("lib.room", "lib.kids", "lib.maps", "lib.methodology", "lib.mnist", "lib.pytorch_basics", "lib.notebooks",
          "lib.registry")
PRELOADS_BY_NAME = {"ui/warm_start.py"}  # imports every lib module before the server starts: a list, not a link


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.Module, top_level_only: bool) -> list[str]:
    """Modules imported (`from a import b`: a.b where that is a module of ours, else a)."""
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module
                      for alias in node.names]
    return found


MODULES = {_module(path) for path in FILES}
TREES = {_module(path): ast.parse(path.read_text(encoding="utf-8")) for path in FILES}


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def test_lib_imports_no_streamlit_and_no_page() -> None:
    wrong = {module: name for module, tree in TREES.items() if _under(module, ("lib",))
             for name in _imports(tree, top_level_only=False) if _under(name, ("streamlit", "ui", "app_pages"))}
    assert not wrong


@pytest.mark.parametrize("floor", ["lib.core", "lib.background"])
def test_no_arrow_runs_up_a_floor(floor: str) -> None:
    wrong = {module: name for module, tree in TREES.items() if _under(module, (floor,))
             for name in _imports(tree, top_level_only=False) if _under(name, TOPICS)}
    assert not wrong


@pytest.mark.parametrize("topic", ["lib.kids", "lib.maps", "lib.methodology", "lib.mnist", "lib.pytorch_basics"])
def test_a_topic_imports_neither_the_registry_nor_the_notebook_finder(topic: str) -> None:
    """The registry and lib.notebooks import the topics (their shown code, their notebook builders); a builder is
    handed its demo's `shows` instead of asking the registry, so the arrows run one way."""
    wrong = {module: name for module, tree in TREES.items() if _under(module, (topic,))
             for name in _imports(tree, top_level_only=False) if _under(name, ("lib.registry", "lib.notebooks"))}
    assert not wrong


def test_there_are_no_import_cycles() -> None:
    graph = {module: {name for name in _imports(tree, top_level_only=True) if name in MODULES and name != module}
             for module, tree in TREES.items()}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path[path.index(module):], module))
        if module in done:
            return
        for imported in graph[module]:
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_no_code_is_named_by_text_and_resolved_with_importlib() -> None:
    named = [str(path.relative_to(ROOT)) for path in FILES if "import_module" in path.read_text(encoding="utf-8")]
    assert set(named) <= PRELOADS_BY_NAME


def test_no_page_unpacks_its_tab_labels_by_position() -> None:
    unpacked = [module for module, tree in TREES.items() for node in ast.walk(tree)
                if isinstance(node, ast.Assign) and any(isinstance(target, ast.Tuple) for target in node.targets)
                and "tab_label" in ast.unparse(node.value)]
    assert not unpacked
