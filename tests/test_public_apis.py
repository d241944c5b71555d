"""Other packages are used through their public APIs only, and page scripts decorate no cached function.

Read with `ast` from the app's own files (lib/, ui/, app_pages/, Home.py): no `from package import _name`,
no `something._name` on what is not our own (an imported module or class, or an object such as a chart),
and no assignment to an attribute of an imported module or class (a patch). An upgrade of Altair,
Streamlit or streamlit-folium can then break nothing silently.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

OWN_PACKAGES = {"lib", "ui", "app_pages", "benchmarks", "tests"}
APP_FILES = sorted([*(ROOT / "lib").rglob("*.py"), *(ROOT / "ui").rglob("*.py"), *(ROOT / "app_pages").rglob("*.py"),
                    ROOT / "Home.py"])
CACHE_DECORATORS = {"cache_data", "cache_resource"}
DOCUMENTED = {"os._exit"}  # underscore names the Python docs list as public API


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_own(module: str | None, level: int = 0) -> bool:
    return level > 0 or (module or "").split(".")[0] in OWN_PACKAGES


def _imported_names(tree: ast.Module) -> dict[str, bool]:
    """Each name an import binds, and whether it is one of ours."""
    names: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = _is_own(alias.name)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = _is_own(node.module, node.level)
    return names


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


def _changed_objects(node: ast.AST) -> list[ast.expr]:
    """What a statement or call sets or deletes an attribute of: `x.y` in `x.y = 1`, `x` in `setattr(x, ...)`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"setattr", "delattr"}:
        return node.args[:1]
    if isinstance(node, ast.Assign | ast.Delete):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    else:
        return []
    return [target.value for target in targets if isinstance(target, ast.Attribute)]


def private_uses(source: str) -> list[str]:
    """Every private name of another package that `source` imports, reads, or patches."""
    tree = ast.parse(source)
    imported = _imported_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not _is_own(node.module, node.level):
            found += [f"line {node.lineno}: from {node.module} import {alias.name}" for alias in node.names
                      if _is_private(alias.name) or any(_is_private(part) for part in (node.module or "").split("."))]
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {alias.name}" for alias in node.names
                      if not _is_own(alias.name) and any(_is_private(part) for part in alias.name.split("."))]
        elif isinstance(node, ast.Attribute) and _is_private(node.attr):
            root = _root(node)
            ours = isinstance(root, ast.Name) and (root.id in {"self", "cls"} or imported.get(root.id, False))
            if not ours and ast.unparse(node) not in DOCUMENTED:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        for changed in _changed_objects(node):
            root = _root(changed)
            if isinstance(root, ast.Name) and imported.get(root.id) is False:
                found.append(f"line {node.lineno}: {ast.unparse(node)[:80]} changes {root.id}, another package's")
    return found


@pytest.mark.parametrize("path", APP_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_app_uses_other_packages_through_their_public_apis(path: Path) -> None:
    assert private_uses(path.read_text(encoding="utf-8")) == []


def test_the_scan_finds_each_kind_of_private_use() -> None:
    patched = """
import streamlit_folium
from altair.utils import schemapi
from streamlit.elements.vega_charts import _to_arrow_dataset
from ui.charts import _kept_spec
import altair as alt
from lib.core import jobs

streamlit_folium._component_func = print
schemapi.SchemaBase.copy = print
setattr(alt, "theme", None)
chart = alt.Chart()
chart._get("mark")
jobs._private_helper()
alt.theme.enable("none")
"""
    found = private_uses(patched)
    assert len(found) == 6, found  # the folium patch both reads and sets a private name
    assert any("_to_arrow_dataset" in line for line in found)
    assert any("streamlit_folium._component_func" in line and "changes streamlit_folium" in line for line in found)
    assert any("schemapi.SchemaBase.copy" in line for line in found)
    assert any("setattr" in line for line in found)
    assert any("chart._get" in line for line in found)


def _page_scripts() -> list[Path]:
    """The files Home.py routes to: Streamlit runs each again from the top on every rerun."""
    tree = ast.parse((ROOT / "Home.py").read_text(encoding="utf-8"))
    return [ROOT / node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page"
            and node.args and isinstance(node.args[0], ast.Constant)]


def test_no_page_script_decorates_a_cached_function() -> None:
    """A cache decorator in a page script decorates a new function on every rerun; imported modules do it once."""
    scripts = _page_scripts()
    assert len(scripts) >= 7
    decorated = []
    for path in [*scripts, ROOT / "Home.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    called = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(called, ast.Attribute) and called.attr in CACHE_DECORATORS:
                        decorated.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert decorated == []


def test_no_app_file_draws_through_st_altair_chart() -> None:
    """st.altair_chart switches Altair's global data transformer while it converts: a chart converted by
    ui.charts on another session's thread at that moment would lose its rows. Every chart goes through ui.page."""
    calls = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in APP_FILES
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Attribute) and node.attr == "altair_chart"]
    assert calls == []
